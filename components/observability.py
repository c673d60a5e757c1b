"""Observability: the stack's alarm topic, the alarms of every service, the database, the queues and the load
balancer, and one CloudWatch dashboard, all generated from one monitoring plan (components/alarms.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .alarms import (
    AlarmSpec,
    CacheMonitor,
    CanaryMonitor,
    DatabaseInstanceMonitor,
    DatabaseMonitor,
    EventTaskMonitor,
    Expression,
    FunctionMonitor,
    LoadBalancerMonitor,
    Metric,
    MonitoringPlan,
    QueueMonitor,
    ServiceMonitor,
    TableMonitor,
    TaskMonitor,
    WebServiceMonitor,
    WorkerMonitor,
    monitoring_plan,
)
from .aws_context import AwsContext
from .config.observability import AlarmsConfig
from .dashboard import dashboard_body
from .iam import Statement, policy_document
from .naming import physical_name
from .notifications import notification_targets

SIMPLE_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


@dataclass(frozen=True, kw_only=True)
class ObservabilityArgs:
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: the alarm topic is encrypted with it (its key policy lets CloudWatch use it through SNS,
    components/keys.py)."""
    alarms: AlarmsConfig
    """`platform:alarms`: subscribers and thresholds."""
    load_balancer: LoadBalancerMonitor | None = None
    web_services: Sequence[WebServiceMonitor] = ()
    workers: Sequence[WorkerMonitor] = ()
    database: DatabaseMonitor | None = None
    queues: Sequence[QueueMonitor] = ()
    tables: Sequence[TableMonitor] = ()
    services: Sequence[ServiceMonitor] = ()
    """`kind: service` workloads (no ALB, no queue): CPU, memory, running tasks."""
    tasks: Sequence[TaskMonitor] = ()
    """Scheduled tasks: failed runs."""
    caches: Sequence[CacheMonitor] = ()
    database_instance: DatabaseInstanceMonitor | None = None
    """An RDS PostgreSQL instance (`database: {engine: postgres}`), instead of `database`."""
    functions: Sequence[FunctionMonitor] = ()
    canaries: Sequence[CanaryMonitor] = ()
    event_tasks: Sequence[EventTaskMonitor] = ()
    """Tasks started by EventBridge rules (`platform:tasks`): events that failed to start them."""


class Observability(pulumi.ComponentResource):
    """- An SNS topic `<project>-<stack>-alarms`, encrypted with the stack key, whose policy lets CloudWatch
      alarms of this account and stack publish, and no one else (no other principal is named); one email
      subscription per `platform:alarms.emails` entry (each confirms by email).
    - One `aws.cloudwatch.MetricAlarm` per alarm of the plan, named `<project>-<stack>-<thing>-<what>`, with
      alarm and OK actions to the topic.
    - One dashboard `<project>-<stack>` drawing the same plan: every alarm's metrics and threshold, plus the
      ALB, service, database, queue and table graphs around them."""

    topic_arn: pulumi.Output[str]
    """The alarm topic (a stack output: subscribe pagers or chat to it)."""
    dashboard_name: pulumi.Output[str]
    dashboard_url: pulumi.Output[str]
    """`https://<region>.console.aws.amazon.com/cloudwatch/home?region=<region>#dashboards:name=<name>`."""
    alarm_names: list[str]
    """Every alarm's name, in plan order."""
    plan: MonitoringPlan

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:observability:Observability", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        context = args.aws_context
        self.plan = monitoring_plan(
            args.alarms,
            load_balancer=args.load_balancer,
            web_services=args.web_services,
            workers=args.workers,
            database=args.database,
            queues=args.queues,
            tables=args.tables,
            services=args.services,
            tasks=args.tasks,
            caches=args.caches,
            database_instance=args.database_instance,
            functions=args.functions,
            canaries=args.canaries,
            event_tasks=args.event_tasks,
        )

        topic_name = physical_name("alarms", max_length=256)
        topic = aws.sns.Topic(
            f"{name}-alarm-topic",
            name=topic_name,
            display_name=f"{physical_name()} alarms",
            kms_master_key_id=args.kms_key_arn,
            tags={"Name": physical_name("alarms")},
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-alarm-topic-policy",
            arn=topic.arn,
            # The ARN from the known name: the policy is judged at a first preview too.
            policy=policy_document(topic_policy(context, context.arn("sns", topic_name))),
            opts=child,
        )
        for index, email in enumerate(args.alarms.emails):
            aws.sns.TopicSubscription(
                f"{name}-alarm-email-{index}", topic=topic.arn, protocol="email", endpoint=email, opts=child
            )
        self.topic_arn = topic.arn
        notification_targets(self, name, topic.arn, args.alarms, context)

        alarms = [self._alarm(name, spec, topic.arn) for spec in self.plan.alarms]
        self.alarm_names = [spec.name for spec in self.plan.alarms]
        dashboard_name = physical_name(max_length=255)
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=dashboard_name,
            dashboard_body=dashboard_body(
                self.plan,
                region=context.region,
                alarm_arns=[a.arn for a in alarms],
                heading=f"# {dashboard_name}\nAlarms notify SNS topic `{physical_name('alarms')}`; thresholds "
                "come from `platform:alarms` (shaded: where each alarm fires).",
            ),
            opts=child,
        )
        self.dashboard_name = dashboard.dashboard_name
        self.dashboard_url = dashboard.dashboard_name.apply(lambda n: dashboard_url(context.region, n))
        self.register_outputs(
            {
                "topicArn": self.topic_arn,
                "dashboardName": self.dashboard_name,
                "dashboardUrl": self.dashboard_url,
                "alarmNames": self.alarm_names,
            }
        )

    def _alarm(self, name: str, spec: AlarmSpec, topic_arn: pulumi.Output[str]) -> aws.cloudwatch.MetricAlarm:
        """A single-metric alarm (statistic or percentile), or a metric math alarm over `spec.series`."""
        single = spec.evaluated if isinstance(spec.evaluated, Metric) else None
        percentile = single is not None and single.stat not in SIMPLE_STATISTICS
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{spec.thing}-{spec.what}",
            name=spec.name,
            alarm_description=spec.description,
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.evaluation_periods,
            treat_missing_data=spec.treat_missing_data,
            namespace=single.namespace if single else None,
            metric_name=single.name if single else None,
            dimensions=dict(single.dimensions) if single else None,
            period=single.period if single else None,
            statistic=single.stat if single and not percentile else None,
            extended_statistic=single.stat if single and percentile else None,
            # A percentile of a handful of requests says little: keep the state until there are enough.
            evaluate_low_sample_count_percentiles="ignore" if percentile else None,
            metric_queries=None if single else [_query(series, spec) for series in spec.series],
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags={"Name": spec.name},
            opts=pulumi.ResourceOptions(parent=self),
        )


def _query(series: Metric | Expression, spec: AlarmSpec) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    returned = series is spec.evaluated
    if isinstance(series, Expression):
        return aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=series.id, expression=series.expression, label=series.label, return_data=returned
        )
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=series.id,
        label=series.label,
        return_data=returned,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=series.namespace,
            metric_name=series.name,
            period=series.period,
            stat=series.stat,
            dimensions=dict(series.dimensions),
        ),
    )


def topic_policy(context: AwsContext, topic_arn: pulumi.Input[str]) -> list[Statement]:
    """CloudWatch may publish, for alarms of this account named after this stack; nothing else is allowed
    (the policy replaces SNS's default one, which lets every principal of the account manage the topic)."""
    return [
        Statement(
            sid="CloudWatchAlarmsOfThisStackPublish",
            actions=["sns:Publish"],
            principals={"Service": [context.service_principal("cloudwatch")]},
            resources=[topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": context.account_id},
                "ArnLike": {"aws:SourceArn": context.arn("cloudwatch", f"alarm:{physical_name()}-*")},
            },
        )
    ]


def dashboard_url(region: str, name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={name}"
