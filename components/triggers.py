"""Triggers of a function: what invokes its `live` alias, each with exactly the permission it needs.

- queues: an SQS event source mapping (batch size, batching window, maximum concurrency), partial batch
  failures reported (`ReportBatchItemFailures`); the function's role consumes the queue (its grant).
- events: an EventBridge rule on the stack's bus targeting the alias, with retries and the function's failure
  queue as the target's dead-letter queue; a Lambda permission for `events.amazonaws.com` with the rule's ARN
  as source ARN (no other rule can invoke it).
- schedules: an EventBridge Scheduler schedule (cron/rate/at, time zone, flexible window, retries, the
  failure queue as DLQ) with its own role, trusted by `scheduler.amazonaws.com` for this schedule only and
  allowed `lambda:InvokeFunction` on this function's alias only (plus sending to the DLQ).
- http: a Lambda target group attached to the alias, a listener rule on the ALB forwarding to it, and a
  permission for `elasticloadbalancing.amazonaws.com` with the target group's ARN as source ARN.
- url: a function URL with `AWS_IAM` auth (callers sign; never `NONE`).

Names and ARNs the platform chooses itself are plain strings (rule and schedule ARNs), so the permissions and
policies naming them are known at a first preview, where the policy pack can judge them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.functions import FunctionConfig
from .events import bus_name
from .grants import require_store
from .iam import Statement, policy_document, service_trust_policy
from .keys import via_service
from .naming import physical_name

if TYPE_CHECKING:
    from .function import Function, FunctionArgs

INVOKE = "lambda:InvokeFunction"


def event_rule_name(function: str, rule: str) -> str:
    return physical_name(function, rule, max_length=64)


def event_rule_arns(context: AwsContext, config: FunctionConfig, function: str) -> list[str]:
    """ARNs of the function's event rules on the stack bus, known before they exist."""
    return [
        context.arn("events", f"rule/{bus_name()}/{event_rule_name(function, rule)}") for rule in config.triggers.events
    ]


def schedule_name(function: str, schedule: str) -> str:
    return physical_name(function, schedule, max_length=64)


def wire_triggers(function: Function, args: FunctionArgs) -> None:
    """Every configured trigger of `function`, parented to it."""
    triggers = args.config.triggers
    for queue, trigger in triggers.queues.items():
        _queue(function, args, queue, trigger)
    for rule, trigger in triggers.events.items():
        _event_rule(function, args, rule, trigger)
    for schedule, trigger in triggers.schedules.items():
        _schedule(function, args, schedule, trigger)
    if triggers.http is not None:
        _http(function, args)
    if triggers.url is not None:
        aws.lambda_.FunctionUrl(
            f"{function.name}-url",
            function_name=function.function.name,
            qualifier=function.alias.name,
            authorization_type=triggers.url.auth,
            opts=pulumi.ResourceOptions(parent=function),
        )


def _queue(function: Function, args: FunctionArgs, queue: str, trigger: object) -> None:
    from .config.functions import QueueTriggerConfig

    assert isinstance(trigger, QueueTriggerConfig)
    store = require_store(args.data_stores.queues.get(queue), f"queue {queue}", f"function {function.key}")
    aws.lambda_.EventSourceMapping(
        f"{function.name}-from-{queue}",
        event_source_arn=store.arn,
        function_name=function.alias.arn,
        batch_size=trigger.batch_size,
        maximum_batching_window_in_seconds=trigger.batching_window_seconds or None,
        function_response_types=["ReportBatchItemFailures"],
        scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=trigger.maximum_concurrency)
        if trigger.maximum_concurrency
        else None,
        tags={"Name": physical_name(function.key, "from", queue)},
        opts=pulumi.ResourceOptions(parent=function, depends_on=[function.alias]),
    )


def _event_rule(function: Function, args: FunctionArgs, rule: str, trigger: object) -> None:
    from .config.functions import EventTriggerConfig

    assert isinstance(trigger, EventTriggerConfig)
    if args.event_bus_name is None:
        raise ValueError(f"function {function.key}: triggers.events needs the stack's event bus")
    name = event_rule_name(function.key, rule)
    rule_arn = args.aws_context.arn("events", f"rule/{bus_name()}/{name}")
    child = pulumi.ResourceOptions(parent=function)
    event_rule = aws.cloudwatch.EventRule(
        f"{function.name}-{rule}-rule",
        name=name,
        event_bus_name=args.event_bus_name,
        description=trigger.description or f"{rule}: to function {function.key}",
        event_pattern=json.dumps(trigger.event_pattern, sort_keys=True),
        state="ENABLED" if trigger.enabled else "DISABLED",
        tags={"Name": name},
        opts=child,
    )
    permission = aws.lambda_.Permission(
        f"{function.name}-{rule}-invoke",
        action=INVOKE,
        function=function.function.name,
        qualifier=function.alias.name,
        principal=args.aws_context.service_principal("events"),
        source_arn=rule_arn,
        source_account=args.aws_context.account_id,
        opts=child,
    )
    assert function.failure_queue_arn is not None  # asynchronous triggers always get one
    aws.cloudwatch.EventTarget(
        f"{function.name}-{rule}-target",
        rule=event_rule.name,
        event_bus_name=args.event_bus_name,
        target_id=f"function-{function.key}",
        arn=function.alias.arn,
        retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
            maximum_retry_attempts=185, maximum_event_age_in_seconds=86_400
        ),
        dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=function.failure_queue_arn),
        opts=pulumi.ResourceOptions(parent=function, depends_on=[permission]),
    )


def _schedule(function: Function, args: FunctionArgs, schedule: str, trigger: object) -> None:
    from .config.functions import ScheduleTriggerConfig

    assert isinstance(trigger, ScheduleTriggerConfig)
    context = args.aws_context
    name = schedule_name(function.key, schedule)
    schedule_arn = context.arn("scheduler", f"schedule/default/{name}")
    assert function.failure_queue_arn is not None  # asynchronous triggers always get one
    role = aws.iam.Role(
        f"{function.name}-{schedule}-scheduler-role",
        name=physical_name(function.key, schedule, "sched", max_length=64),
        description=f"EventBridge Scheduler: schedule {name} invokes function {function.key}",
        assume_role_policy=service_trust_policy(
            context.service_principal("scheduler"), context.account_id, schedule_arn
        ),
        tags={"Name": physical_name(function.key, schedule, "sched")},
        opts=pulumi.ResourceOptions(parent=function),
    )
    policy = aws.iam.RolePolicy(
        f"{function.name}-{schedule}-scheduler-policy",
        role=role.id,
        name="invoke-one-function",
        policy=policy_document(
            [
                Statement(sid="InvokeTheFunction", actions=[INVOKE], resources=[function.alias.arn]),
                Statement(sid="SendUndelivered", actions=["sqs:SendMessage"], resources=[function.failure_queue_arn]),
                Statement(
                    sid="FailureQueueKey",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[args.kms_key_arn],
                    conditions=via_service(context, "sqs"),
                ),
            ]
        ),
        opts=pulumi.ResourceOptions(parent=function),
    )
    window = (
        aws.scheduler.ScheduleFlexibleTimeWindowArgs(
            mode="FLEXIBLE", maximum_window_in_minutes=trigger.flexible_window_minutes
        )
        if trigger.flexible_window_minutes
        else aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF")
    )
    aws.scheduler.Schedule(
        f"{function.name}-{schedule}-schedule",
        name=name,
        group_name="default",
        description=f"{schedule}: invokes function {function.key}",
        schedule_expression=trigger.expression,
        schedule_expression_timezone=trigger.timezone,
        flexible_time_window=window,
        state="ENABLED" if trigger.enabled else "DISABLED",
        target=aws.scheduler.ScheduleTargetArgs(
            arn=function.alias.arn,
            role_arn=role.arn,
            input=json.dumps(trigger.input, sort_keys=True) if trigger.input is not None else None,
            retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                maximum_retry_attempts=trigger.retry_attempts,
                maximum_event_age_in_seconds=trigger.maximum_event_age_seconds,
            ),
            dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=function.failure_queue_arn),
        ),
        # Scheduler checks the role when the schedule is created: its policy first.
        opts=pulumi.ResourceOptions(parent=function, depends_on=[policy]),
    )


def _http(function: Function, args: FunctionArgs) -> None:
    routing, lb = args.config.triggers.http, args.load_balancer
    if lb is None or routing is None:
        raise ValueError(f"function {function.key}: triggers.http needs the stack's load balancer")
    child = pulumi.ResourceOptions(parent=function)
    target_group = aws.lb.TargetGroup(
        f"{function.name}-tg",
        name=physical_name(function.key, "fn", max_length=32),
        target_type="lambda",
        health_check=aws.lb.TargetGroupHealthCheckArgs(enabled=False),
        tags={"Name": physical_name(function.key, "fn")},
        opts=child,
    )
    permission = aws.lambda_.Permission(
        f"{function.name}-alb-invoke",
        action=INVOKE,
        function=function.function.name,
        qualifier=function.alias.name,
        principal=args.aws_context.service_principal("elasticloadbalancing"),
        source_arn=target_group.arn,
        opts=child,
    )
    aws.lb.TargetGroupAttachment(
        f"{function.name}-tg-attachment",
        target_group_arn=target_group.arn,
        target_id=function.alias.arn,
        # ELB checks it may invoke the function when the target registers.
        opts=pulumi.ResourceOptions(parent=function, depends_on=[permission]),
    )
    conditions = []
    if routing.paths:
        conditions.append(
            aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=routing.paths)
            )
        )
    if routing.hosts:
        conditions.append(
            aws.lb.ListenerRuleConditionArgs(
                host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=routing.hosts)
            )
        )
    aws.lb.ListenerRule(
        f"{function.name}-rule",
        listener_arn=lb.listener_arn,
        priority=routing.priority,
        conditions=conditions,
        actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
        tags={"Name": physical_name(function.key, "fn")},
        opts=child,
    )
    function.target_group_arn_suffix = target_group.arn_suffix
