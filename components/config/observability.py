"""`platform:alarms`: who the alarm topic notifies, and the thresholds of the alarms the platform creates.

Defaults are the reference's numbers (shared/reference/seed-requirements.md, 1.7 Observability):

- web service: p95 target response time > 1 s for 5 minutes; 5xx > 5 % of requests over 5 minutes;
  unhealthy targets > 0 (for 2 minutes);
- every service (web and worker): CPU > 85 % for 10 minutes, memory > 90 % for 5 minutes, running tasks below
  desired (Container Insights) for 2 minutes;
- queue: oldest message older than 15 minutes, any message in the dead-letter queue;
- database: CPU > 80 % for 5 minutes, freeable memory < 10 % of its memory, connections > 80 % of
  `max_connections`, Serverless v2 capacity > 90 % of its maximum ACU;
- load balancer: ELB-generated 5xx > 10 a minute for 2 minutes, any rejected connection.

The reference gives the same numbers to every environment, so there is no per-environment preset for
thresholds; prod (and only prod) must name at least one subscriber, checked by `check()`.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from .base import ConfigModel
from .problems import Problem, key_path

if TYPE_CHECKING:
    from .data import DatabaseConfig, PostgresConfig
    from .stack import StackConfig

# -- value types ------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an email address; expected name@example.com (one address per entry)")
    return value


def _between(low: float, high: float, unit: str = "", *, low_open: bool = False, note: str = "") -> AfterValidator:
    """A bound whose message states the whole allowed range, the unit and why."""
    suffix = f" {unit}" if unit else ""
    extra = f" ({note})" if note else ""
    allowed = f"above {_num(low)} and at most {_num(high)}" if low_open else f"{_num(low)} to {_num(high)}"

    def check(value: float) -> float:
        if (value <= low if low_open else value < low) or value > high:
            raise ValueError(f"allowed: {allowed}{suffix}{extra}")
        return value

    return AfterValidator(check)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


EmailAddress = Annotated[str, AfterValidator(_email)]
Percent = Annotated[float, _between(0, 100, "%", low_open=True)]
"""A utilisation or rate threshold: above 0, at most 100."""
Minutes = Annotated[int, _between(1, 1440, "minutes", note="CloudWatch evaluates at most one day")]
"""How long a condition must hold before the alarm fires; one evaluation period per minute."""
Count = Annotated[int, _between(0, 1_000_000, note="the alarm fires above this count")]
Seconds = Annotated[float, _between(0, 86_400, "seconds", low_open=True)]


# -- thresholds per kind of thing watched ------------------------------------------------------------------
class ServiceThresholds(ConfigModel):
    """Every ECS service, web or worker (AWS/ECS and ECS/ContainerInsights metrics)."""

    cpu_percent: Percent = 85
    """Average CPU above this for `cpuMinutes` alarms. Default 85 (reference: above 85 % for 10 minutes)."""
    cpu_minutes: Minutes = 10
    memory_percent: Percent = 90
    """Average memory above this for `memoryMinutes` alarms. Default 90 for 5 minutes."""
    memory_minutes: Minutes = 5
    tasks_below_desired_minutes: Minutes = 2
    """Running tasks below the desired count this long alarms (Container Insights). Default 2 minutes."""


class WebThresholds(ConfigModel):
    """Web services behind the load balancer (AWS/ApplicationELB metrics of their target group)."""

    latency_p95_seconds: Seconds = 1.0
    """p95 target response time above this for `latencyMinutes` alarms. Default 1 s for 5 minutes."""
    latency_minutes: Minutes = 5
    latency_p99_seconds: Seconds | None = None
    """p99 target response time above this for `latencyMinutes` alarms (`<service>-p99-latency`), beside the p95
    alarm: the slowest 1 % of requests (seed 003: p99 > 1000 ms for 5 minutes). Default: off."""
    error_rate_percent: Percent = 5
    """Target 5xx responses as a percentage of requests, over one window of `errorRateMinutes`. Default 5 %
    over 5 minutes. No traffic is not an error (missing data does not breach)."""
    error_rate_minutes: Minutes = 5
    target_errors_per_minute: Count | None = None
    """More target 5xx responses than this in a minute, for `targetErrorsMinutes` consecutive minutes, alarms (a
    count, beside the rate: a few errors matter even under heavy traffic). Default: off (the rate alarm watches)."""
    target_errors_minutes: Minutes = 2
    """Consecutive minutes over `targetErrorsPerMinute` before the count alarm fires. Default 2."""
    unhealthy_hosts: Count = 0
    """More unhealthy targets than this for `unhealthyHostsMinutes` alarms. Default 0: any unhealthy target."""
    unhealthy_hosts_minutes: Minutes = 2
    minimum_healthy_hosts: Annotated[int, _between(1, 1000, "targets")] | None = None
    """Fewer healthy targets than this for `unhealthyHostsMinutes` alarms (no data breaches: no target at all).
    Default: off (the running-tasks alarm covers a service below its desired count)."""


class QueueThresholds(ConfigModel):
    """Every queue and its dead-letter queue (AWS/SQS metrics)."""

    oldest_message_seconds: Seconds = 900
    """Age of the oldest message above this for `oldestMessageMinutes` alarms: the consumers are behind or
    stopped. Default 900 s (15 minutes) for 5 minutes."""
    oldest_message_minutes: Minutes = 5
    dead_letter_messages: Count = 0
    """More messages than this in the dead-letter queue alarms. Default 0: any message that failed
    `maxReceiveCount` times needs a person."""


class DatabaseThresholds(ConfigModel):
    """The Aurora cluster (AWS/RDS metrics at the DBClusterIdentifier level, worst instance)."""

    cpu_percent: Percent = 80
    """Highest instance CPU above this for `cpuMinutes` alarms. Default 80 % for 5 minutes."""
    cpu_minutes: Minutes = 5
    freeable_memory_percent: Percent = 10
    """Freeable memory below this share of the instance memory (Serverless v2: of the memory at the maximum
    ACU, 2 GiB per ACU) for `freeableMemoryMinutes` alarms. Default 10 % for 5 minutes."""
    freeable_memory_minutes: Minutes = 5
    connections_percent: Percent = 80
    """Connections above this share of `max_connections` for `connectionsMinutes` alarms. Default 80 %
    (reference: above 80 % of the maximum) for 10 minutes."""
    connections_minutes: Minutes = 10
    max_connections: Annotated[int, _between(1, 262_143, "connections")] | None = None
    """The cluster's `max_connections`. Default: derived as Aurora PostgreSQL does from the maximum ACU
    (Serverless v2) or the instance class memory; required for a provisioned class whose memory the platform
    does not know."""
    acu_utilization_percent: Percent = 90
    """Serverless v2: capacity above this share of the maximum ACU for `acuMinutes` alarms (the cluster is
    about to hit its ceiling). Default 90 % for 10 minutes."""
    acu_minutes: Minutes = 10
    free_storage_percent: Percent = 5
    """RDS PostgreSQL: free storage below this share of `allocatedStorageGib` for `freeStorageMinutes` alarms.
    Storage autoscaling adds space at 10 % free, so reaching 5 % means it could not (at its maximum, or within
    its 6-hour cooldown). Default 5 % for 5 minutes."""
    free_storage_minutes: Minutes = 5
    replica_lag_seconds: Seconds = 60
    """RDS PostgreSQL read replicas: more than this behind the primary for `replicaLagMinutes` alarms. Default 60 s
    for 5 minutes."""
    replica_lag_minutes: Minutes = 5


class CacheThresholds(ConfigModel):
    """Every ElastiCache replication group (AWS/ElastiCache metrics of each node, the worst node alarms)."""

    engine_cpu_percent: Percent = 90
    """The engine's own thread (EngineCPUUtilization) above this for `cpuMinutes` alarms: Valkey and Redis OSS
    execute commands on one core, so this saturates long before the host does. Default 90 % for 5 minutes."""
    cpu_percent: Percent = 90
    """Host CPU (CPUUtilization) above this for `cpuMinutes` alarms (small nodes: background saves, TLS).
    Default 90 %."""
    cpu_minutes: Minutes = 5
    memory_percent: Percent = 80
    """Used memory (DatabaseMemoryUsagePercentage, of maxmemory) above this for `memoryMinutes` alarms: evictions
    follow. Default 80 % for 5 minutes."""
    memory_minutes: Minutes = 5
    evictions: Count = 0
    """Keys evicted for lack of memory above this count a minute, for `evictionsMinutes`, alarms (sessions lost).
    Default 0 for 5 minutes."""
    evictions_minutes: Minutes = 5
    replication_lag_seconds: Seconds = 10
    """With replicas: a replica behind the primary by more than this for `replicationLagMinutes` alarms (a
    failover would lose that much). Default 10 s for 5 minutes."""
    replication_lag_minutes: Minutes = 5
    connections: Count = 5000
    """Client connections (CurrConnections) on a node above this for `connectionsMinutes` alarms (a connection
    leak or a pool per request). Default 5,000 for 5 minutes (the engine accepts 65,000)."""
    connections_minutes: Minutes = 5


class LoadBalancerThresholds(ConfigModel):
    """The ALB itself (AWS/ApplicationELB metrics of the load balancer)."""

    elb_5xx_per_minute: Count = Field(default=10, alias="elb5xxPerMinute")
    """5xx responses generated by the load balancer (no healthy target, target unreachable...) above this
    count a minute for `elb5xxMinutes` alarms. Default 10 a minute for 2 minutes (reference)."""
    elb_5xx_minutes: Minutes = Field(default=2, alias="elb5xxMinutes")
    rejected_connections: Count = 0
    """More connections rejected (the ALB reached its connection limit) than this in a minute alarms.
    Default 0."""
    active_connections: Count | None = None
    """More concurrent TCP connections to the load balancer (ActiveConnectionCount, summed over a minute) than
    this alarms (`alb-active-connections`): load far above what the stack was sized for (seed 003: > 10,000).
    Default: off (rejected connections already alarm at the ALB's own limit)."""


class FunctionThresholds(ConfigModel):
    """Every Lambda function (AWS/Lambda metrics of its FunctionName), and its failure queue."""

    errors: Count = 0
    """More failed invocations than this in `errorsMinutes` alarms. Default 0: any error in 5 minutes."""
    errors_minutes: Minutes = 5
    throttles: Count = 0
    """More throttled invocations than this in `throttlesMinutes` alarms. Default 0 in 5 minutes."""
    throttles_minutes: Minutes = 5
    duration_percent_of_timeout: Percent = 80
    """p99 duration above this share of the function's own timeout for `durationMinutes` alarms: invocations
    are about to time out. Default 80 % for 5 minutes."""
    duration_minutes: Minutes = 5
    iterator_age_seconds: Seconds = 60
    """Stream sources (Kinesis, DynamoDB streams): the age of the last record read above this alarms (the
    function is falling behind). Default 60 s."""
    failed_events: Count = 0
    """More events than this in the function's failure queue alarms. Default 0: every failed asynchronous
    invocation needs a person."""


def _statistic(value: str) -> str:
    if value in ("SampleCount", "Average", "Sum", "Minimum", "Maximum") or re.fullmatch(
        r"p(\d{1,2}(\.\d{1,2})?|100)", value
    ):
        return value
    raise ValueError("allowed: SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99 or p99.9")


Statistic = Annotated[str, AfterValidator(_statistic)]


def _period(value: int) -> int:
    if value in (10, 30) or (value % 60 == 0 and 60 <= value <= 86_400):
        return value
    raise ValueError("allowed: 10, 30 or a multiple of 60 up to 86400 seconds")


class CustomAlarmConfig(ConfigModel):
    """An alarm on any CloudWatch metric (an application's own, e.g. Candlefish/WipLimitViolations), drawn on
    the dashboard with its threshold."""

    namespace: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._/#:-]{1,255}$")]
    """The metric's namespace, e.g. `Candlefish` or `AWS/Lambda`. Required."""
    metric: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    """The metric's name. Required."""
    dimensions: dict[Annotated[str, StringConstraints(min_length=1, max_length=255)], str] = {}
    """Dimension name -> value; at most 30."""
    statistic: Statistic = "Sum"
    """`SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum` or a percentile (`p99`, `p99.9`). Default Sum."""
    threshold: float
    """Required."""
    comparison: Literal[
        "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
    ] = "GreaterThanThreshold"
    period_seconds: Annotated[int, AfterValidator(_period)] = 60
    """Seconds per datapoint: 10, 30 or a multiple of 60. Default 60."""
    evaluation_periods: Annotated[int, _between(1, 1440, "periods")] = 1
    """Consecutive breaching periods before the alarm fires. Default 1."""
    treat_missing_data: Literal["notBreaching", "breaching", "ignore", "missing"] = "notBreaching"
    description: str = ""


HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[A-Za-z0-9.-]+(:\d+)?(/\S*)?$", max_length=2048)]


class SlackConfig(ConfigModel):
    """A Slack channel notified through AWS Chatbot (the workspace must be authorised in the Chatbot console
    once per account)."""

    workspace_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{9,11}$")]
    """The Slack workspace (team) id, e.g. `T01ABCDEF12`."""
    channel_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{9,11}$")]
    """The channel id, e.g. `C01ABCDEF12`."""


class AlarmsConfig(ConfigModel):
    """The alarm topic's email subscribers, and alarm thresholds (each with the reference's default)."""

    emails: list[EmailAddress] = Field(default_factory=list)
    """Email addresses subscribed to the stack's alarm topic (each must confirm the subscription). Required in
    prod: an alarm that notifies nobody is not monitoring."""
    services: ServiceThresholds = ServiceThresholds()
    web: WebThresholds = WebThresholds()
    queues: QueueThresholds = QueueThresholds()
    database: DatabaseThresholds = DatabaseThresholds()
    load_balancer: LoadBalancerThresholds = LoadBalancerThresholds()
    caches: CacheThresholds = CacheThresholds()
    functions: FunctionThresholds = FunctionThresholds()
    custom: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,62}[a-z0-9]$")], CustomAlarmConfig] = {}
    """Alarms on any metric, by name (`<project>-<stack>-custom-<name>`)."""
    https_endpoints: list[HttpsUrl] = Field(default_factory=list)
    """HTTPS endpoints subscribed to the alarm topic (PagerDuty's or Opsgenie's CloudWatch integration URL).
    HTTPS only: the notification leaves AWS."""
    slack: SlackConfig | None = None
    """A Slack channel notified through AWS Chatbot."""


# -- Aurora PostgreSQL max_connections -------------------------------------------------------------------
SERVERLESS_MAX_CONNECTIONS: tuple[tuple[float, int], ...] = ((1, 189), (4, 823), (8, 1669), (16, 3360), (32, 5000))
"""Aurora PostgreSQL's default `max_connections` for a Serverless v2 instance, by maximum ACU (AWS, Aurora
User Guide, "Maximum connections for Aurora Serverless v2"); 5,000 from 32 ACU up. Between two rows the value
is interpolated (it is proportional to memory)."""
SERVERLESS_LOW_MINIMUM_CAP = 2000
"""With a minimum capacity of 0 or 0.5 ACU, Aurora PostgreSQL caps `max_connections` at 2,000."""
BYTES_PER_CONNECTION = 9_531_392
"""Provisioned Aurora PostgreSQL: `max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000)`."""
_SIZE_GIB = {
    "large": 16,
    "xlarge": 32,
    "2xlarge": 64,
    "4xlarge": 128,
    "8xlarge": 256,
    "12xlarge": 384,
    "16xlarge": 512,
    "24xlarge": 768,
}
_MEMORY_OPTIMISED = ("r5", "r6g", "r6i", "r7g", "r7i", "r8g")
_BURSTABLE_GIB = {"db.t3.medium": 4, "db.t3.large": 8, "db.t4g.medium": 4, "db.t4g.large": 8}
_SMALL_BURSTABLE_GIB = {"db.t3.micro": 1, "db.t3.small": 2, "db.t4g.micro": 1, "db.t4g.small": 2}
"""Burstable classes RDS PostgreSQL offers beside Aurora's (same max_connections formula as provisioned)."""
_GENERAL_PURPOSE = ("m5", "m6g", "m6i", "m7g", "m7i", "m8g")
"""RDS PostgreSQL's general-purpose classes: half the memory of the memory-optimised class of the same size."""


def instance_memory_gib(database: DatabaseConfig | PostgresConfig) -> float | None:
    """Memory of one instance: 2 GiB per ACU at the maximum for Serverless v2; the class's memory for the
    burstable and memory-optimised classes Aurora PostgreSQL offers; None for a class not listed."""
    if database.engine != "postgres" and database.serverless:
        return 2.0 * database.max_capacity
    if database.instance_class in _BURSTABLE_GIB:
        return _BURSTABLE_GIB[database.instance_class]
    if database.instance_class in _SMALL_BURSTABLE_GIB:
        return _SMALL_BURSTABLE_GIB[database.instance_class]
    _, family, size = database.instance_class.split(".")
    if family in _GENERAL_PURPOSE and size in _SIZE_GIB:
        return _SIZE_GIB[size] / 2
    return _SIZE_GIB.get(size) if family in _MEMORY_OPTIMISED else None


def default_max_connections(database: DatabaseConfig | PostgresConfig) -> int | None:
    """`max_connections` as Aurora PostgreSQL sets it by default, or None when the class is not known."""
    if database.engine != "postgres" and database.serverless:
        acu = database.max_capacity
        points = SERVERLESS_MAX_CONNECTIONS
        if acu >= points[-1][0]:
            value = float(points[-1][1])
        elif acu <= points[0][0]:
            value = points[0][1] * acu / points[0][0]
        else:
            (low, low_value), (high, high_value) = next((a, b) for a, b in pairwise(points) if a[0] <= acu <= b[0])
            value = low_value + (high_value - low_value) * (acu - low) / (high - low)
        if database.min_capacity <= 0.5:
            value = min(value, SERVERLESS_LOW_MINIMUM_CAP)
        return int(value)
    memory = instance_memory_gib(database)
    if memory is None:
        return None
    return int(min(memory * 1_000_000_000 / BYTES_PER_CONNECTION, 5000))


def max_connections(config: StackConfig) -> int | None:
    """The `max_connections` the connections alarm measures against: the configured one, else the default."""
    if config.database is None:
        return None
    return config.alarms.database.max_connections or default_max_connections(config.database)


# -- cross-checks ---------------------------------------------------------------------------------------------
RESERVED_THINGS = ("database", "alb")
"""Alarm names are `<project>-<stack>-<thing>-<what>`; the database and the load balancer use these things,
so a service may not be named after them (`database-cpu` would be two alarms)."""


def check(config: StackConfig) -> list[Problem]:
    """Cross-section checks of the observability config."""
    problems: list[Problem] = []
    if config.environment == "prod" and not config.alarms.emails:
        problems.append(
            Problem(
                key_path(("alarms", "emails")),
                "prod needs at least one subscriber: an alarm "
                "that notifies nobody is not monitoring; add the on-call address",
                [],
            )
        )
    database = config.database
    if database is not None and max_connections(config) is None:
        problems.append(
            Problem(
                key_path(("alarms", "database", "maxConnections")),
                f"required for instance class {database.instance_class}: its memory (and so its default "
                "max_connections) is not known to the platform; set the value from `SHOW max_connections`",
            )
        )
    for name in config.services:
        if name in RESERVED_THINGS:
            problems.append(
                Problem(
                    key_path(("services", name)),
                    f"the service name {name} is reserved: alarms "
                    f"named <project>-<stack>-{name}-... watch the {name}; rename the service",
                )
            )
    return problems
