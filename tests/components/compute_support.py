"""Lookups over a recorded stack run shared by the cluster, load balancer and service tests."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from components.config import StackConfig, load_stack_config
from offline.engine import RecordedResource, StackRun, stack_config

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
SCHEDULED_ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction"
INTERNET = ("0.0.0.0/0", "::/0")


@cache
def config_of(stack: str) -> StackConfig:
    return load_stack_config(stack, stack_config(stack))


def by_id(run: StackRun, *types: str) -> dict[str, RecordedResource]:
    return {r.id: r for r in run.of_type(*types) if r.id}


def alb(run: StackRun) -> RecordedResource:
    [lb] = run.of_type(LOAD_BALANCER)
    return lb


def alb_security_group_id(run: StackRun) -> str:
    [group] = alb(run).inputs["securityGroups"]
    return group


def services(run: StackRun) -> dict[str, RecordedResource]:
    """ECS services by their config name (the component's name is the config key)."""
    return {r.name.removesuffix("-service"): r for r in run.of_type(ECS_SERVICE)}


def child(run: StackRun, component: str, name: str) -> RecordedResource:
    """The recorded resource `name` whose parent is the `platform:*` component named `component`."""
    parents = {r.urn for r in run.resources if r.name == component and not r.custom}
    matches = [r for r in run.resources if r.name == name and r.parent in parents]
    assert len(matches) == 1, (component, name, len(matches))
    return matches[0]


def container(run: StackRun, service: str) -> dict[str, Any]:
    task = run.named(f"{service}-task")
    [definition] = json.loads(task.inputs["containerDefinitions"])
    return definition


def ingress_rules(run: StackRun, group_id: str) -> list[RecordedResource]:
    return [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == group_id]


def egress_rules(run: StackRun, group_id: str) -> list[RecordedResource]:
    return [r for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] == group_id]


def policy(resource: RecordedResource, key: str = "policy") -> dict[str, Any]:
    return json.loads(resource.inputs[key])


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
