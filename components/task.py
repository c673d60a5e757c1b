"""TaskSchedule: EventBridge Scheduler running a `kind: task` on its schedule, with a role that may start
exactly that task, retries, and a failure queue that collects both runs the scheduler could not start and
runs that started and failed.

The task itself (task definition, roles, security group, log group) is built by components/service.py like
every other workload; this module adds only what running it on a schedule needs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.workloads import TaskScheduleConfig
from .iam import Statement, deny_insecure_transport, policy_document, service_trust_policy
from .keys import via_service
from .naming import physical_name

FAILURE_RETENTION_SECONDS = 14 * 24 * 3600
"""Failure records are kept 14 days (SQS's maximum): long enough to read after a holiday."""
KMS_DATA_KEY_REUSE_SECONDS = 300


def failed_run_pattern(cluster_arn: str, family: str) -> dict[str, object]:
    """ECS `Task State Change` events of a stopped task of `family` in the cluster that failed: a container
    exited non-zero, or the task never started (`TaskFailedToStart`: image pull, secrets, capacity)."""
    return {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "clusterArn": [cluster_arn],
            "group": [f"family:{family}"],
            "lastStatus": ["STOPPED"],
            "$or": [
                {"containers": {"exitCode": [{"anything-but": 0}]}},
                {"stopCode": ["TaskFailedToStart"]},
            ],
        },
    }


@dataclass(frozen=True, kw_only=True)
class TaskScheduleArgs:
    task: str
    """The `platform:services` key of the task."""
    schedule: TaskScheduleConfig
    aws_context: AwsContext
    cluster_arn: str
    """The cluster the task runs in (known name: the role's RunTask condition is judged at a first preview)."""
    task_definition_arn: pulumi.Input[str]
    """The current revision: each deployment points the schedule at the new one."""
    task_definition_family: str
    execution_role_arn: str
    task_role_arn: str
    """The task's two roles: the scheduler's role may pass exactly these, to ECS tasks only."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets; the task gets no public IP."""
    security_group_id: pulumi.Input[str]
    on_demand_base: int
    on_demand_weight: int
    spot_weight: int
    """The task's capacity strategy (FARGATE / FARGATE_SPOT), as for services."""
    kms_key_arn: pulumi.Input[str]
    """The stack key: the failure queue is encrypted with it."""
    execute_command: bool = False
    """ECS Exec on the started task (the cluster's setting)."""
    protect: bool = False
    """Pulumi `protect` on the failure queue (prod): its messages are the record of failed runs."""
    hold: bool = False
    """Create the schedule disabled (`platform:secretsPending`: the task reads a secret that has no value yet,
    so every run would fail). Default off."""


class TaskSchedule(pulumi.ComponentResource):
    """- A schedule group `<project>-<stack>-<task>` (its `AWS/Scheduler` metrics are this task's alone) and
      a schedule in it: cron or rate expression in its time zone, optional flexible window, RunTask on the
      cluster with the task's private subnets and security group (no public IP), the current task definition
      revision, the capacity strategy, ECS managed tags and the task definition's tags propagated.
    - Retries (`retryAttempts`, `maximumEventAgeSeconds`), then a dead-letter queue: the task's failure queue
      (SQS, stack key, TLS-only). An EventBridge rule on the default bus also sends every failed stop of the
      task's family to it (non-zero exit, or failed to start), however the run was started.
    - Its own role, trusted by EventBridge Scheduler for this account's schedule group only, allowed
      `ecs:RunTask` on the task's family in this cluster, `iam:PassRole` on exactly the task's execution and
      task roles (to ECS tasks only), `ecs:TagResource` when RunTask tags the task, and sending to the
      failure queue (with the key through SQS).
    The alarm on failed runs (failure queue not empty) is part of the monitoring plan (components/alarms.py)."""

    schedule_name: str
    schedule_group_name: str
    failure_queue_name: str
    """The queue holding a record of each failed run (the alarm watches its depth)."""
    failure_queue_url: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: TaskScheduleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:task:TaskSchedule", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        context, task = args.aws_context, args.task
        self.schedule_group_name = physical_name(task, max_length=64)
        self.schedule_name = physical_name(task, "run", max_length=64)
        self.failure_queue_name = physical_name(task, "failures", max_length=80)
        queue_arn = context.arn("sqs", self.failure_queue_name)
        rule_name = physical_name(task, "failed", max_length=64)
        rule_arn = context.arn("events", f"rule/{rule_name}")
        group_arn = context.arn("scheduler", f"schedule-group/{self.schedule_group_name}")

        group = aws.scheduler.ScheduleGroup(
            f"{name}-group", name=self.schedule_group_name, tags={"Name": self.schedule_group_name}, opts=child
        )
        queue = aws.sqs.Queue(
            f"{name}-failures",
            name=self.failure_queue_name,
            message_retention_seconds=FAILURE_RETENTION_SECONDS,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            tags={"Name": self.failure_queue_name, "Role": "dead-letter"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.failure_queue_url = queue.url
        aws.sqs.QueuePolicy(
            f"{name}-failures-policy",
            queue_url=queue.url,
            policy=policy_document(
                [
                    deny_insecure_transport(["sqs:*"], [queue_arn]),
                    Statement(
                        sid="FailedRunEventsSend",
                        actions=["sqs:SendMessage"],
                        principals={"Service": [context.service_principal("events")]},
                        resources=[queue_arn],
                        conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
                    ),
                ]
            ),
            opts=child,
        )
        rule = aws.cloudwatch.EventRule(
            f"{name}-failed",
            name=rule_name,
            description=f"Failed runs of task {task} to its failure queue",
            event_pattern=json.dumps(failed_run_pattern(args.cluster_arn, args.task_definition_family)),
            tags={"Name": rule_name},
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-failed-target", rule=rule.name, target_id="failure-queue", arn=queue.arn, opts=child
        )

        role = aws.iam.Role(
            f"{name}-role",
            name=physical_name(task, "scheduler", max_length=64),
            description=f"EventBridge Scheduler runs task {task}",
            assume_role_policy=service_trust_policy(
                context.service_principal("scheduler"), context.account_id, group_arn
            ),
            opts=child,
        )
        self.role_arn = role.arn
        policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            name="run-task-least-privilege",
            policy=policy_document(self._role_statements(args, queue_arn)),
            opts=child,
        )
        capacity = [
            aws.scheduler.ScheduleTargetEcsParametersCapacityProviderStrategyArgs(
                capacity_provider="FARGATE", base=args.on_demand_base, weight=args.on_demand_weight
            )
        ]
        if args.spot_weight:
            capacity.append(
                aws.scheduler.ScheduleTargetEcsParametersCapacityProviderStrategyArgs(
                    capacity_provider="FARGATE_SPOT", weight=args.spot_weight
                )
            )
        config = args.schedule
        window = (
            aws.scheduler.ScheduleFlexibleTimeWindowArgs(
                mode="FLEXIBLE", maximum_window_in_minutes=config.flexible_window_minutes
            )
            if config.flexible_window_minutes is not None
            else aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF")
        )
        aws.scheduler.Schedule(
            f"{name}-schedule",
            name=self.schedule_name,
            group_name=group.name,
            description=f"Runs task {task}",
            schedule_expression=config.expression,
            schedule_expression_timezone=config.timezone,
            flexible_time_window=window,
            state="ENABLED" if config.enabled and not args.hold else "DISABLED",
            target=aws.scheduler.ScheduleTargetArgs(
                arn=args.cluster_arn,
                role_arn=role.arn,
                ecs_parameters=aws.scheduler.ScheduleTargetEcsParametersArgs(
                    task_definition_arn=args.task_definition_arn,
                    task_count=1,
                    capacity_provider_strategies=capacity,
                    platform_version="LATEST",
                    network_configuration=aws.scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs(
                        subnets=list(args.subnet_ids), security_groups=[args.security_group_id], assign_public_ip=False
                    ),
                    enable_ecs_managed_tags=True,
                    propagate_tags="TASK_DEFINITION",
                    enable_execute_command=args.execute_command,
                ),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=config.retry_attempts,
                    maximum_event_age_in_seconds=config.maximum_event_age_seconds,
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=queue.arn),
            ),
            # The role's permissions first: the scheduler assumes it at the first run.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.register_outputs(
            {
                "scheduleName": self.schedule_name,
                "scheduleGroupName": self.schedule_group_name,
                "failureQueueName": self.failure_queue_name,
                "roleArn": self.role_arn,
            }
        )

    @staticmethod
    def _role_statements(args: TaskScheduleArgs, queue_arn: str) -> list[Statement]:
        """RunTask on this family only and in this cluster only; PassRole on the task's two roles only; tags on
        the tasks RunTask creates only; the failure queue only."""
        context = args.aws_context
        cluster_name = args.cluster_arn.rsplit("/", 1)[-1]
        return [
            Statement(
                sid="RunThisTask",
                actions=["ecs:RunTask"],
                resources=[context.arn("ecs", f"task-definition/{args.task_definition_family}:*")],
                conditions={"ArnEquals": {"ecs:cluster": args.cluster_arn}},
            ),
            Statement(
                sid="PassThisTasksRoles",
                actions=["iam:PassRole"],
                resources=[args.execution_role_arn, args.task_role_arn],
                conditions={"StringEquals": {"iam:PassedToService": context.service_principal("ecs-tasks")}},
            ),
            Statement(
                sid="TagTheStartedTask",
                actions=["ecs:TagResource"],
                resources=[context.arn("ecs", f"task/{cluster_name}/*")],
                conditions={"StringEquals": {"ecs:CreateAction": "RunTask"}},
            ),
            Statement(sid="RecordFailedRuns", actions=["sqs:SendMessage"], resources=[queue_arn]),
            Statement(
                sid="RecordFailedRunsKey",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[args.kms_key_arn],
                conditions=via_service(context, "sqs"),
            ),
        ]
