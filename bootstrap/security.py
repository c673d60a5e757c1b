"""SecurityBaseline: the account's detective controls, each on for the region the stack runs in.

- GuardDuty: a detector (findings every 15 minutes) with S3 protection (`S3_DATA_EVENTS`, a
  `DetectorFeature`: the detector's `datasources` block is deprecated in pulumi-aws 7);
- Security Hub with consolidated control findings, new controls enabled automatically, no default standards
  (so the two below are the only ones, and owned by this stack): AWS Foundational Security Best Practices
  v1.0.0 and CIS AWS Foundations Benchmark v3.0.0. Both ARNs are regional
  (`arn:<partition>:securityhub:<region>::standards/...`); only CIS v1.2.0 used the global `ruleset/` form;
- AWS Config: a recorder of every supported resource type (global ones included) with its own role (the
  AWS-managed `AWS_ConfigRole` plus delivery to the audit bucket), a delivery channel to the audit bucket
  (prefix `config`, SSE-KMS with the audit key, daily snapshots) and the recorder turned on (its status
  resource, after the channel exists: Config refuses to start without one);
- IAM Access Analyzer for the account: findings for anything shared outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import Statement, policy_document, service_trust_policy
from components.keys import via_service
from components.naming import physical_name

CONFIG_PREFIX = "config"
STANDARDS = {
    "foundational": "standards/aws-foundational-security-best-practices/v/1.0.0",
    "cis": "standards/cis-aws-foundations-benchmark/v/3.0.0",
}
"""Security Hub standards by short name -> the ARN's resource part."""


def standards_arn(context: AwsContext, resource: str) -> str:
    """`arn:<partition>:securityhub:<region>::<resource>`: standards ARNs carry a region, no account."""
    return f"arn:{context.partition}:securityhub:{context.region}::{resource}"


@dataclass(frozen=True, kw_only=True)
class SecurityBaselineArgs:
    aws_context: AwsContext
    audit_bucket_name: pulumi.Input[str]
    audit_bucket_arn: pulumi.Input[str]
    audit_key_arn: pulumi.Input[str]


class SecurityBaseline(pulumi.ComponentResource):
    """GuardDuty with S3 protection, Security Hub with FSBP and CIS, AWS Config, IAM Access Analyzer."""

    detector_id: pulumi.Output[str]

    def __init__(self, name: str, args: SecurityBaselineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:account:SecurityBaseline", name, None, opts)
        context = args.aws_context
        child = pulumi.ResourceOptions(parent=self)
        detector = aws.guardduty.Detector(
            f"{name}-guardduty",
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            tags={"Name": physical_name("guardduty")},
            opts=child,
        )
        aws.guardduty.DetectorFeature(
            f"{name}-guardduty-s3", detector_id=detector.id, name="S3_DATA_EVENTS", status="ENABLED", opts=child
        )
        hub = aws.securityhub.Account(
            f"{name}-security-hub",
            enable_default_standards=False,
            auto_enable_controls=True,
            control_finding_generator="SECURITY_CONTROL",
            opts=child,
        )
        for short, resource in STANDARDS.items():
            aws.securityhub.StandardsSubscription(
                f"{name}-standard-{short}",
                standards_arn=standards_arn(context, resource),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
            )
        role = aws.iam.Role(
            f"{name}-config-role",
            name=physical_name("config"),
            description="AWS Config records the account's resources and delivers to the audit bucket",
            assume_role_policy=service_trust_policy(context.service_principal("config"), context.account_id),
            tags={"Name": physical_name("config")},
            opts=child,
        )
        managed = aws.iam.RolePolicyAttachment(
            f"{name}-config-managed",
            role=role.name,
            policy_arn=f"arn:{context.partition}:iam::aws:policy/service-role/AWS_ConfigRole",
            opts=child,
        )
        delivery = aws.iam.RolePolicy(
            f"{name}-config-delivery",
            role=role.id,
            name="deliver-to-audit-bucket",
            policy=policy_document(config_delivery_statements(args)),
            opts=child,
        )
        recorder = aws.cfg.Recorder(
            f"{name}-config-recorder",
            name=physical_name("config"),
            role_arn=role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(all_supported=True, include_global_resource_types=True),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[managed, delivery]),
        )
        channel = aws.cfg.DeliveryChannel(
            f"{name}-config-channel",
            name=physical_name("config"),
            s3_bucket_name=args.audit_bucket_name,
            s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=args.audit_key_arn,
            snapshot_delivery_properties=aws.cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs(
                delivery_frequency="TwentyFour_Hours"
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[recorder]),
        )
        aws.cfg.RecorderStatus(
            f"{name}-config-status",
            name=recorder.name,
            is_enabled=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[channel]),
        )
        aws.accessanalyzer.Analyzer(
            f"{name}-access-analyzer",
            analyzer_name=physical_name("access"),
            type="ACCOUNT",
            tags={"Name": physical_name("access")},
            opts=child,
        )
        self.detector_id = detector.id
        self.register_outputs({"detectorId": self.detector_id})


def config_delivery_statements(args: SecurityBaselineArgs) -> list[Statement]:
    """The Config role's delivery: GetBucketAcl on the bucket, PutObject under `config/AWSLogs/<account>/`,
    and the audit key's GenerateDataKey/Decrypt through S3 only."""
    context = args.aws_context
    objects = pulumi.Output.concat(args.audit_bucket_arn, f"/{CONFIG_PREFIX}/AWSLogs/{context.account_id}/*")
    return [
        Statement(sid="BucketAcl", actions=["s3:GetBucketAcl"], resources=[args.audit_bucket_arn]),
        Statement(
            sid="Deliver",
            actions=["s3:PutObject"],
            resources=[objects],
            conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        ),
        Statement(
            sid="AuditKey",
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=[args.audit_key_arn],
            conditions=via_service(context, "s3"),
        ),
    ]
