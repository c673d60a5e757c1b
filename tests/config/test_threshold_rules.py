"""The pack thresholds as config validation reads them (components/config/thresholds.py): how a policy's level
is reconciled, what counts as production, and each floor refused one below it and accepted at it, with the
pack config file and setting named in the message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.config import load_stack_config
from components.config.thresholds import RELAX, Thresholds, check
from offline.engine import stack_config

PROD = load_stack_config("prod", stack_config("prod"), guardrails=Thresholds())


@pytest.mark.parametrize(
    ("config", "level"),
    [
        ({}, "mandatory"),
        ({"all": "advisory"}, "advisory"),
        ({"all": "advisory", "p": "remediate"}, "remediate"),
        ({"all": "disabled", "p": {"enforcementLevel": "mandatory"}}, "mandatory"),
        ({"all": "advisory", "p": {"minimum": 3}}, "advisory"),
        ({"all": 7, "p": {"enforcementLevel": 1}}, "mandatory"),
    ],
)
def test_a_policys_level_is_the_pack_default_then_all_then_its_own(config: dict[str, Any], level: str) -> None:
    assert Thresholds(config=config).level("p") == level


@pytest.mark.parametrize(("level", "enforced"), [("mandatory", True), ("remediate", True), ("advisory", False)])
def test_only_mandatory_and_remediate_fail_a_command(level: str, enforced: bool) -> None:
    assert Thresholds(config={"p": level}).enforced("p") is enforced


def test_production_is_the_stack_name_or_the_environment_case_insensitively() -> None:
    limits = Thresholds(config={"ecs-service-hardening": {"productionEnvironments": ["Live"]}})
    assert limits.production("ecs-service-hardening", "live", "staging")
    assert limits.production("ecs-service-hardening", "eu-1", "LIVE")
    assert not limits.production("ecs-service-hardening", "prod", "prod")
    assert Thresholds().production("ecs-service-hardening", "PRODUCTION", "x")


def test_a_setting_is_the_files_else_the_packs_default_and_messages_name_where(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(["not", "a", "mapping"]), encoding="utf-8")
    odd = Thresholds.from_file(path)
    assert (odd.config, odd.source) == ({}, str(path))
    assert odd.setting("vpc-flow-logs", "minimumRetentionDays") == 90
    empty = tmp_path / "empty.json"
    empty.write_text("", encoding="utf-8")
    assert Thresholds.from_file(empty).config == {}
    limits = Thresholds(source="f.json", config={"vpc-flow-logs": {"minimumRetentionDays": 400}})
    assert limits.setting("vpc-flow-logs", "minimumRetentionDays") == 400
    assert limits.where("vpc-flow-logs", "minimumRetentionDays") == "f.json: vpc-flow-logs.minimumRetentionDays"
    assert limits.where("vpc-flow-logs") == "f.json: vpc-flow-logs"


FLOORS = [
    (
        "prod-data-protection",
        "minimumBackupRetentionDays",
        ("database", "backup_retention_days"),
        "database.backupRetentionDays",
        "production keeps database backups at least {m} days",
    ),
    (
        "prod-database-standby",
        "minimumInstances",
        ("database", "instances"),
        "database.instances",
        "production needs a writer and readers in other AZs to fail over to: at least {m} instances",
    ),
    (
        "vpc-flow-logs",
        "minimumRetentionDays",
        ("network", "flow_logs", "retention_days"),
        "network.flowLogs.retentionDays",
        "flow logs must be kept at least {m} days",
    ),
    (
        "log-retention",
        "minimumRetentionDays",
        ("log_retention_days",),
        "logRetentionDays",
        "logs must be kept at least {m} days",
    ),
]


def _with(config: Any, path: tuple[str, ...], value: int) -> Any:
    """`config` with the attribute at `path` replaced (the models are frozen: copied level by level)."""
    if len(path) == 1:
        return config.model_copy(update={path[0]: value})
    return config.model_copy(update={path[0]: _with(getattr(config, path[0]), path[1:], value)})


@pytest.mark.parametrize(("policy", "setting", "attribute", "key", "message"), FLOORS, ids=[f[0] for f in FLOORS])
def test_each_floor_refuses_one_below_and_accepts_the_minimum(
    policy: str, setting: str, attribute: tuple[str, ...], key: str, message: str
) -> None:
    minimum = 91 if policy == "log-retention" else 5
    limits = Thresholds(source="p.json", config={policy: {setting: minimum}})
    assert check(_with(PROD, attribute, minimum), limits, "prod") == []
    [problem] = check(_with(PROD, attribute, minimum - 1), limits, "prod")
    assert (problem.path, problem.value) == (f"platform:{key}", minimum - 1)
    assert problem.message == f"{message.format(m=minimum)} (p.json: {policy}.{setting}); {RELAX}"
    assert check(_with(PROD, attribute, minimum - 1), Thresholds(config={policy: "advisory"}), "prod") == []


@pytest.mark.parametrize("policy", ["prod-data-protection", "prod-database-standby"])
def test_the_database_floors_apply_to_production_only(policy: str) -> None:
    field, key = (
        ("backup_retention_days", "backupRetentionDays") if policy == "prod-data-protection" else ("instances",) * 2
    )
    config = _with(PROD, ("database", field), 1)

    def database_problems(environment: str, stack: str) -> list[str]:
        judged = config.model_copy(update={"environment": environment})
        return [p.path for p in check(judged, Thresholds(), stack) if p.path.startswith("platform:database")]

    assert database_problems("prod", "eu-1") == [f"platform:database.{key}"]
    assert database_problems("staging", "prod") != []  # production by the stack's name
    assert database_problems("staging", "staging") == []


def test_a_stack_without_a_pack_config_file_gets_the_packs_defaults_which_cannot_be_changed(tmp_path: Path) -> None:
    limits = Thresholds.for_stack("dev-alice", "dev", tmp_path)
    assert (limits.source, limits.config) == ("the pack's defaults", {})
    with pytest.raises(AttributeError):
        limits.source = "elsewhere"  # type: ignore[misc]
