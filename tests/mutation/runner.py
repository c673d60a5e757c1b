"""The mutation check: every mutant of the targeted code, run against its tests, scored per package.

    python3 run.py mutate                         everything (pack, config validation, grants/IAM)
    python3 run.py mutate --package pack          one package
    python3 run.py mutate --module iam.py         modules whose path contains the text (repeatable)
    python3 run.py mutate --time-box 300          stop starting mutants after 300 s (the rest: "not run")
    python3 run.py mutate --list                  list the mutants, run nothing

How a mutant runs: the tree is copied once per worker (at most 2, the machine's cores) without caches, its
modules byte-compiled with checked-hash .pyc files (an edited source is never served stale). Each worker
imports the third-party libraries once (pulumi, pulumi_aws, pydantic, pytest...), then for each mutant writes
the mutated module into its copy and forks: the child runs pytest in-process on the targeted tests (`-x`, stop
at the first failure) with the project's modules imported afresh, the parent restores the module. A mutant is
killed when a test fails, the tests cannot even import (exit 1-4) or they run past the time-out (4x the
unmutated run, 20 s at least); a mutant surviving its targeted tests then runs against its package's wider
set. Equivalent mutants (`equivalents.py`, each with its reason) are left out of the score.

Which tests a mutant runs (`selection.py`): each test set first runs once under `coverage`, every test in its own
context; a mutant then runs first against the tests of each set that execute its statement (all of them for code
run at import), then, should those pass, against each partly run set whole, so the verdict is the whole sets'.
A set that never executes the statement is not run; a mutant no test executes survives unrun ("not covered").
`--no-select` skips the coverage runs: every mutant runs against its whole sets.

Exit status: 1 when a package's score is below its floor (`FLOORS`, or `--fail-under`), or the unmutated code
fails its own tests; 0 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import contextlib
import importlib
import multiprocessing
import os
import py_compile
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .equivalents import EQUIVALENT
from .operators import Mutant, mutants, mutate
from .selection import Coverage, Span, measure, plan, select, spans
from .targets import PACKAGES, Module, Package

ROOT = Path(__file__).resolve().parents[2]
FLOORS: dict[str, float] = {"pack": 90.0, "config": 90.0, "grants": 90.0}
"""The lowest acceptable score per package, in percent (killed / (killed + survived), equivalents excluded)."""

COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".tools",
    "node_modules",
    "__pycache__",
    "*.pyc",
    ".ruff_cache",
    ".pytest_cache",
    "venv",
    "bench-results*",
    ".mypy_cache",
)
WARM_IMPORTS = ("pytest", "xdist", "pulumi", "pulumi_aws", "pulumi_policy", "pydantic", "yaml", "jsonschema")
"""Imported once per worker before any fork, with every module of PROJECT_PACKAGES."""
PROJECT_PACKAGES = ("policies", "components", "offline")

PYTEST_ARGS = ("-x", "-q", "-n", "0", "--no-header", "-p", "no:cacheprovider", "-W", "ignore")
MIN_TIMEOUT = 20.0
KILLED_CODES = {1, 2, 3, 4}
"""Tests failed, interrupted (a collection error), internal error, usage error (a conftest that no longer imports):
the last three mean the mutant breaks an import. The unmutated code must pass (0), so none is the runner's fault."""


@dataclass
class Task:
    mutant: Mutant | None
    """None: the unmutated code (the baseline)."""
    source: str | None
    tests: tuple[str, ...]
    timeout: float
    stale: tuple[str, ...] = ()
    """Modules the child must import afresh: the mutated one and its importers (the rest stay warm)."""


@dataclass
class Outcome:
    status: str
    """killed, survived, timeout or error (pytest exit code not 0-3)."""
    seconds: float
    code: int


@dataclass
class Tally:
    killed: int = 0
    survived: list[Mutant] = field(default_factory=list)
    equivalent: int = 0
    errors: list[tuple[Mutant, int]] = field(default_factory=list)
    not_run: int = 0
    not_covered: set[str] = field(default_factory=set)
    """Keys of the survivors no test executes (judged without running)."""
    runs: int = 0
    """pytest runs (a mutant takes one per stage it reaches; none when not covered)."""
    misses: int = 0
    """Mutants the selected tests missed and the whole set killed (the selection's blind spots: shared state)."""

    @property
    def score(self) -> float | None:
        judged = self.killed + len(self.survived)
        return 100.0 * self.killed / judged if judged else None


# -- worker side ----------------------------------------------------------------------------------------
_WORKDIR: Path | None = None


def _worker_init(dirs: Any) -> None:
    """Claim a copy of the tree; import the third-party libraries and every project module once (a forked
    child re-imports only what a mutant can change: see `_forget`)."""
    global _WORKDIR  # noqa: PLW0603  # one copy of the tree per worker process, for its lifetime
    _WORKDIR = Path(dirs.get())
    os.chdir(_WORKDIR)
    sys.path.insert(0, str(_WORKDIR))
    sys.dont_write_bytecode = True  # a child writes (pytest's rewritten tests; see `_child`), never the worker
    names = [*WARM_IMPORTS, *sorted(project_modules(_WORKDIR))]
    with (
        Path(os.devnull).open("w") as devnull,
        contextlib.redirect_stdout(devnull),
        contextlib.redirect_stderr(devnull),
    ):
        for name in names:
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    _forget(_test_modules())


def _test_modules() -> list[str]:
    """The test modules (pytest imports them itself, with assertion rewriting, from the copy: `tests` too, which
    the main process imported from the tree); never this runner, which the pool calls by name."""
    return [name for name in sys.modules if name.split(".")[0] == "tests" and not name.startswith("tests.mutation")]


def _forget(names: Iterable[str]) -> None:
    for name in names:
        sys.modules.pop(name, None)


def project_modules(root: Path) -> dict[str, Path]:
    """Module name -> file of every module of the project's own packages."""
    found = {}
    for folder in PROJECT_PACKAGES:
        for path in sorted((root / folder).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "venv" in parts:  # the pack's own virtualenv (policies/venv)
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def importers(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules that import it (directly), read from every import statement."""
    modules = project_modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:  # the module named (a package's __init__ holds no one else's objects)
                if target in graph and target != name:
                    graph[target].add(name)
    return graph


def downstream(module: str, graph: dict[str, set[str]]) -> set[str]:
    """`module` and every project module that imports it, directly or not: what a mutant of it changes."""
    seen = {module}
    stack = [module]
    while stack:
        for importer in graph.get(stack.pop(), ()):
            if importer not in seen:
                seen.add(importer)
                stack.append(importer)
    return seen


def _worker_run(task: Task) -> Outcome:
    assert _WORKDIR is not None
    target = _WORKDIR / task.mutant.path if task.mutant is not None else None
    original = target.read_text() if target is not None else None
    if target is not None and task.source is not None:
        target.write_text(task.source)
    try:

        def run() -> int:
            import pytest

            return int(pytest.main([*task.tests, *PYTEST_ARGS]))

        return _child(task.stale, run, task.timeout)
    finally:
        if target is not None and original is not None:
            target.write_text(original)


def _worker_measure(tests: tuple[str, ...], files: tuple[str, ...], timeout: float) -> tuple[Outcome, str | None]:
    """Run `tests` on the unmutated code under coverage of `files`, every project module imported afresh (so
    what runs at import is measured): the outcome and the coverage (`selection.Coverage` as JSON)."""
    assert _WORKDIR is not None
    root = _WORKDIR
    result = Path(tempfile.mkstemp(prefix="coverage-", suffix=".json", dir=root.parent)[1])

    def run() -> int:
        code, coverage = measure(root, files, tests, PYTEST_ARGS)
        result.write_text(coverage.to_json())
        return code

    outcome = _child(tuple(project_modules(root)), run, timeout)
    text = result.read_text() if outcome.status == "survived" else None
    result.unlink()
    return outcome, text


def _child(stale: Iterable[str], run: Any, timeout: float) -> Outcome:
    """Fork; the child drops `stale` from `sys.modules` and calls `run` (its exit code), output discarded. The
    child writes bytecode: pytest's rewritten test modules are then cached in the worker's tree copy (rewritten
    once, not per mutant); the project's modules have checked-hash .pyc files, so a mutated source is never
    served stale (its .pyc is rewritten and, once the source is restored, found stale by its hash)."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: pytest in-process, on a fresh import of the project
        code = 3
        try:
            _forget(stale)
            sys.dont_write_bytecode = False
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            code = run()
        finally:
            os._exit(code)
    return _wait(pid, started, timeout)


def _wait(pid: int, started: float, timeout: float) -> Outcome:
    delay = 0.005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        elapsed = time.monotonic() - started
        if done:
            code = os.waitstatus_to_exitcode(status)
            if code == 0:
                return Outcome("survived", elapsed, code)
            if code in KILLED_CODES or code < 0:
                return Outcome("killed", elapsed, code)
            return Outcome("error", elapsed, code)
        if elapsed > timeout:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return Outcome("timeout", elapsed, -9)
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


# -- main side ------------------------------------------------------------------------------------------
def _copy_tree(destination: Path) -> None:
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE, symlinks=True)
    for folder in ("components", "offline", "policies", "tests"):
        compileall.compile_dir(
            destination / folder, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
        )
    compileall.compile_file(
        destination / "__main__.py", quiet=2, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
    )


def _existing(tests: Iterable[str]) -> tuple[str, ...]:
    """The tests whose file exists (a test may be named by its node id: `file::test`)."""
    return tuple(t for t in tests if (ROOT / t.split("::")[0]).exists())


def _selected(packages: list[str], modules: list[str]) -> list[tuple[Package, Module]]:
    chosen = []
    for package in PACKAGES:
        if packages and package.name not in packages:
            continue
        for module in package.modules:
            if modules and not any(text in module.path for text in modules):
                continue
            chosen.append((package, module))
    return chosen


def _report(tallies: dict[str, Tally], floors: dict[str, float], stale: list[str]) -> int:
    failed = False
    print("\nmutation score per package (killed / (killed + survived); equivalent mutants excluded)")
    for name, tally in tallies.items():
        score = tally.score
        shown = "n/a" if score is None else f"{score:5.1f} %"
        floor = floors.get(name, 0.0)
        below = score is not None and score < floor
        failed |= below
        print(
            f"  {name:<8} {shown}  killed {tally.killed}, survived {len(tally.survived)}, "
            f"equivalent {tally.equivalent}, errors {len(tally.errors)}, not run {tally.not_run}"
            f"  (floor {floor:.0f} %{', BELOW' if below else ''})"
        )
        print(
            f"           {tally.runs} pytest runs; {len(tally.not_covered)} survivors no test executes (not run); "
            f"{tally.misses} killed only by a whole test set after the selected tests passed"
        )
    for name, tally in tallies.items():
        for mutant in sorted(tally.survived, key=lambda m: (m.path, m.line)):
            uncovered = "  (not covered)" if mutant.key in tally.not_covered else ""
            print(
                f"SURVIVED {name}: {mutant.where}  [{mutant.operator}] {mutant.before}  ->  {mutant.after}{uncovered}"
                f"\n         key: {mutant.key}"
            )
        for mutant, code in tally.errors:
            print(f"ERROR    {name}: {mutant.where}  pytest exit {code}  key: {mutant.key}")
    for key in stale:
        print(f"note: equivalent-mutant entry matches no mutant any more: {key}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run.py mutate", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--package", action="append", default=[], choices=[p.name for p in PACKAGES])
    parser.add_argument("--module", action="append", default=[], help="modules whose path contains this text")
    parser.add_argument("--time-box", type=float, default=None, help="seconds; start no mutant after that")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--fail-under", type=float, default=None, help="floor (percent) for every package")
    parser.add_argument("--list", action="store_true", help="list the mutants and run nothing")
    parser.add_argument(
        "--no-select", action="store_true", help="run every mutant against its whole test sets (no coverage)"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()

    selection = _selected(args.package, args.module)
    floors = {p.name: args.fail_under if args.fail_under is not None else FLOORS.get(p.name, 0.0) for p in PACKAGES}
    tallies: dict[str, Tally] = {}
    work: list[tuple[Package, Module, Mutant, str]] = []
    used: set[str] = set()
    for package, module in selection:
        tally = tallies.setdefault(package.name, Tally())
        source = (ROOT / module.path).read_text()
        for mutant in mutants(module.path, source, module.scope):
            if mutant.key in EQUIVALENT:
                used.add(mutant.key)
                tally.equivalent += 1
                continue
            work.append((package, module, mutant, mutate(source, mutant.index, module.scope)))
    stale = sorted(set(EQUIVALENT) - used) if not args.module and not args.package else []
    if args.list:
        for package, _module, mutant, _source in work:
            print(f"{package.name:<7} {mutant.where:<45} [{mutant.operator}] {mutant.before} -> {mutant.after}")
        print(f"{len(work)} mutants")
        return 0
    print(f"{len(work)} mutants in {len(selection)} modules, {args.jobs} workers", flush=True)

    with tempfile.TemporaryDirectory(prefix="mutate-") as scratch:
        context = multiprocessing.get_context("fork")
        dirs = context.Queue()
        for index in range(args.jobs):
            copy = Path(scratch) / f"tree-{index}"
            _copy_tree(copy)
            dirs.put(str(copy))
        with context.Pool(args.jobs, initializer=_worker_init, initargs=(dirs,)) as pool:
            timeouts = _baselines(pool, selection)
            if timeouts is None:
                return 1
            coverages = {} if args.no_select else _coverages(pool, selection, timeouts)
            if coverages is None:
                return 1
            print(f"baselines and coverage: {time.monotonic() - started:.0f} s", flush=True)
            _run_all(pool, work, timeouts, coverages, tallies, jobs=args.jobs, time_box=args.time_box, started=started)
    code = _report(tallies, floors, stale)
    print(f"mutation check: {time.monotonic() - started:.0f} s")
    return code


def _baselines(pool: Any, selection: list[tuple[Package, Module]]) -> dict[tuple[str, ...], float] | None:
    """Run each distinct test set on the unmutated code: it must pass; its time sets the mutants' time-out."""
    sets = {_existing(m.tests) for _p, m in selection} | {_existing(p.wider) for p, _m in selection}
    sets.discard(())
    pending = {tests: pool.apply_async(_worker_run, (Task(None, None, tests, 600.0),)) for tests in sets}
    timeouts: dict[tuple[str, ...], float] = {}
    ok = True
    for tests, result in pending.items():
        outcome: Outcome = result.get()
        if outcome.status != "survived":
            print(
                f"the unmutated code fails its own tests ({outcome.status}, exit {outcome.code}): {' '.join(tests)}",
                file=sys.stderr,
            )
            ok = False
        timeouts[tests] = max(MIN_TIMEOUT, 4 * outcome.seconds)
    return timeouts if ok else None


def _coverages(
    pool: Any, selection: list[tuple[Package, Module]], timeouts: dict[tuple[str, ...], float]
) -> dict[tuple[str, ...], Coverage] | None:
    """Each distinct test set once more, under coverage of the mutated modules: what selects a mutant's tests."""
    files = tuple(sorted({m.path for _p, m in selection}))
    pending = {
        tests: pool.apply_async(_worker_measure, (tests, files, 600.0))
        for tests in timeouts  # the sets `_baselines` ran
    }
    coverages: dict[tuple[str, ...], Coverage] = {}
    for tests, result in pending.items():
        outcome, text = result.get()
        if text is None:
            print(f"the coverage run fails ({outcome.status}, exit {outcome.code}): {' '.join(tests)}", file=sys.stderr)
            return None
        coverages[tests] = Coverage.from_json(text)
    return coverages


def stages(
    path: str,
    line: int,
    statements: list[Span],
    sets: list[tuple[str, ...]],
    coverages: dict[tuple[str, ...], Coverage],
) -> list[tuple[str, ...]] | None:
    """The runs that judge a mutant (`selection.plan`): first the tests of each set that execute its statement,
    then, should they all pass, each set that ran only in part, whole: the verdict is the whole sets' verdict (a
    test can also notice a mutant through state an earlier test left, a cache or a module-scoped fixture, which no
    per-test coverage sees). None: no test executes the statement, the mutant survives without running. Without
    coverage (`--no-select`): the whole sets."""
    if not coverages:
        return list(sets)
    return plan([(select(path, line, statements, coverages[tests]), tests) for tests in sets])


def _sets(package: Package, module: Module) -> list[tuple[str, ...]]:
    """A mutant's test sets: its module's targeted tests, then its package's wider set (when it differs)."""
    sets = [_existing(module.tests)]
    if _existing(package.wider) != sets[0]:
        sets.append(_existing(package.wider))
    return sets


def _survived_unrun(tally: Tally, mutant: Mutant) -> None:
    """A mutant no test executes: a survivor, judged without running."""
    tally.survived.append(mutant)
    tally.not_covered.add(mutant.key)
    print(
        f"  survived: {mutant.where}  [{mutant.operator}] {mutant.before}  ->  {mutant.after}  (not covered)",
        flush=True,
    )


def _run_all(
    pool: Any,
    work: list[tuple[Package, Module, Mutant, str]],
    timeouts: dict[tuple[str, ...], float],
    coverages: dict[tuple[str, ...], Coverage],
    tallies: dict[str, Tally],
    *,
    jobs: int,
    time_box: float | None,
    started: float,
) -> None:
    graph = importers(ROOT)
    stale = {
        path: tuple(sorted(downstream(path.removesuffix(".py").replace("/", "."), graph)))
        for path in {mutant.path for _p, _m, mutant, _s in work}
    }
    statements = {path: spans((ROOT / path).read_text()) for path in stale}
    queue = list(reversed(work))
    in_flight: list[tuple[Any, Package, Mutant, str, list[tuple[str, ...]], int]] = []
    done = 0
    limit = 2 * jobs  # enough queued that no worker waits

    def submit(package: Package, mutant: Mutant, source: str, runs: list[tuple[str, ...]], step: int) -> None:
        tests = runs[step]
        timeout = max(timeouts.get(whole, MIN_TIMEOUT) for whole in runs[step:])  # a subset: its set's time-out
        task = Task(mutant, source, tests, timeout, stale[mutant.path])
        in_flight.append((pool.apply_async(_worker_run, (task,)), package, mutant, source, runs, step))

    def judged(tally: Tally, mutant: Mutant, *, covered: bool = True) -> None:
        nonlocal done
        done += 1
        if not covered:
            _survived_unrun(tally, mutant)
        if done % 50 == 0:
            print(f"  {done} mutants judged, {time.monotonic() - started:.0f} s", flush=True)

    while queue or in_flight:
        while queue and len(in_flight) < limit:
            if time_box is not None and time.monotonic() - started > time_box:
                for package, _module, _mutant, _source in queue:
                    tallies[package.name].not_run += 1
                queue.clear()
                break
            package, module, mutant, source = queue.pop()
            runs = stages(mutant.path, mutant.line, statements[mutant.path], _sets(package, module), coverages)
            if runs is None:
                judged(tallies[package.name], mutant, covered=False)
                continue
            submit(package, mutant, source, runs, 0)
        if not in_flight:
            break
        result, package, mutant, source, runs, step = in_flight.pop(0)
        outcome: Outcome = result.get()
        tally = tallies[package.name]
        tally.runs += 1
        if outcome.status in ("killed", "timeout"):
            tally.killed += 1
            tally.misses += step > 0 and bool(coverages)
        elif outcome.status == "error":
            tally.errors.append((mutant, outcome.code))
        elif step + 1 < len(runs):
            submit(package, mutant, source, runs, step + 1)
            continue
        else:
            tally.survived.append(mutant)
            print(f"  survived: {mutant.where}  [{mutant.operator}] {mutant.before}  ->  {mutant.after}", flush=True)
        judged(tally, mutant)
