"""Stack runs shared by the whole test session: each distinct run (stack, config, preview, config file) runs once
per session, not once per module or per xdist worker.

`shared_run(stack, config=..., preview=...)` is what `run_stack` returns for the same arguments. Under
pytest-xdist the first worker to need a run computes it under a file lock in the session's temporary directory
(the root conftest sets it, `configure`); the others load its pickle. Within a process a run is computed or
loaded once. The runs are shared objects: tests read them, never change them.

Use it for any variant more than one test or module needs (prod with a site, an example system, ...):

    from tests.shared_runs import shared_run
    run = shared_run("prod", config={**stack_config("prod"), "platform:sites": ...}, preview=True)

or the `shared_runs` fixture (the same function) from tests/conftest.py.

`SharedChecks` (the session's `pack_harness`) does the same for the pack's verdicts: a check whose inputs are
identical (the same resources, stack, project, preview flag, stack config and policy config) runs once per
session; every other test gets a fresh copy of that report. A modified copy of a run has other resources, so
it is checked by the pack itself.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import pickle
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pulumi.runtime.proto import analyzer_pb2

from offline.engine import StackRun, run_references_with, run_stack, stack_config
from offline.policy_harness import (
    PolicyHarness,
    PolicyReport,
    ResourceLike,
    default_policy_config,
    load_policy_config,
)
from offline.stackfile import PROJECT_DIR

T = TypeVar("T")


class _Session:
    root: Path | None = None
    """Where the session's workers share their runs; None outside a session (or without xdist): per process."""


_runs: dict[str, StackRun] = {}


def configure(root: Path | None) -> None:
    """Share runs through `root` (the session's temporary directory, common to every xdist worker), and answer
    StackReferences with them: a standby reads its primary's shared `up` run instead of running it again."""
    _Session.root = root
    run_references_with(_referenced_run)


def session_root() -> Path | None:
    """What `configure` was given."""
    return _Session.root


def _referenced_run(stack: str, config_file: Path, project_dir: Path) -> StackRun:
    return shared_run(stack, config_file=config_file, project_dir=project_dir)


def cached(cache: Path, compute: Callable[[], T], *, blocking: bool = True) -> T | None:
    """The value pickled at `cache`, computing and storing it under a lock if no process has yet; None if the
    lock is busy and `blocking` is off (another process is computing it)."""
    with cache.with_suffix(".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        if cache.exists():
            return pickle.loads(cache.read_bytes())
        value = compute()
        partial = cache.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(value))
        partial.replace(cache)
        return value


def run_key(
    stack: str, config: Mapping[str, str], preview: bool, config_file: Path | None, project_dir: Path = PROJECT_DIR
) -> str:
    """A run's identity: everything that reaches the program."""
    identity = [stack, dict(sorted(config.items())), preview, str(config_file) if config_file else None]
    if project_dir != PROJECT_DIR:  # another project (bootstrap/): its own program
        identity.append(str(project_dir))
    return f"{stack}-{hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:20]}"


def shared_run(
    stack: str,
    *,
    config: Mapping[str, str] | None = None,
    preview: bool = False,
    config_file: Path | None = None,
    project_dir: Path = PROJECT_DIR,
) -> StackRun:
    """`run_stack(stack, config=config, preview=preview, config_file=config_file, project_dir=project_dir)`, once
    per session."""
    flat = dict(config) if config is not None else stack_config(stack, project_dir, config_file=config_file)
    key = run_key(stack, flat, preview, config_file, project_dir)
    run = _runs.get(key)
    if run is None:

        def compute() -> StackRun:
            return run_stack(stack, config=flat, preview=preview, config_file=config_file, project_dir=project_dir)

        root = _Session.root
        run = compute() if root is None else cached(root / f"shared-run-{key}.pickle", compute)
        assert run is not None  # blocking: always a value
        _runs[key] = run
    return run


_DEFAULT_CONFIG = object()
_SESSION = object()
"""`SharedChecks(root=...)` not given: the session's directory (`configure`)."""
RESPONSES = {"Remediate": analyzer_pb2.RemediateResponse, "Analyze": analyzer_pb2.AnalyzeResponse}
"""What each remembered request was answered with (`PolicyPackProcess.answers`)."""


class SharedChecks(PolicyHarness):
    """A `PolicyHarness` whose `check` runs the pack once per session for each distinct input, shared by the
    xdist workers like `shared_run`. The key is the content itself (the pickled resources, the stack, project,
    preview flag, stack config and the policy config's content), so any change to any of them is a new check.
    Each call gets its own copy of the report: tests may change what they are given. A check that raises (a
    refused policy config) is never stored: it raises again for every caller.

    With `remember_answers`, the workers also share what their pack processes answered: after a check, a worker
    writes the Remediate and Analyze answers it got that no worker had published (one file per check, under the
    same process command, stack config and policy config); before one, it takes the other workers' new files.
    A changed copy of a run another worker checked then sends the pack only what changed here too.

    `root`: where the session's workers meet (default: the session's, `configure`); None: nothing shared."""

    def __init__(self, *args: Any, root: Path | object | None = _SESSION, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._root = root
        self._reports: dict[str, bytes] = {}
        self._known: dict[str, set[tuple[str, bytes]]] = {}
        """Per process command and configs: the answers this worker published or took from the others."""
        self._taken: set[str] = set()
        self._files = itertools.count()

    @property
    def root(self) -> Path | None:
        return _Session.root if self._root is _SESSION else self._root  # type: ignore[return-value]

    def check(
        self,
        resources: Iterable[ResourceLike],
        *,
        stack: str,
        project: str = "platform",
        preview: bool = False,
        stack_config: Mapping[str, str] | None = None,
        policy_config: Any = _DEFAULT_CONFIG,
    ) -> PolicyReport:
        listed = list(resources)
        source = default_policy_config(stack, self.pack_dir) if policy_config is _DEFAULT_CONFIG else policy_config
        config = load_policy_config(source)
        identity = json.dumps(
            [stack, project, preview, dict(sorted((stack_config or {}).items())), config], sort_keys=True
        ).encode()
        digest = hashlib.sha256(identity)
        digest.update(pickle.dumps(listed))
        key = digest.hexdigest()[:24]
        stored = self._reports.get(key)
        if stored is None:
            answers_key = hashlib.sha256(identity).hexdigest()[:24]  # the process command and configs

            def compute() -> bytes:
                answers = None
                if self.remember_answers and self.root is not None:
                    started = self.process(stack=stack, project=project, preview=preview, stack_config=stack_config)
                    answers = started.answers(config)
                    if answers is not None:
                        self._take(answers_key, answers)
                report = super(SharedChecks, self).check(
                    listed,
                    stack=stack,
                    project=project,
                    preview=preview,
                    stack_config=stack_config,
                    policy_config=config,
                )
                if answers is not None:
                    self._publish(answers_key, answers)
                return pickle.dumps(report)

            root = self.root
            stored = compute() if root is None else cached(root / f"shared-check-{key}.pickle", compute)
            assert stored is not None  # blocking: always a value
            self._reports[key] = stored
        return pickle.loads(stored)

    def _take(self, key: str, answers: dict[tuple[str, bytes], Any]) -> None:
        """Add the answers the other workers published under `key` since the last look."""
        assert self.root is not None
        known = self._known.setdefault(key, set())
        for path in sorted(self.root.glob(f"answers-{key}-*.pickle")):
            if path.name in self._taken:
                continue
            self._taken.add(path.name)
            for (method, request), answer in pickle.loads(path.read_bytes()).items():
                known.add((method, request))
                if (method, request) not in answers:
                    answers[(method, request)] = RESPONSES[method].FromString(answer)

    def _publish(self, key: str, answers: dict[tuple[str, bytes], Any]) -> None:
        """Write the answers under `key` no worker has published yet, as one new file."""
        assert self.root is not None
        known = self._known.setdefault(key, set())
        new = {k: v.SerializeToString(deterministic=True) for k, v in answers.items() if k not in known}
        if not new:
            return
        known.update(new)
        path = self.root / f"answers-{key}-{os.getpid()}-{id(self)}-{next(self._files)}.pickle"
        self._taken.add(path.name)
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(new))
        partial.replace(path)
