"""no-public-databases, prod-data-protection, prod-database-standby, prod-bucket-versioning, s3-public-access-block.

Production is decided from the stack: its name, or the resource's `Environment` tag, is one of the
`productionEnvironments` setting (either is enough). Outside production, prod-data-protection and
prod-bucket-versioning have nothing to say.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import (
    PRODUCTION_SETTING,
    Context,
    Resource,
    Stack,
    Unknown,
    as_int,
    is_true,
    resource_policy,
    stack_policy,
    string_list,
)
from .encryption import BUCKETS, companions

PUBLIC_DATABASES = [
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:redshift/cluster:Cluster",
    "aws:redshiftserverless/workgroup:Workgroup",
    "aws:dms/replicationInstance:ReplicationInstance",
]


def check_public_database(resource: Resource, ctx: Context) -> None:
    if resource.type not in set(ctx.settings["databaseTypes"]):
        return
    value = resource.props.get("publiclyAccessible")
    if isinstance(value, Unknown):
        ctx.defer(f".publiclyAccessible of {resource.subject}", "judged on `pulumi up`, when known")
    elif is_true(value):
        ctx.violation(
            f"{resource.subject} is publicly accessible: set publicly_accessible=false and keep it in "
            f"the isolated data subnets, reachable only from the services' security groups."
        )


NO_PUBLIC_DATABASES = resource_policy(
    name="no-public-databases",
    description="Databases are never publicly accessible.",
    types=PUBLIC_DATABASES,
    check=check_public_database,
    settings={
        "databaseTypes": string_list(
            PUBLIC_DATABASES, "The database types whose publiclyAccessible must not be true.", allowed=PUBLIC_DATABASES
        )
    },
    severity=Severity.CRITICAL,
    remediation="Set publicly_accessible=false; place the database in the data subnets.",
)


# -- production data ---------------------------------------------------------------------------------
RDS = {"aws:rds/cluster:Cluster", "aws:rds/instance:Instance"}
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
BUCKET_VERSIONING = {"aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"}

PROTECTION_SETTINGS: dict[str, dict[str, Any]] = {
    **PRODUCTION_SETTING,
    "minimumBackupRetentionDays": {
        "type": "integer",
        "minimum": 1,
        "maximum": 35,
        "default": 7,
        "description": "Days of automated backups a production database keeps (RDS allows up to 35).",
    },
}
PROTECTION_HINT = "Production data must survive a mistaken `pulumi destroy` or a bad write."


def _require(resource: Resource, ctx: Context, value: Any, prop: str, fix: str) -> None:
    if isinstance(value, Unknown):
        ctx.defer(f".{prop} of {resource.subject}", "judged on `pulumi up`, when known")
    elif not is_true(value):
        ctx.violation(f"{resource.subject} is production data without {prop}: {fix}. {PROTECTION_HINT}")


def check_prod_data(resource: Resource, ctx: Context) -> None:
    if resource.type in BUCKET_VERSIONING:
        if not ctx.in_production(resource):
            return
        status = resource.get("versioningConfiguration", "status")
        if isinstance(status, Unknown):
            ctx.defer(f".versioningConfiguration.status of {resource.subject}", "judged on `pulumi up`")
        elif status != "Enabled":
            ctx.violation(
                f"{resource.subject} sets versioning {status!r} on a production bucket: set status "
                f"'Enabled'. {PROTECTION_HINT}"
            )
        return
    if not ctx.in_production(resource):
        return
    props = resource.props
    if resource.type in RDS:
        _require(resource, ctx, props.get("deletionProtection"), "deletionProtection", "set deletion_protection=true")
        if props.get("replicateSourceDb"):
            return  # a read replica is a copy: the primary's backups and final snapshot are what restore it
        minimum = int(ctx.settings["minimumBackupRetentionDays"])
        retention = props.get("backupRetentionPeriod")
        if isinstance(retention, Unknown):
            ctx.defer(f".backupRetentionPeriod of {resource.subject}", "judged on `pulumi up`, when known")
        elif (as_int(retention) or 1) < minimum:  # unset: AWS keeps 1 day
            days = as_int(retention) or 1
            ctx.violation(
                f"{resource.subject} keeps backups {days} day{'s' if days != 1 else ''}; production "
                f"keeps at least {minimum} (backup_retention_period). {PROTECTION_HINT}"
            )
        skip = props.get("skipFinalSnapshot")
        if isinstance(skip, Unknown):
            ctx.defer(f".skipFinalSnapshot of {resource.subject}", "judged on `pulumi up`, when known")
        elif is_true(skip):
            ctx.violation(
                f"{resource.subject} skips its final snapshot: set skip_final_snapshot=false and a "
                f"final_snapshot_identifier. {PROTECTION_HINT}"
            )
    elif resource.type == DYNAMODB_TABLE:
        _require(
            resource,
            ctx,
            props.get("deletionProtectionEnabled"),
            "deletionProtectionEnabled",
            "set deletion_protection_enabled=true",
        )
        pitr = resource.get("pointInTimeRecovery", "enabled")
        _require(resource, ctx, pitr, "pointInTimeRecovery", "set point_in_time_recovery enabled=true")


PROD_DATA_PROTECTION = resource_policy(
    name="prod-data-protection",
    description="Production databases and tables have deletion protection, backups (retention >= N days), "
    "a final snapshot and point-in-time recovery; production bucket versioning stays Enabled.",
    types=[*RDS, DYNAMODB_TABLE, *BUCKET_VERSIONING],
    check=check_prod_data,
    settings=PROTECTION_SETTINGS,
    severity=Severity.HIGH,
    remediation="In production: deletion protection on, backup retention >= the minimum, skip_final_snapshot "
    "false, DynamoDB PITR on, S3 versioning Enabled.",
)


CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
STANDBY_SETTINGS: dict[str, dict[str, Any]] = {
    **PRODUCTION_SETTING,
    "minimumInstances": {
        "type": "integer",
        "minimum": 1,
        "maximum": 16,
        "default": 2,
        "description": "Instances a production Aurora cluster has: a writer and at least one reader (in another "
        "AZ) to fail over to.",
    },
}


def check_database_standby(stack: Stack, ctx: Context) -> None:
    minimum = int(ctx.settings["minimumInstances"])
    for cluster in stack.of_type(CLUSTER):
        if not ctx.in_production(cluster):
            continue
        count = len(companions(stack, cluster, {CLUSTER_INSTANCE}, "clusterIdentifier"))
        if count < minimum:
            ctx.violation(
                f"{cluster.subject} is a production database with {count} instance"
                f"{'s' if count != 1 else ''}; it needs at least {minimum} (a writer and a reader in "
                f"another AZ, so a failover takes seconds instead of a restore). {PROTECTION_HINT}",
                cluster.urn,
            )


PROD_DATABASE_STANDBY = stack_policy(
    name="prod-database-standby",
    description="Every production Aurora cluster has at least N instances (a writer and a reader to fail over to).",
    check=check_database_standby,
    settings=STANDBY_SETTINGS,
    severity=Severity.HIGH,
    remediation="Add aws.rds.ClusterInstance readers (cluster_identifier=<the cluster>) in other AZs.",
)


def check_bucket_versioning(stack: Stack, ctx: Context) -> None:
    for bucket in stack.of_type(*BUCKETS):
        if not ctx.in_production(bucket) or is_true(bucket.get("versioning", "enabled")):
            continue
        statuses = [
            v.get("versioningConfiguration", "status") for v in companions(stack, bucket, BUCKET_VERSIONING, "bucket")
        ]
        if "Enabled" in statuses:
            continue
        if any(isinstance(s, Unknown) for s in statuses):
            ctx.defer(f"the versioning status of {bucket.subject}", "judged on `pulumi up`, when known")
            continue
        ctx.violation(
            f"{bucket.subject} is a production bucket without versioning: add an "
            f"aws.s3.BucketVersioning (bucket=<this bucket>) with status 'Enabled'. {PROTECTION_HINT}",
            bucket.urn,
        )


PROD_BUCKET_VERSIONING = stack_policy(
    name="prod-bucket-versioning",
    description="Every production S3 bucket has versioning Enabled.",
    check=check_bucket_versioning,
    settings=PRODUCTION_SETTING,
    severity=Severity.HIGH,
    remediation="Add aws.s3.BucketVersioning with versioning_configuration status Enabled for the bucket.",
)


# -- public access block ---------------------------------------------------------------------------
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PAB_HINT = (
    "Add an aws.s3.BucketPublicAccessBlock (bucket=<this bucket>) with block_public_acls, "
    "block_public_policy, ignore_public_acls and restrict_public_buckets all true."
)


def check_public_access_block(stack: Stack, ctx: Context) -> None:
    flags = [str(f) for f in ctx.settings["requiredFlags"]]
    for bucket in stack.of_type(*BUCKETS):
        blocks = companions(stack, bucket, {PUBLIC_ACCESS_BLOCK}, "bucket")
        if not blocks:
            ctx.violation(f"{bucket.subject} has no public access block. {PAB_HINT}", bucket.urn)
            continue
        verdicts = []
        for block in blocks:
            values = {flag: block.get(flag) for flag in flags}
            off = [flag for flag, value in values.items() if not isinstance(value, Unknown) and not is_true(value)]
            unknown = [flag for flag, value in values.items() if isinstance(value, Unknown)]
            verdicts.append((block, off, unknown))
        if any(not off and not unknown for _, off, unknown in verdicts):
            continue
        for block, off, unknown in verdicts:
            if off:
                ctx.violation(
                    f"{block.subject} leaves {', '.join(off)} off for {bucket.subject}. {PAB_HINT}", block.urn
                )
            elif unknown:
                ctx.defer(f"{', '.join(unknown)} of {block.subject}", "judged on `pulumi up`, when known")


S3_PUBLIC_ACCESS_BLOCK = stack_policy(
    name="s3-public-access-block",
    description="Every S3 bucket has a public access block with all four flags on.",
    check=check_public_access_block,
    settings={
        "requiredFlags": string_list(
            list(BLOCK_FLAGS), "The public access block flags that must be true.", allowed=list(BLOCK_FLAGS)
        )
    },
    severity=Severity.CRITICAL,
    remediation=PAB_HINT,
)

POLICIES = [
    NO_PUBLIC_DATABASES,
    PROD_DATA_PROTECTION,
    PROD_DATABASE_STANDBY,
    PROD_BUCKET_VERSIONING,
    S3_PUBLIC_ACCESS_BLOCK,
]
