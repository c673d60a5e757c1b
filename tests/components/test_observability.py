"""Observability: the alarm topic, the alarms of every service, database, queue and load balancer, and the
stack dashboard, checked on what the real program registers for each stack.

Every alarm and every dashboard metric is traced back, through its dimension values, to a resource the stack
records (a service by ClusterName/ServiceName, a target group by its ARN suffix, ...); nothing is matched by
name patterns alone.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from components.alarms import (
    AlarmSpec,
    Expression,
    Metric,
    MonitoringPlan,
    Widget,
)
from offline.engine import UNKNOWN, RecordedResource, StackRun

from .data_support import config_of, stack_keys, statements

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
ECS_SERVICE = "aws:ecs/service:Service"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
QUEUE = "aws:sqs/queue:Queue"
TABLE = "aws:dynamodb/table:Table"
SCHEDULE = "aws:scheduler/schedule:Schedule"
SCHEDULE_GROUP = "aws:scheduler/scheduleGroup:ScheduleGroup"
KMS_KEY = "aws:kms/key:Key"
SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "cloudwatch_dashboard.schema.json").read_text())

DIMENSIONS: dict[tuple[str, str], set[frozenset[str]]] = {
    # AWS/ApplicationELB (ELB User Guide, "CloudWatch metrics for your Application Load Balancer")
    **{
        ("AWS/ApplicationELB", m): {frozenset({"LoadBalancer"})}
        for m in (
            "HTTPCode_ELB_4XX_Count",
            "HTTPCode_ELB_5XX_Count",
            "RejectedConnectionCount",
            "ActiveConnectionCount",
        )
    },
    **{
        ("AWS/ApplicationELB", m): {
            frozenset({"LoadBalancer"}),
            frozenset({"LoadBalancer", "TargetGroup"}),
            frozenset({"TargetGroup"}),
        }
        for m in ("RequestCount", "TargetResponseTime", "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count")
    },
    **{
        ("AWS/ApplicationELB", m): {frozenset({"LoadBalancer", "TargetGroup"})}
        for m in ("HealthyHostCount", "UnHealthyHostCount")
    },
    # AWS/ECS service utilisation and Container Insights service metrics
    **{
        ("AWS/ECS", m): {frozenset({"ClusterName"}), frozenset({"ClusterName", "ServiceName"})}
        for m in ("CPUUtilization", "MemoryUtilization")
    },
    **{
        ("ECS/ContainerInsights", m): {frozenset({"ClusterName", "ServiceName"})}
        for m in ("RunningTaskCount", "DesiredTaskCount", "PendingTaskCount")
    },
    # AWS/RDS, Aurora cluster level (DBClusterIdentifier) or per role / instance
    **{
        ("AWS/RDS", m): {
            frozenset({"DBClusterIdentifier"}),
            frozenset({"DBClusterIdentifier", "Role"}),
            frozenset({"DBInstanceIdentifier"}),
        }
        for m in (
            "CPUUtilization",
            "FreeableMemory",
            "DatabaseConnections",
            "ACUUtilization",
            "ServerlessDatabaseCapacity",
        )
    },
    **{
        ("AWS/SQS", m): {frozenset({"QueueName"})}
        for m in (
            "ApproximateNumberOfMessagesVisible",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateAgeOfOldestMessage",
        )
    },
    **{
        ("AWS/DynamoDB", m): {frozenset({"TableName"}), frozenset({"TableName", "GlobalSecondaryIndexName"})}
        for m in (
            "ConsumedReadCapacityUnits",
            "ConsumedWriteCapacityUnits",
            "ReadThrottleEvents",
            "WriteThrottleEvents",
        )
    },
    # AWS/Scheduler, per schedule group (Scheduler User Guide, "Monitoring EventBridge Scheduler with CloudWatch")
    **{
        ("AWS/Scheduler", m): {frozenset({"ScheduleGroup"})}
        for m in ("InvocationAttemptCount", "TargetErrorCount", "InvocationDroppedCount")
    },
    # AWS/ElastiCache (ElastiCache User Guide, "Host-Level Metrics" and "Metrics for Valkey and Redis OSS"):
    # per node cluster, or per node
    **{
        ("AWS/ElastiCache", m): {frozenset({"CacheClusterId"}), frozenset({"CacheClusterId", "CacheNodeId"})}
        for m in (
            "EngineCPUUtilization",
            "CPUUtilization",
            "DatabaseMemoryUsagePercentage",
            "Evictions",
            "CurrConnections",
            "ReplicationLag",
        )
    },
}
"""(namespace, metric) -> the dimension sets CloudWatch publishes it with (the ones the platform may use)."""


# -- what was recorded -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Watched:
    """One metric an alarm or a graph reads: namespace, name, dimensions, statistic."""

    namespace: str
    name: str
    dimensions: dict[str, str]
    stat: str | None


def platform_alarms(run: StackRun) -> list[RecordedResource]:
    """The observability component's alarms (the worker's scale-from-zero alarm is autoscaling's, not ours)."""
    [component] = [r for r in run.resources if r.type == "platform:observability:Observability"]
    return [a for a in run.of_type(ALARM) if a.parent == component.urn]


def watched(alarm: RecordedResource) -> list[Watched]:
    inputs = alarm.inputs
    if "metricQueries" not in inputs:
        return [
            Watched(
                inputs["namespace"],
                inputs["metricName"],
                inputs.get("dimensions", {}),
                inputs.get("statistic") or inputs.get("extendedStatistic"),
            )
        ]
    return [
        Watched(
            q["metric"]["namespace"], q["metric"]["metricName"], q["metric"].get("dimensions", {}), q["metric"]["stat"]
        )
        for q in inputs["metricQueries"]
        if "metric" in q
    ]


def dashboard_body(run: StackRun) -> dict[str, Any]:
    [dashboard] = run.of_type(DASHBOARD)
    return json.loads(dashboard.inputs["dashboardBody"])


def rows(body: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Watched]]:
    """Every metric row of every metric widget, '.' shorthand expanded, with its widget."""
    for widget in body["widgets"]:
        previous: list[Any] = []
        for row in widget["properties"].get("metrics", []) if widget["type"] == "metric" else []:
            if isinstance(row[0], dict):
                continue
            parts = [p for p in row if isinstance(p, str)]
            parts = [previous[i] if p == "." and i < len(previous) else p for i, p in enumerate(parts)]
            previous = parts
            rendering = row[-1] if isinstance(row[-1], dict) else {}
            dims = dict(zip(parts[2::2], parts[3::2], strict=True))
            yield widget, Watched(parts[0], parts[1], dims, rendering.get("stat", widget["properties"].get("stat")))


class Stack:
    """Lookups over one recorded run: the values each CloudWatch dimension may take, from the resources."""

    def __init__(self, run: StackRun) -> None:
        self.run = run
        self.clusters = {r.outputs["arn"]: r for r in run.of_type(ECS_CLUSTER)}
        self.target_groups = {r.outputs["arn"]: r for r in run.of_type(TARGET_GROUP)}
        self.load_balancers = {r.outputs["arn"]: r for r in run.of_type(LOAD_BALANCER)}
        self.listeners = {r.outputs["arn"]: r for r in run.of_type(LISTENER)}
        self.queues = {r.outputs["arn"]: r for r in run.of_type(QUEUE)}
        [self.topic] = run.of_type(TOPIC)

    def service_dimensions(self, service: RecordedResource) -> dict[str, str]:
        cluster = self.clusters[service.inputs["cluster"]]
        return {"ClusterName": cluster.outputs["name"], "ServiceName": service.outputs["name"]}

    def target_dimensions(self, service: RecordedResource) -> list[dict[str, str]]:
        """(LoadBalancer, TargetGroup) of each target group the service registers with, traced through the
        listener rule that forwards to it and the listener that rule belongs to."""
        found = []
        for attachment in service.inputs.get("loadBalancers", []):
            arns = [attachment["targetGroupArn"]]
            alternate = attachment.get("advancedConfiguration", {}).get("alternateTargetGroupArn")
            if alternate:  # a progressive deployment alternates between the two groups
                arns.append(alternate)
            for arn in arns:
                group = self.target_groups[arn]
                for rule in self.run.of_type(LISTENER_RULE):
                    if any(group.outputs["arn"] in _forwarded_to(a) for a in rule.inputs["actions"]):
                        listener = self.listeners[rule.inputs["listenerArn"]]
                        lb = self.load_balancers[listener.inputs["loadBalancerArn"]]
                        dims = {"LoadBalancer": lb.outputs["arnSuffix"], "TargetGroup": group.outputs["arnSuffix"]}
                        if dims not in found:
                            found.append(dims)
        return found

    def dimension_values(self) -> dict[str, set[str]]:
        """Every value each dimension can take in this stack, from the recorded resources' outputs."""
        return {
            "LoadBalancer": {r.outputs["arnSuffix"] for r in self.run.of_type(LOAD_BALANCER)},
            "TargetGroup": {r.outputs["arnSuffix"] for r in self.run.of_type(TARGET_GROUP)},
            "ClusterName": {r.outputs["name"] for r in self.run.of_type(ECS_CLUSTER)},
            "ServiceName": {r.outputs["name"] for r in self.run.of_type(ECS_SERVICE)},
            "DBClusterIdentifier": {r.outputs["clusterIdentifier"] for r in self.run.of_type(RDS_CLUSTER)},
            "QueueName": {r.outputs["name"] for r in self.run.of_type(QUEUE)},
            "TableName": {r.outputs["name"] for r in self.run.of_type(TABLE)},
            "ScheduleGroup": {r.outputs["name"] for r in self.run.of_type(SCHEDULE_GROUP)},
            "CacheClusterId": {
                node
                for r in self.run.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
                for node in r.outputs["memberClusters"]
            },
        }


def alarms_watching(
    alarms: list[RecordedResource], namespace: str, metric: str, dimensions: dict[str, str]
) -> list[RecordedResource]:
    return [
        a
        for a in alarms
        if any(w.namespace == namespace and w.name == metric and w.dimensions == dimensions for w in watched(a))
    ]


# -- every service, database, queue with a DLQ and load balancer has its alarms -------------------------------
def required_alarms(stack: Stack) -> Iterator[tuple[str, list[tuple[str, str, dict[str, str]]]]]:
    """(what, the metrics one alarm must read together) for every recorded resource that needs watching."""
    run = stack.run
    for service in run.of_type(ECS_SERVICE):
        dims = stack.service_dimensions(service)
        label = f"service {service.outputs['name']}"
        yield f"{label} CPU", [("AWS/ECS", "CPUUtilization", dims)]
        yield f"{label} memory", [("AWS/ECS", "MemoryUtilization", dims)]
        yield (
            f"{label} running < desired",
            [("ECS/ContainerInsights", "RunningTaskCount", dims), ("ECS/ContainerInsights", "DesiredTaskCount", dims)],
        )
        for target in stack.target_dimensions(service):
            yield f"{label} p95 latency", [("AWS/ApplicationELB", "TargetResponseTime", target)]
            yield (
                f"{label} 5xx rate",
                [
                    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", target),
                    ("AWS/ApplicationELB", "RequestCount", target),
                ],
            )
            yield f"{label} unhealthy hosts", [("AWS/ApplicationELB", "UnHealthyHostCount", target)]
    for cluster in run.of_type(RDS_CLUSTER):
        dims = {"DBClusterIdentifier": cluster.outputs["clusterIdentifier"]}
        metrics = ["CPUUtilization", "FreeableMemory", "DatabaseConnections"]
        if cluster.inputs.get("serverlessv2ScalingConfiguration"):
            metrics.append("ACUUtilization")
        for metric in metrics:
            yield f"database {metric}", [("AWS/RDS", metric, dims)]
    for queue in run.of_type(QUEUE):
        if "redrivePolicy" not in queue.inputs:
            continue
        dlq = stack.queues[json.loads(queue.inputs["redrivePolicy"])["deadLetterTargetArn"]]
        yield (
            f"queue {queue.outputs['name']} age",
            [("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": queue.outputs["name"]})],
        )
        yield (
            f"queue {queue.outputs['name']} DLQ depth",
            [("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq.outputs["name"]})],
        )
    for schedule in run.of_type(SCHEDULE):  # a scheduled task: its failure queue holds every failed run
        failures = stack.queues[schedule.inputs["target"]["deadLetterConfig"]["arn"]]
        yield (
            f"task {schedule.outputs['name']} failed runs",
            [("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": failures.outputs["name"]})],
        )
    for cache in run.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        nodes = [{"CacheClusterId": node} for node in cache.outputs["memberClusters"]]
        metrics = [
            "EngineCPUUtilization",
            "CPUUtilization",
            "DatabaseMemoryUsagePercentage",
            "Evictions",
            "CurrConnections",
        ] + (["ReplicationLag"] if cache.inputs["numCacheClusters"] > 1 else [])
        for metric in metrics:  # one alarm per metric, over every node (the worst one alarms)
            yield f"cache {cache.id} {metric}", [("AWS/ElastiCache", metric, dims) for dims in nodes]
    for lb in run.of_type(LOAD_BALANCER):
        dims = {"LoadBalancer": lb.outputs["arnSuffix"]}
        yield "ALB ELB 5xx", [("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", dims)]
        yield "ALB rejected connections", [("AWS/ApplicationELB", "RejectedConnectionCount", dims)]


def test_every_service_database_queue_and_load_balancer_has_its_alarms_wired_to_the_topic(
    stack_runs: dict[str, StackRun],
) -> None:
    for name, run in stack_runs.items():
        stack = Stack(run)
        alarms = platform_alarms(run)
        covered: set[str] = set()
        required = list(required_alarms(stack))
        # every kind of thing is present in every stack, so a vacuous walk cannot pass
        assert {
            kind
            for kind in ("service", "database", "queue", "ALB")
            if any(what.startswith(kind) for what, _ in required)
        } == {"service", "database", "queue", "ALB"}
        for what, metrics in required:
            matching = [a for a in alarms if all(alarms_watching([a], *m) for m in metrics)]
            assert len(matching) == 1, f"{name}: {what}: {[a.inputs['name'] for a in matching]}"
            [alarm] = matching
            topic_arn = stack.topic.outputs["arn"]
            assert alarm.inputs.get("alarmActions") == [topic_arn], (name, what)
            assert alarm.inputs.get("okActions") == [topic_arn], (name, what)
            covered.add(alarm.inputs["name"])
        assert covered == {a.inputs["name"] for a in alarms}, f"{name}: alarms watching nothing required"


def test_the_count_of_alarms_follows_the_config(stack_run: StackRun) -> None:
    config = config_of(stack_run.stack)
    web = sum(1 for s in config.services.values() if s.kind == "web")
    long_running = sum(1 for s in config.services.values() if s.kind in ("worker", "service"))
    scheduled = sum(1 for s in config.services.values() if s.kind == "task" and s.schedule is not None)
    assert scheduled and any(s.kind == "task" and s.schedule is None for s in config.services.values())
    serverless = config.database is not None and config.database.serverless
    expected = (
        web * 6
        + long_running * 3
        + scheduled
        + (3 + serverless if config.database else 0)
        + 2 * len(config.queues)
        + 2 * (web > 0)
        + sum(5 + (cache.replicas > 0) for cache in config.caches.values())
    )
    assert len(platform_alarms(stack_run)) == expected


def test_alarm_names_are_project_stack_thing_what(stack_run: StackRun) -> None:
    config = config_of(stack_run.stack)
    expected = {
        "alb-elb-5xx",
        "alb-rejected-connections",
        "database-cpu",
        "database-connections",
        "database-freeable-memory",
        "database-acu-utilization",
    }
    for service, settings in config.services.items():
        if settings.kind == "task":
            expected |= {f"{service}-failed-runs"} if settings.schedule is not None else set()
            continue
        whats = ["cpu", "memory", "running-tasks"]
        if settings.kind == "web":
            whats += ["p95-latency", "5xx-rate", "unhealthy-hosts"]
        expected |= {f"{service}-{what}" for what in whats}
    expected |= {f"{queue}-{what}" for queue in config.queues for what in ("oldest-message", "dlq-depth")}
    expected |= {
        f"cache-{cache}-{what}"
        for cache, settings in config.caches.items()
        for what in ("engine-cpu", "cpu", "memory", "evictions", "connections")
        + (("replication-lag",) if settings.replicas else ())
    }
    names = {a.inputs["name"] for a in platform_alarms(stack_run)}
    assert names == {f"platform-{stack_run.stack}-{suffix}" for suffix in expected}


def test_thresholds_and_windows_are_the_reference_numbers(stack_runs: dict[str, StackRun]) -> None:
    by_name = {a.inputs["name"]: a.inputs for a in platform_alarms(stack_runs["prod"])}

    def alarm(suffix: str) -> dict[str, Any]:
        return by_name[f"platform-prod-{suffix}"]

    # prod's api deploys by canary: its latency, 5xx and target alarms read both target groups
    latency = alarm("api-p95-latency")
    [slower] = [q for q in latency["metricQueries"] if "expression" in q]
    assert slower["expression"] == "MAX([latency, latencyAlt])" and slower["returnData"] is True
    assert {q["metric"]["stat"] for q in latency["metricQueries"] if "metric" in q} == {"p95"}
    assert (latency["threshold"], latency["evaluationPeriods"] * 60, latency["comparisonOperator"]) == (
        1.0,
        300,
        "GreaterThanThreshold",
    )
    rate = alarm("api-5xx-rate")
    [expression] = [q for q in rate["metricQueries"] if "expression" in q]
    assert expression["returnData"] is True
    assert expression["expression"] == "100 * (FILL(errors, 0) + FILL(errorsAlt, 0)) / SUM([requests, requestsAlt])"
    staging = {a.inputs["name"]: a.inputs for a in platform_alarms(stack_runs["staging"])}
    rolling_latency = staging["platform-staging-api-p95-latency"]  # staging deploys by rolling: one group
    assert (rolling_latency["extendedStatistic"], rolling_latency["period"] * rolling_latency["evaluationPeriods"]) == (
        "p95",
        300,
    )
    assert rolling_latency["evaluateLowSampleCountPercentiles"] == "ignore"
    [rolling_rate] = [q for q in staging["platform-staging-api-5xx-rate"]["metricQueries"] if "expression" in q]
    assert rolling_rate["expression"] == "100 * FILL(errors, 0) / requests"
    assert {q["metric"]["period"] for q in rate["metricQueries"] if "metric" in q} == {300.0}
    assert (rate["threshold"], rate["evaluationPeriods"], rate["treatMissingData"]) == (5, 1, "notBreaching")
    cpu = alarm("api-cpu")
    assert (cpu["statistic"], cpu["threshold"], cpu["period"] * cpu["evaluationPeriods"]) == ("Average", 85, 600)
    assert alarm("worker-memory")["threshold"] == 90
    running = alarm("worker-running-tasks")
    assert (running["threshold"], running["comparisonOperator"], running["evaluationPeriods"]) == (
        0,
        "GreaterThanThreshold",
        2,
    )
    assert (alarm("api-unhealthy-hosts")["threshold"], alarm("jobs-dlq-depth")["threshold"]) == (0, 0)
    # prod: 0.5-16 ACU, so Aurora caps max_connections at 2,000; 80 % of it
    assert alarm("database-connections")["threshold"] == 1600
    # 10 % of 32 GiB (16 ACU x 2 GiB)
    assert alarm("database-freeable-memory")["threshold"] == round(32 * 1024**3 * 0.1)
    assert alarm("database-freeable-memory")["comparisonOperator"] == "LessThanThreshold"
    assert all(a["datapointsToAlarm"] == a["evaluationPeriods"] for a in by_name.values())


# -- the topic ---------------------------------------------------------------------------------------------------
def test_alarm_topic_is_encrypted_with_the_stack_key_and_only_this_stacks_alarms_may_publish(
    stack_run: StackRun,
) -> None:
    stack = Stack(stack_run)
    [key] = stack_keys(stack_run)
    topic = stack.topic
    assert topic.inputs["name"] == f"platform-{stack_run.stack}-alarms"
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    [policy] = stack_run.of_type(TOPIC_POLICY)
    assert policy.inputs["arn"] == topic.outputs["arn"]
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    source_arn = f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:platform-{stack_run.stack}-*"
    assert statement == {
        "Sid": "CloudWatchAlarmsOfThisStackPublish",
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
        "Resource": [topic.outputs["arn"]],
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnLike": {"aws:SourceArn": source_arn}},
    }
    # ...and every alarm of the stack is one that may publish
    for alarm in platform_alarms(stack_run):
        assert fnmatch.fnmatchcase(alarm.outputs["arn"], source_arn), alarm.outputs["arn"]
    # the key lets CloudWatch use it for this encrypted topic, for these alarms (components/keys.py)
    publish = statements(key)["CloudWatchAlarmsPublishToEncryptedTopics"]
    assert publish["Principal"] == {"Service": ["cloudwatch.amazonaws.com"]}
    assert {"kms:Decrypt", "kms:GenerateDataKey"} <= set(publish["Action"])
    assert publish["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    for alarm in platform_alarms(stack_run):
        assert fnmatch.fnmatchcase(alarm.outputs["arn"], publish["Condition"]["ArnLike"]["aws:SourceArn"])


def test_email_subscriptions_come_from_config(stack_run: StackRun) -> None:
    stack = Stack(stack_run)
    subscriptions = stack_run.of_type(SUBSCRIPTION)
    assert sorted(s.inputs["endpoint"] for s in subscriptions) == sorted(config_of(stack_run.stack).alarms.emails)
    assert all(
        s.inputs["protocol"] == "email" and s.inputs["topic"] == stack.topic.outputs["arn"] for s in subscriptions
    )


def test_prod_and_staging_notify_someone_dev_may_not(stack_runs: dict[str, StackRun]) -> None:
    assert len(stack_runs["prod"].of_type(SUBSCRIPTION)) == 2
    assert len(stack_runs["staging"].of_type(SUBSCRIPTION)) == 1
    assert stack_runs["dev"].of_type(SUBSCRIPTION) == []


# -- deployment alarms -------------------------------------------------------------------------------------------
def test_web_services_roll_back_a_deployment_that_trips_their_error_alarms(stack_run: StackRun) -> None:
    stack = Stack(stack_run)
    alarms = {a.inputs["name"]: a for a in platform_alarms(stack_run)}
    webs = 0
    for service in stack_run.of_type(ECS_SERVICE):
        targets = stack.target_dimensions(service)
        if not targets:
            assert "alarms" not in service.inputs, service.name  # workers: the circuit breaker only
            continue
        webs += 1
        deployment = service.inputs["alarms"]
        assert (deployment["enable"], deployment["rollback"]) == (True, True)
        watched_metrics = {
            w.name for n in deployment["alarmNames"] for w in watched(alarms[n]) if w.dimensions in targets
        }
        assert watched_metrics == {"HTTPCode_Target_5XX_Count", "RequestCount", "UnHealthyHostCount"}
        # exactly the alarms on its target errors and health (not latency or CPU, which move with load)
        assert set(deployment["alarmNames"]) == {
            n
            for n, a in alarms.items()
            if any(
                w.dimensions in targets and w.name in ("HTTPCode_Target_5XX_Count", "UnHealthyHostCount")
                for w in watched(a)
            )
        }
    assert webs >= 1


def test_deployment_alarm_names_are_known_at_a_first_preview(preview_runs: dict[str, StackRun]) -> None:
    for run in preview_runs.values():
        [api] = [s for s in run.of_type(ECS_SERVICE) if s.name == "api-service"]
        names = api.inputs["alarms"]["alarmNames"]
        assert UNKNOWN not in names and names == [
            f"platform-{run.stack}-api-5xx-rate",
            f"platform-{run.stack}-api-unhealthy-hosts",
        ]
        # so the service does not wait for its alarms (which wait for it): no cycle
        alarm_urns = {a.urn for a in run.of_type(ALARM)}
        assert not alarm_urns & set(api.dependencies)


# -- the dashboard -----------------------------------------------------------------------------------------------
def layout_problems(body: dict[str, Any]) -> list[str]:
    """What JSON Schema cannot say: metric rows' positional rules, and widgets fitting the 24-column grid
    without overlapping."""
    problems = []
    cells: dict[tuple[int, int], int] = {}
    for index, widget in enumerate(body["widgets"]):
        if not {"x", "y"} <= set(widget):
            continue  # placed by CloudWatch; the schema requires x and y together
        x, y, width, height = widget["x"], widget["y"], widget.get("width", 6), widget.get("height", 6)
        if x + width > 24:
            problems.append(f"widget {index} ends at column {x + width}")
        for cell in ((cx, cy) for cx in range(x, x + width) for cy in range(y, y + height)):
            if cell in cells:
                problems.append(f"widget {index} overlaps widget {cells[cell]} at {cell}")
                break
            cells[cell] = index
        if widget["type"] != "metric":
            continue
        for position, row in enumerate(widget["properties"].get("metrics", [])):
            if isinstance(row[0], dict):
                continue
            objects = [i for i, part in enumerate(row) if isinstance(part, dict)]
            strings = len(row) - len(objects)
            if objects and objects != [len(row) - 1]:
                problems.append(f"widget {index} row {position}: rendering properties must come last")
            if strings < 2 or strings % 2:
                problems.append(f"widget {index} row {position}: a dimension name without a value")
            if position == 0 and "." in row[:2]:
                problems.append(f"widget {index} row 0: '.' repeats the previous row, and there is none")
        ids = [r[-1].get("id") if isinstance(r[-1], dict) else None for r in widget["properties"].get("metrics", [])]
        ids = [i for i in ids if i]
        if len(ids) != len(set(ids)):
            problems.append(f"widget {index}: duplicate ids {ids}")
    return problems


def validate(body: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)] + layout_problems(body)


def test_dashboard_body_is_valid_cloudwatch_dashboard_json(stack_run: StackRun) -> None:
    [dashboard] = stack_run.of_type(DASHBOARD)
    assert dashboard.inputs["dashboardName"] == f"platform-{stack_run.stack}"
    body = dashboard_body(stack_run)
    assert validate(body) == []
    assert {w["type"] for w in body["widgets"]} == {"text", "alarm", "metric"}
    assert {w["properties"]["region"] for w in body["widgets"] if w["type"] == "metric"} == {"us-east-1"}


AWS_EXAMPLES = [
    # "Dashboard Body Structure and Syntax": the overall-structure example, and the metric-math one
    {
        "start": "-PT6H",
        "periodOverride": "inherit",
        "widgets": [
            {
                "type": "metric",
                "x": 0,
                "y": 0,
                "width": 12,
                "height": 6,
                "properties": {
                    "metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-012345"]],
                    "period": 300,
                    "stat": "Average",
                    "region": "us-east-1",
                    "title": "EC2 Instance CPU",
                    "liveData": False,
                    "legend": {"position": "right"},
                },
            },
            {"type": "text", "x": 0, "y": 7, "width": 3, "height": 3, "properties": {"markdown": "Hello world"}},
        ],
    },
    {
        "start": "-PT9H",
        "periodOverride": "inherit",
        "widgets": [
            {
                "type": "metric",
                "x": 0,
                "y": 0,
                "width": 12,
                "height": 6,
                "properties": {
                    "metrics": [
                        ["AWS/EC2", "DiskReadBytes", "InstanceId", "i-123", {"id": "m1"}],
                        [".", ".", ".", "i-abc", {"id": "m2"}],
                        [{"expression": "SUM(METRICS())", "label": "Sum of DiskReadbytes", "id": "e3"}],
                    ],
                    "view": "timeSeries",
                    "stacked": False,
                    "period": 300,
                    "stat": "Average",
                    "region": "us-east-1",
                    "title": "EC2 Instance CPU",
                },
            },
            {
                "type": "alarm",
                "x": 0,
                "y": 6,
                "width": 12,
                "height": 6,
                "properties": {
                    "alarms": ["arn:aws:cloudwatch:us-east-1:012345678901:alarm:EC2FrontendCPU"],
                    "sortBy": "stateUpdatedTimestamp",
                    "states": ["ALARM", "INSUFFICIENT_DATA"],
                    "title": "EC2",
                },
            },
        ],
    },
]


def test_the_schema_accepts_aws_own_examples() -> None:
    for example in AWS_EXAMPLES:
        assert validate(example) == []


def _first(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(w for w in body["widgets"] if w["type"] == kind)


BREAKAGES = {
    "width over the grid": lambda b: _first(b, "metric").update(width=25),
    "unknown widget type": lambda b: _first(b, "metric").update(type="graph"),
    "metric widget without region": lambda b: _first(b, "metric")["properties"].pop("region"),
    "statistic CloudWatch does not know": lambda b: _first(b, "metric")["properties"].update(stat="Avg"),
    "period not a multiple of 60": lambda b: _first(b, "metric")["properties"].update(period=90),
    "dimension name without value": lambda b: _first(b, "metric")["properties"]["metrics"][0].pop(3),
    "rendering properties not last": lambda b: _first(b, "metric")["properties"]["metrics"][0].insert(
        2, {"label": "x"}
    ),
    "expression id not lower-case first": lambda b: next(
        r for w in b["widgets"] if w["type"] == "metric" for r in w["properties"]["metrics"] if isinstance(r[0], dict)
    )[0].update(id="Rate"),
    "alarm status widget with 101 alarms": lambda b: _first(b, "alarm")["properties"].update(
        alarms=[f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a{i}" for i in range(101)]
    ),
    "x without y": lambda b: _first(b, "text").pop("y"),
    "unknown top-level key": lambda b: b.update(widget=[]),
    "overlapping widgets": lambda b: _first(b, "metric").update(y=0),
    "text widget without markdown": lambda b: _first(b, "text")["properties"].pop("markdown"),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_body_is_rejected(stack_runs: dict[str, StackRun], breakage: str) -> None:
    body = copy.deepcopy(dashboard_body(stack_runs["dev"]))
    BREAKAGES[breakage](body)
    assert validate(body), breakage


def test_every_metric_uses_dimensions_that_exist_for_its_namespace(stack_run: StackRun) -> None:
    used = [w for _, w in rows(dashboard_body(stack_run))] + [w for a in platform_alarms(stack_run) for w in watched(a)]
    assert used
    for metric in used:
        allowed = DIMENSIONS.get((metric.namespace, metric.name))
        assert allowed is not None, f"{metric.namespace} {metric.name}: not a metric the platform knows"
        assert frozenset(metric.dimensions) in allowed, metric


def test_every_dimension_value_traces_back_to_a_recorded_resource(stack_run: StackRun) -> None:
    stack = Stack(stack_run)
    values = stack.dimension_values()
    services = {s.outputs["name"]: stack.service_dimensions(s) for s in stack_run.of_type(ECS_SERVICE)}
    used = [w for _, w in rows(dashboard_body(stack_run))] + [w for a in platform_alarms(stack_run) for w in watched(a)]
    for metric in used:
        for dimension, value in metric.dimensions.items():
            assert value in values[dimension], f"{metric.name} {dimension}={value}: no such resource in the stack"
        if "ServiceName" in metric.dimensions:  # and the service runs in that cluster
            assert services[metric.dimensions["ServiceName"]] == metric.dimensions
        if "TargetGroup" in metric.dimensions and "LoadBalancer" in metric.dimensions:
            attached = [t for s in stack_run.of_type(ECS_SERVICE) for t in stack.target_dimensions(s)]
            assert metric.dimensions in attached


def test_dashboard_shows_what_on_call_needs(stack_run: StackRun) -> None:
    drawn = [(w.namespace, w.name, frozenset(w.dimensions.items()), w.stat) for _, w in rows(dashboard_body(stack_run))]
    names = {(n, m) for n, m, _, _ in drawn}
    stats = {(n, m, s) for n, m, _, s in drawn}
    # ALB requests, latency p50/p95/p99, 4xx/5xx
    assert {("AWS/ApplicationELB", "TargetResponseTime", p) for p in ("p50", "p95", "p99")} <= stats
    assert {
        ("AWS/ApplicationELB", m)
        for m in (
            "RequestCount",
            "HTTPCode_Target_4XX_Count",
            "HTTPCode_Target_5XX_Count",
            "HTTPCode_ELB_4XX_Count",
            "HTTPCode_ELB_5XX_Count",
        )
    } <= names
    # per service CPU, memory, running vs desired
    for service in stack_run.of_type(ECS_SERVICE):
        dims = frozenset(Stack(stack_run).service_dimensions(service).items())
        for namespace, metric in (
            ("AWS/ECS", "CPUUtilization"),
            ("AWS/ECS", "MemoryUtilization"),
            ("ECS/ContainerInsights", "RunningTaskCount"),
            ("ECS/ContainerInsights", "DesiredTaskCount"),
        ):
            assert any(d == dims for n, m, d, _ in drawn if (n, m) == (namespace, metric)), (service.name, metric)
    # database CPU, connections, ACU; queue depth, age, DLQ; DynamoDB consumed capacity and throttles
    assert {
        ("AWS/RDS", m)
        for m in ("CPUUtilization", "DatabaseConnections", "ACUUtilization", "ServerlessDatabaseCapacity")
    } <= names
    assert {("AWS/SQS", m) for m in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage")} <= names
    queue_names = {dict(d)["QueueName"] for n, m, d, _ in drawn if m == "ApproximateNumberOfMessagesVisible"}
    assert {q.outputs["name"] for q in stack_run.of_type(QUEUE)} <= queue_names  # each queue and each DLQ
    assert {
        ("AWS/DynamoDB", m)
        for m in (
            "ConsumedReadCapacityUnits",
            "ConsumedWriteCapacityUnits",
            "ReadThrottleEvents",
            "WriteThrottleEvents",
        )
    } <= names


def test_every_alarm_is_drawn_with_its_threshold_and_listed_in_the_status_widget(stack_run: StackRun) -> None:
    body = dashboard_body(stack_run)
    alarms = platform_alarms(stack_run)
    [status] = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert sorted(status["properties"]["alarms"]) == sorted(a.outputs["arn"] for a in alarms)
    graphs = list(rows(body))
    for alarm in alarms:
        homes = [
            widget
            for widget, _ in graphs
            if all(any(g == w for wg, g in graphs if wg is widget) for w in watched(alarm))
        ]
        assert homes, f"{alarm.inputs['name']} is not drawn"
        thresholds = {a["value"] for h in homes for a in h["properties"].get("annotations", {}).get("horizontal", [])}
        assert alarm.inputs["threshold"] in thresholds, alarm.inputs["name"]


def test_dashboard_url_and_alarm_topic_are_stack_outputs(stack_run: StackRun) -> None:
    outputs = stack_run.outputs
    assert outputs["dashboardUrl"] == (
        f"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        f"#dashboards:name=platform-{stack_run.stack}"
    )
    assert outputs["alarmTopicArn"] == Stack(stack_run).topic.outputs["arn"]
    assert {"loadBalancerDnsName", "url", "serviceNames"} <= set(outputs)


# -- the model itself ---------------------------------------------------------------------------------------------
def _metric(id_: str = "m") -> Metric:
    return Metric(id_, "AWS/SQS", "ApproximateAgeOfOldestMessage", (("QueueName", "q"),), "Maximum")


def test_an_alarm_is_one_metric_or_metrics_and_one_expression() -> None:
    with pytest.raises(ValueError, match="one metric, or metrics and one expression"):
        AlarmSpec("q", "x", "", (_metric("a"), _metric("b")), "GreaterThanThreshold", 1, 1, "w")
    with pytest.raises(ValueError, match="one metric, or metrics and one expression"):
        AlarmSpec(
            "q",
            "x",
            "",
            (_metric(), Expression("e", "m", ""), Expression("f", "m", "")),
            "GreaterThanThreshold",
            1,
            1,
            "w",
        )
    with pytest.raises(ValueError, match="duplicate series ids"):
        AlarmSpec("q", "x", "", (_metric(), _metric(), Expression("e", "m", "")), "GreaterThanThreshold", 1, 1, "w")


def test_a_plan_refuses_alarms_without_a_widget_and_clashing_series() -> None:
    plan = MonitoringPlan()
    plan.add("s", [Widget("w", "t")], [AlarmSpec("q", "x", "", (_metric(),), "GreaterThanThreshold", 1, 1, "nope")])
    with pytest.raises(ValueError, match="names widget 'nope'"):
        plan.check()
    plan = MonitoringPlan()
    other = Metric("m", "AWS/SQS", "ApproximateNumberOfMessagesVisible", (("QueueName", "q"),), "Maximum")
    plan.add(
        "s", [Widget("w", "t", (other,))], [AlarmSpec("q", "x", "", (_metric(),), "GreaterThanThreshold", 1, 1, "w")]
    )
    with pytest.raises(ValueError, match="two different series with id 'm'"):
        plan.check()


def _forwarded_to(action: dict[str, Any]) -> list[str]:
    """The target group ARNs a listener rule action forwards to: plain, or weighted (`forward.targetGroups`)."""
    weighted = [g["arn"] for g in action.get("forward", {}).get("targetGroups", [])]
    return [action["targetGroupArn"], *weighted] if action.get("targetGroupArn") else weighted
