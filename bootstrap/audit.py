"""AuditTrail: the account's CloudTrail, and the encrypted bucket that AWS Config delivers to as well.

- a customer-managed KMS key for the audit logs (rotated yearly, protected), whose policy lets CloudTrail
  encrypt this account's trails' logs (`kms:EncryptionContext:aws:cloudtrail:arn`, `aws:SourceArn` of the
  trail) and CloudWatch Logs encrypt this account's log groups;
- the audit bucket: the platform's `Bucket` (all public access blocked, ACLs off, versioned, SSE-KMS with the
  audit key, TLS-only, protected) whose lifecycle expires log files after `object_days`; its policy lets
  CloudTrail (only this trail, `aws:SourceArn`) and AWS Config (only this account, `aws:SourceAccount`) write
  under `AWSLogs/<account>/`;
- a CloudWatch Logs copy (`/platform-bootstrap/<stack>/cloudtrail`, KMS, `retention_days`) written by a role
  CloudTrail alone may assume for this trail;
- the trail: every region (`is_multi_region_trail`), global service events, log file validation (SHA-256
  digest files: a deleted or edited log file is detectable), KMS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.bucket import Bucket, BucketArgs
from components.iam import Statement, policy_document, service_trust_policy
from components.keys import KEY_POLICY_RESOURCE, account_root_statement, symmetric_key
from components.naming import path_name, physical_name


@dataclass(frozen=True, kw_only=True)
class AuditTrailArgs:
    aws_context: AwsContext
    retention_days: int = 365
    """Days the CloudWatch Logs copy is kept. Default 365."""
    object_days: int = 2557
    """Days log files stay in the bucket. Default 2557 (7 years)."""
    key_deletion_window_days: int = 30
    access_log_bucket: pulumi.Input[str] | None = None
    """The account's access-log bucket: who read the trail's log files (CIS: access logging on the CloudTrail
    bucket). Default none."""


class AuditTrail(pulumi.ComponentResource):
    """A multi-region CloudTrail trail with log file validation, KMS, an S3 bucket and CloudWatch Logs."""

    trail_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    log_group_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:account:AuditTrail", name, None, opts)
        context = args.aws_context
        child = pulumi.ResourceOptions(parent=self)
        trail_name = physical_name("trail")
        trail_arn = context.arn("cloudtrail", f"trail/{trail_name}")
        log_group_name = path_name("cloudtrail")
        key = symmetric_key(
            self,
            f"{name}-key",
            description=f"{physical_name()}: CloudTrail and AWS Config logs",
            policy=audit_key_policy(context, trail_arn),
            alias=f"alias/{physical_name('audit')}",
            tag_name=physical_name("audit"),
            deletion_window_days=args.key_deletion_window_days,
            protect=True,
        )
        account = context.account_id
        bucket = Bucket(
            f"{name}-logs",
            BucketArgs(
                name="audit",
                aws_context=context,
                kms_key_arn=key.arn,
                expiration_days=args.object_days,
                # A deleted log file stays recoverable for 90 days (versioning), time to notice and restore it.
                noncurrent_version_expiration_days=90,
                protect=True,
                access_log_bucket=args.access_log_bucket,
                policy_statements=lambda arn: [
                    Statement(
                        sid="CloudTrailReadsAcl",
                        actions=["s3:GetBucketAcl"],
                        resources=[arn],
                        principals={"Service": [context.service_principal("cloudtrail")]},
                        conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
                    ),
                    Statement(
                        sid="CloudTrailWrites",
                        actions=["s3:PutObject"],
                        resources=[arn.apply(lambda a: f"{a}/AWSLogs/{account}/*")],
                        principals={"Service": [context.service_principal("cloudtrail")]},
                        conditions={
                            "StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}
                        },
                    ),
                    Statement(
                        sid="ConfigReadsAcl",
                        actions=["s3:GetBucketAcl", "s3:ListBucket"],
                        resources=[arn],
                        principals={"Service": [context.service_principal("config")]},
                        conditions={"StringEquals": {"aws:SourceAccount": account}},
                    ),
                    Statement(
                        sid="ConfigWrites",
                        actions=["s3:PutObject"],
                        resources=[arn.apply(lambda a: f"{a}/config/AWSLogs/{account}/Config/*")],
                        principals={"Service": [context.service_principal("config")]},
                        conditions={
                            "StringEquals": {"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"}
                        },
                    ),
                ],
            ),
            child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=log_group_name,
            retention_in_days=args.retention_days,
            kms_key_id=key.arn,
            tags={"Name": physical_name("cloudtrail")},
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        role = aws.iam.Role(
            f"{name}-cloudtrail-logs-role",
            name=physical_name("cloudtrail-logs"),
            description="CloudTrail delivers the trail's events to its CloudWatch Logs group",
            assume_role_policy=service_trust_policy(context.service_principal("cloudtrail"), account, trail_arn),
            tags={"Name": physical_name("cloudtrail-logs")},
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-cloudtrail-logs-policy",
            role=role.id,
            name="deliver-to-log-group",
            policy=policy_document(
                [
                    Statement(
                        sid="DeliverTrailEvents",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[context.arn("logs", f"log-group:{log_group_name}:log-stream:*")],
                    )
                ]
            ),
            opts=child,
        )
        trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail_name,
            s3_bucket_name=bucket.bucket_name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key.arn,
            cloud_watch_logs_group_arn=log_group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=role.arn,
            tags={"Name": trail_name},
            # CloudTrail checks the bucket policy and the role when the trail is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket, role_policy]),
        )
        self.trail_arn = trail.arn
        self.bucket_name = bucket.bucket_name
        self.bucket_arn = bucket.arn
        self.key_arn = key.arn
        self.log_group_arn = log_group.arn
        self.register_outputs({"trailArn": self.trail_arn, "bucketName": self.bucket_name, "keyArn": self.key_arn})


def audit_key_policy(context: AwsContext, trail_arn: str) -> list[Statement]:
    """Account root (delegation to IAM), CloudTrail for this trail, CloudWatch Logs for this account's groups,
    EventBridge publishing findings to the topic encrypted with the key."""
    return [
        account_root_statement(context),
        Statement(
            # AWS's documented key policy for CloudTrail names GenerateDataKey* (it may call the variants).
            sid="CloudTrailEncryptsThisTrailsLogs",
            actions=["kms:GenerateDataKey*"],
            resources=["*"],
            principals={"Service": [context.service_principal("cloudtrail")]},
            conditions={
                "StringEquals": {"aws:SourceArn": trail_arn},
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{context.partition}:cloudtrail:*:{context.account_id}:trail/*"
                },
            },
            justification=KEY_POLICY_RESOURCE,
        ),
        Statement(
            sid="CloudTrailDescribesKey",
            actions=["kms:DescribeKey"],
            resources=["*"],
            principals={"Service": [context.service_principal("cloudtrail")]},
            conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
            justification=KEY_POLICY_RESOURCE,
        ),
        Statement(
            sid="CloudWatchLogsEncryptsThisAccountsLogGroups",
            actions=[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:DescribeKey",
            ],
            principals={"Service": [f"logs.{context.region}.{context.dns_suffix}"]},
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": context.arn("logs", "log-group:*")}},
            justification=KEY_POLICY_RESOURCE,
        ),
        Statement(
            # The findings topic (findings.py) is encrypted with this key; EventBridge publishes to it. Through
            # SNS only: a target delivery's KMS request carries no aws:SourceArn (as for the stack key's queues).
            sid="EventBridgePublishesFindings",
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],
            principals={"Service": [context.service_principal("events")]},
            conditions={"StringEquals": {"kms:ViaService": f"sns.{context.region}.{context.dns_suffix}"}},
            justification=KEY_POLICY_RESOURCE,
        ),
    ]
