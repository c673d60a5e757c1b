"""Queue: SQS queue + DLQ, both with the stack key, redrive after maxReceiveCount, a DLQ that keeps 14 days and
takes redrives only from its queue, and one TLS-only policy per queue admitting only the rules that target it."""

from __future__ import annotations

import json

from offline.engine import StackRun

from .data_support import config_of, key_arn, statements
from .variants import dev_stores_run


def test_each_queue_has_a_dead_letter_queue_reached_after_max_receive_count(stack_run: StackRun) -> None:
    for name, config in config_of(stack_run.stack).queues.items():
        queue = stack_run.named(f"queue-{name}-queue")
        dlq = stack_run.named(f"queue-{name}-dlq")
        assert queue.inputs["name"] == f"platform-{stack_run.stack}-{name}"
        assert dlq.inputs["name"] == f"platform-{stack_run.stack}-{name}-dlq"
        assert json.loads(queue.inputs["redrivePolicy"]) == {
            "deadLetterTargetArn": dlq.outputs["arn"],
            "maxReceiveCount": config.max_receive_count,
        }
        assert dlq.inputs["messageRetentionSeconds"] == 1_209_600
        assert "redrivePolicy" not in dlq.inputs


def test_queue_timeouts_and_retention_come_from_config(stack_runs: dict[str, StackRun]) -> None:
    expected = {"dev": (120, 5), "staging": (300, 5), "prod": (300, 3)}
    for stack, (visibility, receives) in expected.items():
        queue = stack_runs[stack].named("queue-jobs-queue").inputs
        assert (queue["visibilityTimeoutSeconds"], json.loads(queue["redrivePolicy"])["maxReceiveCount"]) == (
            visibility,
            receives,
        ), stack
        assert (queue["messageRetentionSeconds"], queue["receiveWaitTimeSeconds"]) == (345_600, 20)


def test_both_queues_are_encrypted_with_the_stack_key(stack_run: StackRun) -> None:
    arn = key_arn(stack_run)
    for queue in stack_run.of_type("aws:sqs/queue:Queue"):
        assert queue.inputs["kmsMasterKeyId"] == arn, queue.name
        assert "sqsManagedSseEnabled" not in queue.inputs


def test_the_dlq_accepts_redrives_from_its_own_queue_only(stack_run: StackRun) -> None:
    for name in config_of(stack_run.stack).queues:
        allow = stack_run.named(f"queue-{name}-dlq-redrive-allow")
        assert allow.inputs["queueUrl"] == stack_run.named(f"queue-{name}-dlq").outputs["url"]
        assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
            "redrivePermission": "byQueue",
            "sourceQueueArns": [stack_run.named(f"queue-{name}-queue").outputs["arn"]],
        }


def test_queue_policies_deny_non_tls_and_admit_only_the_rule_that_targets_them(stack_run: StackRun) -> None:
    [rule] = [r for r in stack_run.of_type("aws:cloudwatch/eventRule:EventRule") if r.name.startswith("events-")]
    for label in ("queue", "dlq"):
        queue = stack_run.named(f"queue-jobs-{label}")
        policy = stack_run.named(f"queue-jobs-{label}-policy")
        assert policy.inputs["queueUrl"] == queue.outputs["url"]
        assert statements(policy) == {
            "DenyInsecureTransport": {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["sqs:*"],
                "Resource": [queue.outputs["arn"]],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            "EventRulesSend": {
                "Sid": "EventRulesSend",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com"]},
                "Action": ["sqs:SendMessage"],
                "Resource": [queue.outputs["arn"]],
                # the rule's real ARN, though the policy was written before the rule existed
                "Condition": {"ArnEquals": {"aws:SourceArn": [rule.outputs["arn"]]}},
            },
        }


def test_a_queue_no_rule_targets_takes_messages_from_granted_roles_only() -> None:
    run = dev_stores_run()  # dev's queues and `reports`, which no event rule targets
    for label in ("queue", "dlq"):
        policy = run.named(f"queue-reports-{label}-policy")
        assert list(statements(policy)) == ["DenyInsecureTransport"]
    assert list(statements(run.named("queue-jobs-queue-policy"))) == ["DenyInsecureTransport", "EventRulesSend"]


def test_queue_and_bucket_policies_are_fully_known_at_a_first_preview(preview_runs: dict[str, StackRun]) -> None:
    """Their ARNs are built from known names, so the policy pack judges them at preview, not only on `up`."""
    from offline.engine import UNKNOWN

    for stack, run in preview_runs.items():
        documents = [
            *run.of_type("aws:sqs/queuePolicy:QueuePolicy", "aws:s3/bucketPolicy:BucketPolicy"),
            *run.of_type("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"),
        ]
        assert documents, stack
        for resource in documents:
            field = "redriveAllowPolicy" if "redriveAllow" in resource.type else "policy"
            assert UNKNOWN not in resource.inputs[field], (stack, resource.name)
        for queue in run.of_type("aws:sqs/queue:Queue"):
            assert UNKNOWN not in queue.inputs.get("redrivePolicy", ""), (stack, queue.name)


def test_the_queue_waits_for_its_dlq_which_its_redrive_policy_names(stack_run: StackRun) -> None:
    assert stack_run.named("queue-jobs-dlq").urn in stack_run.named("queue-jobs-queue").dependencies


def test_prod_queues_and_their_dlqs_are_protected_and_dev_ones_are_not(stack_runs: dict[str, StackRun]) -> None:
    prod = stack_runs["prod"].of_type("aws:sqs/queue:Queue")
    dev = stack_runs["dev"].of_type("aws:sqs/queue:Queue")
    assert prod and all(q.protect for q in prod)
    assert dev and not any(q.protect for q in dev)
