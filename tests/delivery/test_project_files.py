"""Every project, policy-pack and stack file in the repository passes the Pulumi CLI's load-time rules.

`tests/delivery/project_rules.py` states the rules and where they come from; the pull-request workflow's
`project-files` job then loads every file with the pinned real CLI (`scripts/cli-project-check.sh`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from offline.stackfile import USAGE_FILE_SUFFIX
from tests.delivery.project_rules import policy_pack_problems, project_problems, stack_problems

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "node_modules", ".git", ".tools", "out", "build"}


def _files(pattern: str) -> list[Path]:
    return sorted(p for p in ROOT.rglob(pattern) if not SKIPPED & set(p.relative_to(ROOT).parts))


def _load(path: Path) -> object:
    return yaml.safe_load(path.read_text())


PROJECTS = _files("Pulumi.yaml")
STACK_FILES = [p for p in _files("Pulumi.*.yaml") if p.name != "Pulumi.yaml" and not p.name.endswith(USAGE_FILE_SUFFIX)]


def _project_of(stack_file: Path) -> Path:
    """The project a stack file belongs to: its own directory's Pulumi.yaml, or for an example config file
    (used with `--config-file`) the nearest one above it."""
    for directory in stack_file.parents:
        if (directory / "Pulumi.yaml").exists():
            return directory / "Pulumi.yaml"
    raise AssertionError(f"{stack_file}: no Pulumi.yaml above it")


def test_the_repository_has_its_projects_and_stacks() -> None:
    names = {str(p.relative_to(ROOT)) for p in PROJECTS}
    assert {"Pulumi.yaml", "bootstrap/Pulumi.yaml"} <= names
    assert {"Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"} <= {p.name for p in STACK_FILES}


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_project_file_loads(path: Path) -> None:
    assert project_problems(_load(path)) == []


@pytest.mark.parametrize("path", _files("PulumiPolicy.yaml"), ids=lambda p: str(p.relative_to(ROOT)))
def test_policy_pack_file_loads(path: Path) -> None:
    assert policy_pack_problems(_load(path)) == []


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_stack_file_loads_with_its_project(path: Path) -> None:
    project = _load(_project_of(path))
    assert isinstance(project, dict)
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    assert stack_problems(project, stack, _load(path)) == []


# -- the rules themselves: each refuses what the CLI refuses -------------------------------------------
PROJECT = {"name": "platform", "runtime": {"name": "python", "options": {"toolchain": "uv"}}}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"aws:region": {"description": "the region"}}, "missing or invalid 'type'"),
        (
            {"aws:region": {"description": "the region"}},
            "Configuration key 'aws:region' is namespaced and must provide an attribute 'value'",
        ),
        ({"aws:region": {"type": "string"}}, "is not namespaced by the project and should not define a type"),
        ({"aws:region": {"type": "string", "default": "us-east-1"}}, "should not define a type"),
        ({"size": {"type": "array"}}, "an array declares its element type in 'items'"),
        ({"size": {"type": "integer", "default": "large"}}, "is not of the expected type 'integer'"),
        ({"size": {"type": "string", "default": "a", "value": "b"}}, "cannot have both a 'default' and 'value'"),
        ({"size": {"type": "object"}}, "missing or invalid 'type'"),
        ({"size": {"type": "string", "required": True}}, "config.size.required: not allowed"),
    ],
)
def test_project_rules_refuse_what_the_cli_refuses(config: dict[str, object], message: str) -> None:
    problems = project_problems({**PROJECT, "config": config})
    assert any(message in problem for problem in problems), problems


def test_project_rules_accept_shorthand_and_typed_project_keys() -> None:
    config = {
        "aws:region": "us-east-1",
        "replicas": {"type": "integer", "default": 2},
        "zones": {"type": "array", "items": {"type": "string"}, "description": "AZs"},
    }
    assert project_problems({**PROJECT, "config": config}) == []


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ({"runtime": "python"}, "missing a non-empty string 'name'"),
        ({"name": "platform"}, "runtime: required"),
        ({"name": "platform", "runtime": {"name": "python", "virtualenv": ".venv"}}, "runtime.virtualenv: not allowed"),
        ({**PROJECT, "options": {"refresh": "never"}}, "only `refresh: always`"),
    ],
)
def test_project_rules_refuse_malformed_projects(project: dict[str, object], message: str) -> None:
    assert any(message in problem for problem in project_problems(project))


def test_policy_pack_rules_need_a_runtime_and_known_keys() -> None:
    assert policy_pack_problems({"version": "0.1.0"}) == ["project is missing a 'runtime' attribute"]
    assert policy_pack_problems({"runtime": "python", "name": "pack"}) == ["name: not a PulumiPolicy.yaml attribute"]


def test_stack_rules_apply_the_projects_declarations() -> None:
    project = {**PROJECT, "config": {"replicas": {"type": "integer"}, "token": {"type": "string", "secret": True}}}
    assert stack_problems(project, "dev", {"config": {"platform:token": {"secure": "v1:abc"}}}) == [
        "Stack 'dev' is missing configuration value 'replicas'"
    ]
    assert stack_problems(project, "dev", {"config": {"platform:replicas": "two", "platform:token": "plain"}}) == [
        "Stack 'dev' with configuration key 'replicas' must be of type 'integer'",
        "Stack 'dev' with configuration key 'token' must be encrypted as it's secret",
    ]
    assert stack_problems(PROJECT, "dev", {"config": {}, "secretprovider": "x"}) == [
        "secretprovider: not a stack file attribute"
    ]
