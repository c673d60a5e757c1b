"""The data sections' rules (components/config/data.py) at their edges: ranges stated whole, capacity steps,
Performance Insights and recovery windows, DynamoDB keys and indexes, lifecycle waterfalls, event patterns,
Aurora auto-pause versions, storage ceilings, cache and database windows, backup copies. Each a stack file
(dev, staging or prod) with one section changed, accepted or refused with its exact one-line error; the models
alone where the rule is the model's. Fast: no stack runs."""

from __future__ import annotations

from typing import Any

import pytest

from components.config.data import (
    DLQ_RETENTION_SECONDS,
    MAX_SOURCE_RETENTION_SECONDS,
    DatabaseConfig,
    EventRuleConfig,
    EventsConfig,
    PostgresConfig,
    QueueConfig,
    ReplicationConfig,
    SecretConfig,
)

from .sections import problems, refusal


# -- ranges and steps ---------------------------------------------------------------------------------
@pytest.mark.parametrize("acu", [0, 0.5, 1.5, 256])
def test_capacity_in_half_acu_steps_from_0_to_256_is_accepted(acu: float) -> None:
    assert DatabaseConfig.model_validate({"minCapacity": acu, "maxCapacity": 256}).min_capacity == acu


@pytest.mark.parametrize(
    ("acu", "message"),
    [
        (0.25, "must be a multiple of 0.5 ACU, 0 to 256"),
        (1.75, "must be a multiple of 0.5 ACU, 0 to 256"),
        (-0.5, "allowed: 0 to 256 ACU"),
        (256.5, "allowed: 0 to 256 ACU"),
    ],
)
def test_capacity_off_the_half_acu_grid_or_out_of_range_is_refused(acu: float, message: str) -> None:
    assert refusal(DatabaseConfig, {"maxCapacity": acu}) == (("maxCapacity",), message)


RETENTION_NOTE = (
    "allowed: 60 to 604800 seconds (the DLQ keeps 14 days counted from the first enqueue, so at most 7 days here "
    "leaves at least 7 in the DLQ)"
)


@pytest.mark.parametrize("seconds", [60, 604_800])
def test_message_retention_from_a_minute_to_seven_days_is_accepted(seconds: int) -> None:
    assert QueueConfig.model_validate({"messageRetentionSeconds": seconds}).message_retention_seconds == seconds


@pytest.mark.parametrize("seconds", [59, 604_801])
def test_message_retention_past_its_range_is_refused_with_the_dlq_reason(seconds: int) -> None:
    assert refusal(QueueConfig, {"messageRetentionSeconds": seconds}) == (("messageRetentionSeconds",), RETENTION_NOTE)


def test_a_dead_letter_queue_keeps_sqss_maximum_at_least_seven_days_past_any_source_queue() -> None:
    day, kept, longest_source = 86_400, DLQ_RETENTION_SECONDS, MAX_SOURCE_RETENTION_SECONDS
    assert kept <= 14 * day  # SQS refuses more
    assert kept - longest_source >= 7 * day


def test_replication_defaults_to_infrequent_access_without_time_control() -> None:
    replication = ReplicationConfig.model_validate({"region": "us-west-2"})
    assert (replication.storage_class, replication.time_control) == ("STANDARD_IA", False)


def test_an_event_rule_is_enabled_unless_the_stack_file_says_otherwise() -> None:
    rule = EventRuleConfig.model_validate({"eventPattern": {"source": ["app"]}, "queue": "jobs"})
    assert (rule.enabled, rule.description) == (True, "")


def test_an_rds_instance_is_single_az_by_model_default_and_never_serverless() -> None:
    postgres = PostgresConfig.model_validate({"engine": "postgres", "instanceClass": "db.r8g.large"})
    assert (postgres.multi_az, postgres.serverless, postgres.major_version) == (False, False, 16)


def test_queue_retention_defaults_to_four_days() -> None:
    assert QueueConfig().message_retention_seconds == 345_600


@pytest.mark.parametrize("days", [7, 31, 62, 713, 731])
def test_performance_insights_retention_of_7_731_or_months_up_to_713_is_accepted(days: int) -> None:
    assert (
        DatabaseConfig.model_validate({"performanceInsightsRetentionDays": days}).performance_insights_retention_days
        == days
    )


@pytest.mark.parametrize("days", [0, -31, 6, 8, 30, 32, 730, 732, 744])
def test_other_performance_insights_retentions_are_refused(days: int) -> None:
    assert refusal(DatabaseConfig, {"performanceInsightsRetentionDays": days}) == (
        ("performanceInsightsRetentionDays",),
        "allowed: 7, 731, or a multiple of 31 up to 713 (months x 31) days",
    )


@pytest.mark.parametrize("days", [0, 7, 30])
def test_a_recovery_window_of_0_or_7_to_30_days_is_accepted(days: int) -> None:
    assert SecretConfig.model_validate({"recoveryWindowDays": days}).recovery_window_days == days


@pytest.mark.parametrize("days", [-1, 1, 6, 31])
def test_other_recovery_windows_are_refused(days: int) -> None:
    assert refusal(SecretConfig, {"recoveryWindowDays": days}) == (
        ("recoveryWindowDays",),
        "allowed: 0 (delete at once) or 7 to 30 days",
    )


def test_secrets_are_kept_thirty_days_after_deletion_by_default() -> None:
    assert SecretConfig().recovery_window_days == 30


@pytest.mark.parametrize(
    ("events", "bus"),
    [
        ({}, False),
        ({"rules": {"r1": {"eventPattern": {"source": ["a"]}, "queue": "jobs"}}}, True),
        ({"enabled": True}, True),
        ({"enabled": False}, False),
    ],
)
def test_the_bus_exists_when_enabled_or_when_rules_are_declared(events: dict[str, Any], bus: bool) -> None:
    assert EventsConfig.model_validate(events).creates_bus is bus


# -- DynamoDB ------------------------------------------------------------------------------------------
def tables(**table: Any) -> dict[str, Any]:
    return {"sessions": table}


PK = {"name": "pk"}


def test_a_table_without_keys_is_refused_with_an_example() -> None:
    assert problems(tables=tables()) == [
        "platform:tables.sessions.hashKey: required key is missing: every table needs a partition key, e.g. "
        "{name: pk, type: S}"
    ]


def test_a_range_key_alone_is_refused_naming_it() -> None:
    assert problems(tables=tables(rangeKey={"name": "sk"})) == [
        "platform:tables.sessions.hashKey: required key is missing: a rangeKey (sk) needs a hashKey: DynamoDB has no "
        "sort-only keys"
    ]


def test_a_range_key_named_like_the_hash_key_is_refused() -> None:
    assert problems(tables=tables(hashKey=PK, rangeKey={"name": "pk"})) == [
        "platform:tables.sessions.rangeKey.name = 'pk': must differ from hashKey.name"
    ]


def test_hash_and_range_keys_of_different_names_are_accepted() -> None:
    assert problems(tables=tables(hashKey=PK, rangeKey={"name": "sk", "type": "N"})) == []


def test_an_attribute_typed_differently_in_an_index_is_refused_naming_where_it_was_first_typed() -> None:
    index = {"by-sk": {"hashKey": {"name": "sk", "type": "S"}}}
    assert problems(tables=tables(hashKey=PK, rangeKey={"name": "sk", "type": "N"}, globalSecondaryIndexes=index)) == [
        "platform:tables.sessions.globalSecondaryIndexes.by-sk.hashKey.type = 'S': attribute sk is type N at "
        "platform:tables.sessions.rangeKey; a DynamoDB attribute has one type across the table and its indexes"
    ]


def test_an_attribute_typed_alike_in_an_index_is_accepted() -> None:
    index = {"by-sk": {"hashKey": {"name": "sk", "type": "N"}, "rangeKey": PK}}
    assert problems(tables=tables(hashKey=PK, rangeKey={"name": "sk", "type": "N"}, globalSecondaryIndexes=index)) == []


def indexes(count: int) -> dict[str, Any]:
    return {f"index-{n:02}": {"hashKey": {"name": f"a{n}"}} for n in range(count)}


def test_twenty_indexes_are_accepted() -> None:
    assert problems(tables=tables(hashKey=PK, globalSecondaryIndexes=indexes(20))) == []


def test_twenty_one_indexes_are_refused() -> None:
    assert problems(tables=tables(hashKey=PK, globalSecondaryIndexes=indexes(21))) == [
        "platform:tables.sessions.globalSecondaryIndexes: 21 indexes; DynamoDB allows at most 20"
    ]


@pytest.mark.parametrize(
    ("index", "detail"),
    [
        ({}, "an index needs a partition key, e.g. {name: userId, type: S}"),
        ({"rangeKey": {"name": "at"}}, "a rangeKey (at) needs a hashKey: DynamoDB has no sort-only keys"),
    ],
)
def test_an_index_without_a_hash_key_is_refused(index: dict[str, Any], detail: str) -> None:
    assert problems(tables=tables(hashKey=PK, globalSecondaryIndexes={"by-x": index})) == [
        f"platform:tables.sessions.globalSecondaryIndexes.by-x.hashKey: required key is missing: {detail}"
    ]


@pytest.mark.parametrize(
    ("projection", "attributes", "expected"),
    [
        ("INCLUDE", ["email"], []),
        ("INCLUDE", [], ["nonKeyAttributes: projection INCLUDE needs the attributes to include"]),
        ("ALL", [], []),
        ("KEYS_ONLY", ["email"], ["nonKeyAttributes: only with projection INCLUDE (this index projects KEYS_ONLY)"]),
    ],
)
def test_non_key_attributes_go_with_projection_include_only(
    projection: str, attributes: list[str], expected: list[str]
) -> None:
    index = {"hashKey": {"name": "user"}, "projection": projection, "nonKeyAttributes": attributes}
    where = "platform:tables.sessions.globalSecondaryIndexes.by-user"
    assert problems(tables=tables(hashKey=PK, globalSecondaryIndexes={"by-user": index})) == [
        f"{where}.{line}" for line in expected
    ]


def test_a_ttl_attribute_that_is_an_index_key_is_refused_naming_where() -> None:
    index = {"by-user": {"hashKey": {"name": "user"}, "rangeKey": {"name": "expires", "type": "N"}}}
    assert problems(tables=tables(hashKey=PK, globalSecondaryIndexes=index, ttlAttribute="expires")) == [
        "platform:tables.sessions.ttlAttribute = 'expires': is a key attribute (type N at "
        "platform:tables.sessions.globalSecondaryIndexes.by-user.rangeKey); TTL needs its own Number attribute "
        "holding epoch seconds"
    ]


def test_a_ttl_attribute_of_its_own_is_accepted() -> None:
    assert problems(tables=tables(hashKey=PK, ttlAttribute="expires")) == []


# -- S3 lifecycle ---------------------------------------------------------------------------------------
def lifecycle(**rule: Any) -> dict[str, Any]:
    return {"uploads": {"lifecycleRules": {"archive": rule}}}


WHERE = "platform:buckets.uploads.lifecycleRules.archive"


@pytest.mark.parametrize(("storage_class", "days"), [("STANDARD_IA", 30), ("ONEZONE_IA", 30), ("GLACIER", 0)])
def test_transitions_at_their_earliest_day_are_accepted(storage_class: str, days: int) -> None:
    assert problems(buckets=lifecycle(transitions=[{"days": days, "storageClass": storage_class}])) == []


@pytest.mark.parametrize("storage_class", ["STANDARD_IA", "ONEZONE_IA"])
def test_infrequent_access_before_thirty_days_is_refused(storage_class: str) -> None:
    assert problems(buckets=lifecycle(transitions=[{"days": 29, "storageClass": storage_class}])) == [
        f"{WHERE}.transitions[0].days = 29: S3 moves objects to {storage_class} no earlier than 30 days"
    ]


def test_transitions_on_the_same_day_are_refused() -> None:
    transitions = [{"days": 30, "storageClass": "STANDARD_IA"}, {"days": 30, "storageClass": "GLACIER"}]
    assert problems(buckets=lifecycle(transitions=transitions)) == [
        f"{WHERE}.transitions[1].days = 30: transitions must be in increasing days (the previous one is at 30)"
    ]


def test_a_transition_back_up_the_waterfall_is_refused_even_on_a_later_day() -> None:
    transitions = [
        {"days": 30, "storageClass": "GLACIER"},
        {"days": 60, "storageClass": "STANDARD_IA"},
        {"days": 90, "storageClass": "DEEP_ARCHIVE"},
    ]
    assert problems(buckets=lifecycle(transitions=transitions)) == [
        f"{WHERE}.transitions[1].storageClass = 'STANDARD_IA': cannot move from GLACIER back up to STANDARD_IA; "
        "order: STANDARD_IA > INTELLIGENT_TIERING > ONEZONE_IA > GLACIER_IR > GLACIER > DEEP_ARCHIVE"
    ]


def test_the_same_class_twice_is_refused() -> None:
    transitions = [{"days": 30, "storageClass": "GLACIER"}, {"days": 60, "storageClass": "GLACIER"}]
    assert problems(buckets=lifecycle(transitions=transitions)) == [
        f"{WHERE}.transitions[1].storageClass = 'GLACIER': cannot move from GLACIER back up to GLACIER; order: "
        "STANDARD_IA > INTELLIGENT_TIERING > ONEZONE_IA > GLACIER_IR > GLACIER > DEEP_ARCHIVE"
    ]


def test_an_earlier_day_after_a_refused_one_is_measured_against_the_latest_day() -> None:
    transitions = [
        {"days": 90, "storageClass": "STANDARD_IA"},
        {"days": 60, "storageClass": "GLACIER_IR"},
        {"days": 80, "storageClass": "DEEP_ARCHIVE"},
    ]
    assert problems(buckets=lifecycle(transitions=transitions)) == [
        f"{WHERE}.transitions[1].days = 60: transitions must be in increasing days (the previous one is at 90)",
        f"{WHERE}.transitions[2].days = 80: transitions must be in increasing days (the previous one is at 90)",
    ]


def test_expiry_the_day_after_the_last_transition_is_accepted() -> None:
    transitions = [{"days": 30, "storageClass": "STANDARD_IA"}]
    assert problems(buckets=lifecycle(transitions=transitions, expirationDays=31)) == []


def test_expiry_on_the_day_of_the_last_transition_is_refused() -> None:
    transitions = [{"days": 30, "storageClass": "STANDARD_IA"}]
    assert problems(buckets=lifecycle(transitions=transitions, expirationDays=30)) == [
        f"{WHERE}.expirationDays = 30: must be later than the last transition (30 days)"
    ]


def test_expiry_alone_is_accepted_and_a_rule_with_neither_is_refused() -> None:
    assert problems(buckets=lifecycle(expirationDays=1)) == []
    assert problems(buckets=lifecycle(prefix="tmp/")) == [
        f"{WHERE}: a rule needs transitions or expirationDays (it does nothing)"
    ]


# -- EventBridge ---------------------------------------------------------------------------------------
def rule(pattern: dict[str, Any], queue: str = "jobs") -> dict[str, Any]:
    return {"rules": {"order-created": {"eventPattern": pattern, "queue": queue}}}


PATTERN_AT = "platform:events.rules.order-created.eventPattern"
LIST = "match values go in a non-empty list, e.g. [order.created]"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["app"], "detail": {"state": ["paid"], "amount": [{"numeric": [">", 0]}]}}, []),
        ({"source": "app"}, [f"{PATTERN_AT}.source = 'app': {LIST}"]),
        ({"source": []}, [f"{PATTERN_AT}.source: {LIST}"]),
        ({"source": None}, [f"{PATTERN_AT}.source: {LIST}"]),
        ({"version": 1}, [f"{PATTERN_AT}.version = 1: {LIST}"]),
        ({"detail": {"state": "paid"}}, [f"{PATTERN_AT}.detail.state = 'paid': {LIST}"]),
        ({"detail": {}}, [f"{PATTERN_AT}.detail: an empty object matches nothing"]),
    ],
)
def test_event_pattern_values_are_non_empty_lists_at_every_depth(pattern: dict[str, Any], expected: list[str]) -> None:
    assert problems(events=rule(pattern)) == expected


def test_a_rule_on_a_fifo_queue_is_refused() -> None:
    queues = {"jobs": {"visibilityTimeoutSeconds": 120}, "ordered": {"fifo": True}}
    assert problems(queues=queues, events=rule({"source": ["app"]}, "ordered")) == [
        "platform:events.rules.order-created.queue = 'ordered': is a FIFO queue; rules here target standard queues "
        "(a FIFO target needs a message group id per event)"
    ]


def test_a_disabled_bus_with_rules_is_refused() -> None:
    assert (
        "platform:events.enabled = false: rules are declared but the bus is disabled; remove enabled: false or the rules"
    ) in problems(events={**rule({"source": ["app"]}), "enabled": False})


def test_an_enabled_bus_with_rules_is_accepted() -> None:
    assert problems(events={**rule({"source": ["app"]}), "enabled": True}) == []


# -- Aurora -------------------------------------------------------------------------------------------------
DB = "platform:database"


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ({"minCapacity": 2, "maxCapacity": 2}, []),
        ({"minCapacity": 2.5, "maxCapacity": 2}, [f"{DB}.minCapacity = 2.5: above maxCapacity (2)"]),
        ({"minCapacity": 4.5, "maxCapacity": 3.5}, [f"{DB}.minCapacity = 4.5: above maxCapacity (3.5)"]),
        ({"minCapacity": 0.5, "maxCapacity": 1}, []),
        (
            {"minCapacity": 0.5, "maxCapacity": 0.5},
            [f"{DB}.maxCapacity = 0.5: Serverless v2 needs a maximum of at least 1 ACU (allowed: 1 to 256)"],
        ),
        ({"instanceClass": "db.r6g.large", "minCapacity": 4, "maxCapacity": 0.5}, []),
    ],
)
def test_serverless_capacity_is_ordered_and_reaches_one_acu(database: dict[str, Any], expected: list[str]) -> None:
    assert problems(database=database) == expected


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_zero_acu_outside_dev_is_refused(stack: str) -> None:
    assert (
        f"{DB}.minCapacity = 0.0: 0 ACU (pause when idle) is allowed only in dev: a paused {stack} database takes "
        "~15 s to resume on the first request; allowed: 0.5 to 256" in problems(stack, database={"minCapacity": 0})
    )


AUTO_PAUSE = "scaling to 0 ACU needs Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 or later"


@pytest.mark.parametrize(
    ("version", "pauses"),
    [
        ("13", True),
        ("13.15", True),
        ("13.14", False),
        ("14.12", True),
        ("14.11", False),
        ("16.2", False),
        ("16.3", True),
        ("17.1", True),
        ("12", False),
        ("12.22", False),
    ],
)
def test_zero_acu_needs_an_aurora_version_that_auto_pauses(version: str, pauses: bool) -> None:
    expected = [] if pauses else [f"{DB}.engineVersion = '{version}': {AUTO_PAUSE}"]
    assert problems(database={"engineVersion": version}) == expected


def test_an_old_version_at_half_an_acu_is_not_judged_for_auto_pause() -> None:
    assert problems(database={"engineVersion": "13.14", "minCapacity": 0.5}) == []


def test_readers_need_a_second_az() -> None:
    assert problems(network={"cidr": "10.10.0.0/16", "azCount": 1}, database={"instances": 2}) == [
        f"{DB}.instances = 2: readers go to other AZs but network.azCount is 1"
    ]


def test_two_azs_take_a_reader_a_standby_and_a_cache_replica() -> None:
    assert problems(database={"instances": 2}, caches={"limits": {"replicas": 1}}) == []  # dev: azCount 2
    assert problems(database={"engine": "postgres", "multiAz": True}) == []


def test_one_instance_in_one_az_is_accepted() -> None:
    assert problems(network={"cidr": "10.10.0.0/16", "azCount": 1}, database={"instances": 1}) == []


# -- windows (RDS and ElastiCache refuse overlapping ones) -----------------------------------------------------------
@pytest.mark.parametrize(
    ("backup", "maintenance", "overlap"),
    [
        ("03:00-04:00", "mon:04:00-mon:05:00", False),
        ("03:00-04:00", "mon:02:00-mon:03:00", False),
        ("03:00-04:00", "mon:03:59-mon:05:00", True),
        ("03:00-04:00", "mon:02:00-mon:03:01", True),
        ("03:00-04:00", "sun:03:30-sun:04:30", True),
        ("23:30-00:30", "tue:00:00-tue:01:00", True),
        ("23:30-00:30", "mon:00:00-mon:00:30", True),
        ("00:00-01:00", "sun:23:30-mon:00:30", True),
        ("00:00-01:00", "sun:22:00-sun:23:00", False),
        ("22:00-23:00", "sun:23:00-mon:22:00", False),
        ("03:00-04:00", "mon:05:00-mon:05:00", True),  # ending where it starts: the whole week
    ],
)
def test_the_backup_and_maintenance_windows_may_not_overlap_on_any_day(
    backup: str, maintenance: str, overlap: bool
) -> None:
    database = {"preferredBackupWindow": backup, "preferredMaintenanceWindow": maintenance}
    expected = [
        f"{DB}.preferredMaintenanceWindow = '{maintenance}': overlaps preferredBackupWindow ({backup}); RDS rejects that"
    ]
    assert problems(database=database) == (expected if overlap else [])
    postgres = {"engine": "postgres", **database}
    assert problems(database=postgres) == (expected if overlap else [])


def test_cache_windows_may_not_overlap() -> None:
    cache = {"snapshotWindow": "05:00-06:00", "maintenanceWindow": "wed:05:30-wed:06:30"}
    assert problems(caches={"rate-limit": cache}) == [
        "platform:caches.rate-limit.maintenanceWindow = 'wed:05:30-wed:06:30': overlaps snapshotWindow "
        "(05:00-06:00); ElastiCache rejects that"
    ]


# -- RDS PostgreSQL --------------------------------------------------------------------------------------------
def test_storage_may_grow_one_gib_above_what_is_allocated() -> None:
    assert problems(database={"engine": "postgres", "allocatedStorageGib": 100, "maxAllocatedStorageGib": 101}) == []


def test_a_storage_ceiling_equal_to_the_allocation_is_refused() -> None:
    assert problems(database={"engine": "postgres", "allocatedStorageGib": 100, "maxAllocatedStorageGib": 100}) == [
        f"{DB}.maxAllocatedStorageGib = 100: must be above allocatedStorageGib (100): it is the ceiling storage "
        "autoscaling grows to"
    ]


def test_prod_postgres_needs_multi_az() -> None:
    assert f"{DB}.multiAz = false: prod needs a standby in another AZ (allowed: true)" in problems(
        "prod", database={"engine": "postgres", "multiAz": False}
    )


def test_a_multi_az_standby_needs_a_second_az() -> None:
    assert problems(
        network={"cidr": "10.10.0.0/16", "azCount": 1}, database={"engine": "postgres", "multiAz": True}
    ) == [f"{DB}.multiAz = true: the standby goes to another AZ but network.azCount is 1"]


def test_a_single_az_postgres_in_dev_is_accepted() -> None:
    assert problems(network={"cidr": "10.10.0.0/16", "azCount": 1}, database={"engine": "postgres"}) == []


# -- ElastiCache -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "version"), [("valkey", "7.2"), ("valkey", "8.1"), ("redis", "7.0"), ("redis", "7.1")]
)
def test_cache_engine_versions_with_iam_authentication_are_accepted(engine: str, version: str) -> None:
    assert problems(caches={"limits": {"engine": engine, "engineVersion": version}}) == []


@pytest.mark.parametrize(
    ("engine", "version", "allowed"), [("valkey", "7.0", "7.2, 8.0, 8.1"), ("redis", "8.0", "7.0, 7.1")]
)
def test_other_cache_engine_versions_are_refused_listing_the_engines_own(
    engine: str, version: str, allowed: str
) -> None:
    assert problems(caches={"limits": {"engine": engine, "engineVersion": version}}) == [
        f"platform:caches.limits.engineVersion = '{version}': allowed for {engine}: {allowed} (IAM authentication "
        "needs 7 or later)"
    ]


def test_a_prod_cache_needs_a_replica() -> None:
    assert problems("prod", caches={"rate-limit": {"replicas": 0}}) == [
        "platform:caches.rate-limit.replicas = 0: prod needs a replica in another AZ for Multi-AZ automatic failover "
        "(allowed: 1 to 5)"
    ]


def test_a_cache_replica_needs_a_second_az_and_none_needs_none() -> None:
    network = {"cidr": "10.10.0.0/16", "azCount": 1}
    assert problems(network=network, caches={"limits": {"replicas": 1}}) == [
        "platform:caches.limits.replicas = 1: replicas go to other AZs (Multi-AZ) but network.azCount is 1"
    ]
    assert problems(network=network, caches={"limits": {"replicas": 0}}) == []


# -- AWS Backup ------------------------------------------------------------------------------------------------
def test_prod_backups_without_a_copy_region_are_refused() -> None:
    assert problems("prod", backup={}) == [
        "platform:backup.copyRegion: prod copies its backups to a second region (a regional disaster must not take "
        "the copies with it); e.g. us-west-2"
    ]


def test_staging_backups_need_no_copy_region() -> None:
    assert problems("staging", backup={}) == []
