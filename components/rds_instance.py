"""RDS PostgreSQL instance (`database: {engine: postgres}`): one instance (Multi-AZ in prod) with optional read
replicas, in the isolated data subnets, reachable only from the security groups granted access; and the Enhanced
Monitoring role it shares with Aurora (components/database.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import PostgresConfig
from .grants import statement_id, unknown_access
from .iam import Statement, service_trust_policy
from .keys import via_service
from .naming import physical_name

PORT = 5432
ENGINE = "postgres"
LOG_EXPORTS = ("postgresql", "upgrade")
"""RDS PostgreSQL's two log types: `postgresql` (statements, errors, connections, slow queries) and `upgrade`
(what `pg_upgrade` said during a major version upgrade)."""
ENHANCED_MONITORING_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"
"""AWS's managed policy for the Enhanced Monitoring role (logs:CreateLogGroup/PutRetentionPolicy on `RDS*` log
groups, CreateLogStream/PutLogEvents/Describe* on `RDSOSMetrics` streams). AWS maintains it with the agent, and the
pack forbids only broad managed policies (no-wildcard-iam `forbiddenManagedPolicies`), so it is attached rather than
copied inline."""
_DB_USER = re.compile(r"[a-z][a-z0-9_]{0,62}")


def enhanced_monitoring_role(parent: pulumi.Resource, name: str, context: AwsContext) -> aws.iam.Role:
    """The role RDS's monitoring agent assumes to publish OS metrics to CloudWatch Logs (`RDSOSMetrics`): trusted by
    `monitoring.rds` only for this account's database instances (confused deputy), with AWS's managed
    AmazonRDSEnhancedMonitoringRole policy attached."""
    role = aws.iam.Role(
        f"{name}-monitoring-role",
        name=physical_name(name, "monitoring", max_length=64),
        description=f"RDS Enhanced Monitoring of {physical_name(name)}",
        assume_role_policy=service_trust_policy(
            context.service_principal("monitoring.rds"), context.account_id, context.arn("rds", "db:*")
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.iam.RolePolicyAttachment(
        f"{name}-monitoring-policy",
        role=role.name,
        policy_arn=f"arn:{context.partition}:iam::aws:policy/{ENHANCED_MONITORING_POLICY}",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return role


class MasterSecret:
    """The database's RDS-managed master user secret as a stack secret (`secrets: {DB_PASSWORD:
    database-master:password}` in a service): RDS creates and rotates it, so it is not a `Secret` component, but a
    service injects it the same way, by reference. `read` is secretsmanager:GetSecretValue on it and kms:Decrypt on
    the stack key through Secrets Manager only."""

    def __init__(self, arn: pulumi.Output[str], *, kms_key_arn: pulumi.Input[str], aws_context: AwsContext) -> None:
        self.arn = arn
        self._kms_key_arn = kms_key_arn
        self._context = aws_context

    def grant(self, access: str) -> list[Statement]:
        if access != "read":
            raise unknown_access("secrets", "database-master", access)
        return [
            Statement(
                sid=statement_id("secret", "database-master", "read"),
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.arn],
            ),
            Statement(
                sid=statement_id("secret", "database-master", "key"),
                actions=["kms:Decrypt"],
                resources=[self._kms_key_arn],
                conditions=via_service(self._context, "secretsmanager"),
            ),
        ]


@dataclass(frozen=True, kw_only=True)
class RdsInstanceArgs:
    config: PostgresConfig
    """The validated `platform:database` section with `engine: postgres` (presets applied)."""
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: storage, snapshots, Performance Insights, the log groups and the master secret."""
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """The network's data subnets (no route to the internet)."""
    availability_zones: Sequence[str]
    """The data subnets' AZs: read replica i goes to AZ i mod n (the primary's AZ is RDS's choice when Multi-AZ)."""
    log_retention_days: int
    protect: bool = False
    """Prod: Pulumi `protect`, RDS deletion protection and a final snapshot `<project>-<stack>-db-final`. Default
    off: no final snapshot, deletable."""


class RdsInstance(pulumi.ComponentResource):
    """RDS PostgreSQL, one instance:

    - engine: the configured major version only (`16`); auto minor version upgrade on, so RDS moves minors in the
      maintenance window and the program never pins (or fights) one;
    - availability: Multi-AZ (a synchronous standby in another AZ, automatic failover) where `multiAz` is on, the
      prod preset; optional asynchronous read replicas in the next AZs;
    - storage: gp3, `allocatedStorageGib` growing on its own up to `maxAllocatedStorageGib`, encrypted with the
      stack key; not publicly accessible, in the data subnets;
    - access: master password generated and rotated by RDS in Secrets Manager (stack key), never in config or
      state; IAM database authentication; a parameter group that rejects non-TLS connections
      (`rds.force_ssl=1`) and logs connections, disconnections and slow statements;
    - operations: `postgresql` and `upgrade` logs exported to retained, encrypted log groups; Performance Insights
      (stack key); Enhanced Monitoring through its own role when `enhancedMonitoringSeconds` > 0; backups per
      environment, tags copied to snapshots; prod: deletion protection, final snapshot, `protect`.

    Its security group has no egress and admits 5432 only from the groups passed to `allow_from`."""

    identifier: str
    """`<project>-<stack>-db` (CloudWatch's DBInstanceIdentifier)."""
    replica_identifiers: list[str]
    arn: pulumi.Output[str]
    resource_id: pulumi.Output[str]
    """The instance's immutable resource id (`db-...`): IAM auth's `rds-db:connect` resource names it."""
    endpoint: pulumi.Output[str]
    """Host name of the instance (follows a Multi-AZ failover)."""
    reader_endpoint: pulumi.Output[str]
    """The first read replica's host name, or the instance's own without replicas."""
    port: int = PORT
    database_name: str
    iam_user: str
    master_secret_arn: pulumi.Output[str]
    """ARN of the RDS-managed master user secret (a service reads it as `DB_PASSWORD` by reference)."""
    master_secret_kms_key_arn: pulumi.Input[str]
    """The key that encrypts the master secret (the stack key): `database.masterSecret:<field>` references need
    kms:Decrypt on it, as with Aurora's."""
    security_group_id: pulumi.Output[str]
    arns: list[pulumi.Output[str]]
    """The instance's and its replicas' ARNs (backup selections)."""

    def __init__(self, name: str, args: RdsInstanceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:rds:RdsInstance", name, None, opts)
        config, context = args.config, args.aws_context
        if not args.availability_zones or len(args.availability_zones) != len(args.subnet_ids):
            raise ValueError("database: one availability zone per data subnet is needed")
        self._name = name
        self._context = context
        self._ingress: set[str] = set()
        child = pulumi.ResourceOptions(parent=self)
        self.identifier = physical_name("db", max_length=63)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            name=physical_name("db"),
            description="RDS PostgreSQL: 5432 only from granted services; no egress",
            tags={"Name": physical_name("db")},
            opts=child,
        )
        self.security_group_id = self.security_group.id
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=physical_name("db"),
            subnet_ids=list(args.subnet_ids),
            description="RDS PostgreSQL: the isolated data subnets",
            tags={"Name": physical_name("db")},
            opts=child,
        )
        parameters = aws.rds.ParameterGroup(
            f"{name}-params",
            # The family is in the name: a major upgrade creates the new group before deleting the old one.
            name=physical_name("db", f"pg{config.major_version}"),
            family=f"{ENGINE}{config.major_version}",
            description=f"{physical_name('db')}: TLS only, connections and slow statements logged",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
                aws.rds.ParameterGroupParameterArgs(name="log_min_duration_statement", value=str(config.slow_query_ms)),
                aws.rds.ParameterGroupParameterArgs(name="log_connections", value="1"),
                aws.rds.ParameterGroupParameterArgs(name="log_disconnections", value="1"),
            ],
            tags={"Name": physical_name("db", f"pg{config.major_version}")},
            opts=child,
        )
        monitoring = enhanced_monitoring_role(self, name, context) if config.enhanced_monitoring_seconds else None
        self.replica_identifiers = [
            physical_name("db", f"replica-{i}", max_length=63) for i in range(1, config.read_replicas + 1)
        ]
        log_groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-{ident.removeprefix(self.identifier).strip('-') or 'primary'}-{log}-logs",
                name=f"/aws/rds/instance/{ident}/{log}",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                opts=child,
            )
            for ident in (self.identifier, *self.replica_identifiers)
            for log in LOG_EXPORTS
        ]
        common = {
            "instance_class": config.instance_class,
            "publicly_accessible": False,
            "auto_minor_version_upgrade": True,
            "copy_tags_to_snapshot": True,
            "iam_database_authentication_enabled": True,
            "vpc_security_group_ids": [self.security_group.id],
            "parameter_group_name": parameters.name,
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": args.kms_key_arn,
            "performance_insights_retention_period": config.performance_insights_retention_days,
            "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS),
            "monitoring_interval": config.enhanced_monitoring_seconds,
            "monitoring_role_arn": monitoring.arn if monitoring is not None else None,
            "deletion_protection": args.protect,
            "apply_immediately": not args.protect,
        }
        instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=self.identifier,
            engine=ENGINE,
            engine_version=config.engine_version,
            allocated_storage=config.allocated_storage_gib,
            max_allocated_storage=config.max_allocated_storage_gib,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            db_name=config.database_name,
            username=config.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.kms_key_arn,
            port=PORT,
            db_subnet_group_name=subnet_group.name,
            multi_az=config.multi_az,
            backup_retention_period=config.backup_retention_days,
            backup_window=config.preferred_backup_window,
            maintenance_window=config.preferred_maintenance_window,
            skip_final_snapshot=not args.protect,
            final_snapshot_identifier=physical_name("db", "final") if args.protect else None,
            tags={"Name": self.identifier, "Role": "primary"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=log_groups),
            **common,
        )
        zones = list(args.availability_zones)
        replicas = [
            aws.rds.Instance(
                f"{name}-replica-{index}",
                identifier=ident,
                replicate_source_db=instance.identifier,
                availability_zone=zones[(index - 1) % len(zones)],
                storage_encrypted=True,
                kms_key_id=args.kms_key_arn,
                max_allocated_storage=config.max_allocated_storage_gib,
                # A replica holds a copy of the primary, whose backups and final snapshot are what restores it.
                skip_final_snapshot=True,
                tags={"Name": ident, "Role": "replica"},
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=log_groups),
                **common,
            )
            for index, ident in enumerate(self.replica_identifiers, start=1)
        ]
        self.arn = instance.arn
        self.arns = [instance.arn, *(r.arn for r in replicas)]
        self.resource_id = instance.resource_id
        self._replica_resource_ids = [r.resource_id for r in replicas]
        self.endpoint = instance.address
        self.reader_endpoint = replicas[0].address if replicas else instance.address
        self.database_name = config.database_name
        self.iam_user = config.iam_user
        self.master_secret_arn = instance.master_user_secrets.apply(
            lambda secrets: (secrets[0].secret_arn or "") if secrets else ""
        )
        self.master_secret_kms_key_arn = args.kms_key_arn
        self.register_outputs(
            {
                "identifier": self.identifier,
                "endpoint": self.endpoint,
                "readerEndpoint": self.reader_endpoint,
                "port": self.port,
                "databaseName": self.database_name,
                "masterSecretArn": self.master_secret_arn,
                "securityGroupId": self.security_group_id,
            }
        )

    def grant(self, access: str) -> list[Statement]:
        """`connect`: rds-db:connect as `iamUser` on this instance only
        (`arn:<partition>:rds-db:<region>:<account>:dbuser:<instance resource id>/<user>`) and on each read
        replica (its own resource id, the same users); `connect:<user>` as another user."""
        if access == "connect":
            user = self.iam_user
        elif access.startswith("connect:") and _DB_USER.fullmatch(access.removeprefix("connect:")):
            user = access.removeprefix("connect:")
        else:
            raise ValueError(
                f"database: unknown access {access!r}; allowed: connect (as {self.iam_user}), connect:<database user>"
            )
        context = self._context
        resources = [
            resource_id.apply(
                lambda value: (
                    f"arn:{context.partition}:rds-db:{context.region}:{context.account_id}:dbuser:{value}/{user}"
                )
            )
            for resource_id in (self.resource_id, *self._replica_resource_ids)
        ]
        return [
            Statement(sid=statement_id("database", "connect", user), actions=["rds-db:connect"], resources=resources)
        ]

    def allow_from(self, name: str, security_group_id: pulumi.Input[str]) -> None:
        """Admit `security_group_id` on 5432: one ingress rule named after the grantee, referencing its group."""
        if name in self._ingress:
            raise ValueError(f"database: {name} is already allowed in")
        self._ingress.add(name)
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-from-{name}",
            security_group_id=self.security_group.id,
            referenced_security_group_id=security_group_id,
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            description=f"PostgreSQL from {name}",
            tags={"Name": physical_name("db", "from", name)},
            opts=pulumi.ResourceOptions(parent=self),
        )
