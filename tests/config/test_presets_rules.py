"""The environment presets (components/config/presets.py) as `apply_presets` lays a stack file over them: prod
protects, spreads over three AZs with a NAT each, turns the WAF on and ECS Exec off; an RDS instance takes its
engine's preset; entries of map sections get their defaults and prod web services deploy by canary; the stack
file's value always wins, lists replace whole. Pure functions, no stack runs."""

from __future__ import annotations

from typing import Any

import pytest

from components.config.presets import apply_presets, deep_merge


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ("dev", (False, 2, "single", True, False)),
        ("staging", (False, 2, "single", True, False)),
        ("prod", (True, 3, "per-az", False, True)),
    ],
)
def test_prod_protects_spreads_and_guards_and_the_others_do_not(environment: Any, expected: tuple[Any, ...]) -> None:
    preset = apply_presets(environment, {})
    network, balancer, cluster = preset["network"], preset["loadBalancer"], preset["cluster"]
    assert (
        preset["protectStatefulResources"],
        network["azCount"],
        network["natStrategy"],
        cluster["executeCommand"],
        balancer["waf"]["enabled"],
    ) == expected
    assert balancer["deletionProtection"] is expected[0]


@pytest.mark.parametrize(
    ("environment", "multi_az", "size"), [("dev", False, "db.t4g.small"), ("prod", True, "db.r8g.large")]
)
def test_an_rds_instance_takes_its_engines_preset(environment: Any, multi_az: bool, size: str) -> None:
    database = apply_presets(environment, {"database": {"engine": "postgres"}})["database"]
    assert (database["multiAz"], database["instanceClass"], database["engine"]) == (multi_az, size, "postgres")
    assert "minCapacity" not in database


def test_aurora_takes_the_section_preset() -> None:
    database = apply_presets("prod", {"database": {"maxCapacity": 32}})["database"]
    assert (database["instances"], database["minCapacity"], database["maxCapacity"]) == (2, 0.5, 32)


def test_an_absent_or_empty_database_section_is_left_as_it_is() -> None:
    assert "database" not in apply_presets("prod", {})
    assert apply_presets("prod", {"database": None})["database"] is None


def test_map_entries_get_their_defaults_and_prod_web_services_deploy_by_canary() -> None:
    services = apply_presets("prod", {"services": {"api": {"kind": "web"}, "jobs": {"kind": "worker"}, "odd": 3}})[
        "services"
    ]
    assert services["api"]["deployment"] == {"strategy": "canary"}
    assert "deployment" not in services["jobs"]
    assert services["jobs"]["capacity"] == {"onDemandBase": 1, "onDemandWeight": 1, "spotWeight": 0}
    assert services["odd"] == 3


def test_the_stack_files_deployment_wins_over_the_canary_preset() -> None:
    services = apply_presets("prod", {"services": {"api": {"kind": "web", "deployment": {"strategy": "rolling"}}}})
    assert services["services"]["api"]["deployment"] == {"strategy": "rolling"}


def test_a_map_section_that_is_not_a_mapping_is_left_for_validation_to_refuse() -> None:
    assert apply_presets("dev", {"secrets": ["a"], "services": ["b"]})["secrets"] == ["a"]
    assert apply_presets("prod", {"services": ["b"]})["services"] == ["b"]


@pytest.mark.parametrize(
    ("base", "override", "merged"),
    [
        ({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}, {"a": {"b": 1, "c": 3}}),
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
        ({"a": {"b": 1}}, {"a": None}, {"a": None}),
        ({"a": 1}, {"b": {"c": 2}}, {"a": 1, "b": {"c": 2}}),
        (5, {"a": 1}, {"a": 1}),
    ],
)
def test_the_override_wins_dicts_merge_and_lists_replace_whole(base: Any, override: Any, merged: Any) -> None:
    assert deep_merge(base, override) == merged
