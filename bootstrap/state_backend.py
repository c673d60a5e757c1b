"""StateBackend: what a self-managed Pulumi backend needs before any stack exists.

- an S3 bucket for stack state (`pulumi login s3://<bucket>?region=<region>`): the platform's `Bucket`
  (all four public access blocks, BucketOwnerEnforced, versioning, SSE-KMS with a bucket key, a lifecycle
  that expires old state versions and stale uploads, a TLS-only policy, S3 server access logs to a log bucket
  kept a year), protected;
- a customer-managed KMS key, rotated yearly, behind an alias, for Pulumi's secrets provider
  (`pulumi stack init <s> --secrets-provider awskms://alias/<alias>?region=<region>`) and the bucket's
  SSE-KMS, protected: losing it makes every stack's secrets and state unreadable.

The key policy has the account-root statement only (actions named one by one, no `kms:*`): the people and
roles that run Pulumi use the key through their own IAM policies; S3 uses it with the caller's permissions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.aws_context import AwsContext
from components.bucket import Bucket, BucketArgs, access_log_delivery, bucket_physical_name
from components.keys import account_root_statement, symmetric_key
from components.naming import physical_name


@dataclass(frozen=True, kw_only=True)
class StateBackendArgs:
    aws_context: AwsContext
    noncurrent_version_expiration_days: int = 90
    """Days an overwritten state file stays recoverable."""
    key_deletion_window_days: int = 30
    """Days a scheduled deletion of the key can be cancelled (7 to 30)."""
    other_logged_buckets: tuple[str, ...] = ()
    """Keys of the account's other buckets whose S3 access logs go to the same log bucket (`audit`)."""


class StateBackend(pulumi.ComponentResource):
    """The state bucket and the secrets key of a self-managed backend, both protected."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    access_log_bucket_name: pulumi.Output[str]
    """The account's S3 access-log bucket (the state bucket's, and `other_logged_buckets`')."""
    key_arn: pulumi.Output[str]
    key_alias: str
    """`alias/<project>-<stack>-pulumi`."""
    backend_url: pulumi.Output[str]
    """`s3://<bucket>?region=<region>`: what `pulumi login` takes."""
    secrets_provider: str
    """`awskms://alias/...?region=<region>`: what `pulumi stack init --secrets-provider` takes."""

    def __init__(self, name: str, args: StateBackendArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:bootstrap:StateBackend", name, None, opts)
        context = args.aws_context
        self.key_alias = f"alias/{physical_name('pulumi')}"
        key = symmetric_key(
            self,
            f"{name}-key",
            description=f"{physical_name()}: Pulumi secrets provider and state bucket encryption",
            policy=[account_root_statement(context)],
            alias=self.key_alias,
            tag_name=physical_name("pulumi"),
            deletion_window_days=args.key_deletion_window_days,
            protect=True,
        )
        # Who read or wrote which stack's state: S3 server access logs into a log bucket (SSE-S3, the only
        # default encryption S3 log delivery accepts), kept a year.
        access_logs = Bucket(
            f"{name}-access-logs",
            BucketArgs(
                name="access-logs",
                aws_context=context,
                encryption="AES256",
                expiration_days=365,
                noncurrent_version_expiration_days=7,
                policy_statements=access_log_delivery(
                    context, [bucket_physical_name(key, context) for key in ("state", *args.other_logged_buckets)]
                ),
                protect=True,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        bucket = Bucket(
            f"{name}-state",
            BucketArgs(
                name="state",
                aws_context=context,
                kms_key_arn=key.arn,
                noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
                protect=True,
                access_log_bucket=access_logs.bucket_name,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.bucket_name = bucket.bucket_name
        self.access_log_bucket_name = access_logs.bucket_name
        self.key_arn = key.arn
        self.bucket_arn = bucket.arn
        self.backend_url = pulumi.Output.concat("s3://", bucket.bucket_name, "?region=", context.region)
        self.secrets_provider = f"awskms://{self.key_alias}?region={context.region}"
        self.outputs: dict[str, pulumi.Input[object]] = {
            "stateBucketName": self.bucket_name,
            "stateBucketArn": bucket.arn,
            "backendUrl": self.backend_url,
            "secretsKeyArn": self.key_arn,
            "secretsKeyAlias": self.key_alias,
            "secretsProvider": self.secrets_provider,
        }
        self.register_outputs(self.outputs)
