"""The data sections (`tables`, `queues`, `buckets`, `events`, `database`, `secrets`): presets per environment,
and one line per problem naming the stack file, the key path, the value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.data import DatabaseConfig, check
from offline.engine import stack_config

from .mutate import DELETE, broken

SESSIONS_WITHOUT_HASH = {"rangeKey": {"name": "createdAt", "type": "N"}}

CASES: list[tuple[str, str, Any, str]] = [
    # -- tables: key schemas, retention ---------------------------------------------------------------
    (
        "dev",
        "platform:tables.sessions.hashKey",
        DELETE,
        "Pulumi.dev.yaml: platform:tables.sessions.hashKey: required key is missing: every table needs a "
        "partition key, e.g. {name: pk, type: S}",
    ),
    (
        "dev",
        "platform:tables.sessions",
        SESSIONS_WITHOUT_HASH,
        "Pulumi.dev.yaml: platform:tables.sessions.hashKey: required key is missing: a rangeKey (createdAt) "
        "needs a hashKey: DynamoDB has no sort-only keys",
    ),
    (
        "dev",
        "platform:tables.sessions.globalSecondaryIndexes.by-user.hashKey",
        DELETE,
        "Pulumi.dev.yaml: platform:tables.sessions.globalSecondaryIndexes.by-user.hashKey: required key is "
        "missing: a rangeKey (createdAt) needs a hashKey: DynamoDB has no sort-only keys",
    ),
    (
        "dev",
        "platform:tables.sessions.globalSecondaryIndexes.by-user.hashKey",
        {"name": "sessionId", "type": "N"},
        "Pulumi.dev.yaml: platform:tables.sessions.globalSecondaryIndexes.by-user.hashKey.type = 'N': attribute "
        "sessionId is type S at platform:tables.sessions.hashKey; a DynamoDB attribute has one type across the "
        "table and its indexes",
    ),
    (
        "dev",
        "platform:tables.sessions.hashKey.type",
        "X",
        "Pulumi.dev.yaml: platform:tables.sessions.hashKey.type = 'X': Input should be 'S', 'N' or 'B'",
    ),
    (
        "dev",
        "platform:tables.sessions.rangeKey",
        {"name": "sessionId"},
        "Pulumi.dev.yaml: platform:tables.sessions.rangeKey.name = 'sessionId': must differ from hashKey.name",
    ),
    (
        "dev",
        "platform:tables.sessions.ttlAttribute",
        "sessionId",
        "Pulumi.dev.yaml: platform:tables.sessions.ttlAttribute = 'sessionId': is a key attribute (type S at "
        "platform:tables.sessions.hashKey); TTL needs its own Number attribute holding epoch seconds",
    ),
    (
        "dev",
        "platform:tables.sessions.globalSecondaryIndexes.by-user.projection",
        "INCLUDE",
        "Pulumi.dev.yaml: platform:tables.sessions.globalSecondaryIndexes.by-user.nonKeyAttributes: projection "
        "INCLUDE needs the attributes to include",
    ),
    (
        "dev",
        "platform:tables.sessions.pointInTimeRecoveryDays",
        40,
        "Pulumi.dev.yaml: platform:tables.sessions.pointInTimeRecoveryDays = 40: allowed: 1 to 35 days",
    ),
    # -- queues: retention, DLQ receive count -------------------------------------------------------
    (
        "dev",
        "platform:queues.jobs.messageRetentionSeconds",
        1_209_600,
        "Pulumi.dev.yaml: platform:queues.jobs.messageRetentionSeconds = 1209600: allowed: 60 to 604800 seconds "
        "(the DLQ keeps 14 days counted from the first enqueue, so at most 7 days here leaves at least 7 in the "
        "DLQ)",
    ),
    (
        "staging",
        "platform:queues.jobs.messageRetentionSeconds",
        30,
        "Pulumi.staging.yaml: platform:queues.jobs.messageRetentionSeconds = 30: allowed: 60 to 604800 seconds "
        "(the DLQ keeps 14 days counted from the first enqueue, so at most 7 days here leaves at least 7 in the "
        "DLQ)",
    ),
    (
        "dev",
        "platform:queues.jobs.maxReceiveCount",
        0,
        "Pulumi.dev.yaml: platform:queues.jobs.maxReceiveCount = 0: allowed: 1 to 1000 receives",
    ),
    (
        "prod",
        "platform:queues.jobs.maxReceiveCount",
        1001,
        "Pulumi.prod.yaml: platform:queues.jobs.maxReceiveCount = 1001: allowed: 1 to 1000 receives",
    ),
    (
        "dev",
        "platform:queues.jobs.visibilityTimeoutSeconds",
        43_201,
        "Pulumi.dev.yaml: platform:queues.jobs.visibilityTimeoutSeconds = 43201: allowed: 0 to 43200 seconds",
    ),
    # -- events: rule targets and patterns ----------------------------------------------------------
    (
        "dev",
        "platform:events.rules.order-created.queue",
        "jobz",
        "Pulumi.dev.yaml: platform:events.rules.order-created.queue = 'jobz': no such queue; queues: jobs",
    ),
    (
        "dev",
        "platform:queues.jobs.fifo",
        True,
        "Pulumi.dev.yaml: platform:events.rules.order-created.queue = 'jobs': is a FIFO queue; rules here target "
        "standard queues (a FIFO target needs a message group id per event)",
    ),
    (
        "dev",
        "platform:events.rules.order-created.eventPattern",
        {"detail-type": "order.created"},
        "Pulumi.dev.yaml: platform:events.rules.order-created.eventPattern.detail-type = 'order.created': match "
        "values go in a non-empty list, e.g. [order.created]",
    ),
    (
        "dev",
        "platform:events.rules.order-created.eventPattern",
        {},
        "Pulumi.dev.yaml: platform:events.rules.order-created.eventPattern: an empty pattern matches nothing; "
        "e.g. {detail-type: [order.created]}",
    ),
    (
        "prod",
        "platform:events.enabled",
        False,
        "Pulumi.prod.yaml: platform:events.enabled = false: rules are declared but the bus is disabled; remove "
        "enabled: false or the rules",
    ),
    # -- buckets: lifecycle and CORS ----------------------------------------------------------------
    (
        "dev",
        "platform:buckets.uploads.noncurrentVersionExpirationDays",
        0,
        "Pulumi.dev.yaml: platform:buckets.uploads.noncurrentVersionExpirationDays = 0: allowed: 1 to 36500 days",
    ),
    (
        "dev",
        "platform:buckets.uploads.lifecycleRules.archive",
        {"transitions": [{"days": 10, "storageClass": "STANDARD_IA"}]},
        "Pulumi.dev.yaml: platform:buckets.uploads.lifecycleRules.archive.transitions[0].days = 10: S3 moves "
        "objects to STANDARD_IA no earlier than 30 days",
    ),
    (
        "prod",
        "platform:buckets.uploads.lifecycleRules.archive.transitions",
        [{"days": 90, "storageClass": "GLACIER"}, {"days": 60, "storageClass": "DEEP_ARCHIVE"}],
        "Pulumi.prod.yaml: platform:buckets.uploads.lifecycleRules.archive.transitions[1].days = 60: transitions "
        "must be in increasing days (the previous one is at 90)",
    ),
    (
        "prod",
        "platform:buckets.uploads.lifecycleRules.archive.transitions",
        [{"days": 90, "storageClass": "GLACIER"}, {"days": 120, "storageClass": "STANDARD_IA"}],
        "Pulumi.prod.yaml: platform:buckets.uploads.lifecycleRules.archive.transitions[1].storageClass = "
        "'STANDARD_IA': cannot move from GLACIER back up to STANDARD_IA; order: STANDARD_IA > INTELLIGENT_TIERING "
        "> ONEZONE_IA > GLACIER_IR > GLACIER > DEEP_ARCHIVE",
    ),
    (
        "prod",
        "platform:buckets.uploads.lifecycleRules.archive.expirationDays",
        90,
        "Pulumi.prod.yaml: platform:buckets.uploads.lifecycleRules.archive.expirationDays = 90: must be later than "
        "the last transition (180 days)",
    ),
    (
        "dev",
        "platform:buckets.uploads.lifecycleRules.noop",
        {"prefix": "x/"},
        "Pulumi.dev.yaml: platform:buckets.uploads.lifecycleRules.noop: a rule needs transitions or expirationDays "
        "(it does nothing)",
    ),
    (
        "dev",
        "platform:buckets.uploads.cors",
        [{"allowedOrigins": ["*"], "allowedMethods": ["GET"]}],
        "Pulumi.dev.yaml: platform:buckets.uploads.cors[0].allowedOrigins[0] = '*': expected a browser origin such "
        "as https://app.example.com (scheme, host, optional port; a bare * is not allowed: name the origins)",
    ),
    # -- database: ACU ranges, HA, retention, windows -----------------------------------------------
    (
        "staging",
        "platform:database.minCapacity",
        0,
        "Pulumi.staging.yaml: platform:database.minCapacity = 0.0: 0 ACU (pause when idle) is allowed only in dev: "
        "a paused staging database takes ~15 s to resume on the first request; allowed: 0.5 to 256",
    ),
    (
        "prod",
        "platform:database.minCapacity",
        0,
        "Pulumi.prod.yaml: platform:database.minCapacity = 0.0: 0 ACU (pause when idle) is allowed only in dev: "
        "a paused prod database takes ~15 s to resume on the first request; allowed: 0.5 to 256",
    ),
    (
        "dev",
        "platform:database.minCapacity",
        3,
        "Pulumi.dev.yaml: platform:database.minCapacity = 3.0: above maxCapacity (2)",
    ),
    (
        "dev",
        "platform:database.maxCapacity",
        257,
        "Pulumi.dev.yaml: platform:database.maxCapacity = 257: allowed: 0 to 256 ACU",
    ),
    (
        "dev",
        "platform:database.maxCapacity",
        0.5,
        "Pulumi.dev.yaml: platform:database.maxCapacity = 0.5: Serverless v2 needs a maximum of at least 1 ACU "
        "(allowed: 1 to 256)",
    ),
    (
        "staging",
        "platform:database.maxCapacity",
        2.3,
        "Pulumi.staging.yaml: platform:database.maxCapacity = 2.3: must be a multiple of 0.5 ACU, 0 to 256",
    ),
    (
        "dev",
        "platform:database.engineVersion",
        "16.1",
        "Pulumi.dev.yaml: platform:database.engineVersion = '16.1': scaling to 0 ACU needs Aurora PostgreSQL "
        "13.15, 14.12, 15.7, 16.3 or later",
    ),
    (
        "prod",
        "platform:database.instances",
        1,
        "Pulumi.prod.yaml: platform:database.instances = 1: production needs a writer and readers in other AZs to "
        "fail over to: at least 2 instances (policies/config/prod.json: prod-database-standby.minimumInstances); a "
        "relaxation goes in that file (reviewed by the platform owners)",
    ),
    (
        "prod",
        "platform:database.backupRetentionDays",
        36,
        "Pulumi.prod.yaml: platform:database.backupRetentionDays = 36: allowed: 1 to 35 days",
    ),
    (
        "dev",
        "platform:database.backupRetentionDays",
        0,
        "Pulumi.dev.yaml: platform:database.backupRetentionDays = 0: allowed: 1 to 35 days",
    ),
    (
        "dev",
        "platform:database.performanceInsightsRetentionDays",
        10,
        "Pulumi.dev.yaml: platform:database.performanceInsightsRetentionDays = 10: allowed: 7, 731, or a multiple "
        "of 31 up to 713 (months x 31) days",
    ),
    (
        "dev",
        "platform:database.preferredBackupWindow",
        "3am",
        "Pulumi.dev.yaml: platform:database.preferredBackupWindow = '3am': expected hh:mm-hh:mm (UTC), e.g. "
        "03:00-04:00",
    ),
    (
        "staging",
        "platform:database.preferredMaintenanceWindow",
        "sun:03:30-sun:04:30",
        "Pulumi.staging.yaml: platform:database.preferredMaintenanceWindow = 'sun:03:30-sun:04:30': overlaps "
        "preferredBackupWindow (03:00-04:00); RDS rejects that",
    ),
    (
        "dev",
        "platform:database.port",
        5433,
        "Pulumi.dev.yaml: platform:database.port: unknown key (a typo?); allowed keys here: backupRetentionDays, "
        "databaseName, engine, engineVersion, enhancedMonitoringSeconds, iamUser, instanceClass, instances, "
        "masterSecretRotationDays, masterUsername, maxCapacity, minCapacity, performanceInsightsRetentionDays, "
        "preferredBackupWindow, preferredMaintenanceWindow, secondsUntilAutoPause, slowQueryMs",
    ),
    # -- secrets ------------------------------------------------------------------------------------
    (
        "dev",
        "platform:secrets.stripe-key.recoveryWindowDays",
        3,
        "Pulumi.dev.yaml: platform:secrets.stripe-key.recoveryWindowDays = 3: allowed: 0 (delete at once) or 7 "
        "to 30 days",
    ),
    (
        "prod",
        "platform:secrets.stripe-key.recoveryWindowDays",
        31,
        "Pulumi.prod.yaml: platform:secrets.stripe-key.recoveryWindowDays = 31: allowed: 0 (delete at once) or 7 "
        "to 30 days",
    ),
]


@pytest.mark.parametrize(
    ("stack", "path", "value", "expected"),
    CASES,
    ids=[f"{c[0]}:{c[1].removeprefix('platform:')}={c[2]!r}"[:90] for c in CASES],
)
def test_bad_data_config_is_reported_with_its_key_path(stack: str, path: str, value: Any, expected: str) -> None:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config(stack, broken(stack, path, value))
    assert expected in raised.value.lines, "\n".join(raised.value.lines)


def test_rule_targets_are_reported_each_on_its_own_line() -> None:
    flat = broken(
        "dev",
        "platform:events.rules.refund-issued",
        {"eventPattern": {"detail-type": ["refund.issued"]}, "queue": "refunds"},
    )
    with pytest.raises(StackConfigError) as raised:
        load_stack_config("dev", flat)
    assert [line for line in raised.value.lines if ".queue" in line] == [
        "Pulumi.dev.yaml: platform:events.rules.refund-issued.queue = 'refunds': no such queue; queues: jobs"
    ]


def test_unknown_table_in_a_service_grant_is_reported_at_its_key_path() -> None:
    # The message belongs to the compute config; the data side owns the key path and the value.
    flat = broken("dev", "platform:tables", {})
    with pytest.raises(StackConfigError) as raised:
        load_stack_config("dev", flat)
    assert any(
        line.startswith("Pulumi.dev.yaml: platform:services.api.grants.tables.sessions = 'readwrite':")
        for line in raised.value.lines
    ), raised.value.lines


@pytest.mark.parametrize(
    ("stack", "retention", "instances", "min_acu", "max_acu"),
    [("dev", 1, 1, 0, 2), ("staging", 7, 1, 0.5, 4), ("prod", 35, 2, 0.5, 16)],
)
def test_database_presets_per_environment(
    stack: str, retention: int, instances: int, min_acu: float, max_acu: float
) -> None:
    database = load_stack_config(stack, stack_config(stack)).database
    assert isinstance(database, DatabaseConfig)
    assert (database.backup_retention_days, database.instances, database.min_capacity, database.max_capacity) == (
        retention,
        instances,
        min_acu,
        max_acu,
    )


@pytest.mark.parametrize(
    ("stack", "window", "noncurrent", "protect"),
    [("dev", 0, 7, False), ("staging", 7, 30, False), ("prod", 30, 90, True)],
)
def test_secret_bucket_and_protection_presets_per_environment(
    stack: str, window: int, noncurrent: int, protect: bool
) -> None:
    config = load_stack_config(stack, stack_config(stack))
    assert {s.recovery_window_days for s in config.secrets.values()} == {window}
    assert {b.noncurrent_version_expiration_days for b in config.buckets.values()} == {noncurrent}
    assert config.protect_stateful_resources is protect


def test_a_stack_without_a_database_section_has_no_database() -> None:
    flat = broken("staging", "platform:database", DELETE)
    flat = {k: v for k, v in flat.items() if k != "platform:services"}  # services grant `database: connect`
    config = load_stack_config("staging", flat)
    assert config.database is None
    assert not check(config)


def test_a_stack_file_value_wins_over_the_database_preset() -> None:
    config = load_stack_config("staging", broken("staging", "platform:database.backupRetentionDays", 30))
    assert isinstance(config.database, DatabaseConfig)
    assert (config.database.backup_retention_days, config.database.instances) == (30, 1)


def test_database_defaults_are_serverless_v2_with_tls_era_postgres() -> None:
    database = DatabaseConfig.model_validate({})
    assert database.serverless
    assert (database.engine_version, database.major_version, database.slow_query_ms) == ("16", 16, 1000)
