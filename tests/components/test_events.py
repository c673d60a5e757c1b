"""Events: a custom bus encrypted with the stack key; each rule's pattern from config, targeting its queue with
retries and the queue's DLQ for what cannot be delivered."""

from __future__ import annotations

import json

from offline.engine import StackRun

from .data_support import config_of, key_arn


def test_the_bus_is_custom_and_encrypted_with_the_stack_key(stack_run: StackRun) -> None:
    [bus] = stack_run.of_type("aws:cloudwatch/eventBus:EventBus")
    assert bus.inputs["name"] == f"platform-{stack_run.stack}-events"
    assert bus.inputs["kmsKeyIdentifier"] == key_arn(stack_run)


def test_each_rule_matches_its_configured_pattern_on_the_bus(stack_run: StackRun) -> None:
    [bus] = stack_run.of_type("aws:cloudwatch/eventBus:EventBus")
    rules = {
        r.name: r
        for r in stack_run.of_type("aws:cloudwatch/eventRule:EventRule")
        if not r.name.endswith("-schedule-failed")
    }  # a scheduled task's own rule (test_task.py)
    config = config_of(stack_run.stack).events
    assert set(rules) == {f"events-{key}" for key in config.rules}
    for key, rule_config in config.rules.items():
        rule = rules[f"events-{key}"].inputs
        assert rule["eventBusName"] == bus.outputs["name"]
        assert json.loads(rule["eventPattern"]) == rule_config.event_pattern
        assert rule["state"] == "ENABLED"
    assert json.loads(rules["events-order-created"].inputs["eventPattern"]) == {
        "detail-type": ["order.created"],
        "source": ["app.orders"],
    }


def test_rules_deliver_to_their_queue_with_retries_and_the_queue_dlq_as_fallback(stack_run: StackRun) -> None:
    [target] = [t for t in stack_run.of_type("aws:cloudwatch/eventTarget:EventTarget") if t.name.startswith("events-")]
    rule = stack_run.named("events-order-created")
    assert target.inputs["rule"] == rule.outputs["name"]
    assert target.inputs["eventBusName"] == f"platform-{stack_run.stack}-events"
    assert target.inputs["arn"] == stack_run.named("queue-jobs-queue").outputs["arn"]
    assert target.inputs["deadLetterConfig"] == {"arn": stack_run.named("queue-jobs-dlq").outputs["arn"]}
    assert target.inputs["retryPolicy"] == {"maximumRetryAttempts": 185, "maximumEventAgeInSeconds": 86_400}
    assert "roleArn" not in target.inputs  # SQS targets are authorised by the queue policy, not a role
