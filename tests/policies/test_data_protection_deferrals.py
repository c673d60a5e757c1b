"""The data-protection policies defer, rather than pass or fail, when the value they judge is unknown at
preview; and their thresholds hold exactly at the minimum.

A deferral is the SDK's advisory "can't run policy ... during preview: <what> can't be known during preview:
<when>": the verdict comes on `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies.guardrails.data_protection import (
    NO_PUBLIC_DATABASES,
    PAB_HINT,
    PROD_BUCKET_VERSIONING,
    PROD_DATA_PROTECTION,
    PROD_DATABASE_STANDBY,
    PROTECTION_HINT,
    S3_PUBLIC_ACCESS_BLOCK,
)

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_BOOL, UNKNOWN_NUMBER, R, check, check_stack, deferred

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
TABLE = "aws:dynamodb/table:Table"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
WHEN_KNOWN = "judged on `pulumi up`, when known"
PROTECTED = {"deletionProtection": True, "backupRetentionPeriod": 7, "skipFinalSnapshot": False}
TABLE_PROTECTED = {"deletionProtectionEnabled": True, "pointInTimeRecovery": {"enabled": True}}


@pytest.fixture
def prod(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")


def test_an_unknown_public_flag_defers_the_database() -> None:
    result = check(NO_PUBLIC_DATABASES, INSTANCE, {"publiclyAccessible": UNKNOWN_BOOL})
    assert result.violations == []
    assert result.deferred == deferred("no-public-databases", (f".publiclyAccessible of {INSTANCE} 'r'", WHEN_KNOWN))


def test_the_database_types_judged_are_configurable() -> None:
    public = {"publiclyAccessible": True}
    assert check(NO_PUBLIC_DATABASES, INSTANCE, public).violations
    assert check(NO_PUBLIC_DATABASES, INSTANCE, public, config={"databaseTypes": [CLUSTER]}).passed
    assert check(NO_PUBLIC_DATABASES, CLUSTER, public, config={"databaseTypes": [CLUSTER]}).violations


def test_a_bridged_string_true_is_public() -> None:
    assert check(NO_PUBLIC_DATABASES, CLUSTER, {"publiclyAccessible": "true"}).violations
    assert check(NO_PUBLIC_DATABASES, CLUSTER, {"publiclyAccessible": "false"}).passed


@pytest.mark.parametrize(
    ("prop", "what"),
    [
        ("deletionProtection", ".deletionProtection"),
        ("backupRetentionPeriod", ".backupRetentionPeriod"),
        ("skipFinalSnapshot", ".skipFinalSnapshot"),
    ],
)
@pytest.mark.usefixtures("prod")
def test_an_unknown_protection_setting_defers_a_production_database(prop: str, what: str) -> None:
    unknown = UNKNOWN_NUMBER if prop == "backupRetentionPeriod" else UNKNOWN_BOOL
    result = check(PROD_DATA_PROTECTION, INSTANCE, {**PROTECTED, prop: unknown})
    assert result.violations == []
    assert result.deferred == deferred("prod-data-protection", (f"{what} of {INSTANCE} 'r'", WHEN_KNOWN))


@pytest.mark.usefixtures("prod")
def test_unknown_table_protections_defer() -> None:
    result = check(
        PROD_DATA_PROTECTION, TABLE, {"deletionProtectionEnabled": UNKNOWN_BOOL, "pointInTimeRecovery": UNKNOWN}
    )
    assert result.violations == []
    assert result.deferred == deferred(
        "prod-data-protection",
        (f".deletionProtectionEnabled of {TABLE} 'r'", WHEN_KNOWN),
        (f".pointInTimeRecovery of {TABLE} 'r'", WHEN_KNOWN),
    )


@pytest.mark.usefixtures("prod")
def test_an_unknown_versioning_status_defers_a_production_bucket() -> None:
    result = check(PROD_DATA_PROTECTION, VERSIONING, {"versioningConfiguration": {"status": UNKNOWN}})
    assert result.violations == []
    assert result.deferred == deferred(
        "prod-data-protection", (f".versioningConfiguration.status of {VERSIONING} 'r'", "judged on `pulumi up`")
    )


def test_versioning_suspended_outside_production_is_not_judged() -> None:
    assert check(PROD_DATA_PROTECTION, VERSIONING, {"versioningConfiguration": {"status": "Suspended"}}).passed


@pytest.mark.usefixtures("prod")
def test_backup_retention_at_the_minimum_passes_and_one_day_less_fails() -> None:
    assert check(PROD_DATA_PROTECTION, INSTANCE, PROTECTED).passed
    assert check(PROD_DATA_PROTECTION, INSTANCE, {**PROTECTED, "backupRetentionPeriod": 6}).violations == [
        f"{INSTANCE} 'r' keeps backups 6 days; production keeps at least 7 (backup_retention_period). {PROTECTION_HINT}"
    ]
    config = {"minimumBackupRetentionDays": 1}
    assert check(PROD_DATA_PROTECTION, INSTANCE, {**PROTECTED, "backupRetentionPeriod": None}, config=config).passed


@pytest.mark.usefixtures("prod")
def test_unset_backup_retention_counts_as_the_one_day_aws_keeps() -> None:
    unset = {"deletionProtection": True, "skipFinalSnapshot": False}
    assert check(PROD_DATA_PROTECTION, INSTANCE, unset).violations == [
        f"{INSTANCE} 'r' keeps backups 1 day; production keeps at least 7 (backup_retention_period). {PROTECTION_HINT}"
    ]


@pytest.mark.usefixtures("prod")
def test_a_read_replica_needs_deletion_protection_but_not_its_own_backups() -> None:
    replica = {"replicateSourceDb": "platform-prod-db", "backupRetentionPeriod": 0, "skipFinalSnapshot": True}
    assert check(PROD_DATA_PROTECTION, INSTANCE, replica).violations == [
        f"{INSTANCE} 'r' is production data without deletionProtection: set deletion_protection=true. {PROTECTION_HINT}"
    ]


@pytest.mark.usefixtures("prod")
def test_a_protected_production_table_passes_and_string_booleans_count() -> None:
    assert check(PROD_DATA_PROTECTION, TABLE, TABLE_PROTECTED).passed
    assert check(
        PROD_DATA_PROTECTION, TABLE, {"deletionProtectionEnabled": "true", "pointInTimeRecovery": {"enabled": "true"}}
    ).passed


def _bucket(*statuses: object) -> list[R]:
    bucket = R("aws:s3/bucket:Bucket", "b", {"tags": STANDARD_TAGS})
    return [
        bucket,
        *(
            R(VERSIONING, f"b-v{i}", {"versioningConfiguration": {"status": s}}, deps={"bucket": [bucket]})
            for i, s in enumerate(statuses)
        ),
    ]


@pytest.mark.usefixtures("prod")
def test_an_unknown_versioning_status_defers_the_bucket_unless_another_is_enabled() -> None:
    result = check_stack(PROD_BUCKET_VERSIONING, _bucket(UNKNOWN))
    assert result.violations == []
    assert result.deferred == deferred(
        "prod-bucket-versioning", ("the versioning status of aws:s3/bucket:Bucket 'b'", WHEN_KNOWN)
    )
    assert check_stack(PROD_BUCKET_VERSIONING, _bucket(UNKNOWN, "Enabled")).passed


@pytest.mark.usefixtures("prod")
def test_a_suspended_versioning_companion_leaves_the_bucket_unversioned() -> None:
    assert check_stack(PROD_BUCKET_VERSIONING, _bucket("Suspended")).violations == [
        "aws:s3/bucket:Bucket 'b' is a production bucket without versioning: add an aws.s3.BucketVersioning "
        f"(bucket=<this bucket>) with status 'Enabled'. {PROTECTION_HINT}"
    ]


@pytest.mark.usefixtures("prod")
def test_inline_versioning_on_the_bucket_counts() -> None:
    bucket = R("aws:s3/bucket:Bucket", "b", {"versioning": {"enabled": True}})
    assert check_stack(PROD_BUCKET_VERSIONING, [bucket]).passed


def _cluster(instances: int) -> list[R]:
    cluster = R(CLUSTER, "db", {"tags": STANDARD_TAGS})
    members = [
        R("aws:rds/clusterInstance:ClusterInstance", f"db-{i}", deps={"clusterIdentifier": [cluster]})
        for i in range(instances)
    ]
    return [cluster, *members]


@pytest.mark.usefixtures("prod")
def test_the_standby_count_is_exact_at_the_minimum_and_counts_only_cluster_members() -> None:
    assert check_stack(PROD_DATABASE_STANDBY, _cluster(3), config={"minimumInstances": 3}).passed
    other = R("aws:rds/instance:Instance", "lone", deps={"clusterIdentifier": [_cluster(0)[0]]})
    assert check_stack(PROD_DATABASE_STANDBY, [*_cluster(0), other]).violations == [
        f"{CLUSTER} 'db' is a production database with 0 instances; it needs at least 2 (a writer and a reader in "
        f"another AZ, so a failover takes seconds instead of a restore). {PROTECTION_HINT}"
    ]


@pytest.mark.parametrize(
    "database_type",
    [
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:redshift/cluster:Cluster",
        "aws:redshiftserverless/workgroup:Workgroup",
        "aws:dms/replicationInstance:ReplicationInstance",
    ],
)
def test_every_database_type_is_refused_public(database_type: str) -> None:
    assert check(NO_PUBLIC_DATABASES, database_type, {"publiclyAccessible": True}).violations == [
        f"{database_type} 'r' is publicly accessible: set publicly_accessible=false and keep it in the isolated data "
        "subnets, reachable only from the services' security groups."
    ]


@pytest.mark.usefixtures("prod")
def test_v2_bucket_versioning_is_judged_too() -> None:
    v2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
    assert check(PROD_DATA_PROTECTION, v2, {"versioningConfiguration": {"status": "Disabled"}}).violations == [
        f"{v2} 'r' sets versioning 'Disabled' on a production bucket: set status 'Enabled'. {PROTECTION_HINT}"
    ]
    bucket = R("aws:s3/bucketV2:BucketV2", "b")
    enabled = R(v2, "b-v", {"versioningConfiguration": {"status": "Enabled"}}, deps={"bucket": [bucket]})
    assert check_stack(PROD_BUCKET_VERSIONING, [bucket, enabled]).passed


def _blocks(*flag_sets: dict) -> list[R]:
    bucket = R("aws:s3/bucket:Bucket", "b")
    block = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    flags = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)
    return [bucket, *(R(block, f"pab-{i}", {**flags, **f}, deps={"bucket": [bucket]}) for i, f in enumerate(flag_sets))]


def test_one_complete_public_access_block_is_enough_whatever_the_others_say() -> None:
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, _blocks({"blockPublicAcls": False}, {})).passed
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, _blocks({}, {"ignorePublicAcls": UNKNOWN_BOOL})).passed


def test_an_incomplete_block_is_reported_and_an_unknown_one_beside_it_deferred() -> None:
    result = check_stack(
        S3_PUBLIC_ACCESS_BLOCK, _blocks({"blockPublicAcls": False}, {"ignorePublicAcls": UNKNOWN_BOOL})
    )
    assert result.violations == [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock 'pab-0' leaves blockPublicAcls off for "
        f"aws:s3/bucket:Bucket 'b'. {PAB_HINT}"
    ]
    assert result.deferred == deferred(
        "s3-public-access-block",
        ("ignorePublicAcls of aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock 'pab-1'", WHEN_KNOWN),
    )


def test_the_required_public_access_flags_are_configurable() -> None:
    config = {"requiredFlags": ["blockPublicAcls"]}
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, _blocks({"restrictPublicBuckets": False}), config=config).passed
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, _blocks({"blockPublicAcls": "false"}), config=config).violations
    assert check_stack(S3_PUBLIC_ACCESS_BLOCK, _blocks({"blockPublicAcls": "true"}), config=config).passed


def test_every_bucket_needs_its_own_public_access_block() -> None:
    covered = _blocks({})
    bare = R("aws:s3/bucketV2:BucketV2", "bare")
    result = check_stack(S3_PUBLIC_ACCESS_BLOCK, [*covered, bare])
    assert result.violations == [f"aws:s3/bucketV2:BucketV2 'bare' has no public access block. {PAB_HINT}"]
    assert result.urns == [bare.urn]


def test_an_unknown_environment_tag_defers_the_bucket_versioning_verdict() -> None:
    tags = {**STANDARD_TAGS, "Environment": UNKNOWN}
    bucket = R("aws:s3/bucket:Bucket", "b", {"tags": tags})
    result = check_stack(PROD_BUCKET_VERSIONING, [bucket])
    assert result.violations == []
    assert result.deferred == deferred(
        "prod-bucket-versioning",
        ("the Environment tag of aws:s3/bucket:Bucket 'b'", "whether it is production is judged on `pulumi up`"),
    )
