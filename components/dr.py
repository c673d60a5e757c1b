"""Disaster recovery across regions (`platform:dr`, components/config/dr.py): the primary's and the standby's halves
of an active-passive pair, each in its own stack and region.

Primary: a multi-region DR key (a NEW key beside the stack key: `multi_region` cannot be flipped on an existing key
without replacing it, and the stack key of a stack that never declared DR is never touched), its Aurora cluster
joined to a global cluster (or its RDS instance the source of the standby's replica), a PRIMARY failover alias with
an HTTPS health check, and one `dr` output the standby reads.

Standby: a StackReference to `organization/<project>/<primaryStack>`, a replica of the DR key in its region (its
database's storage key), the Aurora secondary cluster or the RDS cross-region read replica (built by
components/database.py and components/rds_instance.py from the sources below), and the SECONDARY failover alias."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.compute import DomainConfig
from .config.dr import DrConfig
from .iam import policy_document
from .keys import account_root_statement, symmetric_key
from .naming import physical_name

FAILOVER_TYPES = {"primary": "PRIMARY", "standby": "SECONDARY"}
"""Route53's failover record type of each role."""
OUTPUT = "dr"
"""The primary's stack output the standby reads: region, DR key ARN, database source (see `DisasterRecovery`)."""


@dataclass(frozen=True, kw_only=True)
class ReplicaSource:
    """What an RDS cross-region read replica is made from: the primary instance's ARN (a cross-region source must be
    an ARN) and the storage key in the replica's region."""

    source_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]


@dataclass(frozen=True, kw_only=True)
class SecondarySource:
    """What an Aurora secondary cluster is made from: the global cluster, the primary's exact engine version (a
    global database's clusters must run the same one) and the storage key in the secondary's region."""

    global_cluster_identifier: pulumi.Input[str]
    engine_version: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]


@dataclass(frozen=True, kw_only=True)
class DisasterRecoveryArgs:
    config: DrConfig
    aws_context: AwsContext
    protect: bool = False
    """Prod: Pulumi `protect` on the DR key, its replica and the global cluster; the longest key deletion window."""


class DisasterRecovery(pulumi.ComponentResource):
    """One stack's side of the pair. Build it right after the stack key (the standby's database needs
    `replica_source`/`secondary_source`), then call `join_global` (primary, Aurora) and `failover` (both sides)."""

    key_arn: pulumi.Output[str]
    """The DR key (primary, multi-region) or its replica in this region (standby)."""
    primary: pulumi.Output[Any] | None
    """Standby: the primary's `dr` output (a dict), read through the StackReference. None on the primary."""

    def __init__(self, name: str, args: DisasterRecoveryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:dr:DisasterRecovery", name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self)
        self.global_cluster: aws.rds.GlobalCluster | None = None
        self.primary = None
        policy = policy_document([account_root_statement(args.aws_context)])
        window = 30 if args.protect else 7
        if args.config.role == "primary":
            key = symmetric_key(
                self,
                f"{name}-key",
                description=f"{physical_name()}: DR key, replicated to {args.config.standby_region}",
                policy=[account_root_statement(args.aws_context)],
                alias=f"alias/{physical_name('dr')}",
                tag_name=physical_name("dr-key"),
                deletion_window_days=window,
                protect=args.protect,
                multi_region=True,
            )
            self.key_arn = key.arn
        else:
            project = pulumi.get_project()
            reference = pulumi.StackReference(
                f"{name}-primary",
                stack_name=f"{pulumi.get_organization()}/{project}/{args.config.primary_stack}",
                opts=self._child,
            )
            self.primary = reference.require_output(OUTPUT)
            replica = aws.kms.ReplicaKey(
                f"{name}-key",
                primary_key_arn=self.primary.apply(lambda p: str(p["kmsKeyArn"])),
                description=f"{physical_name()}: replica of the primary's DR key",
                policy=policy,
                deletion_window_in_days=window,
                tags={"Name": physical_name("dr-key")},
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            aws.kms.Alias(
                f"{name}-key-alias", name=f"alias/{physical_name('dr')}", target_key_id=replica.key_id, opts=self._child
            )
            self.key_arn = replica.arn
        self.register_outputs({"keyArn": self.key_arn})

    # -- databases -------------------------------------------------------------------------------------------
    def replica_source(self) -> ReplicaSource | None:
        """Standby with an RDS primary: the cross-region read replica's source and key."""
        if self.primary is None:
            return None
        return ReplicaSource(source_arn=self.primary.apply(lambda p: str(p["databaseArn"])), kms_key_arn=self.key_arn)

    def secondary_source(self) -> SecondarySource | None:
        """Standby with an Aurora primary: the secondary cluster's global cluster, engine version and key."""
        if self.primary is None:
            return None
        return SecondarySource(
            global_cluster_identifier=self.primary.apply(lambda p: str(p["globalClusterIdentifier"])),
            engine_version=self.primary.apply(lambda p: str(p["engineVersion"])),
            kms_key_arn=self.key_arn,
        )

    def join_global(self, cluster_arn: pulumi.Input[str]) -> aws.rds.GlobalCluster:
        """Primary, Aurora: a global cluster made from the existing cluster (`source_db_cluster_identifier`), so the
        primary cluster is never replaced; it takes the cluster's engine and version. The primary cluster ignores
        `globalClusterIdentifier` (the provider does not read it back: components/database.py). `force_destroy`
        removes the primary from it on delete; the standby's secondary must be destroyed first (README)."""
        self.global_cluster = aws.rds.GlobalCluster(
            f"{self._name}-global-cluster",
            global_cluster_identifier=physical_name("db", "global"),
            source_db_cluster_identifier=cluster_arn,
            force_destroy=True,
            deletion_protection=self._args.protect,
            tags={"Name": physical_name("db", "global")},
            opts=pulumi.ResourceOptions(parent=self, protect=self._args.protect),
        )
        return self.global_cluster

    # -- DNS failover ----------------------------------------------------------------------------------------
    def failover(self, domain: DomainConfig, dns_name: pulumi.Input[str], zone_id: pulumi.Input[str]) -> None:
        """The domain's failover alias to this stack's load balancer (PRIMARY or SECONDARY, set identifier = the
        role), with an HTTPS health check on the load balancer's own DNS name (not the domain: that would follow
        the failover record itself); Route53 does not validate the certificate of an HTTPS check."""
        check = self._args.config.health_check
        role = self._args.config.role
        self.health_check = aws.route53.HealthCheck(
            f"{self._name}-health-check",
            type="HTTPS",
            fqdn=dns_name,
            port=443,
            resource_path=check.path,
            failure_threshold=check.failure_threshold,
            request_interval=check.request_interval_seconds,
            measure_latency=False,
            tags={"Name": physical_name("health", role)},
            opts=self._child,
        )
        hosted_zone = aws.route53.get_zone_output(name=domain.hosted_zone, private_zone=False).zone_id
        self.record = aws.route53.Record(
            f"{self._name}-failover-{role}",
            zone_id=hosted_zone,
            name=domain.name,
            type="A",
            set_identifier=role,
            failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type=FAILOVER_TYPES[role])],
            health_check_id=self.health_check.id,
            aliases=[aws.route53.RecordAliasArgs(name=dns_name, zone_id=zone_id, evaluate_target_health=True)],
            opts=self._child,
        )

    def rpo_alarm(self, database: object, topic_arn: pulumi.Input[str]) -> None:
        """Standby: the copy's lag above `rpoSeconds` for 5 minutes, to the stack's alarm topic: the RPO the runbook
        promises is being missed. RDS: `ReplicaLag` (seconds) of the cross-region replica; Aurora:
        `AuroraGlobalDBReplicationLag` (milliseconds) of the secondary cluster. Missing data breaches: a replica
        that stopped reporting is not replicating."""
        from .database import Database
        from .rds_instance import RdsInstance

        if self.primary is None:
            return
        rpo = self._args.config.rpo_seconds
        if isinstance(database, RdsInstance):
            metric, dimensions, threshold = "ReplicaLag", {"DBInstanceIdentifier": database.identifier}, rpo
        elif isinstance(database, Database):
            metric = "AuroraGlobalDBReplicationLag"
            dimensions = {"DBClusterIdentifier": database.cluster_identifier}
            threshold = rpo * 1000
        else:
            return
        aws.cloudwatch.MetricAlarm(
            f"{self._name}-rpo",
            name=physical_name("dr", "replication-lag"),
            namespace="AWS/RDS",
            metric_name=metric,
            dimensions=dimensions,
            statistic="Maximum",
            period=60,
            evaluation_periods=5,
            datapoints_to_alarm=5,
            threshold=threshold,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="breaching",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            alarm_description=f"DR standby: replication lag above the RPO ({rpo} s) for 5 minutes",
            opts=self._child,
        )

    def outputs(self, region: str, database: dict[str, pulumi.Input[str]]) -> dict[str, pulumi.Input[object]]:
        """The `dr` output: what the standby needs, plus the runbook's targets."""
        config = self._args.config
        return {
            "role": config.role,
            "region": region,
            "kmsKeyArn": self.key_arn,
            "rtoMinutes": config.rto_minutes,
            "rpoSeconds": config.rpo_seconds,
            **database,
        }


def primary_database_outputs(dr: DisasterRecovery, database: object) -> dict[str, pulumi.Input[str]]:
    """The primary's database, as the standby's `secondary_source`/`replica_source` read it: the global cluster
    (joined here) and the exact engine version for Aurora, the instance's ARN for RDS PostgreSQL."""
    from .database import Database
    from .rds_instance import RdsInstance

    if isinstance(database, Database):
        global_cluster = dr.join_global(database.cluster_arn)
        return {
            "globalClusterIdentifier": global_cluster.global_cluster_identifier,
            "engineVersion": database.engine_version_actual,
        }
    if isinstance(database, RdsInstance):
        return {"databaseArn": database.arn}
    return {}
