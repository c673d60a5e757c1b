"""Canaries: CloudWatch Synthetics canaries probing the stack's own URL, with their artifact bucket and role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .bucket import Bucket, BucketArgs
from .config.data import LifecycleRuleConfig
from .config.functions import CanaryConfig
from .iam import Statement, policy_document
from .keys import via_service
from .naming import physical_name

SCRIPTS = Path(__file__).resolve().parent / "canary_scripts"
"""The canary scripts (`heartbeat.js`, `api.js`): generic, configured by environment variables."""
CANARY_NAME_LENGTH = 21
"""Synthetics' historical limit on canary names (lower-case letters, digits, `-` and `_`): kept, so a name
valid in every region and API version."""
METRICS_JUSTIFICATION = (
    "cloudwatch:PutMetricData has no resource type in AWS's action catalogue; the "
    "statement is limited to the CloudWatchSynthetics namespace by condition."
)
LIST_BUCKETS_JUSTIFICATION = (
    "s3:ListAllMyBuckets is an account-level list call with no resource type; "
    "Synthetics calls it before writing artifacts. Writing is scoped to the canary's prefix."
)


def canary_name(key: str) -> str:
    return physical_name(key, max_length=CANARY_NAME_LENGTH).lower()


@dataclass(frozen=True, kw_only=True)
class CanariesArgs:
    canaries: Mapping[str, CanaryConfig]
    """`platform:canaries`, by name."""
    url: pulumi.Input[str]
    """The stack's own URL (the load balancer's `https://<domain>`): what every canary probes."""
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: artifacts (and the code object) are SSE-KMS with it."""
    protect: bool = False
    access_log_bucket: pulumi.Input[str] | None = None
    """The stack's access-log bucket: the artifact bucket's S3 server access logs go there. Default none."""


class Canaries(pulumi.ComponentResource):
    """- One artifact bucket (the platform's Bucket: private, versioned, SSE-KMS with the stack key, TLS only),
      `artifacts/` expiring after the longest `artifactRetentionDays`; the scripts under `code/`.
    - Per canary: a role trusted by Lambda that may write only its own artifact prefix and log groups
      (`/aws/lambda/cwsyn-<name>-*`), put metrics only in the CloudWatchSynthetics namespace, and use the stack
      key only through S3; the canary (`rate(N minutes)`, started, artifacts SSE-KMS, the Lambda deleted with
      it), probing `<url><path>`."""

    canary_names: dict[str, str]
    """Canary names by config key (the `CanaryName` metric dimension)."""
    bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: CanariesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:canary:Canaries", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        retention = max(c.artifact_retention_days for c in args.canaries.values())
        expiry = LifecycleRuleConfig.model_validate({"prefix": "artifacts/", "expirationDays": retention})
        self.bucket = Bucket(
            f"{name}-artifacts",
            BucketArgs(
                name="canaries",
                aws_context=args.aws_context,
                kms_key_arn=args.kms_key_arn,
                lifecycle_rules={"artifacts": expiry},
                protect=args.protect,
                access_log_bucket=args.access_log_bucket,
            ),
            self._child,
        )
        self.bucket_name = self.bucket.bucket_name
        code = {
            kind: aws.s3.BucketObjectv2(
                f"{name}-{kind}-code",
                bucket=self.bucket.bucket_name,
                key=f"code/{kind}.zip",
                source=pulumi.AssetArchive({"index.js": pulumi.FileAsset(str(SCRIPTS / f"{kind}.js"))}),
                server_side_encryption="aws:kms",
                kms_key_id=args.kms_key_arn,
                opts=self._child,
            )
            for kind in sorted({c.kind for c in args.canaries.values()})
        }
        self.canary_names = {}
        for key, config in args.canaries.items():
            self.canary_names[key] = self._canary(key, config, code[config.kind])
        self.register_outputs({"canaryNames": self.canary_names, "bucketName": self.bucket_name})

    def _canary(self, key: str, config: CanaryConfig, code: aws.s3.BucketObjectv2) -> str:
        args, context = self._args, self._args.aws_context
        name = canary_name(key)
        bucket_arn = self.bucket.arn
        role = aws.iam.Role(
            f"{key}-canary-role",
            name=physical_name(key, "canary", max_length=64),
            description=f"Synthetics canary {name}",
            assume_role_policy=policy_document(
                [
                    Statement(
                        sid="TrustLambda",
                        actions=["sts:AssumeRole"],
                        principals={"Service": [context.service_principal("lambda")]},
                    )
                ]
            ),
            tags={"Name": physical_name(key, "canary")},
            opts=self._child,
        )
        log_groups = context.arn("logs", f"log-group:/aws/lambda/cwsyn-{name}-*")
        policy = aws.iam.RolePolicy(
            f"{key}-canary-policy",
            role=role.id,
            name="canary-least-privilege",
            policy=policy_document(
                [
                    Statement(
                        sid="WriteOwnArtifacts",
                        actions=["s3:PutObject"],
                        resources=[pulumi.Output.concat(bucket_arn, f"/artifacts/{name}/*")],
                    ),
                    Statement(sid="LocateArtifactBucket", actions=["s3:GetBucketLocation"], resources=[bucket_arn]),
                    Statement(
                        sid="ListBuckets",
                        actions=["s3:ListAllMyBuckets"],
                        resources=["*"],
                        justification=LIST_BUCKETS_JUSTIFICATION,
                    ),
                    Statement(
                        sid="ArtifactKey",
                        actions=["kms:GenerateDataKey", "kms:Decrypt"],
                        resources=[args.kms_key_arn],
                        conditions=via_service(context, "s3"),
                    ),
                    Statement(
                        sid="WriteOwnLogs",
                        actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[log_groups, f"{log_groups}:log-stream:*"],
                    ),
                    Statement(
                        sid="PutSyntheticsMetrics",
                        actions=["cloudwatch:PutMetricData"],
                        resources=["*"],
                        conditions={"StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}},
                        justification=METRICS_JUSTIFICATION,
                    ),
                ]
            ),
            opts=self._child,
        )
        aws.synthetics.Canary(
            f"{key}-canary",
            name=name,
            runtime_version=config.runtime,
            handler="index.handler",
            execution_role_arn=role.arn,
            s3_bucket=self.bucket.bucket_name,
            s3_key=code.key,
            s3_version=code.version_id,
            artifact_s3_location=pulumi.Output.concat("s3://", self.bucket.bucket_name, f"/artifacts/{name}/"),
            artifact_config=aws.synthetics.CanaryArtifactConfigArgs(
                s3_encryption=aws.synthetics.CanaryArtifactConfigS3EncryptionArgs(
                    encryption_mode="SSE_KMS", kms_key_arn=args.kms_key_arn
                )
            ),
            schedule=aws.synthetics.CanaryScheduleArgs(
                expression=f"rate({config.every_minutes} minute{'s' if config.every_minutes > 1 else ''})"
            ),
            run_config=aws.synthetics.CanaryRunConfigArgs(
                timeout_in_seconds=min(config.timeout_seconds, config.every_minutes * 60),
                environment_variables={
                    "TARGET_URL": args.url,
                    "CHECK_PATH": config.path,
                    "METHOD": config.method,
                    "EXPECTED_STATUS": str(config.expected_status),
                },
            ),
            success_retention_period=config.artifact_retention_days,
            failure_retention_period=config.artifact_retention_days,
            start_canary=True,
            delete_lambda=True,
            tags={"Name": name},
            # The role's policy first: the canary's first run writes artifacts and logs.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        return name
