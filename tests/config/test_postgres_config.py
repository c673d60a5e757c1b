"""`platform:database` with `engine: postgres` (one RDS PostgreSQL instance): its own presets and keys, one line
per problem naming the key as written (never the union's internal tag)."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.data import DatabaseConfig, PostgresConfig

from .mutate import broken

POSTGRES = {"engine": "postgres"}

CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "prod",
        {**POSTGRES, "multiAz": False},
        "Pulumi.prod.yaml: platform:database.multiAz = false: prod needs a standby in another AZ (allowed: true)",
    ),
    (
        "dev",
        {**POSTGRES, "allocatedStorageGib": 200},
        "Pulumi.dev.yaml: platform:database.maxAllocatedStorageGib = 100: must be above allocatedStorageGib (200): "
        "it is the ceiling storage autoscaling grows to",
    ),
    (
        "dev",
        {**POSTGRES, "engineVersion": "16.4"},
        "Pulumi.dev.yaml: platform:database.engineVersion = '16.4': String should match pattern '^\\d{2}$'",
    ),
    (
        "dev",
        {**POSTGRES, "enhancedMonitoringSeconds": 20},
        "Pulumi.dev.yaml: platform:database.enhancedMonitoringSeconds = 20: Input should be 0, 1, 5, 10, 15, 30 or 60",
    ),
    (
        "dev",
        {**POSTGRES, "minCapacity": 1},
        "Pulumi.dev.yaml: platform:database.minCapacity: unknown key (a typo?); allowed keys here: allocatedStorageGib, "
        "backupRetentionDays, databaseName, engine, engineVersion, enhancedMonitoringSeconds, iamUser, instanceClass, "
        "masterSecretRotationDays, masterUsername, maxAllocatedStorageGib, multiAz, performanceInsightsRetentionDays, "
        "preferredBackupWindow, preferredMaintenanceWindow, readReplicas, slowQueryMs",
    ),
    (
        "dev",
        {"engine": "mysql"},
        "Pulumi.dev.yaml: platform:database.engine = 'mysql': Input should be 'aurora-postgresql' or 'postgres'",
    ),
]


@pytest.mark.parametrize(("stack", "database", "expected"), CASES, ids=[c[2][17:80] for c in CASES])
def test_bad_postgres_config_is_reported_with_its_key_path(stack: str, database: dict[str, Any], expected: str) -> None:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config(stack, broken(stack, "platform:database", database))
    assert expected in raised.value.lines, "\n".join(raised.value.lines)


@pytest.mark.parametrize(
    ("stack", "klass", "multi_az", "storage", "monitoring"),
    [
        ("dev", "db.t4g.small", False, (20, 100), 0),
        ("staging", "db.t4g.medium", False, (20, 200), 60),
        ("prod", "db.r8g.large", True, (100, 1000), 15),
    ],
)
def test_postgres_presets_per_environment(
    stack: str, klass: str, multi_az: bool, storage: tuple[int, int], monitoring: int
) -> None:
    database = load_stack_config(stack, broken(stack, "platform:database", POSTGRES)).database
    assert isinstance(database, PostgresConfig)
    assert (database.instance_class, database.multi_az, database.engine_version) == (klass, multi_az, "16")
    assert (database.allocated_storage_gib, database.max_allocated_storage_gib) == storage
    assert database.enhanced_monitoring_seconds == monitoring


def test_without_an_engine_the_database_is_aurora_with_enhanced_monitoring_outside_dev() -> None:
    for stack, seconds in (("dev", 0), ("staging", 60), ("prod", 15)):
        database = load_stack_config(stack, broken(stack, "platform:database", {})).database
        assert isinstance(database, DatabaseConfig) and database.enhanced_monitoring_seconds == seconds
