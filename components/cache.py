"""Cache: an ElastiCache replication group (Valkey or Redis OSS) in the isolated data subnets, reached only by the
services granted `connect`, which authenticate with IAM (no password exists anywhere)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import CacheConfig
from .grants import statement_id, unknown_access
from .iam import Statement
from .naming import physical_name
from .store_access import GrantedIngress

PORT = 6379
LOG_TYPES = ("slow-log", "engine-log")
"""Both logs ElastiCache for Valkey / Redis OSS can deliver, as JSON into the cache's own log groups."""
DISABLED_DEFAULT_ACCESS = "off -@all"
"""Redis OSS user groups must hold a user named `default`; ours is switched off and may run no command."""


@dataclass(frozen=True, kw_only=True)
class CacheArgs:
    name: str
    """The config key (`sessions`): the replication group is `<project>-<stack>-<name>`."""
    config: CacheConfig
    """The validated `platform:caches.<name>` entry (presets applied)."""
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: data at rest (snapshots, swap, the replication stream on disk) and the log groups."""
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """The network's data subnets (no route to the internet)."""
    availability_zones: Sequence[str]
    """The data subnets' AZs, in order: node i goes to AZ i mod n, so the primary and its first replica are never in
    the same AZ."""
    log_retention_days: int
    """Retention of the slow-log and engine-log groups (the stack's `logRetentionDays`)."""
    protect: bool = False
    """Prod: Pulumi `protect` on the replication group and a final snapshot `<project>-<stack>-<name>-final` when it
    is deleted (ElastiCache has no deletion protection of its own). Default off."""


class Cache(pulumi.ComponentResource):
    """ElastiCache for Valkey (default) or Redis OSS, cluster mode disabled:

    - nodes: a primary plus `replicas` read replicas spread over the data subnets' AZs; with a replica, Multi-AZ
      and automatic failover are on (the prod preset has one);
    - encryption: TLS required in transit (`transit_encryption_mode=required`), at rest with the stack key;
    - authentication: an RBAC user group holding one IAM-authenticated user (`<project>-<stack>-<name>-<user>`,
      user id = user name as IAM authentication requires) and, for Redis OSS, the mandatory `default` user
      switched off. No AUTH token and no password: a client signs a short-lived token with its task role, which a
      `connect` grant allows (`elasticache:Connect` on this group and this user);
    - network: its own security group, no egress, 6379 only from the groups passed to `allow_from`;
    - operations: daily snapshots kept `snapshotRetentionDays` in `snapshotWindow`, a weekly maintenance window,
      minor engine upgrades applied automatically, slow and engine logs to encrypted, retained log groups.

    Outputs for references (`${caches.<name>.endpoint}`): `endpoint` (primary), `reader_endpoint`, `port`."""

    replication_group_id: str
    """`<project>-<stack>-<name>`: known before creation (alarm dimensions, IAM resources)."""
    member_cluster_ids: list[str]
    """`<id>-001`, `<id>-002`...: the nodes, as ElastiCache names them (CloudWatch's CacheClusterId dimension)."""
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    """Primary endpoint address (reads and writes; follows a failover)."""
    reader_endpoint: pulumi.Output[str]
    """Reader endpoint address (spreads reads over the replicas)."""
    port: int = PORT
    user_id: str
    """The IAM-authenticated ElastiCache user (id = name) clients log in as."""
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:cache:Cache", name, None, opts)
        config, context = args.config, args.aws_context
        if not args.availability_zones or len(args.availability_zones) != len(args.subnet_ids):
            raise ValueError(f"cache {args.name}: one availability zone per data subnet is needed")
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        group_id = physical_name(args.name, max_length=40).lower()
        self.replication_group_id = group_id
        nodes = 1 + config.replicas
        self.member_cluster_ids = [f"{group_id}-{index + 1:03d}" for index in range(nodes)]

        self._access = GrantedIngress(
            self,
            name,
            vpc_id=args.vpc_id,
            group_name=physical_name(args.name, "cache"),
            description=f"ElastiCache {args.name}: {PORT} only from granted services; no egress",
            port=PORT,
            owner=f"cache {args.name}",
        )
        self.security_group = self._access.security_group
        self.security_group_id = self.security_group.id
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            name=group_id,
            subnet_ids=list(args.subnet_ids),
            description=f"ElastiCache {args.name}: the isolated data subnets",
            tags={"Name": group_id},
            opts=child,
        )

        self.user_id = physical_name(args.name, config.user, max_length=40).lower()
        users = [
            aws.elasticache.User(
                f"{name}-user",
                user_id=self.user_id,
                user_name=self.user_id,
                engine=config.engine,
                access_string=config.access_string,
                authentication_mode=aws.elasticache.UserAuthenticationModeArgs(type="iam"),
                tags={"Name": self.user_id},
                opts=child,
            )
        ]
        if config.engine == "redis":
            default_id = physical_name(args.name, "default", max_length=40).lower()
            users.append(
                aws.elasticache.User(
                    f"{name}-default-user",
                    user_id=default_id,
                    user_name="default",
                    engine="redis",
                    access_string=DISABLED_DEFAULT_ACCESS,
                    authentication_mode=aws.elasticache.UserAuthenticationModeArgs(type="no-password-required"),
                    tags={"Name": default_id},
                    opts=child,
                )
            )
        user_group = aws.elasticache.UserGroup(
            f"{name}-users",
            user_group_id=group_id,
            engine=config.engine,
            user_ids=[user.user_id for user in users],
            tags={"Name": group_id},
            opts=child,
        )

        # Created before the group so ElastiCache delivers into groups with retention and the stack key.
        log_groups = {
            log_type: aws.cloudwatch.LogGroup(
                f"{name}-{log_type}",
                name=f"/aws/elasticache/{group_id}/{log_type}",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                opts=child,
            )
            for log_type in LOG_TYPES
        }
        zones = list(args.availability_zones)
        group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            replication_group_id=group_id,
            description=f"{physical_name(args.name)}: {config.engine} {config.version}",
            engine=config.engine,
            engine_version=config.version,
            node_type=config.node_type,
            num_cache_clusters=nodes,
            preferred_cache_cluster_azs=[zones[index % len(zones)] for index in range(nodes)],
            multi_az_enabled=config.multi_az,
            automatic_failover_enabled=config.multi_az,
            port=PORT,
            subnet_group_name=subnets.name,
            security_group_ids=[self.security_group.id],
            at_rest_encryption_enabled=True,
            kms_key_id=args.kms_key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            user_group_ids=[user_group.user_group_id],
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=config.snapshot_window,
            maintenance_window=config.maintenance_window,
            auto_minor_version_upgrade=True,
            final_snapshot_identifier=physical_name(args.name, "final") if args.protect else None,
            apply_immediately=not args.protect,
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=log_groups[log_type].name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
                for log_type in LOG_TYPES
            ],
            tags={"Name": group_id},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=list(log_groups.values())),
        )
        self.arn = group.arn
        self.endpoint = group.primary_endpoint_address
        self.reader_endpoint = group.reader_endpoint_address
        self._group_arn = context.arn("elasticache", f"replicationgroup:{group_id}")
        self._user_arn = context.arn("elasticache", f"user:{self.user_id}")
        self.register_outputs(
            {
                "replicationGroupId": group_id,
                "endpoint": self.endpoint,
                "readerEndpoint": self.reader_endpoint,
                "port": self.port,
                "userId": self.user_id,
                "securityGroupId": self.security_group_id,
            }
        )

    def grant(self, access: str) -> list[Statement]:
        """`connect`: `elasticache:Connect` on this replication group and its IAM user, the two resources AWS
        checks when a client authenticates with an IAM token (ARNs built from known names, so the policy is judged
        at a first preview too). No KMS action: at-rest encryption is ElastiCache's own business. The network
        side is `allow_from`."""
        if access != "connect":
            raise unknown_access("caches", self._args.name, access)
        return [
            Statement(
                sid=statement_id("cache", self._args.name, "connect"),
                actions=["elasticache:Connect"],
                resources=[self._group_arn, self._user_arn],
            )
        ]

    def allow_from(self, name: str, security_group_id: pulumi.Input[str]) -> None:
        """Admit `security_group_id` on 6379: one ingress rule named after the grantee, referencing its group
        (never a CIDR). Granting the same name twice is an error."""
        self._access.admit(
            name,
            security_group_id,
            description=f"{self._args.config.engine} from {name}",
            tag_name=physical_name(self._args.name, "from", name),
        )
