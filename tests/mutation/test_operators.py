"""The mutation check's own operators and bookkeeping: each operator makes the change it names, once, and
leaves documentation alone; the equivalent-mutant list is well formed."""

from __future__ import annotations

import ast
from pathlib import Path

from .equivalents import EQUIVALENT
from .operators import mutants, mutate
from .runner import ROOT, downstream, importers
from .targets import PACKAGES

SOURCE = '''
"""Module docstring: never mutated."""
LIMIT = 90


def judge(days, tags, kind=None):
    """Docstring."""
    if days < LIMIT and "prod" in tags:
        report(f"kept {days} days")
    if not tags:
        raise ValueError("no tags")
    return kind is None or days >= 1


TYPES = {"aws:efs/fileSystem:FileSystem", "aws:ebs/volume:Volume"}
'''


def changes() -> set[tuple[str, str, str]]:
    return {(m.operator, m.before, m.after) for m in mutants("m.py", SOURCE)}


def test_each_operator_makes_the_change_it_names() -> None:
    found = changes()
    assert ("number", "90", "91") in found and ("number", "90", "89") in found
    assert ("comparison", "days < LIMIT", "days <= LIMIT") in found
    assert ("comparison", "'prod' in tags", "'prod' not in tags") in found
    assert ("boolean", "days < LIMIT and 'prod' in tags", "days < LIMIT or 'prod' in tags") in found
    assert ("remove-not", "not tags", "tags") in found
    assert ("remove-statement", "raise ValueError('no tags')", "pass") in found
    assert ("remove-statement", "report(f'kept {days} days')", "pass") in found
    assert ("string", "'prod'", "''") in found
    assert ("comparison", "days >= 1", "days > 1") in found and ("number", "1", "2") in found
    assert (
        "remove-element",
        "{'aws:efs/fileSystem:FileSystem', 'aws:ebs/volume:Volume'}",
        "{'aws:ebs/volume:Volume'}",
    ) in found


def test_documentation_and_message_text_are_not_mutated() -> None:
    texts = {before for _operator, before, _after in changes()}
    assert not any("docstring" in text.lower() for text in texts)
    assert "'no tags'" not in texts and "'kept '" not in texts


def test_a_mutant_changes_only_its_point_and_compiles() -> None:
    for mutant in mutants("m.py", SOURCE):
        mutated = mutate(SOURCE, mutant.index)
        compile(mutated, "m.py", "exec")
        assert ast.dump(ast.parse(mutated)) != ast.dump(ast.parse(SOURCE)), mutant.key


def test_keys_are_stable_and_unique() -> None:
    keys = [m.key for m in mutants("m.py", SOURCE)]
    assert len(keys) == len(set(keys))
    assert keys == [m.key for m in mutants("m.py", "# a comment moves nothing\n" + SOURCE)]


def test_every_equivalent_mutant_has_a_reason_and_names_a_targeted_module() -> None:
    paths = {module.path for package in PACKAGES for module in package.modules}
    for key, reason in EQUIVALENT.items():
        assert key.split("::", 1)[0] in paths, key
        assert len(reason) > 20, key


def _exists(test: str) -> bool:
    """A test file, or a test named by node id (`file::test_name`) that its file defines."""
    path, _, name = test.partition("::")
    return (ROOT / path).is_file() and (not name or f"def {name}(" in (ROOT / path).read_text())


def test_every_targeted_module_and_test_exists() -> None:
    for package in PACKAGES:
        for module in package.modules:
            assert (ROOT / module.path).is_file(), module.path
            assert all(_exists(test) for test in module.tests), module.path
        assert all(_exists(test) for test in package.wider), package.name


def test_a_mutated_module_is_reimported_with_every_module_that_imports_it() -> None:
    graph = importers(ROOT)
    assert downstream("policies.guardrails.iam", graph) >= {"policies.guardrails.iam", "policies.guardrails"}
    assert "policies.guardrails.encryption" not in downstream("policies.guardrails.iam", graph)
    assert "policies.guardrails.iam" in downstream("policies.guardrails.policy_documents", graph)
    assert {"components.grants", "components.bucket"} <= downstream("components.iam", graph)
    assert Path(ROOT / "tests" / "mutation" / "equivalents.py").is_file()
