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
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from offline.engine import StackRun, run_stack, stack_config

T = TypeVar("T")


class _Session:
    root: Path | None = None
    """Where the session's workers share their runs; None outside a session (or without xdist): per process."""


_runs: dict[str, StackRun] = {}


def configure(root: Path | None) -> None:
    """Share runs through `root` (the session's temporary directory, common to every xdist worker)."""
    _Session.root = root


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


def run_key(stack: str, config: Mapping[str, str], preview: bool, config_file: Path | None) -> str:
    """A run's identity: everything that reaches the program."""
    identity = [stack, dict(sorted(config.items())), preview, str(config_file) if config_file else None]
    return f"{stack}-{hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:20]}"


def shared_run(
    stack: str, *, config: Mapping[str, str] | None = None, preview: bool = False, config_file: Path | None = None
) -> StackRun:
    """`run_stack(stack, config=config, preview=preview, config_file=config_file)`, once per session."""
    flat = dict(config) if config is not None else stack_config(stack, config_file=config_file)
    key = run_key(stack, flat, preview, config_file)
    run = _runs.get(key)
    if run is None:

        def compute() -> StackRun:
            return run_stack(stack, config=flat, preview=preview, config_file=config_file)

        root = _Session.root
        run = compute() if root is None else cached(root / f"shared-run-{key}.pickle", compute)
        assert run is not None  # blocking: always a value
        _runs[key] = run
    return run
