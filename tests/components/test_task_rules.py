"""EventBridge rules whose target is an ECS task (platform:tasks): the Candlefish WIP report runs the workflow
engine's task definition with another command, with a role that may run only that family on the stack's cluster
and pass only that service's roles, in the private subnets, with retries and a failure queue."""

from __future__ import annotations

import json

import pytest

from offline.engine import StackRun
from tests.examples.support import example_run

from .compute_support import child, policy


@pytest.fixture(scope="module")
def run() -> StackRun:
    return example_run("candlefish", stack="prod")


def test_the_rule_runs_the_services_task_definition_privately(run: StackRun) -> None:
    target = child(run, "tasks", "wip-report-report-requested-task-target")
    [cluster] = run.of_type("aws:ecs/cluster:Cluster")
    assert target.inputs["arn"] == cluster.outputs["arn"]
    ecs = target.inputs["ecsTarget"]
    assert ecs["taskDefinitionArn"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/clos-v2-prod-workflow-engine"
    task = next(r for r in run.of_type("aws:ecs/taskDefinition:TaskDefinition") if r.name == "workflow-engine-task")
    assert task.inputs["family"] == "clos-v2-prod-workflow-engine"
    assert ecs["launchType"] == "FARGATE" and ecs["networkConfiguration"]["assignPublicIp"] is False
    assert set(ecs["networkConfiguration"]["subnets"]) == set(run.outputs["privateSubnetIds"])
    group = child(run, "workflow-engine", "workflow-engine-sg")
    assert ecs["networkConfiguration"]["securityGroups"] == [group.id]
    assert json.loads(target.inputs["input"]) == {
        "containerOverrides": [{"name": "workflow-engine", "command": ["python", "-m", "clos.reports.wip"]}]
    }
    failures = child(run, "tasks", "wip-report-task-failures")
    assert target.inputs["deadLetterConfig"] == {"arn": failures.outputs["arn"]}
    assert failures.protect


def test_the_events_role_runs_only_that_family_and_passes_only_its_roles(run: StackRun) -> None:
    found = {s["Sid"]: s for s in policy(child(run, "tasks", "wip-report-task-events-policy"))["Statement"]}
    [cluster] = run.of_type("aws:ecs/cluster:Cluster")
    family = "arn:aws:ecs:us-east-1:123456789012:task-definition/clos-v2-prod-workflow-engine"
    assert found["RunTheTask"]["Resource"] == [family, f"{family}:*"]
    assert found["RunTheTask"]["Condition"] == {"ArnEquals": {"ecs:cluster": cluster.outputs["arn"]}}
    roles = {r.name: r.outputs["arn"] for r in run.of_type("aws:iam/role:Role")}
    assert found["PassTheTaskRoles"]["Resource"] == [
        roles["workflow-engine-task-role"],
        roles["workflow-engine-execution-role"],
    ]
    rule = child(run, "tasks", "wip-report-report-requested-task-rule")
    trust = policy(child(run, "tasks", "wip-report-task-events-role"), "assumeRolePolicy")["Statement"][0]
    assert trust["Condition"]["ArnEquals"] == {"aws:SourceArn": [rule.outputs["arn"]]}


def test_the_failure_queue_is_alarmed(run: StackRun) -> None:
    alarms = {r.inputs["name"]: r for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    alarm = alarms["clos-v2-prod-task-wip-report-failed-events"]
    assert alarm.inputs["dimensions"] == {"QueueName": child(run, "tasks", "wip-report-task-failures").inputs["name"]}
