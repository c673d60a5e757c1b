"""Replication: a bucket's cross-region replica, with the same hardening, a key and a log bucket in that region,
and a least-privilege replication role."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .bucket import Bucket, BucketArgs, access_log_delivery, bucket_physical_name
from .config.data import ReplicationConfig
from .iam import Statement, policy_document, service_trust_policy
from .keys import account_root_statement, symmetric_key, via_service
from .naming import physical_name

RTC_MINUTES = 15
"""S3 Replication Time Control's only threshold: 15 minutes (replication_time and the metrics' event threshold)."""


@dataclass(frozen=True, kw_only=True)
class ReplicationArgs:
    name: str
    """The source bucket's config key: the replica is `<project>-<stack>-<name>-replica-<account>-<region>`."""
    config: ReplicationConfig
    aws_context: AwsContext
    """The stack's (source) region and account."""
    source: Bucket
    source_kms_key_arn: pulumi.Input[str]
    """The stack key, which encrypts the source's objects: replication decrypts with it through S3."""
    noncurrent_version_expiration_days: int
    log_retention_days: int
    protect: bool = False
    """Prod: `protect` on the replica, its key and its log bucket."""


class Replication(pulumi.ComponentResource):
    """- In `region`, through an explicit provider the component passes to its children: a KMS key (rotated
      yearly), the replica bucket (the platform's `Bucket`: public access blocked, owner-enforced, versioned, SSE-KMS
      with that key, TLS-only, lifecycle) logging access to a log bucket of that region (SSE-S3).
    - A role only S3 of this account assumes, allowed exactly: read the source's replication configuration and
      object versions, replicate objects, deletes and tags into the replica, decrypt with the stack key through S3
      in the source region, encrypt with the replica key through S3 in the replica region.
    - The source's replication configuration: everything (empty prefix filter), delete markers too, KMS-encrypted
      objects re-encrypted with the replica key, `storageClass`, replication metrics, and with `timeControl` S3
      Replication Time Control (15 minutes)."""

    replica_arn: pulumi.Output[str]
    replica_name: pulumi.Output[str]

    def __init__(self, name: str, args: ReplicationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:replication:Replication", name, None, opts)
        config, context = args.config, args.aws_context
        if config.region == context.region:
            raise ValueError(f"bucket {args.name}: replication.region {config.region} is the stack's own region")
        child = pulumi.ResourceOptions(parent=self)
        remote = dataclasses.replace(context, region=config.region)
        side = ReplicaRegion(f"{name}-{config.region}", args, remote, child)
        replica, key = side.replica, side.key
        self.replica_arn, self.replica_name = replica.arn, replica.bucket_name
        source_arn = args.source.arn
        role = aws.iam.Role(
            f"{name}-role",
            name=physical_name(args.name, "replication", max_length=64),
            description=f"S3 replication of {physical_name(args.name)} to {config.region}",
            assume_role_policy=service_trust_policy(context.service_principal("s3"), context.account_id),
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            name="replication-least-privilege",
            policy=policy_document(
                replication_statements(
                    context,
                    remote,
                    source_arn,
                    replica_arn=replica.arn,
                    source_key_arn=args.source_kms_key_arn,
                    replica_key_arn=key.arn,
                )
            ),
            opts=child,
        )
        destination = aws.s3.BucketReplicationConfigRuleDestinationArgs(
            bucket=replica.arn,
            storage_class=config.storage_class,
            encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                replica_kms_key_id=key.arn
            ),
            metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                status="Enabled",
                event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                    minutes=RTC_MINUTES
                )
                if config.time_control
                else None,
            ),
            replication_time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                status="Enabled",
                time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(minutes=RTC_MINUTES),
            )
            if config.time_control
            else None,
        )
        aws.s3.BucketReplicationConfig(
            f"{name}-config",
            bucket=args.source.bucket_name,
            role=role.arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id="everything",
                    status="Enabled",
                    priority=1,
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                    delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                        status="Enabled"
                    ),
                    source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                        sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"
                        )
                    ),
                    destination=destination,
                )
            ],
            # In the source's region (the stack's default provider), once the role may act and both sides exist.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, replica, args.source]),
        )
        self.register_outputs({"replicaArn": self.replica_arn, "replicaName": self.replica_name})


class ReplicaRegion(pulumi.ComponentResource):
    """The replica region's side: its provider (passed down to every child), key, log bucket and replica bucket."""

    def __init__(
        self, name: str, args: ReplicationArgs, remote: AwsContext, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        provider = aws.Provider(name, region=remote.region, opts=opts)
        super().__init__(
            "platform:replication:ReplicaRegion",
            name,
            None,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[provider])),
        )
        child = pulumi.ResourceOptions(parent=self)
        self.key = symmetric_key(
            self,
            f"{name}-key",
            description=f"{physical_name(args.name)}: replica in {remote.region}",
            policy=[account_root_statement(remote)],
            alias=f"alias/{physical_name(args.name, 'replica')}",
            tag_name=physical_name(args.name, "replica"),
            deletion_window_days=30,
            protect=args.protect,
        )
        replica_key = f"{args.name}-replica"
        logs = Bucket(
            f"{name}-access-logs",
            BucketArgs(
                name=f"{args.name}-replica-logs",
                aws_context=remote,
                encryption="AES256",
                expiration_days=args.log_retention_days,
                noncurrent_version_expiration_days=7,
                policy_statements=access_log_delivery(remote, [bucket_physical_name(replica_key, remote)]),
                protect=args.protect,
            ),
            child,
        )
        self.replica = Bucket(
            f"{name}-bucket",
            BucketArgs(
                name=replica_key,
                aws_context=remote,
                kms_key_arn=self.key.arn,
                noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
                protect=args.protect,
                access_log_bucket=logs.bucket_name,
            ),
            child,
        )
        self.register_outputs({"replicaArn": self.replica.arn})


def replication_statements(
    source: AwsContext,
    destination: AwsContext,
    source_arn: pulumi.Input[str],
    *,
    replica_arn: pulumi.Input[str],
    source_key_arn: pulumi.Input[str],
    replica_key_arn: pulumi.Input[str],
) -> list[Statement]:
    """The replication role's statements, each on its own resources (S3 User Guide, "Setting up permissions for
    live replication")."""
    source_objects = pulumi.Output.from_input(source_arn).apply(lambda a: f"{a}/*")
    replica_objects = pulumi.Output.from_input(replica_arn).apply(lambda a: f"{a}/*")
    return [
        Statement(
            sid="ReadReplicationConfiguration",
            actions=["s3:GetReplicationConfiguration", "s3:ListBucket"],
            resources=[source_arn],
        ),
        Statement(
            sid="ReadSourceVersions",
            actions=["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            resources=[source_objects],
        ),
        Statement(
            sid="WriteReplicas",
            actions=["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            resources=[replica_objects],
        ),
        Statement(
            sid="DecryptSource",
            actions=["kms:Decrypt"],
            resources=[source_key_arn],
            conditions=via_service(source, "s3"),
        ),
        Statement(
            sid="EncryptReplica",
            actions=["kms:Encrypt", "kms:GenerateDataKey"],
            resources=[replica_key_arn],
            conditions=via_service(destination, "s3"),
        ),
    ]
