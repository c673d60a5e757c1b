"""Coverage-guided test selection: which of a test set's tests can notice a mutant of a given line.

Each distinct test set runs once on the unmutated code under `coverage`, every test in its own context (its
pytest node id; code run outside a test, chiefly the imports during collection, lands in the empty context ""),
the project modules imported afresh. A mutant then needs only the tests that executed its statement:

- a statement outside every function body (module level, class bodies, decorators, a `def` line's defaults) runs
  at import, before any test: every test of the set can see its effect, so all of them run;
- a statement in a function body that ran at import (the empty context) likewise selects every test;
- a statement run while a fixture broader than a function (module, class, session) was set up selects every test
  using that fixture: the fixture runs once, in the first of them, and all of them see its result;
- a test running code in another process (`OUT_OF_PROCESS`: the pack over gRPC) is selected for every mutant of
  that code;
- otherwise the tests whose context executed a line of the statement (its header: an `if` condition, not the
  body), in the set's own order; a parametrized test is selected whole (`file::test`, every parameter);
- a statement no test executes cannot change any test's outcome: the mutant survives without running ("not
  covered").

A statement is found from the mutant's line in the unmutated source (the runner writes mutants with
`ast.unparse`, whose line numbers differ; the coverage is of the unmutated file, so are the mutants' lines).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ALL = "all"
NOT_COVERED = "not covered"
IMPORT_CONTEXT = ""
FIXTURE_CONTEXT = "fixture:"
"""The context of a module-, class- or session-scoped fixture's setup: `fixture:<name>`. Its code runs once, in
the first test that needs it, yet every test using the fixture sees its result."""
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Span:
    """The lines of the statement holding a mutant (its header for a compound statement), and whether it sits
    in a function body (runs when called) or not (runs at import)."""

    first: int
    last: int
    in_function: bool


@dataclass(frozen=True)
class Coverage:
    """One test set's run on the unmutated code: its tests in run order (function-level ids) and, per project
    file (relative path), line -> the contexts (node ids, "" for import) that executed it."""

    order: tuple[str, ...]
    lines: dict[str, dict[int, frozenset[str]]]
    fixtures: dict[str, frozenset[str]] = field(default_factory=dict)
    """Fixture name -> the tests using it (directly or through another fixture)."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "order": list(self.order),
                "fixtures": {name: sorted(tests) for name, tests in self.fixtures.items()},
                "lines": {
                    path: {str(line): sorted(contexts) for line, contexts in by_line.items()}
                    for path, by_line in self.lines.items()
                },
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Coverage:
        raw = json.loads(text)
        return cls(
            tuple(raw["order"]),
            {
                path: {int(line): frozenset(contexts) for line, contexts in by_line.items()}
                for path, by_line in raw["lines"].items()
            },
            {name: frozenset(tests) for name, tests in raw["fixtures"].items()},
        )


OUT_OF_PROCESS = (("policies/", "pack_harness"),)
"""(path prefix, fixture): tests using the fixture run that code in another process, out of coverage's sight (the
policy pack over gRPC): they are selected for every mutant under the prefix, whatever the coverage says."""


def function_id(nodeid: str) -> str:
    """The test function a node id belongs to, parameters dropped: `file::test[x]` -> `file::test` (an id pytest
    always resolves, whatever characters a parameter's id holds)."""
    return nodeid.split("[", 1)[0]


def _header_end(node: ast.AST) -> int:
    """The last line of a statement's own text: before its first nested statement, or its end."""
    nested = [
        child.lineno
        for name in ("body", "orelse", "finalbody", "handlers", "cases")
        for child in (getattr(node, name, None) or [])
        if hasattr(child, "lineno")
    ]
    end = getattr(node, "end_lineno", None) or getattr(node, "lineno", 0)
    return min(nested) - 1 if nested else end


def spans(source: str) -> list[Span]:
    """Every statement's (and `except` clause's) span in `source`, outermost first."""
    found: list[Span] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt | ast.excepthandler):
                decorators = getattr(child, "decorator_list", [])
                first = min([child.lineno, *(d.lineno for d in decorators)])
                found.append(Span(first, max(first, _header_end(child)), in_function))
                visit(child, in_function or isinstance(child, FUNCTIONS))
            else:
                visit(child, in_function)

    visit(ast.parse(source), False)
    return found


def span_of(line: int, statements: Sequence[Span]) -> Span | None:
    """The innermost statement whose span holds `line` (None: none does)."""
    holding = [span for span in statements if span.first <= line <= span.last]
    return min(holding, key=lambda span: span.last - span.first, default=None) if holding else None


def select(path: str, line: int, statements: Sequence[Span], coverage: Coverage) -> str | tuple[str, ...]:
    """The tests of `coverage`'s set a mutant of `path` at `line` needs: ALL, NOT_COVERED or some tests."""
    span = span_of(line, statements)
    if span is None or not span.in_function:
        return ALL
    executed = coverage.lines.get(path, {})
    contexts: set[str] = set()
    for number in range(span.first, span.last + 1):
        contexts |= executed.get(number, frozenset())
    if IMPORT_CONTEXT in contexts:
        return ALL
    elsewhere = {
        test
        for prefix, fixture in OUT_OF_PROCESS
        if path.startswith(prefix)
        for test in coverage.fixtures.get(fixture, ())
    }
    if not contexts and not elsewhere:
        return NOT_COVERED
    chosen: set[str] = set(elsewhere)
    for context in contexts:
        if not context.startswith(FIXTURE_CONTEXT):
            chosen.add(function_id(context))
        elif context.removeprefix(FIXTURE_CONTEXT) in coverage.fixtures:
            chosen |= coverage.fixtures[context.removeprefix(FIXTURE_CONTEXT)]
        else:
            return ALL
    return tuple(test for test in coverage.order if test in chosen)


def plan(selections: Sequence[tuple[str | tuple[str, ...], tuple[str, ...]]]) -> list[tuple[str, ...]] | None:
    """The runs that judge a mutant, in order (the first run that fails kills it), from each of its test sets'
    selection (targeted, then wider; each with the whole set): each set's selected tests (the whole set for ALL;
    a test already run is not repeated), then each set that was only partly run, whole. A set that does not cover
    the mutant is left out: never executing the mutated statement, it cannot fail. None: no set covers it."""
    runs: list[tuple[str, ...]] = []
    partial: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for selection, whole in selections:
        if selection == NOT_COVERED:
            continue
        chosen = whole if selection == ALL else tuple(selection)
        if chosen != whole:
            partial.append(whole)
        fresh = tuple(test for test in chosen if test not in seen)
        seen.update(fresh)
        if fresh:
            runs.append(fresh)
    if not runs:
        return None
    return [*runs, *(whole for whole in partial if whole not in runs)]


# -- the coverage run (in a forked child of a worker) -------------------------------------------------------
class ContextPlugin:
    """A pytest plugin: every test (setup, call, teardown) runs in a coverage context named by its node id; the
    setup of a fixture broader than a function in `fixture:<name>` (it serves every test using it)."""

    def __init__(self, cov: Any) -> None:
        self.cov = cov
        self.order: list[str] = []
        self.fixtures: dict[str, set[str]] = {}
        self.contexts: list[str] = [IMPORT_CONTEXT]

    def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> None:  # pytest's hook signature
        test = function_id(item.nodeid)
        if test not in self.order:
            self.order.append(test)
        for name in getattr(item, "fixturenames", ()):
            self.fixtures.setdefault(name, set()).add(test)
        self._switch([item.nodeid])

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self._switch([IMPORT_CONTEXT])

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Any:
        if fixturedef.scope == "function":
            return (yield)
        outer = list(self.contexts)
        self._switch([*outer, FIXTURE_CONTEXT + fixturedef.argname])
        try:
            return (yield)
        finally:
            self._switch(outer)

    def _switch(self, contexts: list[str]) -> None:
        self.contexts = contexts
        self.cov.switch_context(contexts[-1])


def measure(root: Path, files: Sequence[str], tests: Sequence[str], pytest_args: Sequence[str]) -> tuple[int, Coverage]:
    """Run `tests` under coverage of `files` (paths relative to `root`); the pytest exit code and the coverage.
    The caller has dropped the project modules from `sys.modules`, so their import is measured too."""
    import coverage

    cov = coverage.Coverage(data_file=None, include=[str(root / f) for f in files], config_file=False)
    plugin = ContextPlugin(cov)
    cov.start()
    try:
        code = int(pytest.main([*tests, *pytest_args], plugins=[plugin]))
    finally:
        cov.stop()
    data = cov.get_data()
    lines: dict[str, dict[int, frozenset[str]]] = {}
    for measured in data.measured_files():
        by_line = data.contexts_by_lineno(measured)
        lines[str(Path(measured).relative_to(root))] = {line: frozenset(c) for line, c in by_line.items()}
    fixtures = {name: frozenset(tests) for name, tests in plugin.fixtures.items()}
    return code, Coverage(tuple(plugin.order), lines, fixtures)
