"""prod-stateful-resources-protected judges exactly the stateful types it names: every default one without
configuration, every optional one once configured (the lists are spelled out here, not read from the module,
so dropping a type from the pack fails a test)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies.guardrails.protection import HINT, PROD_STATEFUL_RESOURCES_PROTECTED

from .helpers import STANDARD_TAGS, check

POLICY = PROD_STATEFUL_RESOURCES_PROTECTED
PROD_TAGS = {**STANDARD_TAGS, "Environment": "prod"}
JUDGED_BY_DEFAULT = [
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/instance:Instance",
    "aws:dynamodb/table:Table",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:sqs/queue:Queue",
    "aws:kms/key:Key",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:secretsmanager/secret:Secret",
    "aws:efs/fileSystem:FileSystem",
    "aws:ecr/repository:Repository",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:backup/vault:Vault",
    "aws:rds/globalCluster:GlobalCluster",
    "aws:kms/replicaKey:ReplicaKey",
]
JUDGED_WHEN_CONFIGURED = [
    "aws:dynamodb/tableReplica:TableReplica",
    "aws:kms/externalKey:ExternalKey",
    "aws:ebs/volume:Volume",
    "aws:elasticache/cluster:Cluster",
    "aws:memorydb/cluster:Cluster",
    "aws:opensearch/domain:Domain",
    "aws:redshift/cluster:Cluster",
    "aws:docdb/cluster:Cluster",
    "aws:neptune/cluster:Cluster",
    "aws:kinesis/stream:Stream",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:fsx/lustreFileSystem:LustreFileSystem",
]


@pytest.mark.parametrize("resource_type", JUDGED_BY_DEFAULT)
def test_each_default_stateful_type_must_be_protected_in_production(
    resource_type: str, stack_name: Callable[[str], None]
) -> None:
    stack_name("prod")
    assert check(POLICY, resource_type, {"tags": PROD_TAGS}).violations == [
        f"{resource_type} 'r' stores production data without the `protect` resource option. {HINT}"
    ]


@pytest.mark.parametrize("resource_type", JUDGED_WHEN_CONFIGURED)
def test_each_optional_stateful_type_is_judged_once_configured(
    resource_type: str, stack_name: Callable[[str], None]
) -> None:
    stack_name("prod")
    assert check(POLICY, resource_type, {"tags": PROD_TAGS}).passed
    configured = check(POLICY, resource_type, {"tags": PROD_TAGS}, config={"statefulTypes": [resource_type]})
    assert configured.violations == [
        f"{resource_type} 'r' stores production data without the `protect` resource option. {HINT}"
    ]
    assert check(POLICY, resource_type, {}, config={"statefulTypes": [resource_type]}, protect=True).passed
