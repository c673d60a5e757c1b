"""The mutation check's coverage-guided selection: a mutant runs against exactly the tests that execute its
statement; what runs at import selects every test; what no test executes survives without running; a mutant the
selected tests miss is still judged by its whole test sets."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from .operators import mutants
from .runner import stages
from .selection import ALL, NOT_COVERED, Coverage, function_id, plan, select, spans

SOURCE = '''\
"""A module under test."""
import functools

LIMIT = 90


class Settings:
    days: int = LIMIT + 1


@functools.lru_cache(maxsize=8)
def judge(days, strict=False):
    if (days < LIMIT
            and strict is True):
        return "short"
    if days > 400:
        return "long"
    return "ok"


def warm():
    return judge(1)


WARMED = warm()
'''
PATH = "pkg/rules.py"
STATEMENTS = spans(SOURCE)


def coverage(lines: dict[int, set[str]]) -> Coverage:
    order = ("tests/test_a.py::test_short", "tests/test_a.py::test_ok", "tests/test_b.py::test_any")
    return Coverage(order, {PATH: {line: frozenset(c) for line, c in lines.items()}})


# judge's `if days < LIMIT` header runs (lines 13-14), only the first line is recorded by the tracer
RUN = coverage(
    {
        13: {"tests/test_b.py::test_any", "tests/test_a.py::test_short[3]", "tests/test_a.py::test_short[4]"},
        15: {"tests/test_a.py::test_short[3]"},
        16: {"tests/test_b.py::test_any"},
        22: {""},
    }
)


def test_a_line_run_only_at_import_selects_every_test() -> None:
    for line in (4, 8, 11):  # module level, a class body, a decorator
        assert select(PATH, line, STATEMENTS, RUN) == ALL


def test_a_function_line_run_at_import_selects_every_test() -> None:
    assert select(PATH, 22, STATEMENTS, RUN) == ALL  # warm() runs while the module is imported


def test_a_line_no_test_executes_is_not_covered() -> None:
    assert select(PATH, 17, STATEMENTS, RUN) == NOT_COVERED  # `return "long"`: no test reaches it
    assert select("pkg/other.py", 15, STATEMENTS, RUN) == NOT_COVERED  # a module no test imports


def test_a_function_line_selects_the_tests_that_ran_it_in_run_order_parameters_whole() -> None:
    assert select(PATH, 15, STATEMENTS, RUN) == ("tests/test_a.py::test_short",)
    assert select(PATH, 13, STATEMENTS, RUN) == ("tests/test_a.py::test_short", "tests/test_b.py::test_any")


def test_a_condition_continued_on_the_next_line_is_judged_by_its_whole_statement() -> None:
    line = next(m.line for m in mutants(PATH, SOURCE) if m.before == "strict is True")
    assert line == 14
    assert select(PATH, line, STATEMENTS, RUN) == ("tests/test_a.py::test_short", "tests/test_b.py::test_any")


def test_a_line_run_by_a_module_fixture_selects_every_test_using_it() -> None:
    run = Coverage(
        RUN.order,
        {PATH: {17: frozenset({"fixture:stack"}), 15: frozenset({"fixture:unknown"})}},
        {"stack": frozenset({"tests/test_b.py::test_any", "tests/test_a.py::test_ok"})},
    )
    assert select(PATH, 17, STATEMENTS, run) == ("tests/test_a.py::test_ok", "tests/test_b.py::test_any")
    assert select(PATH, 15, STATEMENTS, run) == ALL  # a fixture no test is known to use: everything


def test_a_test_running_the_pack_in_its_own_process_is_selected_for_every_pack_mutant() -> None:
    run = Coverage(RUN.order, {}, {"pack_harness": frozenset({"tests/test_b.py::test_any"})})
    assert select("policies/guardrails/rules.py", 17, STATEMENTS, run) == ("tests/test_b.py::test_any",)
    assert select(PATH, 17, STATEMENTS, run) == NOT_COVERED  # not pack code: the pack process never runs it


def test_a_parametrized_test_is_selected_whole() -> None:
    assert function_id("tests/test_a.py::test_short[a-b::c]") == "tests/test_a.py::test_short"
    assert function_id("tests/test_a.py::Class::test_x") == "tests/test_a.py::Class::test_x"


TARGETED = ("tests/test_a.py",)
WIDER = ("tests/test_a.py", "tests/test_b.py")


def test_the_selected_tests_run_first_then_each_partly_run_set_whole() -> None:
    runs = stages(PATH, 15, STATEMENTS, [TARGETED, WIDER], {TARGETED: RUN, WIDER: RUN})
    assert runs == [("tests/test_a.py::test_short",), TARGETED, WIDER]  # the wider selection: nothing new


def test_a_mutant_no_test_executes_is_judged_without_running() -> None:
    assert stages(PATH, 17, STATEMENTS, [TARGETED, WIDER], {TARGETED: RUN, WIDER: RUN}) is None
    assert plan([(NOT_COVERED, TARGETED), (NOT_COVERED, WIDER)]) is None


def test_a_set_that_does_not_cover_the_mutant_is_not_run() -> None:
    b_only = ("tests/test_b.py::test_any",)
    assert plan([(NOT_COVERED, TARGETED), (b_only, WIDER)]) == [b_only, WIDER]


def test_a_set_selected_whole_runs_once() -> None:
    assert plan([(ALL, TARGETED), (("tests/test_a.py::test_ok", "tests/test_b.py::test_any"), WIDER)]) == [
        TARGETED,
        ("tests/test_a.py::test_ok", "tests/test_b.py::test_any"),
        WIDER,
    ]
    assert stages(PATH, 4, STATEMENTS, [TARGETED], {TARGETED: RUN}) == [TARGETED]


def test_without_coverage_every_mutant_runs_its_whole_sets() -> None:
    sets = [("tests/test_a.py",), ("tests/test_b.py",)]
    assert stages(PATH, 17, STATEMENTS, sets, {}) == sets


PROGRAM = """\
import sys
from pathlib import Path
sys.path[:0] = [sys.argv[3], "."]
from tests.mutation.selection import measure
code, coverage = measure(Path.cwd(), ["pkg/rules.py"], ["tests_x/test_a.py", "tests_x/test_b.py"], ["-q", "-p", "no:cacheprovider"])
Path(sys.argv[2]).write_text(coverage.to_json())
sys.exit(code)
"""


def test_the_coverage_run_records_each_test_and_the_import_apart(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "rules.py").write_text(SOURCE)
    (tmp_path / "tests_x").mkdir()
    (tmp_path / "tests_x" / "test_a.py").write_text(
        textwrap.dedent("""\
            import pytest
            from pkg.rules import judge

            @pytest.fixture(scope="module")
            def verdict():
                return judge(700)

            @pytest.mark.parametrize("days", [3, 4])
            def test_short(days):
                assert judge(days, strict=True) == "short"

            def test_ok(verdict):
                assert judge(100) == "ok"

            def test_long(verdict):
                assert verdict == "long"
            """)
    )
    (tmp_path / "tests_x" / "test_b.py").write_text("from pkg.rules import judge\n\ndef test_any():\n    judge(500)\n")
    out = tmp_path / "coverage.json"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path), str(out), str(root)],
        cwd=tmp_path.resolve(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = Coverage.from_json(out.read_text())
    assert run.order == (
        "tests_x/test_a.py::test_short",
        "tests_x/test_a.py::test_ok",
        "tests_x/test_a.py::test_long",
        "tests_x/test_b.py::test_any",
    )
    lines = run.lines["pkg/rules.py"]
    assert lines[4] == {""}  # LIMIT = 90: at import
    assert lines[15] == {"tests_x/test_a.py::test_short[3]", "tests_x/test_a.py::test_short[4]"}
    assert lines[17] == {"tests_x/test_b.py::test_any", "fixture:verdict"}  # judge(700): in test_ok's setup
    assert 18 in lines and "" in lines[18]  # `return "ok"`: warm() at import reaches it
    assert select("pkg/rules.py", 17, spans(SOURCE), run) == (
        "tests_x/test_a.py::test_ok",
        "tests_x/test_a.py::test_long",
        "tests_x/test_b.py::test_any",
    )
