"""Queue: an SQS queue with its dead-letter queue, both KMS-encrypted and TLS-only, and the grants that let a
service consume from it or send to it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import DLQ_RETENTION_SECONDS, QueueConfig
from .grants import statement_id, unknown_access
from .iam import Statement, deny_insecure_transport, policy_document
from .keys import via_service
from .naming import physical_name

CONSUME_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)
SEND_ACTIONS = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage")
KMS_DATA_KEY_REUSE_SECONDS = 300
"""How long SQS reuses a data key before asking KMS again. Default 5 minutes (SQS's): fewer KMS calls."""


@dataclass(frozen=True, kw_only=True)
class QueueArgs:
    name: str
    """Short name (the `platform:queues` key); queues `<project>-<stack>-<name>` and `...-<name>-dlq`."""
    config: QueueConfig
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: both queues encrypt their messages with it."""
    event_rule_arns: Sequence[str] = ()
    """EventBridge rules allowed to send to this queue (and, for events they fail to deliver, to its DLQ).
    Each is admitted by `aws:SourceArn`, nothing else. Empty: no one but granted roles can send."""
    protect: bool = False
    """Pulumi `protect` on both queues (prod): deleting or replacing a queue loses the messages in it, and
    the DLQ holds exactly the jobs that failed and still need a look."""


class Queue(pulumi.ComponentResource):
    """SQS queue and dead-letter queue. Messages move to the DLQ after `maxReceiveCount` receives; the DLQ keeps
    them 14 days and accepts redrives only from this queue. Both are SSE-KMS with the stack key, and each has
    one policy: deny any request not over TLS, and admit the event rules that target the queue (by their
    ARN) as the only other senders."""

    queue_name: pulumi.Output[str]
    """Queue name (worker config, CloudWatch's QueueName dimension)."""
    url: pulumi.Output[str]
    """Queue URL (what SDKs send to and receive from)."""
    arn: pulumi.Output[str]
    dlq_name: pulumi.Output[str]
    """Dead-letter queue name (alarms on its depth)."""
    dlq_url: pulumi.Output[str]
    dlq_arn: pulumi.Output[str]

    def __init__(self, name: str, args: QueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:queue:Queue", name, None, opts)
        self._args = args
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        suffix = ".fifo" if config.fifo else ""
        context = args.aws_context
        dlq_name = physical_name(args.name, "dlq", max_length=80 - len(suffix)) + suffix
        queue_name = physical_name(args.name, max_length=80 - len(suffix)) + suffix
        # ARNs known before the queues exist: the redrive and queue policies are then fully known at a first
        # preview, so the policy pack judges them there and not only on `pulumi up`.
        dlq_arn, queue_arn = (context.arn("sqs", n) for n in (dlq_name, queue_name))
        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            name=dlq_name,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            tags={"Name": physical_name(args.name, "dlq"), "Role": "dead-letter"},
            fifo_queue=config.fifo,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        queue = aws.sqs.Queue(
            f"{name}-queue",
            name=queue_name,
            visibility_timeout_seconds=config.visibility_timeout_seconds,
            message_retention_seconds=config.message_retention_seconds,
            receive_wait_time_seconds=config.receive_wait_time_seconds,
            delay_seconds=config.delay_seconds,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            redrive_policy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": config.max_receive_count}),
            tags={"Name": physical_name(args.name)},
            fifo_queue=config.fifo,
            # SQS checks that the redrive target exists: the DLQ first (its ARN above is only a string).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[dlq], protect=args.protect),
        )
        aws.sqs.RedriveAllowPolicy(
            f"{name}-dlq-redrive-allow",
            queue_url=dlq.url,
            redrive_allow_policy=json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn]}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[queue]),
        )
        for target, arn, label in ((queue, queue_arn, "queue"), (dlq, dlq_arn, "dlq")):
            aws.sqs.QueuePolicy(
                f"{name}-{label}-policy",
                queue_url=target.url,
                policy=policy_document(self._resource_policy(arn)),
                opts=child,
            )
        self.queue_name, self.url, self.arn = queue.name, queue.url, queue.arn
        self.dlq_name, self.dlq_url, self.dlq_arn = dlq.name, dlq.url, dlq.arn
        self.register_outputs(
            {
                "queueName": self.queue_name,
                "url": self.url,
                "arn": self.arn,
                "dlqName": self.dlq_name,
                "dlqUrl": self.dlq_url,
                "dlqArn": self.dlq_arn,
            }
        )

    def _resource_policy(self, arn: str) -> list[Statement]:
        statements = [deny_insecure_transport(["sqs:*"], [arn])]
        if self._args.event_rule_arns:
            statements.append(
                Statement(
                    sid="EventRulesSend",
                    actions=["sqs:SendMessage"],
                    principals={"Service": [self._args.aws_context.service_principal("events")]},
                    resources=[arn],
                    conditions={"ArnEquals": {"aws:SourceArn": list(self._args.event_rule_arns)}},
                )
            )
        return statements

    def grant(self, access: str) -> list[Statement]:
        """`consume`: ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl
        on the queue, and kms:Decrypt on the stack key through SQS only. `send`: SendMessage,
        GetQueueAttributes, GetQueueUrl, and kms:GenerateDataKey + kms:Decrypt through SQS only. Neither
        reaches the dead-letter queue: redriving it is an operator's job."""
        if access not in ("consume", "send"):
            raise unknown_access("queues", self._args.name, access)
        consume = access == "consume"
        return [
            Statement(
                sid=statement_id("queue", self._args.name, access),
                actions=CONSUME_ACTIONS if consume else SEND_ACTIONS,
                resources=[self.arn],
            ),
            Statement(
                sid=statement_id("queue", self._args.name, "key"),
                actions=["kms:Decrypt"] if consume else ["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self._args.kms_key_arn],
                conditions=via_service(self._args.aws_context, "sqs"),
            ),
        ]
