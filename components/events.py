"""Events: the stack's custom EventBridge bus and the rules that route its events to queues."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import EventsConfig
from .grants import statement_id, unknown_access
from .iam import Statement
from .naming import physical_name
from .queue import Queue


def bus_name() -> str:
    """Physical name of the stack's bus, known before it exists (the key policy and queue policies name it)."""
    return physical_name("events")


def rule_name(key: str) -> str:
    """Physical name of the rule `platform:events.rules.<key>`."""
    return physical_name(key, max_length=64)


def rule_arn(context: AwsContext, key: str) -> str:
    """ARN of a rule on the stack's bus, known before the rule exists: a queue's policy admits exactly the rules
    that target it, without waiting for them (the rules depend on the queues, not the other way round)."""
    return context.arn("events", f"rule/{bus_name()}/{rule_name(key)}")


@dataclass(frozen=True, kw_only=True)
class EventsArgs:
    config: EventsConfig
    """The validated `platform:events` section (every rule's queue exists and is a standard queue)."""
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: events at rest on the bus, rule patterns and targets are encrypted with it (EventBridge
    uses it under its own key-policy statement, scoped to this bus)."""
    queues: Mapping[str, Queue]
    """The stack's queues by config name: rule targets."""


class Events(pulumi.ComponentResource):
    """A custom EventBridge bus encrypted with the stack key, and one rule per `platform:events.rules` entry
    sending matching events to its queue. Delivery is retried per the rule's retry policy; events that still
    fail go to the target queue's dead-letter queue (whose policy admits that rule), never silently dropped."""

    bus_name: pulumi.Output[str]
    """Bus name (what services pass as EventBusName to PutEvents)."""
    bus_arn: pulumi.Output[str]
    rule_names: dict[str, pulumi.Output[str]]
    """Rule names by config key."""

    def __init__(self, name: str, args: EventsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:events:Events", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bus = aws.cloudwatch.EventBus(
            f"{name}-bus",
            name=bus_name(),
            kms_key_identifier=args.kms_key_arn,
            description=f"{physical_name()}: application events",
            tags={"Name": bus_name()},
            opts=child,
        )
        self.bus_name, self.bus_arn = bus.name, bus.arn
        self.rule_names = {}
        for key, rule_config in args.config.rules.items():
            queue = args.queues[rule_config.queue]
            rule = aws.cloudwatch.EventRule(
                f"{name}-{key}",
                name=rule_name(key),
                event_bus_name=bus.name,
                description=rule_config.description or f"{key}: to queue {rule_config.queue}",
                event_pattern=json.dumps(rule_config.event_pattern, sort_keys=True),
                state="ENABLED" if rule_config.enabled else "DISABLED",
                tags={"Name": rule_name(key)},
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{key}-target",
                rule=rule.name,
                event_bus_name=bus.name,
                target_id=f"queue-{rule_config.queue}",
                arn=queue.arn,
                retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                    maximum_retry_attempts=rule_config.maximum_retry_attempts,
                    maximum_event_age_in_seconds=rule_config.maximum_event_age_seconds,
                ),
                dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=queue.dlq_arn),
                opts=child,
            )
            self.rule_names[key] = rule.name
        self.register_outputs({"busName": self.bus_name, "busArn": self.bus_arn, "ruleNames": self.rule_names})

    def grant(self, access: str) -> list[Statement]:
        """`publish`: events:PutEvents on this bus only. No KMS action: EventBridge encrypts the events it
        stores under its own key-policy statement (scoped to this bus), not with the caller's permissions."""
        if access != "publish":
            raise unknown_access("events", "bus", access)
        return [
            Statement(
                sid=statement_id("event", "bus", "publish"), actions=["events:PutEvents"], resources=[self.bus_arn]
            )
        ]
