"""Database: Aurora PostgreSQL (Serverless v2 by default) in the isolated data subnets, reachable only from the
security groups granted access."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import DatabaseConfig
from .dr import SecondarySource
from .iam import Statement
from .naming import physical_name
from .rds_instance import enhanced_monitoring_role
from .store_access import admit_postgres, connect_statements, postgres_ingress, postgres_subnet_group

PORT = 5432
ENGINE = "aurora-postgresql"
LOG_EXPORTS = ("postgresql",)
"""Aurora PostgreSQL exports one log type, `postgresql` (statements, errors, connections, slow queries)."""


CREATE_TIMEOUTS = pulumi.CustomTimeouts(create="45m", update="90m")
"""Aurora creates in 10-20 minutes; the provider's defaults (cluster 120 min, instance 90 min) would outlast
the deploy job (see `.github/workflows/deploy.yml`), which would then be killed holding the stack's lock.
Updates keep a longer bound: a class change or a minor upgrade applied now can take longer."""


@dataclass(frozen=True, kw_only=True)
class DatabaseArgs:
    config: DatabaseConfig
    """The validated `platform:database` section (presets applied)."""
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: storage, snapshots, Performance Insights, the exported log group and the RDS-managed
    master secret are all encrypted with it."""
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """The network's data subnets (no route to the internet)."""
    availability_zones: Sequence[str]
    """The data subnets' AZs, in order: instance i goes to AZ i mod n, so the writer and the first reader are
    never in the same AZ."""
    log_retention_days: int
    """Retention of the exported `postgresql` log group (the stack's `logRetentionDays`)."""
    secondary: SecondarySource | None = None
    """A DR standby (components/dr.py): the cluster is the secondary of the primary's global cluster, created with
    its engine version and this region's replica key, and no master user or database name (replicated). Default:
    a primary cluster."""
    global_member: bool = False
    """A DR primary: the cluster is the source of a global cluster, so it ignores `globalClusterIdentifier`, which
    the provider does not read back (an update would otherwise detach it). Default off."""
    protect: bool = False
    """Prod: Pulumi `protect` on cluster and instances, RDS deletion protection, and a final snapshot named
    `<project>-<stack>-db-final` (deterministic: a timestamp would change on every run). Default off: no
    final snapshot, deletable."""


class Database(pulumi.ComponentResource):
    """Aurora PostgreSQL cluster: Serverless v2 capacity (or provisioned instances), writer plus readers across
    AZs, in the data subnets, not publicly accessible; storage encrypted with the stack key; master password
    generated and rotated by RDS in Secrets Manager (never in config or state); IAM database authentication;
    a cluster parameter group that rejects non-TLS connections (`rds.force_ssl=1`) and logs slow statements;
    the `postgresql` log exported to a retained, encrypted log group; Performance Insights (stack key);
    Enhanced Monitoring through its own role when `enhancedMonitoringSeconds` > 0 (preset: staging and prod);
    backups per environment, tags copied to snapshots.

    Its security group has no egress and admits 5432 only from the security groups passed to `allow_from`
    (what a `database: connect` grant does)."""

    cluster_identifier: pulumi.Output[str]
    """For CloudWatch's DBClusterIdentifier dimension."""
    cluster_arn: pulumi.Output[str]
    cluster_resource_id: pulumi.Output[str]
    """The cluster's immutable resource id: IAM auth's `rds-db:connect` resource names it."""
    endpoint: pulumi.Output[str]
    """Writer endpoint."""
    reader_endpoint: pulumi.Output[str]
    port: int = PORT
    database_name: str
    iam_user: str
    """The database user a `connect` grant logs in as."""
    master_secret_arn: pulumi.Output[str]
    """ARN of the RDS-managed master user secret (operators, migrations, and a container secret such as
    `DB_PASSWORD: database.masterSecret:password`)."""
    master_secret_kms_key_arn: pulumi.Input[str]
    """The key RDS encrypts the master secret with (`master_user_secret_kms_key_id`: the stack key); a reader
    of the secret needs kms:Decrypt on it."""
    security_group_id: pulumi.Output[str]
    instance_identifiers: list[pulumi.Output[str]]
    """Writer first, then readers (CloudWatch's DBInstanceIdentifier dimension)."""
    max_capacity: float | None
    """Serverless v2 maximum ACU (alarms on ACU utilisation); None for provisioned instances."""

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:database:Database", name, None, opts)
        config = args.config
        context = args.aws_context
        if not args.availability_zones or len(args.availability_zones) != len(args.subnet_ids):
            raise ValueError("database: one availability zone per data subnet is needed")
        self._name = name
        self._context = context
        child = pulumi.ResourceOptions(parent=self)
        identifier = physical_name("db", max_length=63)

        self._access = postgres_ingress(self, name, args.vpc_id, "Aurora PostgreSQL")
        self.security_group = self._access.security_group
        self.security_group_id = self.security_group.id
        subnet_group = postgres_subnet_group(self, name, args.subnet_ids, "Aurora PostgreSQL")
        family = f"{ENGINE}{config.major_version}"
        parameters = aws.rds.ClusterParameterGroup(
            f"{name}-cluster-params",
            # The family is in the name: a major upgrade creates the new group before deleting the old one.
            name=physical_name("db", f"pg{config.major_version}"),
            family=family,
            description=f"{physical_name('db')}: TLS only, slow statements logged",
            parameters=[
                aws.rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
                aws.rds.ClusterParameterGroupParameterArgs(
                    name="log_min_duration_statement", value=str(config.slow_query_ms)
                ),
                aws.rds.ClusterParameterGroupParameterArgs(name="log_connections", value="1"),
                aws.rds.ClusterParameterGroupParameterArgs(name="log_disconnections", value="1"),
            ],
            tags={"Name": physical_name("db", f"pg{config.major_version}")},
            opts=child,
        )
        # Created before the cluster so RDS writes into a group with retention and the stack key, instead of
        # creating its own (kept forever, unencrypted by a customer key).
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-postgresql-logs",
            name=f"/aws/rds/cluster/{identifier}/postgresql",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child,
        )
        serverless = (
            aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                min_capacity=config.min_capacity,
                max_capacity=config.max_capacity,
                seconds_until_auto_pause=config.seconds_until_auto_pause if config.min_capacity == 0 else None,
            )
            if config.serverless
            else None
        )
        secondary = args.secondary
        cluster = aws.rds.Cluster(
            f"{name}-cluster",
            cluster_identifier=identifier,
            engine=aws.rds.EngineType.AURORA_POSTGRESQL,
            engine_mode="provisioned",
            engine_version=secondary.engine_version if secondary else _creation_version(config.engine_version),
            global_cluster_identifier=secondary.global_cluster_identifier if secondary else None,
            # a secondary replicates the primary's database and master user: it may not name them
            database_name=None if secondary else config.database_name,
            master_username=None if secondary else config.master_username,
            manage_master_user_password=None if secondary else True,
            master_user_secret_kms_key_id=None if secondary else args.kms_key_arn,
            iam_database_authentication_enabled=True,
            storage_encrypted=True,
            kms_key_id=secondary.kms_key_arn if secondary else args.kms_key_arn,
            port=PORT,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            db_cluster_parameter_group_name=parameters.name,
            serverlessv2_scaling_configuration=serverless,
            backup_retention_period=config.backup_retention_days,
            preferred_backup_window=config.preferred_backup_window,
            preferred_maintenance_window=config.preferred_maintenance_window,
            copy_tags_to_snapshot=True,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            deletion_protection=args.protect,
            skip_final_snapshot=not args.protect,
            final_snapshot_identifier=physical_name("db", "final") if args.protect else None,
            apply_immediately=not args.protect,
            tags={"Name": identifier},
            # AWS's automatic minor upgrades move the version past the configured one: that drift is expected. In a
            # global database the provider does not read back `globalClusterIdentifier`, and a secondary's
            # `replicationSourceIdentifier` is set by RDS: without ignoring them an update detaches or promotes it.
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                depends_on=[log_group],
                ignore_changes=["engineVersion"]
                + (
                    ["globalClusterIdentifier", "replicationSourceIdentifier"]
                    if secondary or args.global_member
                    else []
                ),
                custom_timeouts=CREATE_TIMEOUTS,
            ),
        )
        zones = list(args.availability_zones)
        monitoring = enhanced_monitoring_role(self, name, context) if config.enhanced_monitoring_seconds else None
        instances = []
        for index in range(config.instances):
            role = "writer" if index == 0 else f"reader-{index}"
            instance = aws.rds.ClusterInstance(
                f"{name}-{role}",
                identifier=physical_name("db", role, max_length=63),
                cluster_identifier=cluster.id,
                engine=aws.rds.EngineType.AURORA_POSTGRESQL,
                engine_version=cluster.engine_version,
                instance_class=config.instance_class,
                availability_zone=zones[index % len(zones)],
                promotion_tier=0 if index == 0 else 1,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                copy_tags_to_snapshot=True,
                performance_insights_enabled=True,
                performance_insights_kms_key_id=args.kms_key_arn,
                performance_insights_retention_period=config.performance_insights_retention_days,
                monitoring_interval=config.enhanced_monitoring_seconds,
                monitoring_role_arn=monitoring.arn if monitoring is not None else None,
                apply_immediately=not args.protect,
                tags={"Name": physical_name("db", role), "Role": "writer" if index == 0 else "reader"},
                # One at a time: the first one created becomes the writer.
                opts=pulumi.ResourceOptions(
                    parent=self,
                    protect=args.protect,
                    depends_on=instances[-1:] or None,
                    ignore_changes=["engineVersion"],
                    custom_timeouts=CREATE_TIMEOUTS,
                ),
            )
            instances.append(instance)
        self.cluster_identifier = cluster.cluster_identifier
        self.cluster_arn = cluster.arn
        self.engine_version_actual = cluster.engine_version_actual
        self.cluster_resource_id = cluster.cluster_resource_id
        self.endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        self.database_name = config.database_name
        self.iam_user = config.iam_user
        self.master_secret_arn = cluster.master_user_secrets.apply(
            lambda secrets: (secrets[0].secret_arn or "") if secrets else ""
        )
        self.master_secret_kms_key_arn = args.kms_key_arn
        self.instance_identifiers = [i.identifier for i in instances]
        self.max_capacity = config.max_capacity if config.serverless else None
        self.register_outputs(
            {
                "clusterIdentifier": self.cluster_identifier,
                "endpoint": self.endpoint,
                "readerEndpoint": self.reader_endpoint,
                "port": self.port,
                "databaseName": self.database_name,
                "masterSecretArn": self.master_secret_arn,
                "securityGroupId": self.security_group_id,
            }
        )

    def grant(self, access: str) -> list[Statement]:
        """`connect`: rds-db:connect as `iamUser` on this cluster only (its resource id); `connect:<user>` as
        another database user (components/store_access.py). The network side is `allow_from`."""
        return connect_statements(access, self.iam_user, [self.cluster_resource_id], self._context)

    def allow_from(self, name: str, security_group_id: pulumi.Input[str]) -> None:
        """Admit `security_group_id` on 5432: one ingress rule named after the grantee, referencing its group
        (never a CIDR). Granting the same name twice is an error."""
        admit_postgres(self._access, name, security_group_id)


def _creation_version(configured: str) -> pulumi.Input[str]:
    """The version to create the cluster with: `major.minor` as configured, or for a major alone the newest
    minor RDS offers for it (asked at preview, so the plan shows the exact version)."""
    if "." in configured:
        return configured
    return aws.rds.get_engine_version_output(engine=ENGINE, version=configured, latest=True).version_actual
