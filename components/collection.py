"""OpenSearch Serverless collections (`platform:collections`), never public.

Per stack, when there is a collection: one VPC endpoint (`aws.opensearch.ServerlessVpcEndpoint`) in the private
subnets, whose security group admits HTTPS from the VPC only. Per collection:

- an encryption policy with the stack key (`AWSOwnedKey: false`, `KmsARN`): created before the collection,
  which AWS refuses without one;
- a network policy allowing the collection and its dashboards only from that VPC endpoint
  (`AllowFromPublic: false`, `SourceVPCEs`);
- the collection (standby replicas in prod), protected in prod;
- a data access policy generated from the services' grants (`grants: {collections: {cache: readwrite}}`):
  each granted task role, with the index and collection permissions of its access level
  (`admit`, called by the composition root once the services' roles exist). The IAM side of the grant is
  `aoss:APIAccessAll` on the collection's ARN (`grant`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.collections import CollectionConfig
from .grants import statement_id, unknown_access
from .iam import Statement
from .naming import physical_name

if TYPE_CHECKING:
    from .config.stack import StackConfig
    from .layers.network import NetworkLayer

ACCESS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "read": (("aoss:DescribeCollectionItems",), ("aoss:DescribeIndex", "aoss:ReadDocument")),
    "readwrite": (
        ("aoss:CreateCollectionItems", "aoss:DescribeCollectionItems", "aoss:UpdateCollectionItems"),
        ("aoss:CreateIndex", "aoss:DescribeIndex", "aoss:ReadDocument", "aoss:UpdateIndex", "aoss:WriteDocument"),
    ),
}
"""Access level -> (collection permissions, index permissions) in the data access policy."""


def short_name(*parts: str) -> str:
    """OpenSearch Serverless names (collections, policies, endpoints): 3-32 lower-case characters."""
    return physical_name(*parts, max_length=32)


@dataclass(frozen=True, kw_only=True)
class CollectionsArgs:
    collections: Mapping[str, CollectionConfig]
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    production: bool
    protect: bool


class Collection:
    """One built collection: the `Grantable` a service's grant resolves to."""

    def __init__(self, name: str, collection: aws.opensearch.ServerlessCollection, physical: str) -> None:
        self.name = name
        self.physical_name = physical
        """The collection's name in AWS (`<product>-<stack>-<key>`, at most 32 characters)."""
        self.collection_name = collection.name
        self.collection_id = collection.id
        self.arn = collection.arn
        self.endpoint = collection.collection_endpoint

    def grant(self, access: str) -> list[Statement]:
        if access not in ACCESS:
            raise unknown_access("collections", self.name, access)
        return [
            Statement(
                sid=statement_id("collection", self.name, "api"), actions=["aoss:APIAccessAll"], resources=[self.arn]
            )
        ]


class Collections(pulumi.ComponentResource):
    """The stack's collections and their VPC endpoint (see the module docstring)."""

    def __init__(self, name: str, args: CollectionsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:collection:Collections", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-endpoint-sg",
            vpc_id=args.vpc_id,
            name=physical_name("aoss-endpoint"),
            description="OpenSearch Serverless VPC endpoint: HTTPS from the VPC",
            tags={"Name": physical_name("aoss")},
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoint-https",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=args.vpc_cidr,
            description="HTTPS from the VPC",
            opts=child,
        )
        endpoint = aws.opensearch.ServerlessVpcEndpoint(
            f"{name}-endpoint",
            name=short_name("aoss"),
            vpc_id=args.vpc_id,
            subnet_ids=list(args.subnet_ids),
            security_group_ids=[group.id],
            opts=child,
        )
        self.built: dict[str, Collection] = {}
        self._names: dict[str, str] = {}
        for key, config in args.collections.items():
            collection_name = short_name(key)
            self._names[key] = collection_name
            resources = [f"collection/{collection_name}"]
            encryption = aws.opensearch.ServerlessSecurityPolicy(
                f"{name}-{key}-encryption",
                name=short_name(key, "enc"),
                type="encryption",
                policy=pulumi.Output.json_dumps(
                    {
                        "Rules": [{"ResourceType": "collection", "Resource": resources}],
                        "AWSOwnedKey": False,
                        "KmsARN": args.kms_key_arn,
                    }
                ),
                opts=child,
            )
            network = aws.opensearch.ServerlessSecurityPolicy(
                f"{name}-{key}-network",
                name=short_name(key, "net"),
                type="network",
                policy=pulumi.Output.json_dumps(
                    [
                        {
                            "Rules": [
                                {"ResourceType": "collection", "Resource": resources},
                                {"ResourceType": "dashboard", "Resource": resources},
                            ],
                            "AllowFromPublic": False,
                            "SourceVPCEs": [endpoint.id],
                        }
                    ]
                ),
                opts=child,
            )
            standby = config.standby_replicas if config.standby_replicas is not None else args.production
            collection = aws.opensearch.ServerlessCollection(
                f"{name}-{key}",
                name=collection_name,
                type=config.type,
                standby_replicas="ENABLED" if standby else "DISABLED",
                description=f"{physical_name(key)}: encrypted with the stack key, VPC endpoint only",
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=[encryption, network]),
            )
            self.built[key] = Collection(key, collection, collection_name)
        self.register_outputs({})

    def admit(self, key: str, principals: Mapping[str, tuple[pulumi.Input[str], str]]) -> None:
        """The data access policy of collection `key`: grantee -> (role ARN, access level)."""
        if not principals:
            return
        collection_name = self._names[key]
        rules = []
        for _grantee, (role_arn, access) in sorted(principals.items()):
            collection_permissions, index_permissions = ACCESS[access]
            rules.append(
                {
                    "Rules": [
                        {
                            "ResourceType": "collection",
                            "Resource": [f"collection/{collection_name}"],
                            "Permission": list(collection_permissions),
                        },
                        {
                            "ResourceType": "index",
                            "Resource": [f"index/{collection_name}/*"],
                            "Permission": list(index_permissions),
                        },
                    ],
                    "Principal": [role_arn],
                }
            )
        aws.opensearch.ServerlessAccessPolicy(
            f"collections-{key}-access",
            name=short_name(key, "access"),
            type="data",
            policy=pulumi.Output.json_dumps(rules),
            opts=pulumi.ResourceOptions(parent=self),
        )


def build_collections(
    config: StackConfig,
    context: AwsContext,
    kms_key_arn: pulumi.Input[str],
    network: NetworkLayer,
    opts: pulumi.ResourceOptions,
) -> Collections | None:
    """The stack's collections (None without any): private subnets of `network`, stack key."""
    if not config.collections:
        return None
    return Collections(
        "collections",
        CollectionsArgs(
            collections=config.collections,
            aws_context=context,
            kms_key_arn=kms_key_arn,
            vpc_id=network.vpc_id,
            vpc_cidr=network.vpc_cidr,
            subnet_ids=network.private_subnet_ids,
            production=config.environment == "prod",
            protect=config.protect_stateful_resources,
        ),
        opts,
    )


def collection_alarms(
    collections: Collections, account_id: str, topic_arn: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> None:
    """Per collection: search errors and ingestion errors above 5 a minute for 5 minutes (AWS/AOSS; a
    collection's metrics carry CollectionId, CollectionName and ClientId = the account)."""
    for key, collection in collections.built.items():
        dimensions = {
            "CollectionId": collection.collection_id,
            "CollectionName": collection.physical_name,
            "ClientId": account_id,
        }
        for what, metric in (("search-errors", "SearchRequestErrors"), ("ingestion-errors", "IngestionRequestErrors")):
            aws.cloudwatch.MetricAlarm(
                f"collection-{key}-{what}",
                name=physical_name("collection", key, what),
                namespace="AWS/AOSS",
                metric_name=metric,
                dimensions=dimensions,
                statistic="Sum",
                period=60,
                evaluation_periods=5,
                datapoints_to_alarm=5,
                threshold=5,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                alarm_description=f"Collection {key}: more than 5 {metric} a minute for 5 minutes",
                opts=opts,
            )
