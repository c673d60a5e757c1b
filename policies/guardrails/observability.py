"""log-retention and service-and-database-alarms."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import Context, Resource, Stack, StackResource, Unknown, as_int, as_list, dig, resource_policy, stack_policy

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def check_log_retention(resource: Resource, ctx: Context) -> None:
    minimum = int(ctx.settings["minimumRetentionDays"])
    value = resource.props.get("retentionInDays")
    if isinstance(value, Unknown):
        ctx.defer(f".retentionInDays of {resource.subject}", "judged on `pulumi up`, when known")
        return
    days = as_int(value)
    if not days:
        ctx.violation(f"{resource.subject} keeps its logs forever (retentionInDays unset): set "
                      f"retention_in_days (the stack's logRetentionDays), at least {minimum}.")
    elif days < minimum:
        ctx.violation(f"{resource.subject} keeps its logs {days} days: keep them at least {minimum}.")


LOG_RETENTION = resource_policy(
    name="log-retention",
    description="Every CloudWatch log group has a retention period.",
    types=[LOG_GROUP],
    check=check_log_retention,
    settings={"minimumRetentionDays": {"type": "integer", "minimum": 1, "default": 1,
                                       "description": "Fewest days a log group may keep its logs."}},
    severity=Severity.LOW,
    remediation="Set retention_in_days on the log group.",
)


ALARMED = {
    "aws:ecs/service:Service": ("ServiceName", "name"),
    "aws:rds/cluster:Cluster": ("DBClusterIdentifier", "clusterIdentifier"),
    "aws:rds/instance:Instance": ("DBInstanceIdentifier", "identifier"),
}
"""Type -> (CloudWatch dimension naming it, the output holding that value)."""


def _alarm_dimensions(alarm: StackResource) -> list[Any]:
    """Every dimensions map of an alarm: its own, and each metric query's."""
    found = [alarm.get("dimensions")]
    queries = as_list(alarm.get("metricQueries"))
    if isinstance(queries, Unknown):
        return [queries]
    found += [dig(q, "metric", "dimensions") for q in queries]
    return [d for d in found if d is not None]


def _watches(alarm: StackResource, target: StackResource, dimension: str, value: Any) -> bool | Unknown:
    deps = alarm.property_dependencies.get("dimensions", []) + alarm.property_dependencies.get("metricQueries", [])
    if target.urn in deps:
        return True
    unknown = False
    for dimensions in _alarm_dimensions(alarm):
        if isinstance(dimensions, Unknown):
            unknown = True
            continue
        named = dig(dimensions, dimension)
        if isinstance(named, Unknown):
            unknown = True
        elif named is not None and isinstance(value, str) and named == value:
            return True
    return Unknown("string") if unknown or isinstance(value, Unknown) else False


def check_alarms(stack: Stack, ctx: Context) -> None:
    alarms = stack.of_type(METRIC_ALARM)
    minimum = int(ctx.settings["minimumAlarms"])
    for target in stack.of_type(*ALARMED):
        dimension, output = ALARMED[target.type]
        value = target.get(output)
        verdicts = [_watches(alarm, target, dimension, value) for alarm in alarms]
        found = sum(1 for v in verdicts if v is True)
        if found >= minimum:
            continue
        if any(isinstance(v, Unknown) for v in verdicts):
            ctx.defer(f"which alarms watch {target.subject}", "alarm dimensions are judged on `pulumi up`")
            continue
        what = "no CloudWatch alarm" if not found else f"{found} CloudWatch alarm(s), fewer than {minimum}"
        ctx.violation(f"{target.subject} has {what}: add an aws.cloudwatch.MetricAlarm with "
                      f"dimension {dimension}=<its {output}> (the platform's observability component creates "
                      f"them per service and database), notifying the alarm topic.", target.urn)


SERVICE_AND_DATABASE_ALARMS = stack_policy(
    name="service-and-database-alarms",
    description="Every ECS service and RDS/Aurora database has at least one CloudWatch metric alarm.",
    check=check_alarms,
    settings={"minimumAlarms": {"type": "integer", "minimum": 1, "default": 1,
                                "description": "Fewest metric alarms each ECS service and database must have."}},
    severity=Severity.MEDIUM,
    remediation="Add an aws.cloudwatch.MetricAlarm whose dimensions name the service (ServiceName) or database "
                "(DBClusterIdentifier / DBInstanceIdentifier).",
)

POLICIES = [LOG_RETENTION, SERVICE_AND_DATABASE_ALARMS]
