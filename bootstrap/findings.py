"""FindingsAlerts: the findings that need a person, sent to the owners by email.

- an SNS topic encrypted with the audit key (the key policy lets EventBridge use it through SNS only);
- EventBridge rules for GuardDuty findings of severity 7 or more (high and critical) and for new, active
  Security Hub findings labelled HIGH or CRITICAL (which include failed FSBP and CIS controls);
- the topic's policy lets only those two rules publish (`aws:SourceArn`);
- one email subscription per owner (each address confirms once: SNS sends a confirmation link).

Everything else stays in the consoles (GuardDuty, Security Hub, Access Analyzer), where it is reviewed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import Statement, policy_document
from components.naming import physical_name

PATTERNS: dict[str, dict[str, object]] = {
    "guardduty": {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 7]}]},
    },
    "securityhub": {
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {
            "findings": {
                "Severity": {"Label": ["HIGH", "CRITICAL"]},
                "Workflow": {"Status": ["NEW"]},
                "RecordState": ["ACTIVE"],
            }
        },
    },
}
"""Rule short name -> EventBridge event pattern."""


@dataclass(frozen=True, kw_only=True)
class FindingsAlertsArgs:
    aws_context: AwsContext
    key_arn: pulumi.Input[str]
    """The audit key: its policy allows EventBridge through SNS (audit.py `audit_key_policy`)."""
    emails: Sequence[str]


class FindingsAlerts(pulumi.ComponentResource):
    """GuardDuty and Security Hub findings of high and critical severity, by email to the owners."""

    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: FindingsAlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:account:FindingsAlerts", name, None, opts)
        context = args.aws_context
        child = pulumi.ResourceOptions(parent=self)
        topic_name = physical_name("security-findings")
        topic = aws.sns.Topic(
            f"{name}-topic",
            name=topic_name,
            display_name=f"{physical_name()} security findings",
            kms_master_key_id=args.key_arn,
            tags={"Name": topic_name},
            opts=child,
        )
        rule_arns = [context.arn("events", f"rule/{physical_name('findings', short)}") for short in PATTERNS]
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=topic.arn,
            policy=policy_document(
                [
                    Statement(
                        sid="FindingRulesPublish",
                        actions=["sns:Publish"],
                        resources=[context.arn("sns", topic_name)],
                        principals={"Service": [context.service_principal("events")]},
                        conditions={"ArnEquals": {"aws:SourceArn": rule_arns}},
                    )
                ]
            ),
            opts=child,
        )
        for short, pattern in PATTERNS.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{short}",
                name=physical_name("findings", short),
                description=f"High and critical {short} findings to the owners",
                event_pattern=json.dumps(pattern),
                tags={"Name": physical_name("findings", short)},
                opts=child,
            )
            aws.cloudwatch.EventTarget(f"{name}-{short}-to-topic", rule=rule.name, arn=topic.arn, opts=child)
        for index, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{index}", topic=topic.arn, protocol="email", endpoint=email, opts=child
            )
        self.topic_arn = topic.arn
        self.register_outputs({"topicArn": self.topic_arn})
