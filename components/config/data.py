"""`platform:tables`, `queues`, `buckets`, `events`, `database`, `secrets`: the stateful side.

Structure and ranges are checked by the models (pydantic); relations between keys (a GSI key attribute whose
type disagrees with the table's, a rule targeting a queue that does not exist, min ACU 0 outside dev...)
by `check()`, which names the exact key path of each problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, StringConstraints, Tag, field_validator

from .base import ConfigModel, NonEmptyStr, ResourceKey
from .problems import MISSING, TAGGED_SECTIONS, Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig


def _in_range(low: float, high: float, unit: str = "", *, step: float | None = None, note: str = "") -> AfterValidator:
    """A bound whose message states the whole allowed range (pydantic's names only the side crossed)."""
    suffix = f" {unit}" if unit else ""
    extra = f" ({note})" if note else ""

    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(f"allowed: {_num(low)} to {_num(high)}{suffix}{extra}")
        if step is not None and round(value / step, 9) % 1:
            raise ValueError(f"must be a multiple of {_num(step)}{suffix}, {_num(low)} to {_num(high)}{extra}")
        return value

    return AfterValidator(check)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_TIME = r"([01]\d|2[0-3]):[0-5]\d"
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)"
_DAILY_WINDOW = re.compile(rf"^{_TIME}-{_TIME}$")
_WEEKLY_WINDOW = re.compile(rf"^{_DAY}:{_TIME}-{_DAY}:{_TIME}$")


def _matching(pattern: re.Pattern[str], expected: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"expected {expected}")
        return value

    return AfterValidator(check)


# -- DynamoDB ----------------------------------------------------------------------------------------
AttributeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,255}$")]
"""A DynamoDB attribute name as the platform allows it: letters, digits, `_ . -`."""
IndexName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,255}$")]
"""A DynamoDB index name: 3 to 255 of letters, digits, `_ . -`."""
KeyType = Literal["S", "N", "B"]
"""Key attribute types DynamoDB allows: string, number, binary."""

MAX_GSIS = 20
"""DynamoDB's default quota of global secondary indexes per table."""


class KeyAttribute(ConfigModel):
    """A key attribute: `{name: pk, type: S}`."""

    name: AttributeName
    type: KeyType = "S"
    """S (string, the default), N (number) or B (binary)."""


class GlobalSecondaryIndexConfig(ConfigModel):
    """A global secondary index. Always on-demand, like its table."""

    hash_key: KeyAttribute | None = None
    """Partition key of the index. Required (optional here only so that a range key without it gets its own
    message)."""
    range_key: KeyAttribute | None = None
    """Sort key of the index, if any."""
    projection: Literal["ALL", "KEYS_ONLY", "INCLUDE"] = "ALL"
    """Attributes copied into the index. Default ALL: simplest to query, costs storage."""
    non_key_attributes: list[AttributeName] = []
    """With projection INCLUDE only: the extra attributes projected."""


class TableConfig(ConfigModel):
    """One DynamoDB table: on-demand, PITR on, encrypted with the stack key, deletion protection where
    `protectStatefulResources` is on (prod)."""

    hash_key: KeyAttribute | None = None
    """Partition key. Required: there is no safe default."""
    range_key: KeyAttribute | None = None
    """Sort key, if any."""
    global_secondary_indexes: dict[IndexName, GlobalSecondaryIndexConfig] = {}
    """Indexes by name (at most 20)."""
    ttl_attribute: AttributeName | None = None
    """Attribute holding each item's expiry (epoch seconds, a Number). Omit for no TTL."""
    point_in_time_recovery_days: Annotated[int, _in_range(1, 35, "days")] = 35
    """PITR is always on; this is how far back a restore can go. Default 35, DynamoDB's maximum: PITR is
    priced by table size, not by window, so a shorter window saves nothing."""
    table_class: Literal["STANDARD", "STANDARD_INFREQUENT_ACCESS"] = "STANDARD"


# -- SQS ----------------------------------------------------------------------------------------------
DLQ_RETENTION_SECONDS = 1_209_600
"""The dead-letter queue keeps messages 14 days, SQS's maximum."""
MAX_SOURCE_RETENTION_SECONDS = 604_800
"""A standard queue's message keeps its first enqueue time when it moves to the DLQ, so its time in the DLQ
is 14 days minus its age: capping the source queue at 7 days leaves at least 7 days to inspect a failure."""


class QueueConfig(ConfigModel):
    """One SQS queue with its dead-letter queue, both encrypted with the stack key, TLS-only."""

    visibility_timeout_seconds: Annotated[int, _in_range(0, 43_200, "seconds")] = 30
    """How long a received message stays hidden; set it above the worker's longest processing time.
    Default 30 (SQS's)."""
    message_retention_seconds: Annotated[
        int,
        _in_range(
            60,
            MAX_SOURCE_RETENTION_SECONDS,
            "seconds",
            note="the DLQ keeps 14 days counted from the first enqueue, so at most 7 days here leaves at least "
            "7 in the DLQ",
        ),
    ] = 345_600
    """How long an unprocessed message is kept. Default 4 days (SQS's)."""
    max_receive_count: Annotated[int, _in_range(1, 1000, "receives")] = 5
    """Receives before a message moves to the dead-letter queue. Default 5: enough for transient
    failures, few enough that a poison message stops looping quickly."""
    receive_wait_time_seconds: Annotated[int, _in_range(0, 20, "seconds")] = 20
    """Long polling. Default 20, the maximum: fewer empty receives, lower cost."""
    delay_seconds: Annotated[int, _in_range(0, 900, "seconds")] = 0
    fifo: bool = False
    """FIFO queue (and FIFO dead-letter queue); the name gets SQS's `.fifo` suffix."""


# -- S3 -----------------------------------------------------------------------------------------------
StorageClass = Literal["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
"""Lifecycle transition targets, in S3's waterfall order: an object only ever moves down this list."""
WATERFALL: tuple[str, ...] = (
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
MIN_DAYS_BEFORE: Mapping[str, int] = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
"""S3 refuses transitions to the infrequent-access classes before an object is 30 days old."""
Days = Annotated[int, _in_range(1, 36_500, "days")]


class Transition(ConfigModel):
    """Move current objects to a cheaper storage class after `days`."""

    days: Annotated[int, _in_range(0, 36_500, "days")]
    storage_class: StorageClass


class LifecycleRuleConfig(ConfigModel):
    """An extra lifecycle rule, beside the bucket's own noncurrent-expiry and abort-upload rule."""

    prefix: str = ""
    """Objects the rule applies to; empty means the whole bucket."""
    transitions: list[Transition] = []
    """In increasing days, down S3's storage class waterfall."""
    expiration_days: Days | None = None
    """Delete current objects this many days after creation (a delete marker, with versioning)."""


_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$")
HttpOrigin = Annotated[
    str,
    _matching(
        _ORIGIN,
        "a browser origin such as https://app.example.com (scheme, host, optional port; a bare * is not "
        "allowed: name the origins)",
    ),
]
"""A browser origin: scheme, host and optional port, e.g. `https://app.example.com`; a `*.` subdomain
wildcard is allowed, a bare `*` is not."""


class CorsRuleConfig(ConfigModel):
    """One CORS rule (browser uploads straight to the bucket with presigned URLs)."""

    allowed_origins: Annotated[list[HttpOrigin], Field(min_length=1)]
    allowed_methods: Annotated[list[Literal["GET", "PUT", "POST", "DELETE", "HEAD"]], Field(min_length=1)]
    allowed_headers: list[NonEmptyStr] = []
    expose_headers: list[NonEmptyStr] = []
    max_age_seconds: Annotated[int, _in_range(0, 86_400, "seconds")] = 3000
    """How long a browser caches the preflight answer. Default 3000."""


class ReplicationConfig(ConfigModel):
    """Cross-region replication of a bucket: every new object version (and delete marker) copied to a replica
    bucket in `region` with the same hardening, encrypted with a key of that region."""

    region: Annotated[
        str, _matching(re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$"), "an AWS region such as us-west-2")
    ]
    """The replica's region. Required; must differ from the stack's."""
    storage_class: Literal[
        "STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
    ] = "STANDARD_IA"
    """Storage class of the replicas. Default STANDARD_IA (read only after a disaster)."""
    time_control: bool = False
    """S3 Replication Time Control: 99.99 % of objects replicated within 15 minutes, with replication metrics and
    events (priced per GB). Default off; replication metrics are on either way."""


class BucketConfig(ConfigModel):
    """One S3 bucket: public access blocked, owner-enforced, versioned, SSE-KMS with the stack key and a
    bucket key, TLS-only."""

    noncurrent_version_expiration_days: Days = 30
    """Old versions (overwritten or deleted objects) are kept this long, then expire. Preset: 7 dev,
    30 staging, 90 prod."""
    abort_incomplete_upload_days: Days = 7
    """Parts of multipart uploads never completed are removed after this many days (they are billed
    and invisible otherwise). Default 7."""
    lifecycle_rules: dict[ResourceKey, LifecycleRuleConfig] = {}
    """Extra rules by id: transitions and expiry for current objects."""
    cors: list[CorsRuleConfig] = []
    """CORS rules; none by default (no browser access)."""
    replication: ReplicationConfig | None = None
    """Cross-region replication (`{region: us-west-2, storageClass: STANDARD_IA, timeControl: true}`). Default
    none."""


# -- EventBridge --------------------------------------------------------------------------------------
class EventRuleConfig(ConfigModel):
    """A rule on the stack's bus that routes matching events to a queue."""

    event_pattern: dict[str, Any]
    """EventBridge event pattern, e.g. `{detail-type: [order.created]}`; match values are lists."""
    queue: ResourceKey
    """The queue (a key of `platform:queues`) the matching events go to."""
    description: str = ""
    enabled: bool = True
    maximum_retry_attempts: Annotated[int, _in_range(0, 185, "attempts")] = 185
    """Delivery retries before the event goes to the queue's dead-letter queue. Default 185 (EventBridge's)."""
    maximum_event_age_seconds: Annotated[int, _in_range(60, 86_400, "seconds")] = 86_400
    """How long EventBridge keeps retrying one event. Default 24 hours (EventBridge's)."""

    @field_validator("event_pattern")
    @classmethod
    def _not_empty(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("an empty pattern matches nothing; e.g. {detail-type: [order.created]}")
        return value


class EventsConfig(ConfigModel):
    """The stack's custom EventBridge bus and its rules."""

    enabled: bool | None = None
    """Create the bus. Omit: it exists when rules are declared. Set true for a bus services only publish to."""
    rules: dict[ResourceKey, EventRuleConfig] = {}

    @property
    def creates_bus(self) -> bool:
        return self.enabled if self.enabled is not None else bool(self.rules)


# -- Aurora -------------------------------------------------------------------------------------------
AUTO_PAUSE_MIN_VERSIONS: Mapping[int, tuple[int, int]] = {13: (13, 15), 14: (14, 12), 15: (15, 7), 16: (16, 3)}
"""Aurora PostgreSQL versions from which Serverless v2 can scale to 0 ACU (auto-pause); 17+ all can."""
Capacity = Annotated[float, _in_range(0, 256, "ACU", step=0.5)]


MasterSecretRotationDays = Annotated[int, _in_range(1, 365, "days")]


class _DatabaseSettings(ConfigModel):
    """What Aurora (`DatabaseConfig`) and an RDS PostgreSQL instance (`PostgresConfig`) are both configured with:
    backups and windows, names and users, Performance Insights, slow-query logging, Enhanced Monitoring and the
    master secret's rotation."""

    backup_retention_days: Annotated[int, _in_range(1, 35, "days")] = 7
    """Automated backups (and point-in-time restore window). Preset: 1 dev, 7 staging, 35 prod."""
    preferred_backup_window: Annotated[str, _matching(_DAILY_WINDOW, "hh:mm-hh:mm (UTC), e.g. 03:00-04:00")] = (
        "03:00-04:00"
    )
    """UTC, hh:mm-hh:mm. Default 03:00-04:00."""
    preferred_maintenance_window: Annotated[
        str, _matching(_WEEKLY_WINDOW, "ddd:hh:mm-ddd:hh:mm (UTC), e.g. mon:04:30-mon:05:30")
    ] = "mon:04:30-mon:05:30"
    """UTC, ddd:hh:mm-ddd:hh:mm. Default mon:04:30-mon:05:30, after the backup window."""
    database_name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")] = "app"
    master_username: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,15}$")] = "dbadmin"
    """Master user; its password is generated and kept by RDS in Secrets Manager, never in config or state."""
    iam_user: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")] = "app"
    """Database user a service's `database: connect` grant logs in as, with an IAM token (the user needs
    `GRANT rds_iam TO app` once, by an operator)."""
    performance_insights_retention_days: int = 7
    """7 (free), 731, or a multiple of 31. Default 7."""
    slow_query_ms: Annotated[int, _in_range(100, 60_000, "ms")] = 1000
    """Statements slower than this are logged (log_min_duration_statement). Default 1000 ms."""
    master_secret_rotation_days: MasterSecretRotationDays = 7
    """Rotation schedule of the RDS-managed master user secret (RDS rotates it itself). Default 7, RDS's own."""

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _pi_retention(cls, value: int) -> int:
        if value not in (7, 731) and not (value > 0 and value % 31 == 0 and value <= 713):
            raise ValueError("allowed: 7, 731, or a multiple of 31 up to 713 (months x 31) days")
        return value

    enhanced_monitoring_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = 0
    """Enhanced Monitoring interval (OS metrics from the instance, through its own role); 0 is off. Preset: 0 dev,
    60 staging, 15 prod."""


class DatabaseConfig(_DatabaseSettings):
    """The Aurora PostgreSQL cluster: Serverless v2 by default, in the data subnets, KMS-encrypted,
    RDS-managed master secret, IAM auth, TLS forced."""

    engine: Literal["aurora-postgresql", "postgres"] = "aurora-postgresql"
    """`aurora-postgresql` (default: this model) or `postgres` (a single RDS PostgreSQL instance: `PostgresConfig`)."""

    engine_version: Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{1,2})?$")] = "16"
    """Aurora PostgreSQL version at creation: a major (`16`, the default: the newest minor AWS offers for it
    when the cluster is created) or major.minor (`16.6`, which must still be orderable). Minor versions then
    move with AWS's automatic minor upgrades in the maintenance window, and the platform ignores that drift
    (a pinned minor would otherwise make the next `up` try to downgrade, which RDS refuses). A major upgrade
    is a deliberate operation: see the README's database runbook."""
    instance_class: Annotated[str, StringConstraints(pattern=r"^db\.(serverless|[a-z0-9]+\.[a-z0-9]+)$")] = (
        "db.serverless"
    )
    """`db.serverless` (Serverless v2, the default) or a provisioned class such as `db.r6g.large`."""
    instances: Annotated[int, _in_range(1, 16, "instances")] = 1
    """Writer plus readers, spread over the AZs in order. Preset: 1 in dev and staging, 2 in prod (a reader
    in another AZ to fail over to)."""
    min_capacity: Capacity = 0.5
    """Serverless v2 minimum ACU. 0 (pause when idle) only in dev. Preset: 0 dev, 0.5 staging and prod."""
    max_capacity: Capacity = 4
    """Serverless v2 maximum ACU, at least 1. Preset: 2 dev, 4 staging, 16 prod."""
    seconds_until_auto_pause: Annotated[int, _in_range(300, 86_400, "seconds")] = 900
    """With minCapacity 0: idle time before the cluster pauses. Default 15 minutes."""

    @property
    def serverless(self) -> bool:
        return self.instance_class == "db.serverless"

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])


# -- RDS PostgreSQL (single instance) --------------------------------------------------------------------


class PostgresConfig(_DatabaseSettings):
    """An RDS PostgreSQL instance (`engine: postgres`): Multi-AZ in prod, gp3 storage that grows on its own up to
    `maxAllocatedStorageGib`, in the data subnets, KMS-encrypted, RDS-managed master secret, IAM auth, TLS forced,
    `postgresql` and `upgrade` logs exported, Performance Insights, Enhanced Monitoring outside dev."""

    engine: Literal["postgres"]
    """`postgres`. Required here (it is what selects this model)."""
    engine_version: Annotated[str, StringConstraints(pattern=r"^\d{2}$")] = "16"
    """The major version only (e.g. `16`): RDS applies minor versions itself (auto minor version upgrade on), so
    the program never fights a minor upgrade. Default 16."""
    instance_class: Annotated[str, StringConstraints(pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")] = "db.t4g.medium"
    """Preset: db.t4g.small dev, db.t4g.medium staging, db.r8g.large prod."""
    multi_az: bool = False
    """A synchronous standby in another AZ, failed over to automatically. Preset: on in prod (required there)."""
    allocated_storage_gib: Annotated[int, _in_range(20, 65_536, "GiB")] = 20
    """gp3 storage at creation. Preset: 20 dev and staging, 100 prod."""
    max_allocated_storage_gib: Annotated[int, _in_range(21, 65_536, "GiB")] = 100
    """Storage autoscaling ceiling (RDS grows the volume when less than 10 % is free). Preset: 100 dev, 200
    staging, 1000 prod."""
    read_replicas: Annotated[int, _in_range(0, 5, "replicas")] = 0
    """Read replicas (same class, asynchronous, in the next AZs). Default 0."""

    @property
    def serverless(self) -> bool:
        """Never: an RDS instance has a fixed class (alarms and max_connections read this)."""
        return False

    @property
    def major_version(self) -> int:
        return int(self.engine_version)


def _database_engine(value: Any) -> str:
    """The tag of a `platform:database` value: `postgres` selects PostgresConfig, anything else the Aurora model
    (whose own `engine` field then names what is allowed)."""
    engine = value.get("engine") if isinstance(value, dict) else getattr(value, "engine", None)
    return "postgres" if engine == "postgres" else "aurora-postgresql"


DatabaseSection = Annotated[
    Annotated[DatabaseConfig, Tag("aurora-postgresql")] | Annotated[PostgresConfig, Tag("postgres")],
    Discriminator(_database_engine),
]
"""`platform:database`: Aurora PostgreSQL (default) or, with `engine: postgres`, one RDS PostgreSQL instance."""
TAGGED_SECTIONS["database"] = {"aurora-postgresql": DatabaseConfig, "postgres": PostgresConfig}


# -- Secrets Manager ----------------------------------------------------------------------------------
class RotationConfig(ConfigModel):
    """How a secret is rotated: by one of the stack's functions through Secrets Manager rotation
    (components/rotation.py), or, stated out loud, by whoever issues it (`external`)."""

    days: Annotated[int, _in_range(1, 1000, "days")] = 30
    """Rotate every N days. Default 30 (seed 003)."""
    function: ResourceKey | None = None
    """The `platform:functions` entry implementing the four rotation steps (createSecret, setSecret,
    testSecret, finishSecret)."""
    external: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)] | None = None
    """Who rotates it outside the stack, e.g. `stripe dashboard, quarterly` (a third-party API key rotates
    where it is issued). The secret is tagged `RotatedBy: external`, which the pack's prod-secrets-rotated
    accepts; exactly one of `function` and `external`."""


class SecretConfig(ConfigModel):
    """One Secrets Manager secret, encrypted with the stack key and created empty: operators put its value
    out of band (`aws secretsmanager put-secret-value`), so it never passes through config or state."""

    description: str = ""
    recovery_window_days: int = 30
    """Days a deleted secret can be restored. 0 deletes at once, else 7 to 30. Preset: 0 dev (a dev stack is
    torn down and rebuilt; a secret pending deletion would block its own name for the window), 7 staging,
    30 prod."""
    rotation: RotationConfig | None = None
    """Rotate with a function every `days`. Default none: a third-party key rotates where it is issued."""

    @field_validator("recovery_window_days")
    @classmethod
    def _window(cls, value: int) -> int:
        if value != 0 and not 7 <= value <= 30:
            raise ValueError("allowed: 0 (delete at once) or 7 to 30 days")
        return value


# -- ElastiCache (Valkey / Redis OSS) ---------------------------------------------------------------------
CACHE_ENGINE_VERSIONS: Mapping[str, tuple[str, ...]] = {"valkey": ("7.2", "8.0", "8.1"), "redis": ("7.0", "7.1")}
"""Engine versions the platform builds, major.minor (ElastiCache moves the patch level itself with auto minor
upgrades). All of them support IAM authentication, which needs Valkey 7.2+ or Redis OSS 7.0+ and TLS."""
DEFAULT_CACHE_VERSION: Mapping[str, str] = {"valkey": "8.0", "redis": "7.1"}
CACHE_USER = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


class CacheConfig(ConfigModel):
    """One ElastiCache replication group (Valkey or Redis OSS, cluster mode disabled): in the data subnets, TLS
    required, encrypted at rest with the stack key, IAM authentication only (no password anywhere), Multi-AZ
    with automatic failover when it has a replica, daily snapshots."""

    engine: Literal["valkey", "redis"] = "valkey"
    """`valkey` (default: the open-source successor of Redis OSS, same protocol, lower price on ElastiCache) or
    `redis` (Redis OSS)."""
    engine_version: str | None = None
    """major.minor. Default: valkey 8.0, redis 7.1. Valkey 7.2, 8.0, 8.1; Redis OSS 7.0, 7.1 (IAM authentication
    needs 7+)."""
    node_type: Annotated[str, StringConstraints(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")] = "cache.t4g.small"
    """Node class. Preset: cache.t4g.micro dev, cache.t4g.small staging, cache.m7g.large prod."""
    replicas: Annotated[int, _in_range(0, 5, "replicas")] = 0
    """Read replicas beside the primary, in other AZs. With at least one, Multi-AZ and automatic failover are
    on. Preset: 0 dev, 1 staging and prod (prod needs at least 1)."""
    snapshot_retention_days: Annotated[int, _in_range(0, 35, "days")] = 1
    """Daily snapshots kept (0: none). Preset: 0 dev, 7 staging, 35 prod. AWS Backup does not cover
    ElastiCache, so these are the cache's backups."""
    snapshot_window: Annotated[str, _matching(_DAILY_WINDOW, "hh:mm-hh:mm (UTC), e.g. 02:00-03:00")] = "02:00-03:00"
    """UTC, at least 60 minutes. Default 02:00-03:00."""
    maintenance_window: Annotated[
        str, _matching(_WEEKLY_WINDOW, "ddd:hh:mm-ddd:hh:mm (UTC), e.g. sun:05:00-sun:06:00")
    ] = "sun:05:00-sun:06:00"
    """UTC, at least 60 minutes, not overlapping the snapshot window. Default sun:05:00-sun:06:00."""
    user: Annotated[str, _matching(CACHE_USER, "lower-case letters, digits and -, 1 to 16, starting with a letter")] = (
        "app"
    )
    """The IAM-authenticated user a `caches: {<name>: connect}` grant connects as; its ElastiCache user id and
    name are `<project>-<stack>-<cache>-<user>` (IAM authentication needs the two equal)."""
    access_string: Annotated[str, StringConstraints(pattern=r"^on( \S+)+$")] = "on ~* +@all -@dangerous"
    """The user's ACL: every key and command except the `@dangerous` category (FLUSHALL, KEYS, CONFIG, DEBUG...).
    Default `on ~* +@all -@dangerous`."""

    @property
    def version(self) -> str:
        return self.engine_version or DEFAULT_CACHE_VERSION[self.engine]

    @property
    def multi_az(self) -> bool:
        return self.replicas >= 1


def _check_cache(path: Path, cache: CacheConfig, environment: str, az_count: int) -> Iterator[Problem]:
    allowed = CACHE_ENGINE_VERSIONS[cache.engine]
    if cache.engine_version is not None and cache.engine_version not in allowed:
        yield Problem(
            key_path((*path, "engineVersion")),
            f"allowed for {cache.engine}: {', '.join(allowed)} (IAM authentication needs 7 or later)",
            cache.engine_version,
        )
    if environment == "prod" and cache.replicas < 1:
        yield Problem(
            key_path((*path, "replicas")),
            "prod needs a replica in another AZ for Multi-AZ automatic failover (allowed: 1 to 5)",
            cache.replicas,
        )
    if cache.replicas >= 1 and az_count < 2:
        yield Problem(
            key_path((*path, "replicas")),
            f"replicas go to other AZs (Multi-AZ) but network.azCount is {az_count}",
            cache.replicas,
        )
    if not _windows_disjoint(cache.snapshot_window, cache.maintenance_window):
        yield Problem(
            key_path((*path, "maintenanceWindow")),
            f"overlaps snapshotWindow ({cache.snapshot_window}); ElastiCache rejects that",
            cache.maintenance_window,
        )


# -- AWS Backup -------------------------------------------------------------------------------------------
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
Region = Annotated[str, _matching(_REGION, "an AWS region such as us-west-2")]
"""An AWS region name (`us-west-2`): backup copies, DR standbys (components/config/dr.py)."""
_CRON = re.compile(r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$")


class BackupConfig(ConfigModel):
    """The stack's AWS Backup plan: one daily rule into a vault encrypted with the stack key, selecting the
    stack's database, tables and buckets; in prod also a copy of every recovery point to a vault in `copyRegion`
    (a regional disaster leaves the copies). ElastiCache is not an AWS Backup resource: caches keep their own
    snapshots (`caches.<name>.snapshotRetentionDays`)."""

    retention_days: Annotated[int, _in_range(1, 36_500, "days")] = 35
    """How long each daily recovery point is kept. Preset: 7 dev, 14 staging, 35 prod."""
    schedule: Annotated[str, _matching(_CRON, "an AWS cron expression such as cron(0 5 ? * * *)")] = "cron(0 5 ? * * *)"
    """When the daily backup starts (UTC). Default 05:00, after the databases' own backup window (03:00-04:00)."""
    copy_region: Annotated[str, _matching(_REGION, "an AWS region such as us-west-2")] | None = None
    """A second region every recovery point is copied to (its own vault and key there). Required in prod."""
    copy_retention_days: Annotated[int, _in_range(1, 36_500, "days")] | None = None
    """How long the copies are kept. Default: `retentionDays`."""
    include_buckets: bool = True
    """Select the stack's buckets too (S3 backups need versioning, which every bucket has). Default on."""


# -- cross-checks -------------------------------------------------------------------------------------
def check(config: StackConfig) -> list[Problem]:
    """Cross-key checks of the data config, each naming its exact key path."""
    problems: list[Problem] = []
    for name, table in config.tables.items():
        problems.extend(_check_table(("tables", name), table))
    for name, bucket in config.buckets.items():
        problems.extend(_check_bucket(("buckets", name), bucket))
    problems.extend(_check_events(config))
    if isinstance(config.database, DatabaseConfig):
        problems.extend(_check_database(config.database, config.environment, config.network.az_count))
    elif isinstance(config.database, PostgresConfig):
        problems.extend(_check_postgres(config.database, config.environment, config.network.az_count))
    for name, cache in config.caches.items():
        problems.extend(_check_cache(("caches", name), cache, config.environment, config.network.az_count))
    if config.environment == "prod" and config.backup is not None and config.backup.copy_region is None:
        problems.append(
            Problem(
                key_path(("backup", "copyRegion")),
                "prod copies its backups to a second region "
                "(a regional disaster must not take the copies with it); e.g. us-west-2",
            )
        )
    return problems


Path = tuple[str | int, ...]


def _check_table(path: Path, table: TableConfig) -> Iterator[Problem]:
    if table.hash_key is None:
        detail = (
            f"a rangeKey ({table.range_key.name}) needs a hashKey: DynamoDB has no sort-only keys"
            if table.range_key
            else "every table needs a partition key, e.g. {name: pk, type: S}"
        )
        yield Problem(key_path((*path, "hashKey")), f"required key is missing: {detail}")
    if table.hash_key and table.range_key and table.hash_key.name == table.range_key.name:
        yield Problem(key_path((*path, "rangeKey", "name")), "must differ from hashKey.name", table.range_key.name)
    types: dict[str, tuple[str, Path]] = {}

    def declare(attribute: KeyAttribute, where: Path) -> Iterator[Problem]:
        seen = types.get(attribute.name)
        if seen is None:
            types[attribute.name] = (attribute.type, where)
        elif seen[0] != attribute.type:
            yield Problem(
                key_path((*where, "type")),
                f"attribute {attribute.name} is type {seen[0]} at {key_path(seen[1])}; a DynamoDB "
                "attribute has one type across the table and its indexes",
                attribute.type,
            )

    for role in ("hash_key", "range_key"):
        attribute = getattr(table, role)
        if attribute is not None:
            yield from declare(attribute, (*path, _camel(role)))
    if len(table.global_secondary_indexes) > MAX_GSIS:
        yield Problem(
            key_path((*path, "globalSecondaryIndexes")),
            f"{len(table.global_secondary_indexes)} indexes; DynamoDB allows at most {MAX_GSIS}",
        )
    for index_name, index in table.global_secondary_indexes.items():
        where = (*path, "globalSecondaryIndexes", index_name)
        if index.hash_key is None:
            detail = (
                f"a rangeKey ({index.range_key.name}) needs a hashKey: DynamoDB has no sort-only keys"
                if index.range_key
                else "an index needs a partition key, e.g. {name: userId, type: S}"
            )
            yield Problem(key_path((*where, "hashKey")), f"required key is missing: {detail}")
        for role in ("hash_key", "range_key"):
            attribute = getattr(index, role)
            if attribute is not None:
                yield from declare(attribute, (*where, _camel(role)))
        if index.projection == "INCLUDE" and not index.non_key_attributes:
            yield Problem(key_path((*where, "nonKeyAttributes")), "projection INCLUDE needs the attributes to include")
        if index.projection != "INCLUDE" and index.non_key_attributes:
            yield Problem(
                key_path((*where, "nonKeyAttributes")),
                f"only with projection INCLUDE (this index projects {index.projection})",
            )
    if table.ttl_attribute is not None and table.ttl_attribute in types:
        kind, where = types[table.ttl_attribute]
        yield Problem(
            key_path((*path, "ttlAttribute")),
            f"is a key attribute (type {kind} at {key_path(where)}); TTL needs its own Number "
            "attribute holding epoch seconds",
            table.ttl_attribute,
        )


def _check_bucket(path: Path, bucket: BucketConfig) -> Iterator[Problem]:
    for rule_id, rule in bucket.lifecycle_rules.items():
        where = (*path, "lifecycleRules", rule_id)
        previous_days = -1
        previous_rank = -1
        for index, transition in enumerate(rule.transitions):
            at = (*where, "transitions", index)
            minimum = MIN_DAYS_BEFORE.get(transition.storage_class, 0)
            if transition.days < minimum:
                yield Problem(
                    key_path((*at, "days")),
                    f"S3 moves objects to {transition.storage_class} no earlier than {minimum} days",
                    transition.days,
                )
            if transition.days <= previous_days:
                yield Problem(
                    key_path((*at, "days")),
                    f"transitions must be in increasing days (the previous one is at {previous_days})",
                    transition.days,
                )
            rank = WATERFALL.index(transition.storage_class)
            if rank <= previous_rank:
                yield Problem(
                    key_path((*at, "storageClass")),
                    f"cannot move from {WATERFALL[previous_rank]} back up to "
                    f"{transition.storage_class}; order: {' > '.join(WATERFALL)}",
                    transition.storage_class,
                )
            previous_days, previous_rank = max(previous_days, transition.days), max(previous_rank, rank)
        if rule.expiration_days is not None and rule.transitions and rule.expiration_days <= previous_days:
            yield Problem(
                key_path((*where, "expirationDays")),
                f"must be later than the last transition ({previous_days} days)",
                rule.expiration_days,
            )
        if not rule.transitions and rule.expiration_days is None:
            yield Problem(key_path(where), "a rule needs transitions or expirationDays (it does nothing)")


def _check_events(config: StackConfig) -> Iterator[Problem]:
    events = config.events
    if events.enabled is False and events.rules:
        yield Problem(
            key_path(("events", "enabled")),
            "rules are declared but the bus is disabled; remove enabled: false or the rules",
            False,
        )
    for rule_name, rule in events.rules.items():
        where = ("events", "rules", rule_name)
        queue = config.queues.get(rule.queue)
        if queue is None:
            known = ", ".join(sorted(config.queues)) or "none declared"
            yield Problem(key_path((*where, "queue")), f"no such queue; queues: {known}", rule.queue)
        elif queue.fifo:
            yield Problem(
                key_path((*where, "queue")),
                "is a FIFO queue; rules here target standard queues (a FIFO target needs a message group id per event)",
                rule.queue,
            )
        yield from _check_pattern((*where, "eventPattern"), rule.event_pattern)


def _check_pattern(path: Path, pattern: Mapping[str, Any]) -> Iterator[Problem]:
    for field, value in pattern.items():
        where = (*path, field)
        if isinstance(value, dict):
            if not value:
                yield Problem(key_path(where), "an empty object matches nothing")
            yield from _check_pattern(where, value)
        elif not isinstance(value, list) or not value:
            yield Problem(
                key_path(where),
                "match values go in a non-empty list, e.g. [order.created]",
                value if isinstance(value, str | int | float | bool) else MISSING,
            )


def _check_database(database: DatabaseConfig, environment: str, az_count: int) -> Iterator[Problem]:
    path = ("database",)
    if database.serverless:
        if database.min_capacity > database.max_capacity:
            yield Problem(
                key_path((*path, "minCapacity")),
                f"above maxCapacity ({_num(database.max_capacity)})",
                database.min_capacity,
            )
        if database.max_capacity < 1:
            yield Problem(
                key_path((*path, "maxCapacity")),
                "Serverless v2 needs a maximum of at least 1 ACU (allowed: 1 to 256)",
                database.max_capacity,
            )
        if database.min_capacity == 0:
            if environment != "dev":
                yield Problem(
                    key_path((*path, "minCapacity")),
                    f"0 ACU (pause when idle) is allowed only in dev: a paused {environment} "
                    "database takes ~15 s to resume on the first request; allowed: 0.5 to 256",
                    database.min_capacity,
                )
            first = AUTO_PAUSE_MIN_VERSIONS.get(database.major_version)
            version = tuple(int(p) for p in database.engine_version.split("."))
            # A major alone means its newest minor, which is past every major's first auto-pause release.
            if database.major_version < 13 or (first is not None and len(version) > 1 and version < first):
                yield Problem(
                    key_path((*path, "engineVersion")),
                    "scaling to 0 ACU needs Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 or later",
                    database.engine_version,
                )
    # prod's writer + reader: components/config/thresholds.py (the pack's prod-database-standby minimum)
    if database.instances > 1 and az_count < 2:
        yield Problem(
            key_path((*path, "instances")),
            f"readers go to other AZs but network.azCount is {az_count}",
            database.instances,
        )
    if not _windows_disjoint(database.preferred_backup_window, database.preferred_maintenance_window):
        yield Problem(
            key_path((*path, "preferredMaintenanceWindow")),
            f"overlaps preferredBackupWindow ({database.preferred_backup_window}); RDS rejects that",
            database.preferred_maintenance_window,
        )


def _check_postgres(database: PostgresConfig, environment: str, az_count: int) -> Iterator[Problem]:
    path = ("database",)
    if database.max_allocated_storage_gib <= database.allocated_storage_gib:
        yield Problem(
            key_path((*path, "maxAllocatedStorageGib")),
            f"must be above allocatedStorageGib ({database.allocated_storage_gib}): it is the ceiling "
            "storage autoscaling grows to",
            database.max_allocated_storage_gib,
        )
    if environment == "prod" and not database.multi_az:
        yield Problem(
            key_path((*path, "multiAz")), "prod needs a standby in another AZ (allowed: true)", database.multi_az
        )
    if database.multi_az and az_count < 2:
        yield Problem(
            key_path((*path, "multiAz")),
            f"the standby goes to another AZ but network.azCount is {az_count}",
            database.multi_az,
        )
    if not _windows_disjoint(database.preferred_backup_window, database.preferred_maintenance_window):
        yield Problem(
            key_path((*path, "preferredMaintenanceWindow")),
            f"overlaps preferredBackupWindow ({database.preferred_backup_window}); RDS rejects that",
            database.preferred_maintenance_window,
        )


def _windows_disjoint(backup: str, maintenance: str) -> bool:
    """The daily backup window and the weekly maintenance window may not overlap (RDS refuses it)."""

    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    b_start, b_end = (minutes(t) for t in backup.split("-"))
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    m_start_text, m_end_text = maintenance.split("-")
    m_start = days.index(m_start_text[:3]) * 1440 + minutes(m_start_text[4:])
    m_end = days.index(m_end_text[:3]) * 1440 + minutes(m_end_text[4:])
    if m_end <= m_start:
        m_end += 7 * 1440
    b_length = (b_end - b_start) % 1440
    for day in range(8):
        start = day * 1440 + b_start
        for shift in (0, 7 * 1440):
            if start < m_end + shift and m_start + shift < start + b_length:
                return False
    return True


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)
