"""Task rules: EventBridge rules on the stack's bus whose target is an ECS task (a service's task definition run
once per matching event), with their own role and a failure queue.

The role is trusted by `events.amazonaws.com` for these rules only (aws:SourceArn) and may `ecs:RunTask` that
task definition family on the stack's cluster only (`ecs:cluster` condition), and pass exactly the service's
task and execution roles to ECS (`iam:PassedToService`). The task runs in the private subnets with the
service's own security group, no public IP. Events whose RunTask fails every retry go to the task's
KMS-encrypted failure queue (the only sender: these rules).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.functions import TaskConfig
from .events import bus_name
from .iam import Statement, deny_insecure_transport, policy_document
from .naming import physical_name
from .service import Service

FAILURE_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True, kw_only=True)
class TaskRulesArgs:
    tasks: Mapping[str, TaskConfig]
    services: Mapping[str, Service]
    cluster_arn: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    event_bus_name: pulumi.Input[str]
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    protect: bool = False


def task_rule_name(task: str, rule: str) -> str:
    return physical_name("task", task, rule, max_length=64)


class TaskRules(pulumi.ComponentResource):
    """Per task: a failure queue, a role, and per rule an EventRule with an ECS target (FARGATE, LATEST platform,
    private subnets, the service's group, retries, the failure queue as DLQ)."""

    failure_queue_names: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: TaskRulesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:tasks:TaskRules", name, None, opts)
        self._args = args
        self.failure_queue_names = {}
        for key, task in args.tasks.items():
            self._task(key, task)
        self.register_outputs({"failureQueueNames": self.failure_queue_names})

    def _task(self, key: str, task: TaskConfig) -> None:
        args, context = self._args, self._args.aws_context
        service = args.services[task.service]
        child = pulumi.ResourceOptions(parent=self)
        rule_arns = [context.arn("events", f"rule/{bus_name()}/{task_rule_name(key, r)}") for r in task.events]
        queue_name = physical_name("task", key, "failures", max_length=80)
        queue_arn = context.arn("sqs", queue_name)
        queue = aws.sqs.Queue(
            f"{key}-task-failures",
            name=queue_name,
            message_retention_seconds=FAILURE_RETENTION_SECONDS,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            tags={"Name": queue_name, "Role": "dead-letter"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.sqs.QueuePolicy(
            f"{key}-task-failures-policy",
            queue_url=queue.url,
            policy=policy_document(
                [
                    deny_insecure_transport(["sqs:*"], [queue_arn]),
                    Statement(
                        sid="TaskRulesSendUndelivered",
                        actions=["sqs:SendMessage"],
                        principals={"Service": [context.service_principal("events")]},
                        resources=[queue_arn],
                        conditions={"ArnEquals": {"aws:SourceArn": rule_arns}},
                    ),
                ]
            ),
            opts=child,
        )
        self.failure_queue_names[key] = queue.name
        family = physical_name(task.service, max_length=255)  # the service's task definition family
        definition = context.arn("ecs", f"task-definition/{family}")
        role = aws.iam.Role(
            f"{key}-task-events-role",
            name=physical_name("task", key, "events", max_length=64),
            description=f"EventBridge runs task {key} ({task.service}'s task definition)",
            assume_role_policy=policy_document(
                [
                    Statement(
                        sid="TrustTheTaskRules",
                        actions=["sts:AssumeRole"],
                        principals={"Service": [context.service_principal("events")]},
                        conditions={
                            "StringEquals": {"aws:SourceAccount": context.account_id},
                            "ArnEquals": {"aws:SourceArn": rule_arns},
                        },
                    )
                ]
            ),
            tags={"Name": physical_name("task", key, "events")},
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{key}-task-events-policy",
            role=role.id,
            name="run-one-task",
            policy=policy_document(
                [
                    Statement(
                        sid="RunTheTask",
                        actions=["ecs:RunTask"],
                        resources=[definition, f"{definition}:*"],
                        conditions={"ArnEquals": {"ecs:cluster": args.cluster_arn}},
                    ),
                    Statement(
                        sid="PassTheTaskRoles",
                        actions=["iam:PassRole"],
                        resources=[service.task_role_arn, service.execution_role_arn],
                        conditions={"StringEquals": {"iam:PassedToService": context.service_principal("ecs-tasks")}},
                    ),
                ]
            ),
            opts=child,
        )
        overrides = (
            json.dumps({"containerOverrides": [{"name": task.service, "command": task.command}]})
            if task.command is not None
            else None
        )
        for rule_key, rule in task.events.items():
            name = task_rule_name(key, rule_key)
            event_rule = aws.cloudwatch.EventRule(
                f"{key}-{rule_key}-task-rule",
                name=name,
                event_bus_name=args.event_bus_name,
                description=rule.description or f"{rule_key}: runs task {key}",
                event_pattern=json.dumps(rule.event_pattern, sort_keys=True),
                state="ENABLED" if rule.enabled else "DISABLED",
                tags={"Name": name},
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                f"{key}-{rule_key}-task-target",
                rule=event_rule.name,
                event_bus_name=args.event_bus_name,
                target_id=f"task-{key}",
                arn=args.cluster_arn,
                role_arn=role.arn,
                input=overrides,
                ecs_target=aws.cloudwatch.EventTargetEcsTargetArgs(
                    task_definition_arn=definition,
                    launch_type="FARGATE",
                    platform_version="LATEST",
                    task_count=1,
                    network_configuration=aws.cloudwatch.EventTargetEcsTargetNetworkConfigurationArgs(
                        subnets=list(args.private_subnet_ids),
                        security_groups=[service.security_group_id],
                        assign_public_ip=False,
                    ),
                ),
                retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                    maximum_retry_attempts=self._args.tasks[key].maximum_retry_attempts,
                    maximum_event_age_in_seconds=86_400,
                ),
                dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=queue_arn),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, queue]),
            )
