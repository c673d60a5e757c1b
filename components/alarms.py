"""The monitoring model: what is watched, which alarms fire, which graphs show it. One model, two products.

`monitoring_plan(...)` turns the stack's monitored things (narrow inputs such as `WebServiceMonitor`, filled by
the Platform from the compute and data components' outputs) and the `platform:alarms` thresholds into a
`MonitoringPlan`: a list of typed `AlarmSpec`s and the dashboard `Section`s/`Widget`s they belong to. The
Observability component makes an `aws.cloudwatch.MetricAlarm` of every spec, and the dashboard
(components/dashboard.py) draws every widget with its alarms' own metrics and thresholds, so a graph on the
dashboard is exactly what the alarm evaluates.

Nothing here registers a resource; values may be Outputs (names, ARN suffixes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from .config.observability import AlarmsConfig, WebThresholds
from .naming import physical_name

Comparison = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
MissingData = Literal["notBreaching", "breaching", "ignore", "missing"]
Axis = Literal["left", "right"]
GIB = 1024**3


# -- series: what a graph draws and an alarm evaluates ---------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric with its dimensions and statistic."""

    id: str
    """Unique within an alarm and within a widget; starts with a lower-case letter (metric math ids)."""
    namespace: str
    name: str
    dimensions: tuple[tuple[str, pulumi.Input[str]], ...]
    """Ordered (name, value) pairs; values are usually Outputs (a service name, a target group suffix)."""
    stat: str
    """`Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p95`."""
    period: int = 60
    label: str | None = None
    visible: bool = True
    """False for the inputs of an expression: graphed only through it."""
    axis: Axis = "left"


@dataclass(frozen=True)
class Expression:
    """A metric math expression over the metrics beside it (by id)."""

    id: str
    expression: str
    label: str


Series = Metric | Expression


# -- alarms ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: `series` is a single Metric (evaluated directly) or metrics plus one Expression (metric math,
    the expression is what is evaluated). `widget` is the key of the dashboard widget that draws it."""

    thing: str
    """What is watched: a service name, `database`, a queue name, `alb`."""
    what: str
    """What about it: `cpu`, `p95-latency`, `dlq-depth`..."""
    description: str
    series: tuple[Series, ...]
    comparison: Comparison
    threshold: float
    evaluation_periods: int
    widget: str
    treat_missing_data: MissingData = "notBreaching"
    deployment_rollback: bool = False
    """Also one of the ECS service's deployment alarms: a deployment that trips it is rolled back."""

    def __post_init__(self) -> None:
        expressions = [s for s in self.series if isinstance(s, Expression)]
        metrics = [s for s in self.series if isinstance(s, Metric)]
        if not metrics or len(expressions) > 1 or (not expressions and len(metrics) != 1):
            raise ValueError(f"alarm {self.thing}-{self.what}: one metric, or metrics and one expression")
        ids = [s.id for s in self.series]
        if len(set(ids)) != len(ids):
            raise ValueError(f"alarm {self.thing}-{self.what}: duplicate series ids {ids}")

    @property
    def name(self) -> str:
        """`<project>-<stack>-<thing>-<what>`: deterministic, so an ECS service can name its deployment alarms
        before they exist."""
        return alarm_name(self.thing, self.what)

    @property
    def evaluated(self) -> Series:
        """The series the threshold applies to: the expression, or the single metric."""
        return next((s for s in self.series if isinstance(s, Expression)), self.series[0])

    @property
    def period(self) -> int:
        return max(s.period for s in self.series if isinstance(s, Metric))

    @property
    def metrics(self) -> list[Metric]:
        return [s for s in self.series if isinstance(s, Metric)]


def alarm_name(thing: str, what: str) -> str:
    return physical_name(thing, what, max_length=255)


# -- dashboard structure -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Widget:
    """One graph: its own series plus the series of every alarm that names it, with their thresholds."""

    key: str
    title: str
    series: tuple[Series, ...] = ()
    stat: str = "Average"
    period: int = 60
    stacked: bool = False
    left_label: str | None = None
    right_label: str | None = None


@dataclass(frozen=True)
class Section:
    title: str
    widgets: tuple[Widget, ...]


@dataclass
class MonitoringPlan:
    """The one model both the alarms and the dashboard are generated from."""

    sections: list[Section] = field(default_factory=list)
    alarms: list[AlarmSpec] = field(default_factory=list)

    def add(self, title: str, widgets: Iterable[Widget], alarms: Iterable[AlarmSpec] = ()) -> None:
        self.sections.append(Section(title, tuple(widgets)))
        self.alarms.extend(alarms)

    def widgets(self) -> dict[str, Widget]:
        return {w.key: w for s in self.sections for w in s.widgets}

    def alarms_of(self, widget: str) -> list[AlarmSpec]:
        return [a for a in self.alarms if a.widget == widget]

    def graphed(self, widget: Widget) -> list[Series]:
        """The widget's series then its alarms' (once each; an alarm sharing a series id must mean the same
        series). Raises if two different series share an id."""
        found: dict[str, Series] = {}
        for series in (*widget.series, *(s for a in self.alarms_of(widget.key) for s in a.series)):
            seen = found.setdefault(series.id, series)
            if seen != series:
                raise ValueError(f"widget {widget.key}: two different series with id {series.id!r}")
        return list(found.values())

    def check(self) -> None:
        """Every alarm belongs to a widget of the plan; names and widget keys are unique."""
        keys = [w.key for s in self.sections for w in s.widgets]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"duplicate widget keys: {duplicates}")
        names = [a.name for a in self.alarms]
        clashing = sorted({n for n in names if names.count(n) > 1})
        if clashing:
            raise ValueError(f"two alarms would share a name: {clashing}")
        widgets = self.widgets()
        for alarm in self.alarms:
            if alarm.widget not in widgets:
                raise ValueError(f"alarm {alarm.name} names widget {alarm.widget!r}, which the plan does not have")
            self.graphed(widgets[alarm.widget])


# -- what the Platform hands in: narrow, typed monitoring inputs -----------------------------------------
@dataclass(frozen=True)
class ServiceMonitor:
    """An ECS service (AWS/ECS and ECS/ContainerInsights: ClusterName, ServiceName)."""

    name: str
    """The config key (`api`): the alarm names' thing."""
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]


@dataclass(frozen=True)
class WebServiceMonitor(ServiceMonitor):
    """A web service behind the ALB (AWS/ApplicationELB: LoadBalancer, TargetGroup)."""

    load_balancer_arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]
    alternate_target_group_arn_suffix: pulumi.Input[str] | None = None
    """A progressive deployment's second target group: traffic moves between the two (a canary's share runs on
    the alternate), so the rollback alarms add both up. None for rolling services."""


@dataclass(frozen=True)
class WorkerMonitor(ServiceMonitor):
    """A queue worker; its queue is watched as a QueueMonitor, the backlog per task is graphed here."""

    queue_name: pulumi.Input[str]


@dataclass(frozen=True)
class QueueMonitor:
    """A queue and its dead-letter queue (AWS/SQS: QueueName)."""

    name: str
    queue_name: pulumi.Input[str]
    dlq_name: pulumi.Input[str]


@dataclass(frozen=True)
class DatabaseMonitor:
    """The Aurora cluster (AWS/RDS: DBClusterIdentifier)."""

    cluster_identifier: pulumi.Input[str]
    memory_gib: float
    """Per instance: 2 GiB per ACU at the maximum (Serverless v2) or the class's memory."""
    max_connections: int
    serverless: bool


@dataclass(frozen=True)
class DatabaseInstanceMonitor:
    """An RDS PostgreSQL instance and its read replicas (AWS/RDS: DBInstanceIdentifier)."""

    identifier: str
    replica_identifiers: tuple[str, ...]
    memory_gib: float
    """The instance class's memory."""
    max_connections: int
    allocated_storage_gib: int


@dataclass(frozen=True)
class TableMonitor:
    """A DynamoDB table (AWS/DynamoDB: TableName)."""

    name: str
    table_name: pulumi.Input[str]


@dataclass(frozen=True)
class TaskMonitor:
    """A scheduled task (components/task.py): its failure queue (AWS/SQS: QueueName) and schedule group
    (AWS/Scheduler: ScheduleGroup)."""

    name: str
    failure_queue_name: pulumi.Input[str]
    schedule_group_name: pulumi.Input[str]


@dataclass(frozen=True)
class CacheMonitor:
    """An ElastiCache replication group (AWS/ElastiCache: CacheClusterId of each node)."""

    name: str
    """The config key (`sessions`): alarm names are `<project>-<stack>-cache-<name>-<what>`."""
    member_cluster_ids: tuple[str, ...]
    """Its nodes (`<group id>-001`...): alarms take the worst of them."""
    replicas: bool
    """Whether it has replicas (the replication-lag alarm)."""


@dataclass(frozen=True)
class LoadBalancerMonitor:
    """The ALB (AWS/ApplicationELB: LoadBalancer)."""

    arn_suffix: pulumi.Input[str]


@dataclass(frozen=True)
class FunctionMonitor:
    """A Lambda function (AWS/Lambda: FunctionName) and its failure queue (AWS/SQS: QueueName)."""

    name: str
    """The config key: the alarm names' thing."""
    function_name: pulumi.Input[str]
    timeout_seconds: int
    """The function's timeout: the duration alarm fires at a share of it."""
    failure_queue_name: pulumi.Input[str] | None = None
    """With asynchronous triggers: the queue failed invocations go to."""
    stream_source: bool = False
    """Whether a stream (Kinesis, DynamoDB streams) triggers it: its iterator age is then watched."""


@dataclass(frozen=True)
class EventTaskMonitor:
    """An event-started ECS task's failure queue (AWS/SQS: QueueName): events whose RunTask failed every retry."""

    name: str
    failure_queue_name: pulumi.Input[str]


@dataclass(frozen=True)
class CanaryMonitor:
    """A Synthetics canary (CloudWatchSynthetics: CanaryName)."""

    name: str
    canary_name: str
    success_percent: float
    """The alarm fires below this share of successful runs over `minutes`."""
    minutes: int


# -- the plan ------------------------------------------------------------------------------------------------
ALB = "AWS/ApplicationELB"
ECS = "AWS/ECS"
INSIGHTS = "ECS/ContainerInsights"
RDS = "AWS/RDS"
SQS = "AWS/SQS"
SCHEDULER = "AWS/Scheduler"
DYNAMODB = "AWS/DynamoDB"
ELASTICACHE = "AWS/ElastiCache"

WEB_ROLLBACK_ALARMS = ("5xx-rate", "unhealthy-hosts")
"""A web service's deployment alarms: errors and failing health checks right after a deployment are the new
version's doing. Latency, CPU and memory also move with load, so they would roll back good deployments under
a traffic peak; workers have none (the circuit breaker covers tasks that do not start)."""


def deployment_alarm_names(service: str, kind: str) -> list[str]:
    """The alarm names an ECS service passes to its deployment alarm rollback (the specs flagged
    `deployment_rollback` for it have exactly these names; a test holds the two together)."""
    return [alarm_name(service, what) for what in WEB_ROLLBACK_ALARMS] if kind == "web" else []


def monitoring_plan(
    thresholds: AlarmsConfig,
    *,
    load_balancer: LoadBalancerMonitor | None = None,
    web_services: Sequence[WebServiceMonitor] = (),
    workers: Sequence[WorkerMonitor] = (),
    database: DatabaseMonitor | None = None,
    queues: Sequence[QueueMonitor] = (),
    tables: Sequence[TableMonitor] = (),
    services: Sequence[ServiceMonitor] = (),
    tasks: Sequence[TaskMonitor] = (),
    caches: Sequence[CacheMonitor] = (),
    database_instance: DatabaseInstanceMonitor | None = None,
    functions: Sequence[FunctionMonitor] = (),
    canaries: Sequence[CanaryMonitor] = (),
    event_tasks: Sequence[EventTaskMonitor] = (),
) -> MonitoringPlan:
    """The stack's alarms and dashboard, in the order on-call reads them: the edge, each service, the
    database, the queues, the tables."""
    plan = MonitoringPlan()
    if load_balancer is not None:
        _load_balancer(plan, thresholds, load_balancer, web_services)
    for web in web_services:
        _web_service(plan, thresholds, web)
    for worker in workers:
        _worker(plan, thresholds, worker)
    for service in services:
        _background_service(plan, thresholds, service)
    for task in tasks:
        _task(plan, task)
    if database is not None:
        _database(plan, thresholds, database)
    if database_instance is not None:
        _database_instance(plan, thresholds, database_instance)
    for queue in queues:
        _queue(plan, thresholds, queue)
    for table in tables:
        _table(plan, table)
    for cache in caches:
        _cache(plan, thresholds, cache)
    for function in functions:
        _function(plan, thresholds, function)
    if canaries:
        _canaries(plan, canaries)
    if event_tasks:
        _event_tasks(plan, thresholds, event_tasks)
    if thresholds.custom:
        _custom(plan, thresholds)
    plan.check()
    return plan


def _load_balancer(
    plan: MonitoringPlan, thresholds: AlarmsConfig, lb: LoadBalancerMonitor, web_services: Sequence[WebServiceMonitor]
) -> None:
    limits = thresholds.load_balancer
    dims = (("LoadBalancer", lb.arn_suffix),)

    def alb(id_: str, name: str, stat: str, label: str, axis: Axis = "left") -> Metric:
        return Metric(id_, ALB, name, dims, stat, label=label, axis=axis)

    per_service = tuple(
        Metric(
            f"req_{_id(w.name)}",
            ALB,
            "RequestCount",
            (("LoadBalancer", w.load_balancer_arn_suffix), ("TargetGroup", w.target_group_arn_suffix)),
            "Sum",
            label=w.name,
        )
        for w in web_services
    )
    elb_5xx = alb("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum", "ELB 5xx")
    rejected = alb("rejected", "RejectedConnectionCount", "Sum", "Rejected connections")
    active = alb("active", "ActiveConnectionCount", "Sum", "Active connections", axis="right")
    plan.add(
        "Load balancer",
        [
            Widget(
                "alb:requests",
                "ALB requests (per minute)",
                (alb("requests", "RequestCount", "Sum", "All requests"), *per_service),
                stat="Sum",
            ),
            Widget(
                "alb:latency",
                "ALB target response time (seconds)",
                tuple(alb(p, "TargetResponseTime", p, p) for p in ("p50", "p95", "p99")),
                left_label="seconds",
            ),
            Widget(
                "alb:errors",
                "ALB 4xx / 5xx (per minute)",
                (
                    alb("target4xx", "HTTPCode_Target_4XX_Count", "Sum", "Target 4xx"),
                    alb("target5xx", "HTTPCode_Target_5XX_Count", "Sum", "Target 5xx"),
                    alb("elb4xx", "HTTPCode_ELB_4XX_Count", "Sum", "ELB 4xx"),
                    elb_5xx,
                ),
                stat="Sum",
            ),
            Widget(
                "alb:connections",
                "ALB connections (per minute)",
                (rejected, active),
                stat="Sum",
            ),
        ],
        [
            AlarmSpec(
                "alb",
                "elb-5xx",
                f"The load balancer itself answered 5xx (no healthy target, target unreachable) more than "
                f"{limits.elb_5xx_per_minute} times a minute for {limits.elb_5xx_minutes} minutes.",
                (elb_5xx,),
                "GreaterThanThreshold",
                limits.elb_5xx_per_minute,
                limits.elb_5xx_minutes,
                "alb:errors",
            ),
            AlarmSpec(
                "alb",
                "rejected-connections",
                f"The load balancer rejected more than {limits.rejected_connections} connections in a minute: "
                "it reached its connection limit.",
                (rejected,),
                "GreaterThanThreshold",
                limits.rejected_connections,
                1,
                "alb:connections",
            ),
            *(
                [
                    AlarmSpec(
                        "alb",
                        "active-connections",
                        f"More than {limits.active_connections} concurrent connections to the load balancer in a "
                        "minute: load far above what the stack was sized for.",
                        (active,),
                        "GreaterThanThreshold",
                        limits.active_connections,
                        1,
                        "alb:connections",
                    )
                ]
                if limits.active_connections is not None
                else []
            ),
        ],
    )


def _web_service(plan: MonitoringPlan, thresholds: AlarmsConfig, web: WebServiceMonitor) -> None:
    limits = thresholds.web
    key = web.name
    dims = (("LoadBalancer", web.load_balancer_arn_suffix), ("TargetGroup", web.target_group_arn_suffix))
    window = limits.error_rate_minutes * 60
    latency = {p: Metric(p, ALB, "TargetResponseTime", dims, p, label=p) for p in ("p50", "p95", "p99")}
    healthy = Metric("healthy", ALB, "HealthyHostCount", dims, "Minimum", label="Healthy targets")
    unhealthy = Metric("unhealthy", ALB, "UnHealthyHostCount", dims, "Maximum", label="Unhealthy targets")
    error_rate = (
        Metric("requests", ALB, "RequestCount", dims, "Sum", period=window, label="Requests", visible=False),
        Metric(
            "errors", ALB, "HTTPCode_Target_5XX_Count", dims, "Sum", period=window, label="Target 5xx", visible=False
        ),
        Expression("rate", "100 * FILL(errors, 0) / requests", "5xx % of requests"),
    )
    healthy_series: tuple[Series, ...] = (healthy,)
    unhealthy_series: tuple[Series, ...] = (unhealthy,)
    latency_series: tuple[Series, ...] = (latency["p95"],)
    p99_series: tuple[Series, ...] = (latency["p99"],)
    if web.alternate_target_group_arn_suffix is not None:
        healthy_series, unhealthy_series, error_rate, latency_series = _both_target_groups(web, window)
        p99_series = _slower_group(web, "p99", "latency99")
    service_widgets, service_alarms = _service_parts(thresholds, web)
    plan.add(
        f"Service {key} (web)",
        [
            Widget(
                f"service:{key}:latency",
                f"{key}: target response time (seconds)",
                tuple(latency.values()),
                left_label="seconds",
            ),
            Widget(
                f"service:{key}:5xx",
                f"{key}: 5xx rate (% of requests, {limits.error_rate_minutes} min)",
                period=window,
                left_label="%",
            ),
            Widget(f"service:{key}:targets", f"{key}: healthy / unhealthy targets", healthy_series),
            *_target_5xx_count_widgets(key, limits),
            *service_widgets,
        ],
        [
            *_target_5xx_count_alarms(web, limits),
            AlarmSpec(
                key,
                "p95-latency",
                f"{key}: p95 target response time above {limits.latency_p95_seconds:g} s for "
                f"{limits.latency_minutes} minutes.",
                latency_series,
                "GreaterThanThreshold",
                limits.latency_p95_seconds,
                limits.latency_minutes,
                f"service:{key}:latency",
            ),
            *(
                [
                    AlarmSpec(
                        key,
                        "p99-latency",
                        f"{key}: p99 target response time above {limits.latency_p99_seconds:g} s for "
                        f"{limits.latency_minutes} minutes.",
                        p99_series,
                        "GreaterThanThreshold",
                        limits.latency_p99_seconds,
                        limits.latency_minutes,
                        f"service:{key}:latency",
                    )
                ]
                if limits.latency_p99_seconds is not None
                else []
            ),
            AlarmSpec(
                key,
                "5xx-rate",
                f"{key}: more than {limits.error_rate_percent:g} % of requests answered 5xx by the targets over "
                f"{limits.error_rate_minutes} minutes (no traffic does not breach).",
                error_rate,
                "GreaterThanThreshold",
                limits.error_rate_percent,
                1,
                f"service:{key}:5xx",
                deployment_rollback=True,
            ),
            *(
                [
                    AlarmSpec(
                        key,
                        "healthy-hosts",
                        f"{key}: fewer than {limits.minimum_healthy_hosts} healthy targets for "
                        f"{limits.unhealthy_hosts_minutes} minutes.",
                        healthy_series,
                        "LessThanThreshold",
                        limits.minimum_healthy_hosts,
                        limits.unhealthy_hosts_minutes,
                        f"service:{key}:targets",
                        treat_missing_data="breaching",
                    )
                ]
                if limits.minimum_healthy_hosts is not None
                else []
            ),
            AlarmSpec(
                key,
                "unhealthy-hosts",
                f"{key}: more than {limits.unhealthy_hosts} unhealthy targets for "
                f"{limits.unhealthy_hosts_minutes} minutes.",
                unhealthy_series,
                "GreaterThanThreshold",
                limits.unhealthy_hosts,
                limits.unhealthy_hosts_minutes,
                f"service:{key}:targets",
                deployment_rollback=True,
            ),
            *service_alarms,
        ],
    )


def _target_5xx_count_widgets(key: str, limits: WebThresholds) -> list[Widget]:
    """The graph of the 5xx count alarm, when `web.targetErrorsPerMinute` is set."""
    if limits.target_errors_per_minute is None:
        return []
    return [Widget(f"service:{key}:5xx-count", f"{key}: target 5xx per minute", stat="Sum", left_label="count")]


def _target_5xx_count_alarms(web: WebServiceMonitor, limits: WebThresholds) -> list[AlarmSpec]:
    """More than `targetErrorsPerMinute` target 5xx responses a minute for `targetErrorsMinutes` minutes (Sum per 60 s,
    no traffic does not breach), over both target groups of a progressive service."""
    if limits.target_errors_per_minute is None:
        return []
    progressive = web.alternate_target_group_arn_suffix is not None
    metrics = _per_target_group(
        web, "count5xx", "HTTPCode_Target_5XX_Count", "Sum", "Target 5xx", visible=not progressive
    )
    series: tuple[Series, ...] = metrics
    if len(metrics) > 1:
        series = (*metrics, Expression("count5xxAll", "FILL(count5xx, 0) + FILL(count5xxAlt, 0)", "Target 5xx"))
    return [
        AlarmSpec(
            web.name,
            "5xx-count",
            f"{web.name}: more than {limits.target_errors_per_minute} target 5xx responses a minute for "
            f"{limits.target_errors_minutes} minutes (no traffic does not breach).",
            series,
            "GreaterThanThreshold",
            limits.target_errors_per_minute,
            limits.target_errors_minutes,
            f"service:{web.name}:5xx-count",
        )
    ]


def _both_target_groups(web: WebServiceMonitor, window: int) -> tuple[tuple[Series, ...], ...]:
    """Healthy targets, unhealthy targets, the 5xx rate and the p95 latency over a progressive service's two
    target groups: a canary's requests land on the alternate group, and after each deployment the groups swap
    roles, so an alarm on one group would go blind every other release."""

    def per_group(id_: str, name: str, stat: str, label: str, period: int = 60) -> tuple[Metric, ...]:
        return _per_target_group(web, id_, name, stat, label, period=period)

    healthy = (
        *per_group("healthy", "HealthyHostCount", "Minimum", "Healthy targets"),
        Expression("healthyAll", "FILL(healthy, 0) + FILL(healthyAlt, 0)", "Healthy targets"),
    )
    unhealthy = (
        *per_group("unhealthy", "UnHealthyHostCount", "Maximum", "Unhealthy targets"),
        Expression("unhealthyAll", "FILL(unhealthy, 0) + FILL(unhealthyAlt, 0)", "Unhealthy targets"),
    )
    error_rate = (
        *per_group("requests", "RequestCount", "Sum", "Requests", window),
        *per_group("errors", "HTTPCode_Target_5XX_Count", "Sum", "Target 5xx", window),
        Expression(
            "rate", "100 * (FILL(errors, 0) + FILL(errorsAlt, 0)) / SUM([requests, requestsAlt])", "5xx % of requests"
        ),
    )
    return healthy, unhealthy, error_rate, _slower_group(web, "p95", "latency")


def _slower_group(web: WebServiceMonitor, stat: str, id_: str) -> tuple[Series, ...]:
    """A percentile of the target response time in each of a progressive service's target groups and the slower
    of the two (`<id_>Max`): whichever group serves, a slow release is seen."""
    return (
        *_per_target_group(web, id_, "TargetResponseTime", stat, f"{stat} response time"),
        Expression(f"{id_}Max", f"MAX([{id_}, {id_}Alt])", f"{stat} response time (slower group)"),
    )


def _per_target_group(
    web: WebServiceMonitor, id_: str, name: str, stat: str, label: str, *, period: int = 60, visible: bool = False
) -> tuple[Metric, ...]:
    """One ALB target-group metric per target group the service has: `<id_>` on the primary group and, for a
    progressive service, `<id_>Alt` on the alternate (labelled by group), for expressions over both."""
    groups = (("", web.target_group_arn_suffix), ("Alt", web.alternate_target_group_arn_suffix))
    return tuple(
        Metric(
            f"{id_}{suffix}",
            ALB,
            name,
            (("LoadBalancer", web.load_balancer_arn_suffix), ("TargetGroup", group)),
            stat,
            period=period,
            label=f"{label} ({'alternate' if suffix else 'primary'} group)",
            visible=visible,
        )
        for suffix, group in groups
        if group is not None
    )


def _worker(plan: MonitoringPlan, thresholds: AlarmsConfig, worker: WorkerMonitor) -> None:
    key = worker.name
    service_widgets, service_alarms = _service_parts(thresholds, worker)
    backlog = Widget(
        f"service:{key}:backlog",
        f"{key}: visible messages per running task",
        (
            Metric(
                "visible",
                SQS,
                "ApproximateNumberOfMessagesVisible",
                (("QueueName", worker.queue_name),),
                "Maximum",
                label="Visible messages",
                visible=False,
            ),
            Metric(
                "running",
                INSIGHTS,
                "RunningTaskCount",
                _service_dims(worker),
                "Average",
                label="Running tasks",
                visible=False,
            ),
            Expression("backlog", "visible / running", "Visible messages per running task"),
        ),
    )
    plan.add(f"Service {key} (worker)", [*service_widgets, backlog], service_alarms)


def _background_service(plan: MonitoringPlan, thresholds: AlarmsConfig, service: ServiceMonitor) -> None:
    """`kind: service`: CPU, memory and running-vs-desired, as for every service (no ALB, no queue)."""
    widgets, alarms = _service_parts(thresholds, service)
    plan.add(f"Service {service.name} (service)", widgets, alarms)


def _task(plan: MonitoringPlan, task: TaskMonitor) -> None:
    """A scheduled task: one alarm on failed runs. Its failure queue receives a record of every run the
    scheduler could not start after its retries (dead-letter) and of every run that stopped with a non-zero
    exit code or failed to start (EventBridge rule): one message is one failed run, so the alarm fires on the
    first, and stays in ALARM until someone has read (and deleted) the records."""
    key = task.name
    failures = Metric(
        "failures",
        SQS,
        "ApproximateNumberOfMessagesVisible",
        (("QueueName", task.failure_queue_name),),
        "Maximum",
        label="Failed runs waiting to be looked at",
    )
    group = (("ScheduleGroup", task.schedule_group_name),)
    plan.add(
        f"Task {key} (scheduled)",
        [
            Widget(f"task:{key}:failures", f"{key}: failed runs (failure queue)", (failures,)),
            Widget(
                f"task:{key}:invocations",
                f"{key}: scheduler invocations (per period)",
                (
                    Metric("attempts", SCHEDULER, "InvocationAttemptCount", group, "Sum", label="Invocation attempts"),
                    Metric("targeterrors", SCHEDULER, "TargetErrorCount", group, "Sum", label="RunTask errors"),
                    Metric("dropped", SCHEDULER, "InvocationDroppedCount", group, "Sum", label="Dropped after retries"),
                ),
                stat="Sum",
            ),
        ],
        [
            AlarmSpec(
                key,
                "failed-runs",
                f"Task {key}: a run failed (non-zero exit, failed to start, or the scheduler could not start it "
                "after its retries); the records are in its failure queue.",
                (failures,),
                "GreaterThanThreshold",
                0,
                1,
                f"task:{key}:failures",
            ),
        ],
    )


def _service_dims(service: ServiceMonitor) -> tuple[tuple[str, pulumi.Input[str]], ...]:
    return (("ClusterName", service.cluster_name), ("ServiceName", service.service_name))


def _service_parts(thresholds: AlarmsConfig, service: ServiceMonitor) -> tuple[list[Widget], list[AlarmSpec]]:
    """CPU, memory and running-vs-desired: the same for web services and workers."""
    limits = thresholds.services
    key = service.name
    dims = _service_dims(service)
    cpu = Metric("cpu", ECS, "CPUUtilization", dims, "Average", label="CPU %")
    memory = Metric("memory", ECS, "MemoryUtilization", dims, "Average", label="Memory %")
    running = Metric("running", INSIGHTS, "RunningTaskCount", dims, "Average", label="Running")
    desired = Metric("desired", INSIGHTS, "DesiredTaskCount", dims, "Average", label="Desired")
    pending = Metric("pending", INSIGHTS, "PendingTaskCount", dims, "Average", label="Pending")
    missing = Expression("missing", "FILL(desired, 0) - FILL(running, 0)", "Desired minus running")
    widgets = [
        Widget(f"service:{key}:utilization", f"{key}: CPU and memory (%)", (cpu, memory), left_label="%"),
        Widget(f"service:{key}:tasks", f"{key}: running vs desired tasks", (running, desired, pending)),
    ]
    alarms = [
        AlarmSpec(
            key,
            "cpu",
            f"{key}: average CPU above {limits.cpu_percent:g} % for {limits.cpu_minutes} minutes.",
            (cpu,),
            "GreaterThanThreshold",
            limits.cpu_percent,
            limits.cpu_minutes,
            f"service:{key}:utilization",
        ),
        AlarmSpec(
            key,
            "memory",
            f"{key}: average memory above {limits.memory_percent:g} % for {limits.memory_minutes} minutes.",
            (memory,),
            "GreaterThanThreshold",
            limits.memory_percent,
            limits.memory_minutes,
            f"service:{key}:utilization",
        ),
        AlarmSpec(
            key,
            "running-tasks",
            f"{key}: fewer tasks running than desired for {limits.tasks_below_desired_minutes} minutes "
            "(tasks failing to start or to stay up; Container Insights).",
            (running, desired, missing),
            "GreaterThanThreshold",
            0,
            limits.tasks_below_desired_minutes,
            f"service:{key}:tasks",
        ),
    ]
    return widgets, alarms


def _database(plan: MonitoringPlan, thresholds: AlarmsConfig, db: DatabaseMonitor) -> None:
    limits = thresholds.database
    dims = (("DBClusterIdentifier", db.cluster_identifier),)
    cpu = Metric("cpu", RDS, "CPUUtilization", dims, "Maximum", label="Highest instance CPU %")
    memory = Metric("freeable", RDS, "FreeableMemory", dims, "Minimum", label="Lowest freeable memory (bytes)")
    connections = Metric(
        "connections", RDS, "DatabaseConnections", dims, "Maximum", label="Connections (busiest instance)"
    )
    memory_floor = round(db.memory_gib * GIB * limits.freeable_memory_percent / 100)
    connection_limit = round(db.max_connections * limits.connections_percent / 100)
    widgets = [
        Widget(
            "database:cpu",
            "Database CPU (%)",
            (cpu, Metric("cpu_avg", RDS, "CPUUtilization", dims, "Average", label="Average CPU %")),
            left_label="%",
        ),
        Widget("database:connections", f"Database connections (max_connections {db.max_connections})", (connections,)),
        Widget("database:memory", "Database freeable memory", (memory,), left_label="bytes"),
    ]
    alarms = [
        AlarmSpec(
            "database",
            "cpu",
            f"Database: an instance's CPU above {limits.cpu_percent:g} % for {limits.cpu_minutes} minutes.",
            (cpu,),
            "GreaterThanThreshold",
            limits.cpu_percent,
            limits.cpu_minutes,
            "database:cpu",
        ),
        AlarmSpec(
            "database",
            "connections",
            f"Database: more than {connection_limit} connections ({limits.connections_percent:g} % of "
            f"max_connections {db.max_connections}) on an instance for {limits.connections_minutes} minutes.",
            (connections,),
            "GreaterThanThreshold",
            connection_limit,
            limits.connections_minutes,
            "database:connections",
        ),
        AlarmSpec(
            "database",
            "freeable-memory",
            f"Database: freeable memory below {limits.freeable_memory_percent:g} % of "
            f"{db.memory_gib:g} GiB for {limits.freeable_memory_minutes} minutes.",
            (memory,),
            "LessThanThreshold",
            memory_floor,
            limits.freeable_memory_minutes,
            "database:memory",
        ),
    ]
    if db.serverless:
        acu = Metric("acu", RDS, "ACUUtilization", dims, "Maximum", label="ACU utilisation % (of maximum)")
        widgets.append(
            Widget(
                "database:capacity",
                "Database capacity: ACU utilisation (%) and ACUs",
                (
                    acu,
                    Metric("capacity", RDS, "ServerlessDatabaseCapacity", dims, "Average", label="ACUs", axis="right"),
                ),
                left_label="%",
                right_label="ACU",
            )
        )
        alarms.append(
            AlarmSpec(
                "database",
                "acu-utilization",
                f"Database: capacity above {limits.acu_utilization_percent:g} % of the maximum ACU for "
                f"{limits.acu_minutes} minutes (raise maxCapacity or find the load).",
                (acu,),
                "GreaterThanThreshold",
                limits.acu_utilization_percent,
                limits.acu_minutes,
                "database:capacity",
            )
        )
    plan.add("Database", widgets, alarms)


def _database_instance(plan: MonitoringPlan, thresholds: AlarmsConfig, db: DatabaseInstanceMonitor) -> None:
    """The RDS PostgreSQL instance's CPU, connections, memory and storage; each read replica's lag."""
    limits = thresholds.database
    dims = (("DBInstanceIdentifier", db.identifier),)
    cpu = Metric("cpu", RDS, "CPUUtilization", dims, "Maximum", label="CPU %")
    memory = Metric("freeable", RDS, "FreeableMemory", dims, "Minimum", label="Freeable memory (bytes)")
    connections = Metric("connections", RDS, "DatabaseConnections", dims, "Maximum", label="Connections")
    storage = Metric("storage", RDS, "FreeStorageSpace", dims, "Minimum", label="Free storage (bytes)")
    memory_floor = round(db.memory_gib * GIB * limits.freeable_memory_percent / 100)
    connection_limit = round(db.max_connections * limits.connections_percent / 100)
    storage_floor = round(db.allocated_storage_gib * GIB * limits.free_storage_percent / 100)
    widgets = [
        Widget("database:cpu", "Database CPU (%)", (cpu,), left_label="%"),
        Widget("database:connections", f"Database connections (max_connections {db.max_connections})", (connections,)),
        Widget("database:memory", "Database freeable memory", (memory,), left_label="bytes"),
        Widget("database:storage", "Database free storage", (storage,), left_label="bytes"),
    ]
    alarms = [
        AlarmSpec(
            "database",
            "cpu",
            f"Database: CPU above {limits.cpu_percent:g} % for {limits.cpu_minutes} minutes.",
            (cpu,),
            "GreaterThanThreshold",
            limits.cpu_percent,
            limits.cpu_minutes,
            "database:cpu",
        ),
        AlarmSpec(
            "database",
            "connections",
            f"Database: more than {connection_limit} connections ({limits.connections_percent:g} % of "
            f"max_connections {db.max_connections}) for {limits.connections_minutes} minutes.",
            (connections,),
            "GreaterThanThreshold",
            connection_limit,
            limits.connections_minutes,
            "database:connections",
        ),
        AlarmSpec(
            "database",
            "freeable-memory",
            f"Database: freeable memory below {limits.freeable_memory_percent:g} % of {db.memory_gib:g} GiB "
            f"for {limits.freeable_memory_minutes} minutes.",
            (memory,),
            "LessThanThreshold",
            memory_floor,
            limits.freeable_memory_minutes,
            "database:memory",
        ),
        AlarmSpec(
            "database",
            "free-storage",
            f"Database: free storage below {limits.free_storage_percent:g} % of the "
            f"{db.allocated_storage_gib} GiB allocated for {limits.free_storage_minutes} minutes (storage "
            "autoscaling at its maximum or cooling down: raise maxAllocatedStorageGib).",
            (storage,),
            "LessThanThreshold",
            storage_floor,
            limits.free_storage_minutes,
            "database:storage",
        ),
    ]
    if db.replica_identifiers:
        lags = tuple(
            Metric(
                f"lag{index}",
                RDS,
                "ReplicaLag",
                (("DBInstanceIdentifier", replica),),
                "Maximum",
                label=f"Replica {index} lag (s)",
            )
            for index, replica in enumerate(db.replica_identifiers, start=1)
        )
        widgets.append(Widget("database:replicas", "Database read replica lag (seconds)", lags, left_label="seconds"))
        alarms += [
            AlarmSpec(
                "database",
                f"replica-{index}-lag",
                f"Database: read replica {index} more than {limits.replica_lag_seconds:g} s behind the "
                f"primary for {limits.replica_lag_minutes} minutes.",
                (lag,),
                "GreaterThanThreshold",
                limits.replica_lag_seconds,
                limits.replica_lag_minutes,
                "database:replicas",
            )
            for index, lag in enumerate(lags, start=1)
        ]
    plan.add("Database", widgets, alarms)


def _queue(plan: MonitoringPlan, thresholds: AlarmsConfig, queue: QueueMonitor) -> None:
    limits = thresholds.queues
    key = queue.name
    dims = (("QueueName", queue.queue_name),)
    age = Metric("age", SQS, "ApproximateAgeOfOldestMessage", dims, "Maximum", label="Oldest message (seconds)")
    dead = Metric(
        "dlq",
        SQS,
        "ApproximateNumberOfMessagesVisible",
        (("QueueName", queue.dlq_name),),
        "Maximum",
        label="Messages in the dead-letter queue",
    )
    plan.add(
        f"Queue {key}",
        [
            Widget(
                f"queue:{key}:depth",
                f"{key}: messages",
                (
                    Metric("visible", SQS, "ApproximateNumberOfMessagesVisible", dims, "Maximum", label="Visible"),
                    Metric(
                        "inflight", SQS, "ApproximateNumberOfMessagesNotVisible", dims, "Maximum", label="In flight"
                    ),
                ),
            ),
            Widget(f"queue:{key}:age", f"{key}: age of the oldest message (seconds)", (age,), left_label="seconds"),
            Widget(f"queue:{key}:dlq", f"{key}: dead-letter queue depth", (dead,)),
        ],
        [
            AlarmSpec(
                key,
                "oldest-message",
                f"Queue {key}: the oldest message is older than {limits.oldest_message_seconds:g} s for "
                f"{limits.oldest_message_minutes} minutes (consumers behind or stopped).",
                (age,),
                "GreaterThanThreshold",
                limits.oldest_message_seconds,
                limits.oldest_message_minutes,
                f"queue:{key}:age",
            ),
            AlarmSpec(
                key,
                "dlq-depth",
                f"Queue {key}: more than {limits.dead_letter_messages} messages in its dead-letter queue "
                "(messages that failed maxReceiveCount times need a person).",
                (dead,),
                "GreaterThanThreshold",
                limits.dead_letter_messages,
                1,
                f"queue:{key}:dlq",
            ),
        ],
    )


def _table(plan: MonitoringPlan, table: TableMonitor) -> None:
    key = table.name
    dims = (("TableName", table.table_name),)

    def metric(id_: str, name: str, label: str) -> Metric:
        return Metric(id_, DYNAMODB, name, dims, "Sum", label=label)

    plan.add(
        f"Table {key}",
        [
            Widget(
                f"table:{key}:capacity",
                f"{key}: consumed capacity units (per minute)",
                (
                    metric("reads", "ConsumedReadCapacityUnits", "Read units"),
                    metric("writes", "ConsumedWriteCapacityUnits", "Write units"),
                ),
                stat="Sum",
            ),
            Widget(
                f"table:{key}:throttles",
                f"{key}: throttled requests (per minute)",
                (
                    metric("readthrottles", "ReadThrottleEvents", "Read throttle events"),
                    metric("writethrottles", "WriteThrottleEvents", "Write throttle events"),
                ),
                stat="Sum",
            ),
        ],
    )


def _cache(plan: MonitoringPlan, thresholds: AlarmsConfig, cache: CacheMonitor) -> None:
    """Per node metrics; each alarm evaluates the worst node (`MAX` over the nodes), so a failover, which swaps
    the primary and a replica, never leaves an alarm watching the wrong node."""
    limits = thresholds.caches
    key = cache.name
    thing = f"cache-{key}"

    def nodes(prefix: str, name: str, stat: str, label: str) -> tuple[Metric, ...]:
        return tuple(
            Metric(
                f"{prefix}{index}",
                ELASTICACHE,
                name,
                (("CacheClusterId", node),),
                stat,
                label=f"{label} {node.rsplit('-', 1)[-1]}",
            )
            for index, node in enumerate(cache.member_cluster_ids, start=1)
        )

    def worst(prefix: str, name: str, stat: str, label: str) -> tuple[Series, ...]:
        metrics = nodes(prefix, name, stat, label)
        ids = ", ".join(m.id for m in metrics)
        return (*metrics, Expression(prefix, f"MAX([{ids}])", f"{label} (worst node)"))

    engine_cpu = worst("enginecpu", "EngineCPUUtilization", "Average", "Engine CPU %")
    host_cpu = worst("hostcpu", "CPUUtilization", "Average", "Host CPU %")
    memory = worst("memory", "DatabaseMemoryUsagePercentage", "Average", "Memory used %")
    evictions = worst("evictions", "Evictions", "Sum", "Evictions")
    connections = worst("connections", "CurrConnections", "Maximum", "Connections")
    widgets = [
        Widget(f"cache:{key}:cpu", f"Cache {key}: engine and host CPU (%)", left_label="%"),
        Widget(f"cache:{key}:memory", f"Cache {key}: memory used (% of maxmemory) and evictions", left_label="%"),
        Widget(f"cache:{key}:connections", f"Cache {key}: client connections"),
    ]
    alarms = [
        AlarmSpec(
            thing,
            "engine-cpu",
            f"Cache {key}: engine CPU above {limits.engine_cpu_percent:g} % on a node for "
            f"{limits.cpu_minutes} minutes (the engine thread is saturated).",
            engine_cpu,
            "GreaterThanThreshold",
            limits.engine_cpu_percent,
            limits.cpu_minutes,
            f"cache:{key}:cpu",
        ),
        AlarmSpec(
            thing,
            "cpu",
            f"Cache {key}: host CPU above {limits.cpu_percent:g} % on a node for {limits.cpu_minutes} minutes.",
            host_cpu,
            "GreaterThanThreshold",
            limits.cpu_percent,
            limits.cpu_minutes,
            f"cache:{key}:cpu",
        ),
        AlarmSpec(
            thing,
            "memory",
            f"Cache {key}: memory above {limits.memory_percent:g} % of maxmemory on a node "
            f"for {limits.memory_minutes} minutes (evictions follow).",
            memory,
            "GreaterThanThreshold",
            limits.memory_percent,
            limits.memory_minutes,
            f"cache:{key}:memory",
        ),
        AlarmSpec(
            thing,
            "evictions",
            f"Cache {key}: more than {limits.evictions} keys evicted a minute for "
            f"{limits.evictions_minutes} minutes (out of memory: a larger node or shorter TTLs).",
            evictions,
            "GreaterThanThreshold",
            limits.evictions,
            limits.evictions_minutes,
            f"cache:{key}:memory",
        ),
        AlarmSpec(
            thing,
            "connections",
            f"Cache {key}: more than {limits.connections} connections on a node for "
            f"{limits.connections_minutes} minutes (a connection leak?).",
            connections,
            "GreaterThanThreshold",
            limits.connections,
            limits.connections_minutes,
            f"cache:{key}:connections",
        ),
    ]
    if cache.replicas:
        lag = worst("lag", "ReplicationLag", "Maximum", "Replication lag (s)")
        widgets.append(
            Widget(f"cache:{key}:replication", f"Cache {key}: replication lag (seconds)", left_label="seconds")
        )
        alarms.append(
            AlarmSpec(
                thing,
                "replication-lag",
                f"Cache {key}: a replica more than {limits.replication_lag_seconds:g} s "
                f"behind the primary for {limits.replication_lag_minutes} minutes (a failover would lose that much).",
                lag,
                "GreaterThanThreshold",
                limits.replication_lag_seconds,
                limits.replication_lag_minutes,
                f"cache:{key}:replication",
            )
        )
    plan.add(f"Cache {key}", widgets, alarms)


LAMBDA = "AWS/Lambda"


def _function(plan: MonitoringPlan, thresholds: AlarmsConfig, function: FunctionMonitor) -> None:
    """Invocations, errors and throttles; duration against the timeout; concurrency; the failure queue."""
    limits = thresholds.functions
    key = function.name
    dims = (("FunctionName", function.function_name),)

    def metric(id_: str, name: str, stat: str, label: str, period: int = 60) -> Metric:
        return Metric(id_, LAMBDA, name, dims, stat, period=period, label=label)

    errors = metric("errors", "Errors", "Sum", "Errors", period=limits.errors_minutes * 60)
    throttles = metric("throttles", "Throttles", "Sum", "Throttles", period=limits.throttles_minutes * 60)
    p99 = metric("p99", "Duration", "p99", "p99 (ms)")
    ceiling = round(function.timeout_seconds * 1000 * limits.duration_percent_of_timeout / 100)
    widgets = [
        Widget(
            f"function:{key}:invocations",
            f"{key}: invocations, errors, throttles",
            (metric("invocations", "Invocations", "Sum", "Invocations"), errors, throttles),
            stat="Sum",
        ),
        Widget(
            f"function:{key}:duration",
            f"{key}: duration (ms; timeout {function.timeout_seconds} s)",
            (metric("p50", "Duration", "p50", "p50 (ms)"), p99),
            left_label="ms",
        ),
        Widget(
            f"function:{key}:concurrency",
            f"{key}: concurrent executions",
            (metric("concurrent", "ConcurrentExecutions", "Maximum", "Concurrent executions"),),
        ),
    ]
    alarms = [
        AlarmSpec(
            key,
            "errors",
            f"Function {key}: more than {limits.errors} failed invocations in {limits.errors_minutes} minutes.",
            (errors,),
            "GreaterThanThreshold",
            limits.errors,
            1,
            f"function:{key}:invocations",
        ),
        AlarmSpec(
            key,
            "throttles",
            f"Function {key}: more than {limits.throttles} throttled invocations in "
            f"{limits.throttles_minutes} minutes (concurrency exhausted).",
            (throttles,),
            "GreaterThanThreshold",
            limits.throttles,
            1,
            f"function:{key}:invocations",
        ),
        AlarmSpec(
            key,
            "duration",
            f"Function {key}: p99 duration above {ceiling} ms "
            f"({limits.duration_percent_of_timeout:g} % of its {function.timeout_seconds} s timeout) for "
            f"{limits.duration_minutes} minutes: invocations are about to time out.",
            (p99,),
            "GreaterThanThreshold",
            ceiling,
            limits.duration_minutes,
            f"function:{key}:duration",
        ),
    ]
    if function.failure_queue_name is not None:
        failed = Metric(
            "failed",
            SQS,
            "ApproximateNumberOfMessagesVisible",
            (("QueueName", function.failure_queue_name),),
            "Maximum",
            label="Failed events",
        )
        widgets.append(Widget(f"function:{key}:failures", f"{key}: failed asynchronous events", (failed,)))
        alarms.append(
            AlarmSpec(
                key,
                "failed-events",
                f"Function {key}: more than {limits.failed_events} events "
                "in its failure queue (asynchronous invocations that failed every retry).",
                (failed,),
                "GreaterThanThreshold",
                limits.failed_events,
                1,
                f"function:{key}:failures",
            )
        )
    if function.stream_source:
        age = metric("iterator", "IteratorAge", "Maximum", "Iterator age (ms)")
        widgets.append(Widget(f"function:{key}:iterator", f"{key}: iterator age (ms)", (age,), left_label="ms"))
        alarms.append(
            AlarmSpec(
                key,
                "iterator-age",
                f"Function {key}: the last stream record read is older than "
                f"{limits.iterator_age_seconds:g} s (falling behind).",
                (age,),
                "GreaterThanThreshold",
                limits.iterator_age_seconds * 1000,
                5,
                f"function:{key}:iterator",
            )
        )
    plan.add(f"Function {key}", widgets, alarms)


SYNTHETICS = "CloudWatchSynthetics"


def _canaries(plan: MonitoringPlan, canaries: Sequence[CanaryMonitor]) -> None:
    """One widget per canary (success % and duration), an alarm on its success percentage. No data (the canary
    stopped running) breaches: a silent canary checks nothing."""
    widgets, alarms = [], []
    for canary in canaries:
        key = canary.name
        dims = (("CanaryName", canary.canary_name),)
        success = Metric(
            "success",
            SYNTHETICS,
            "SuccessPercent",
            dims,
            "Average",
            period=canary.minutes * 60,
            label="Successful runs %",
        )
        widgets.append(
            Widget(
                f"canary:{key}",
                f"Canary {key}: successful runs (%)",
                (
                    success,
                    Metric(
                        "duration",
                        SYNTHETICS,
                        "Duration",
                        dims,
                        "Average",
                        period=canary.minutes * 60,
                        label="Run duration (ms)",
                        axis="right",
                    ),
                ),
                period=canary.minutes * 60,
                left_label="%",
                right_label="ms",
            )
        )
        alarms.append(
            AlarmSpec(
                f"canary-{key}",
                "success",
                f"Canary {key}: fewer than {canary.success_percent:g} % "
                f"of runs succeeded over {canary.minutes} minutes (or it stopped running).",
                (success,),
                "LessThanThreshold",
                canary.success_percent,
                1,
                f"canary:{key}",
                treat_missing_data="breaching",
            )
        )
    plan.add("Canaries", widgets, alarms)


def _event_tasks(plan: MonitoringPlan, thresholds: AlarmsConfig, tasks: Sequence[EventTaskMonitor]) -> None:
    """Each event-started task's failure queue: any event EventBridge could not start the task for alarms."""
    limit = thresholds.functions.failed_events
    widgets, alarms = [], []
    for task in tasks:
        failed = Metric(
            "failed",
            SQS,
            "ApproximateNumberOfMessagesVisible",
            (("QueueName", task.failure_queue_name),),
            "Maximum",
            label="Events that did not start the task",
        )
        widgets.append(
            Widget(f"task:{task.name}:failures", f"Task {task.name}: events that failed to start it", (failed,))
        )
        alarms.append(
            AlarmSpec(
                f"task-{task.name}",
                "failed-events",
                f"Task {task.name}: more than {limit} events in its failure queue (RunTask failed every retry).",
                (failed,),
                "GreaterThanThreshold",
                limit,
                1,
                f"task:{task.name}:failures",
            )
        )
    plan.add("Event-started tasks", widgets, alarms)


def _custom(plan: MonitoringPlan, thresholds: AlarmsConfig) -> None:
    """`alarms.custom`: one widget and one alarm per entry, on the metric exactly as configured."""
    widgets, alarms = [], []
    for key, custom in thresholds.custom.items():
        metric = Metric(
            "value",
            custom.namespace,
            custom.metric,
            tuple(sorted(custom.dimensions.items())),
            custom.statistic,
            period=custom.period_seconds,
            label=f"{custom.metric} ({custom.statistic})",
        )
        widgets.append(
            Widget(
                f"custom:{key}",
                f"{key}: {custom.namespace} {custom.metric}",
                (metric,),
                stat=custom.statistic,
                period=custom.period_seconds,
            )
        )
        description = custom.description or (
            f"{custom.namespace} {custom.metric} {custom.statistic} "
            f"{custom.comparison} {custom.threshold:g} for "
            f"{custom.evaluation_periods} x {custom.period_seconds} s."
        )
        alarms.append(
            AlarmSpec(
                "custom",
                key,
                description,
                (metric,),
                custom.comparison,
                custom.threshold,
                custom.evaluation_periods,
                f"custom:{key}",
                treat_missing_data=custom.treat_missing_data,
            )
        )
    plan.add("Custom alarms", widgets, alarms)


def _id(name: str) -> str:
    """A metric math id from a config key (`api-v2` -> `api_v2`)."""
    return name.replace("-", "_")
