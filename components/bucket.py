"""Bucket: an S3 bucket locked down by default (no public access, owner-enforced, versioned, encrypted,
TLS-only, lifecycle-managed), and the grants that let a service read or write it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import BucketConfig, CorsRuleConfig, LifecycleRuleConfig
from .grants import statement_id, unknown_access
from .iam import Statement, deny_insecure_transport, policy_document
from .keys import via_service
from .naming import physical_name

Encryption = Literal["aws:kms", "AES256"]

READ_ACTIONS = ("s3:GetObject",)
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")


@dataclass(frozen=True, kw_only=True)
class BucketArgs:
    name: str
    """Short name (the config key, e.g. `uploads`); the bucket is `<project>-<stack>-<name>-<account>-<region>`
    (bucket names are global, so account and region keep stacks of other accounts and regions apart)."""
    aws_context: AwsContext
    encryption: Encryption = "aws:kms"
    """`aws:kms` (default): SSE-KMS with `kms_key_arn` and an S3 bucket key (fewer KMS calls, lower cost).
    `AES256` (SSE-S3) only where AWS allows nothing else: Elastic Load Balancing writes access logs only to
    SSE-S3 buckets, so an ALB access-log bucket must use it."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The stack key. Required with `aws:kms`."""
    noncurrent_version_expiration_days: int = 30
    """Old versions expire this many days after they stop being current. Default 30."""
    abort_incomplete_upload_days: int = 7
    """Unfinished multipart uploads are removed after this many days. Default 7."""
    expiration_days: int | None = None
    """Current objects expire this many days after creation (log buckets). Default: never."""
    lifecycle_rules: Mapping[str, LifecycleRuleConfig] = field(default_factory=dict)
    """Extra rules by id (transitions, expiry under a prefix)."""
    cors_rules: Sequence[CorsRuleConfig] = ()
    """CORS rules; none by default."""
    policy_statements: Callable[[pulumi.Output[str]], Sequence[Statement]] | None = None
    """Extra bucket-policy statements, built from the bucket ARN (e.g. ELB log delivery's PutObject on
    `<arn>/AWSLogs/<account>/*`). They join the TLS-only deny in the bucket's one policy document."""
    protect: bool = False
    """Pulumi `protect` on the bucket (prod): `pulumi up` can never delete or replace it."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of the bucket S3 server access logs of this bucket go to (under `<name>/`, partitioned by event date);
    the stack's `access_logs_bucket`. Default none: no access logs (log buckets themselves)."""

    @staticmethod
    def from_config(
        name: str, config: BucketConfig, *, aws_context: AwsContext, kms_key_arn: pulumi.Input[str], protect: bool
    ) -> BucketArgs:
        """The args of a `platform:buckets.<name>` entry: SSE-KMS with the stack key."""
        return BucketArgs(
            name=name,
            aws_context=aws_context,
            kms_key_arn=kms_key_arn,
            noncurrent_version_expiration_days=config.noncurrent_version_expiration_days,
            abort_incomplete_upload_days=config.abort_incomplete_upload_days,
            lifecycle_rules=config.lifecycle_rules,
            cors_rules=config.cors,
            protect=protect,
        )


class Bucket(pulumi.ComponentResource):
    """S3 bucket: all four public access blocks, BucketOwnerEnforced (ACLs off), versioning, default
    encryption (SSE-KMS with a bucket key, or SSE-S3 where AWS requires it), a lifecycle that expires old
    versions and aborts stale uploads (plus configured rules), a policy denying any non-TLS request, and
    optional CORS; with `access_log_bucket`, S3 server access logs to the stack's log bucket."""

    bucket_name: pulumi.Output[str]
    """Bucket name (for the S3_BUCKET environment variable, access-log settings)."""
    arn: pulumi.Output[str]
    """Bucket ARN, for grants."""

    def __init__(self, name: str, args: BucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:bucket:Bucket", name, None, opts)
        if args.encryption == "aws:kms" and args.kms_key_arn is None:
            raise ValueError(
                f"bucket {args.name}: encryption aws:kms needs kms_key_arn (or use AES256 where AWS allows only SSE-S3)"
            )
        self._args = args
        self._encryption = args.encryption
        self._kms_key_arn = args.kms_key_arn
        child = pulumi.ResourceOptions(parent=self)
        context = args.aws_context
        bucket_name = bucket_physical_name(args.name, context)
        # Known before the bucket exists, so the bucket policy is judged (TLS-only, no wildcard) at a first
        # preview too, instead of waiting for `pulumi up`.
        known_arn = f"arn:{context.partition}:s3:::{bucket_name}"
        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=bucket_name,
            force_destroy=False,
            tags={"Name": physical_name(args.name)},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.bucket_name = bucket.bucket
        self.arn = bucket.arn
        # Each side-by-side resource depends on the one before it: S3 serialises bucket configuration
        # changes and answers OperationAborted to concurrent ones.
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ownership]),
        )
        if args.encryption == "aws:kms":
            default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=args.kms_key_arn
            )
            rule = aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default, bucket_key_enabled=True
            )
        else:
            default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            )
            rule = aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default
            )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[rule],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=_lifecycle_rules(args),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning, encryption]),
        )
        statements = [deny_insecure_transport(["s3:*"], [known_arn, f"{known_arn}/*"])]
        if args.policy_statements is not None:
            statements.extend(args.policy_statements(pulumi.Output.from_input(known_arn)))
        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=policy_document(statements),
            # The public access block must exist first, or S3 may judge the policy before it applies.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access, lifecycle]),
        )
        if args.access_log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=bucket.id,
                target_bucket=args.access_log_bucket,
                target_prefix=f"{args.name}/",
                target_object_key_format=aws.s3.BucketLoggingTargetObjectKeyFormatArgs(
                    partitioned_prefix=aws.s3.BucketLoggingTargetObjectKeyFormatPartitionedPrefixArgs(
                        partition_date_source="EventTime"
                    )
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
        if args.cors_rules:
            aws.s3.BucketCorsConfiguration(
                f"{name}-cors",
                bucket=bucket.id,
                cors_rules=[
                    aws.s3.BucketCorsConfigurationCorsRuleArgs(
                        allowed_origins=list(rule.allowed_origins),
                        allowed_methods=list(rule.allowed_methods),
                        allowed_headers=list(rule.allowed_headers) or None,
                        expose_headers=list(rule.expose_headers) or None,
                        max_age_seconds=rule.max_age_seconds,
                    )
                    for rule in args.cors_rules
                ],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
        self.register_outputs({"bucketName": self.bucket_name, "arn": self.arn})

    def grant(self, access: str) -> list[Statement]:
        """`read`: s3:GetObject on `<arn>/*`, s3:ListBucket on the bucket; `readwrite`: also s3:PutObject,
        s3:DeleteObject, s3:AbortMultipartUpload. With SSE-KMS, the key's kms:Decrypt (read) or kms:Decrypt
        and kms:GenerateDataKey (readwrite: multipart uploads read back their data keys) through S3 only."""
        if access not in ("read", "readwrite"):
            raise unknown_access("buckets", self._args.name, access)
        objects = self.arn.apply(lambda arn: f"{arn}/*")
        level = "ReadWrite" if access == "readwrite" else "Read"
        actions = READ_ACTIONS + (WRITE_ACTIONS if access == "readwrite" else ())
        statements = [
            Statement(
                sid=statement_id("bucket", self._args.name, "objects", level), actions=actions, resources=[objects]
            ),
            Statement(
                sid=statement_id("bucket", self._args.name, "list"), actions=["s3:ListBucket"], resources=[self.arn]
            ),
        ]
        if self._encryption == "aws:kms" and self._kms_key_arn is not None:
            key_actions = ["kms:Decrypt"] + (["kms:GenerateDataKey"] if access == "readwrite" else [])
            statements.append(
                Statement(
                    sid=statement_id("bucket", self._args.name, "key"),
                    actions=key_actions,
                    resources=[self._kms_key_arn],
                    conditions=via_service(self._args.aws_context, "s3"),
                )
            )
        return statements


def bucket_physical_name(name: str, context: AwsContext) -> str:
    """`<project>-<stack>-<name>-<account>-<region>`, lower case, at most 63 characters: bucket names are global."""
    return physical_name(name, context.account_id, context.region, max_length=63).lower()


def access_log_delivery(
    context: AwsContext, source_bucket_names: Sequence[str]
) -> Callable[[pulumi.Output[str]], Sequence[Statement]]:
    """The log bucket's policy statement letting S3 server access logging (`logging.s3`) put objects, only for this
    account's `source_bucket_names`: with BucketOwnerEnforced (ACLs off), this policy is how S3 grants log
    delivery (S3 User Guide, "Permissions for log delivery")."""
    sources = [f"arn:{context.partition}:s3:::{name}" for name in source_bucket_names]

    def statements(arn: pulumi.Output[str]) -> Sequence[Statement]:
        return [
            Statement(
                sid="S3ServerAccessLogsDelivery",
                actions=["s3:PutObject"],
                principals={"Service": [context.service_principal("logging.s3")]},
                resources=[arn.apply(lambda a: f"{a}/*")],
                conditions={
                    "StringEquals": {"aws:SourceAccount": context.account_id},
                    "ArnLike": {"aws:SourceArn": sources},
                },
            )
        ]

    return statements


def _lifecycle_rules(args: BucketArgs) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    base = aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="platform-defaults",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=args.noncurrent_version_expiration_days
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=args.abort_incomplete_upload_days
        ),
        expiration=(
            aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.expiration_days)
            if args.expiration_days is not None
            else aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True)
        ),
    )
    rules = [base]
    for rule_id, rule in args.lifecycle_rules.items():
        rules.append(
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id=rule_id,
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=rule.prefix),
                transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=t.days, storage_class=t.storage_class)
                    for t in rule.transitions
                ]
                or None,
                expiration=(
                    aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=rule.expiration_days)
                    if rule.expiration_days is not None
                    else None
                ),
            )
        )
    return rules
