"""prod-stateful-resources-protected.

In production, every resource that stores data carries Pulumi's `protect` resource option, so no `pulumi up`
(a rename, a property that forces replacement, a resource deleted from the program) and no `pulumi destroy`
can delete or replace it: the engine refuses ("unable to replace resource ... as it is currently marked for
protection") until someone removes `protect` in a reviewed change. AWS deletion protection
(prod-data-protection) guards against deletion through AWS; `protect` guards against the deployment itself,
including replacements, and covers types that have no AWS-side protection (buckets, queues, keys, secrets).

Production is decided as for prod-data-protection: the stack name, or the resource's `Environment` tag, is
one of the `productionEnvironments` setting (either is enough). Outside production the policy has nothing to
say. `protect` is a resource option, never unknown: only an unknown `Environment` tag defers.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import PRODUCTION_SETTING, Context, Resource, resource_policy, string_list

STATEFUL_DEFAULT = [
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
"""Judged by default: what the platform builds that holds data (a KMS key holds every store's readability; an
ECR repository holds the images production runs and rolls back to)."""

STATEFUL_TYPES = [
    *STATEFUL_DEFAULT,
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
"""Every type `statefulTypes` may name (the schema refuses others, so a typo is an error, not a silent pass)."""

SETTINGS: dict[str, dict[str, Any]] = {
    **PRODUCTION_SETTING,
    "statefulTypes": string_list(
        STATEFUL_DEFAULT,
        "Resource types that store data and must carry `protect` in production.",
        allowed=STATEFUL_TYPES,
    ),
}

HINT = (
    "Pass opts=pulumi.ResourceOptions(protect=True) (the platform's components do where "
    "protectStatefulResources is on, the prod preset), so no `pulumi up` or `pulumi destroy` can delete or "
    "replace it and the data it holds."
)


def check_protected(resource: Resource, ctx: Context) -> None:
    if resource.protect or resource.type not in set(ctx.settings["statefulTypes"]):
        return  # protected: compliant wherever it runs, whatever its tags turn out to be
    if ctx.in_production(resource):
        ctx.violation(f"{resource.subject} stores production data without the `protect` resource option. {HINT}")


PROD_STATEFUL_RESOURCES_PROTECTED = resource_policy(
    name="prod-stateful-resources-protected",
    description="Production resources that store data (databases, tables, buckets, queues, keys, secrets, file "
    "systems, image repositories) carry the Pulumi `protect` option: no deployment can delete or "
    "replace them.",
    types=STATEFUL_TYPES,
    check=check_protected,
    settings=SETTINGS,
    severity=Severity.HIGH,
    remediation="Set the `protect` resource option on the resource (ResourceOptions(protect=True)); remove it "
    "only in a reviewed change when the replacement or deletion is really wanted.",
)

POLICIES = [PROD_STATEFUL_RESOURCES_PROTECTED]
