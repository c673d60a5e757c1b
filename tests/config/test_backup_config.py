"""`platform:backup` (retention per environment, a copy region required in prod) and bucket replication: one line
per problem."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config

from .mutate import DELETE, broken

CASES: list[tuple[str, str, Any, str]] = [
    (
        "prod",
        "platform:backup.copyRegion",
        DELETE,
        "Pulumi.prod.yaml: platform:backup.copyRegion: prod copies its backups to a second region (a regional "
        "disaster must not take the copies with it); e.g. us-west-2",
    ),
    (
        "prod",
        "platform:backup.copyRegion",
        "west",
        "Pulumi.prod.yaml: platform:backup.copyRegion = 'west': expected an AWS region such as us-west-2",
    ),
    (
        "prod",
        "platform:backup.schedule",
        "daily",
        "Pulumi.prod.yaml: platform:backup.schedule = 'daily': expected an AWS cron expression such as "
        "cron(0 5 ? * * *)",
    ),
    (
        "prod",
        "platform:backup.retentionDays",
        0,
        "Pulumi.prod.yaml: platform:backup.retentionDays = 0: allowed: 1 to 36500 days",
    ),
    (
        "prod",
        "platform:buckets.uploads.replication",
        {"region": "oregon"},
        "Pulumi.prod.yaml: platform:buckets.uploads.replication.region = 'oregon': expected an AWS region such as "
        "us-west-2",
    ),
    (
        "prod",
        "platform:buckets.uploads.replication",
        {"region": "us-west-2", "storageClass": "COLD"},
        "Pulumi.prod.yaml: platform:buckets.uploads.replication.storageClass = 'COLD': Input should be 'STANDARD', "
        "'STANDARD_IA', 'INTELLIGENT_TIERING', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER' or 'DEEP_ARCHIVE'",
    ),
    (
        "prod",
        "platform:buckets.uploads.replication",
        {"storageClass": "STANDARD"},
        "Pulumi.prod.yaml: platform:buckets.uploads.replication.region: required key is missing",
    ),
]


@pytest.mark.parametrize(
    ("stack", "path", "value", "expected"),
    CASES,
    ids=[f"{c[0]}:{c[1].removeprefix('platform:')}={c[2]!r}"[:90] for c in CASES],
)
def test_bad_backup_config_is_reported_with_its_key_path(stack: str, path: str, value: Any, expected: str) -> None:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config(stack, broken(stack, path, value))
    assert expected in raised.value.lines, "\n".join(raised.value.lines)


@pytest.mark.parametrize(("stack", "days"), [("dev", 7), ("staging", 14), ("prod", 35)])
def test_backup_retention_per_environment(stack: str, days: int) -> None:
    backup = load_stack_config(stack, broken(stack, "platform:backup", {"copyRegion": "us-west-2"})).backup
    assert backup is not None and backup.retention_days == days and backup.include_buckets
