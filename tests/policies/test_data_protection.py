"""no-public-databases, prod-data-protection, prod-database-standby, prod-bucket-versioning, s3-public-access-block."""

from __future__ import annotations

from collections.abc import Callable

from policies.guardrails.data_protection import (
    NO_PUBLIC_DATABASES,
    PAB_HINT,
    PROD_BUCKET_VERSIONING,
    PROD_DATA_PROTECTION,
    PROD_DATABASE_STANDBY,
    PROTECTION_HINT,
    S3_PUBLIC_ACCESS_BLOCK,
)

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_BOOL, R, check, check_stack

CLUSTER = "aws:rds/cluster:Cluster"
TABLE = "aws:dynamodb/table:Table"
PROD_TAGS = {**STANDARD_TAGS, "Environment": "prod"}
PROTECTED_CLUSTER = {
    "deletionProtection": True,
    "backupRetentionPeriod": 35,
    "skipFinalSnapshot": False,
    "finalSnapshotIdentifier": "platform-prod-final",
    "tags": PROD_TAGS,
}


def test_databases_are_never_public() -> None:
    for resource_type in (
        "aws:rds/instance:Instance",
        "aws:rds/clusterInstance:ClusterInstance",
        CLUSTER,
        "aws:redshift/cluster:Cluster",
    ):
        assert check(NO_PUBLIC_DATABASES, resource_type, {"publiclyAccessible": False}).passed
        assert check(NO_PUBLIC_DATABASES, resource_type, {}).passed  # unset: private
    result = check(NO_PUBLIC_DATABASES, "aws:rds/clusterInstance:ClusterInstance", {"publiclyAccessible": True})
    assert result.violations == [
        "aws:rds/clusterInstance:ClusterInstance 'r' is publicly accessible: set publicly_accessible=false and keep "
        "it in the isolated data subnets, reachable only from the services' security groups."
    ]
    assert check(NO_PUBLIC_DATABASES, CLUSTER, {"publiclyAccessible": UNKNOWN_BOOL}).deferred


def test_production_databases_are_protected(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    assert check(PROD_DATA_PROTECTION, CLUSTER, PROTECTED_CLUSTER).passed
    result = check(
        PROD_DATA_PROTECTION,
        CLUSTER,
        {"deletionProtection": False, "backupRetentionPeriod": 1, "skipFinalSnapshot": True},
    )
    assert result.violations == [
        "aws:rds/cluster:Cluster 'r' is production data without deletionProtection: set deletion_protection=true. "
        f"{PROTECTION_HINT}",
        "aws:rds/cluster:Cluster 'r' keeps backups 1 day; production keeps at least 7 (backup_retention_period). "
        f"{PROTECTION_HINT}",
        "aws:rds/cluster:Cluster 'r' skips its final snapshot: set skip_final_snapshot=false and a "
        f"final_snapshot_identifier. {PROTECTION_HINT}",
    ]


def test_the_backup_minimum_is_configurable(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    result = check(
        PROD_DATA_PROTECTION,
        CLUSTER,
        {**PROTECTED_CLUSTER, "backupRetentionPeriod": 14},
        config={"minimumBackupRetentionDays": 35},
    )
    assert result.violations == [
        "aws:rds/cluster:Cluster 'r' keeps backups 14 days; production keeps at least 35 (backup_retention_period). "
        f"{PROTECTION_HINT}"
    ]


def test_production_tables_have_pitr_and_deletion_protection(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    good = {"deletionProtectionEnabled": True, "pointInTimeRecovery": {"enabled": True}}
    assert check(PROD_DATA_PROTECTION, TABLE, good).passed
    assert check(PROD_DATA_PROTECTION, TABLE, {"pointInTimeRecovery": {"enabled": False}}).violations == [
        "aws:dynamodb/table:Table 'r' is production data without deletionProtectionEnabled: set "
        f"deletion_protection_enabled=true. {PROTECTION_HINT}",
        "aws:dynamodb/table:Table 'r' is production data without pointInTimeRecovery: set point_in_time_recovery "
        f"enabled=true. {PROTECTION_HINT}",
    ]


def test_outside_production_nothing_is_required() -> None:
    assert check(PROD_DATA_PROTECTION, CLUSTER, {"skipFinalSnapshot": True, "tags": STANDARD_TAGS}).passed


def test_the_environment_tag_makes_production_in_any_stack() -> None:
    # Stack "dev" (the fixture), but the resource says it is production data: protect it.
    assert check(PROD_DATA_PROTECTION, TABLE, {"tags": PROD_TAGS}).violations
    assert check(
        PROD_DATA_PROTECTION,
        TABLE,
        {"tags": {**STANDARD_TAGS, "Environment": "live"}},
        config={"productionEnvironments": ["live"]},
    ).violations


def test_an_unknown_environment_tag_defers_instead_of_skipping() -> None:
    result = check(PROD_DATA_PROTECTION, TABLE, {"tags": {**STANDARD_TAGS, "Environment": UNKNOWN}})
    assert result.violations == []
    assert "whether it is production is judged on `pulumi up`" in result.deferred[0]


def test_production_bucket_versioning_stays_enabled(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    versioning = "aws:s3/bucketVersioning:BucketVersioning"
    assert check(PROD_DATA_PROTECTION, versioning, {"versioningConfiguration": {"status": "Enabled"}}).passed
    assert check(PROD_DATA_PROTECTION, versioning, {"versioningConfiguration": {"status": "Suspended"}}).violations == [
        "aws:s3/bucketVersioning:BucketVersioning 'r' sets versioning 'Suspended' on a production bucket: set status "
        f"'Enabled'. {PROTECTION_HINT}"
    ]


def test_every_production_bucket_has_versioning(stack_name: Callable[[str], None]) -> None:
    bucket = R("aws:s3/bucket:Bucket", "b", {"tags": STANDARD_TAGS})
    versioning = R(
        "aws:s3/bucketVersioning:BucketVersioning",
        "b-versioning",
        {"bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}},
        deps={"bucket": [bucket]},
    )
    assert check_stack(PROD_BUCKET_VERSIONING, [bucket]).passed  # dev
    stack_name("prod")
    assert check_stack(PROD_BUCKET_VERSIONING, [bucket, versioning]).passed
    assert check_stack(PROD_BUCKET_VERSIONING, [bucket]).violations == [
        "aws:s3/bucket:Bucket 'b' is a production bucket without versioning: add an aws.s3.BucketVersioning "
        f"(bucket=<this bucket>) with status 'Enabled'. {PROTECTION_HINT}"
    ]


def pab(**flags: object) -> dict:
    return {
        "bucket": UNKNOWN,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
        **flags,
    }


def test_every_bucket_blocks_public_access_with_all_four_flags() -> None:
    bucket = R("aws:s3/bucket:Bucket", "b")
    block = R("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "b-pab", pab(), deps={"bucket": [bucket]})
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, [bucket, block]).passed
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, [bucket]).violations == [
        f"aws:s3/bucket:Bucket 'b' has no public access block. {PAB_HINT}"
    ]
    half = R(block.type, "b-pab", pab(blockPublicPolicy=False, restrictPublicBuckets=None), deps={"bucket": [bucket]})
    result = check_stack(S3_PUBLIC_ACCESS_BLOCK, [bucket, half])
    assert result.violations == [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock 'b-pab' leaves blockPublicPolicy, "
        f"restrictPublicBuckets off for aws:s3/bucket:Bucket 'b'. {PAB_HINT}"
    ]
    assert result.urns == [half.urn]


def test_the_v2_bucket_token_is_checked_too() -> None:
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, [R("aws:s3/bucketV2:BucketV2", "old")]).violations


def test_unknown_public_access_flags_are_deferred_and_false_ones_reported() -> None:
    bucket = R("aws:s3/bucket:Bucket", "b")
    unknown = R(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "b-pab",
        pab(blockPublicAcls=UNKNOWN_BOOL),
        deps={"bucket": [bucket]},
    )
    result = check_stack(S3_PUBLIC_ACCESS_BLOCK, [bucket, unknown])
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 's3-public-access-block' from policy pack 'test-pack@v0.0.1' during preview: "
        "blockPublicAcls of aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock 'b-pab' can't be known during "
        "preview: judged on `pulumi up`, when known"
    ]


def _cluster_with(instances: int, tags: dict[str, str] | object = PROD_TAGS) -> list[R]:
    cluster = R(CLUSTER, "db", {"tags": tags})
    return [
        cluster,
        *[
            R(
                "aws:rds/clusterInstance:ClusterInstance",
                f"db-{i}",
                {"clusterIdentifier": UNKNOWN},
                deps={"clusterIdentifier": [cluster]},
            )
            for i in range(instances)
        ],
    ]


def test_a_production_database_has_a_writer_and_a_reader(stack_name: Callable[[str], None]) -> None:
    assert check_stack(PROD_DATABASE_STANDBY, _cluster_with(2)).passed
    assert check_stack(PROD_DATABASE_STANDBY, _cluster_with(1)).violations == [
        "aws:rds/cluster:Cluster 'db' is a production database with 1 instance; it needs at least 2 (a writer and "
        f"a reader in another AZ, so a failover takes seconds instead of a restore). {PROTECTION_HINT}"
    ]
    stack_name("prod")  # production by the stack name, whatever the tag says
    assert not check_stack(PROD_DATABASE_STANDBY, _cluster_with(1, STANDARD_TAGS)).passed


def test_outside_production_one_instance_is_enough_and_the_minimum_is_configurable() -> None:
    assert check_stack(PROD_DATABASE_STANDBY, _cluster_with(1, STANDARD_TAGS)).passed  # dev
    assert check_stack(PROD_DATABASE_STANDBY, _cluster_with(1), config={"minimumInstances": 1}).passed
    assert check_stack(PROD_DATABASE_STANDBY, _cluster_with(2), config={"minimumInstances": 3}).violations
    assert check_stack(PROD_DATABASE_STANDBY, _cluster_with(1, {"Environment": UNKNOWN})).deferred
