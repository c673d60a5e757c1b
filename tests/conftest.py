"""Shared fixtures: each real stack run once per test session under the in-process engine.

With pytest-xdist every worker is its own process; the first worker to need a stack's run computes it and
the others load it from the session's temporary directory, so each stack runs once per session, not once
per worker.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # An xdist worker caches bytecode even under PYTHONDONTWRITEBYTECODE: without it every worker of every session
    # compiles the project's modules again and pytest rewrites the asserts of every test module again (~3 s of CPU
    # per worker, half its collection), and each pack process compiles the guardrails at its start. The files go
    # to the gitignored __pycache__ directories, validated by each source's mtime and size as always. Workers
    # only: the mutation check runs pytest in-process (-n 0) and decides itself what may be written.
    sys.dont_write_bytecode = False

from offline.stackfile import STACKS

if TYPE_CHECKING:  # the engine, the harness and the runs are imported where used: xdist's controller, which
    # loads this file before it starts the workers, never needs them (~0.7 s sooner to the first test)
    from offline.engine import StackRun
    from offline.policy_harness import PolicyHarness


def _shared_runs(tmp_path_factory: pytest.TempPathFactory, worker_id: str, *, preview: bool) -> dict[str, StackRun]:
    from offline.engine import run_stack

    if worker_id == "master":  # not under xdist: nothing to share
        return {stack: run_stack(stack, preview=preview) for stack in STACKS}
    root = tmp_path_factory.getbasetemp().parent
    mode = "preview" if preview else "up"
    runs: dict[str, StackRun] = {}
    # First pass: compute any stack no other worker is computing; second pass: wait for the rest.
    for blocking in (False, True):
        for stack in STACKS:
            if stack not in runs:
                run = _cached_run(root / f"run-{stack}-{mode}.pickle", stack, preview=preview, blocking=blocking)
                if run is not None:
                    runs[stack] = run
    return {stack: runs[stack] for stack in STACKS}


def _cached_run(cache: Path, stack: str, *, preview: bool, blocking: bool) -> StackRun | None:
    """The stack's run from `cache`, computing and storing it under a lock; None if the lock is busy and
    `blocking` is off."""
    from offline.engine import run_stack
    from tests.shared_runs import cached

    return cached(cache, lambda: run_stack(stack, preview=preview), blocking=blocking)


@pytest.fixture(scope="session")
def stack_runs(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, StackRun]:
    """Every real stack (dev, staging, prod), run from its own stack file, fully resolved (as `up` sees it)."""
    return _shared_runs(tmp_path_factory, worker_id, preview=False)


@pytest.fixture(scope="session")
def preview_runs(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, StackRun]:
    """Every real stack as a first `pulumi preview` sees it: computed ids and ARNs unknown."""
    return _shared_runs(tmp_path_factory, worker_id, preview=True)


@pytest.fixture(params=STACKS)
def stack_run(request: pytest.FixtureRequest, stack_runs: dict[str, StackRun]) -> StackRun:
    """One stack's run; tests using it run once per stack."""
    return stack_runs[request.param]


@pytest.fixture(scope="session", autouse=True)
def shared_runs(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Callable[..., StackRun]:
    """`tests.shared_runs.shared_run`: any stack run (a variant's config, a preview, an example's config file)
    once per session, shared by the xdist workers. Autouse, so helpers calling `shared_run` directly share too."""
    from tests import shared_runs as sharing

    sharing.configure(None if worker_id == "master" else tmp_path_factory.getbasetemp().parent)
    return sharing.shared_run


@pytest.fixture(scope="session", autouse=True)
def forked_packs() -> Iterator[None]:
    """Every pack process the worker starts without saying how (the session's checks, the offline preview's) is
    forked from one server (`fork_packs_from`), itself started when the first is needed. Autouse, so the CLI
    previews tests run in-process fork theirs too."""
    from offline.policy_harness import PolicyHarness, fork_packs_from

    forks = PolicyHarness(fork=True)  # holds the fork server: none starts until a pack process is
    fork_packs_from(forks.fork_server)
    try:
        yield
    finally:
        fork_packs_from(None)
        forks.close()


@pytest.fixture(scope="session")
def pack_harness(shared_runs: Callable[..., StackRun]) -> Iterator[PolicyHarness]:
    """One policy pack session for the worker: each pack process (per stack, preview and stack config) starts
    once and serves every test that checks with it, instead of one start per test or module; and each distinct
    check (same resources, stack, preview and configs) runs once per session across the workers
    (`tests.shared_runs.SharedChecks`). Each process answers a given Remediate or Analyze request once
    (`remember_answers`): a changed copy of a run sends the pack only its changed resources."""
    from tests.shared_runs import SharedChecks

    with SharedChecks(remember_answers=True) as harness:  # forked from the session's server (`forked_packs`)
        yield harness


FINE_SCOPED = frozenset({"tests/policies/test_pack_e2e.py", "tests/policies/test_robustness.py"})
"""Modules whose tests xdist may spread over both workers, one test function (all its parameters) at a time,
instead of the whole module on one worker (`--dist loadscope`). Each is a large share of the suite, so on one
worker it caps the wall time; their module fixtures hold only what the session already shares across workers
(stack runs, pack reports: tests/shared_runs.py), so a second worker setting them up again costs a file read."""


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadscope` with `FINE_SCOPED` modules split per test function; other modes as xdist has them."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.split("::", 1)[0] in FINE_SCOPED:
                return nodeid.split("[", 1)[0]
            return super()._split_scope(nodeid)

    return Scheduling(config, log)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    """Young collections less often. A worker's heap holds about a million long-lived objects (pulumi_aws's
    classes, the runs shared for the session) and the tests allocate heavily between runs (configs, reports,
    loaded runs; `run_stack` pauses the collector while the program runs); at the default threshold (700)
    collections cost ~14 % of a worker's CPU, at 50,000 about half that. What is collected is unchanged."""
    gc.set_threshold(50_000, 50, 100)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collected, the imports are done: what lives now (pulumi_aws's classes, the components, the test modules)
    lives to the end, so it goes to the permanent generation (after one collection, so no garbage is kept) and
    no later collection scans it again, down to the five full collections pytest runs when the session ends."""
    gc.collect()
    gc.freeze()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker's tests are done: collect its garbage once and freeze what is left (the session's runs and
    reports), so the five full collections pytest's unraisable-exception cleanup runs next scan nothing of it
    (~0.5 s each on a worker's heap). The first collection still runs every pending finalizer while pytest's
    hook listens, so an exception raised in one is reported as before."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        gc.collect()
        gc.freeze()
