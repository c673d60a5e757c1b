"""Notification targets of the alarm topic beside email: HTTPS endpoints (PagerDuty, Opsgenie) and a Slack
channel through AWS Chatbot."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.observability import AlarmsConfig
from .iam import Statement, policy_document
from .naming import physical_name

CHATBOT_GUARDRAIL = "CloudWatchReadOnlyAccess"
"""The channel guardrail: whatever the Chatbot role could do, people in the channel can at most read
CloudWatch (AWS-managed policy)."""


def notification_targets(
    parent: pulumi.Resource, name: str, topic_arn: pulumi.Input[str], alarms: AlarmsConfig, context: AwsContext
) -> None:
    """Subscribe every `alarms.httpsEndpoints` entry (HTTPS; PagerDuty and Opsgenie confirm automatically) and
    the Slack channel of `alarms.slack` (an AWS Chatbot channel configuration whose role has no permissions:
    it only relays the topic's notifications; channel members are held to CloudWatch read-only)."""
    child = pulumi.ResourceOptions(parent=parent)
    for index, endpoint in enumerate(alarms.https_endpoints):
        aws.sns.TopicSubscription(
            f"{name}-alarm-https-{index}",
            topic=topic_arn,
            protocol="https",
            endpoint=endpoint,
            endpoint_auto_confirms=True,
            opts=child,
        )
    if alarms.slack is None:
        return
    role = aws.iam.Role(
        f"{name}-chatbot-role",
        name=physical_name("chatbot", max_length=64),
        description="AWS Chatbot: relays the alarm topic to Slack; no permissions of its own",
        assume_role_policy=policy_document(
            [
                Statement(
                    sid="TrustChatbot",
                    actions=["sts:AssumeRole"],
                    principals={"Service": [context.service_principal("chatbot")]},
                )
            ]
        ),
        tags={"Name": physical_name("chatbot")},
        opts=child,
    )
    aws.chatbot.SlackChannelConfiguration(
        f"{name}-slack",
        configuration_name=physical_name("alarms", max_length=128),
        iam_role_arn=role.arn,
        slack_team_id=alarms.slack.workspace_id,
        slack_channel_id=alarms.slack.channel_id,
        sns_topic_arns=[topic_arn],
        logging_level="ERROR",
        user_authorization_required=True,
        guardrail_policy_arns=[f"arn:{context.partition}:iam::aws:policy/{CHATBOT_GUARDRAIL}"],
        tags={"Name": physical_name("alarms")},
        opts=child,
    )
