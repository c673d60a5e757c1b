"""dr-replicates-declared: a stack that declares disaster recovery replicates what it declares.

The pack reads a stack's DR role from its resources (it never imports the program):

- standby: it has a KMS replica key (`aws:kms/replicaKey:ReplicaKey`) or a SECONDARY failover record. Then every
  database it has replicates the primary's: an Aurora cluster is a global cluster's secondary
  (`globalClusterIdentifier`), an RDS instance is a read replica (`replicateSourceDb`); it has a replica key (the
  storage key of those copies); and a SECONDARY failover alias with a health check answers for its domain.
- primary: it has a multi-region KMS key (`multiRegion`), a global cluster or a PRIMARY failover record. Then every
  Aurora cluster is in a global cluster (a GlobalCluster made from it, or its `globalClusterIdentifier`), every RDS
  instance that is not itself a replica keeps automated backups (a cross-region replica needs them on its source),
  it has a multi-region key to replicate, and a PRIMARY failover alias with a health check.

A stack with a load balancer must have its failover record; the record's health check probes HTTPS and fails over
after at most `maximumFailureThreshold` (default 3) failures.

A failover record's health check is judged by dependency or by value, so a first preview (ids unknown) passes; an
unknown role fact (an unknown `failoverRoutingPolicies`) defers. Stacks with none of these resources are not judged.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import Context, Stack, StackResource, Unknown, as_int, as_list, is_true, stack_policy

REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"
KEY = "aws:kms/key:Key"
GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
RECORD = "aws:route53/record:Record"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
SETTINGS: dict[str, dict[str, Any]] = {
    "maximumFailureThreshold": {
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
        "default": 3,
        "description": "Consecutive failed probes after which a failover record's health check must fail over "
        "(seed 003: 3, every 30 s).",
    }
}

HINT = (
    "Declare the pair in the stack files (platform:dr, README 'Disaster recovery'): components/dr.py builds the "
    "global cluster or cross-region replica, the replica key and the failover records."
)


def _failover_type(record: StackResource) -> str | Unknown | None:
    policies = as_list(record.get("failoverRoutingPolicies"))
    if isinstance(policies, Unknown):
        return policies
    for policy in policies or []:
        kind = policy.get("type") if isinstance(policy, dict) else None
        if isinstance(kind, Unknown):
            return kind
        if isinstance(kind, str):
            return kind.upper()
    return None


def _records(stack: Stack, ctx: Context) -> dict[str, list[StackResource]]:
    """Failover records by type (PRIMARY, SECONDARY); an unknown type defers."""
    found: dict[str, list[StackResource]] = {"PRIMARY": [], "SECONDARY": []}
    for record in stack.of_type(RECORD):
        kind = _failover_type(record)
        if isinstance(kind, Unknown):
            ctx.defer(f".failoverRoutingPolicies of {record.subject}", "judged on `pulumi up`")
        elif kind in found:
            found[kind].append(record)
    return found


def _has_health_check(record: StackResource) -> bool:
    check: Any = record.get("healthCheckId")
    return bool(record.property_dependencies.get("healthCheckId")) or isinstance(check, Unknown) or bool(check)


def _check_failover(stack: Stack, records: list[StackResource], kind: str, role: str, ctx: Context) -> None:
    """A stack with a load balancer fails its domain over: a `kind` record whose health check probes over HTTPS and
    gives up after at most `maximumFailureThreshold` failures."""
    if not records and stack.of_type(*LOAD_BALANCERS):
        ctx.violation(f"a DR {role} stack has no {kind} failover record: its domain cannot fail over. {HINT}")
    limit = int(ctx.settings["maximumFailureThreshold"])
    for record in records:
        if not _has_health_check(record):
            ctx.violation(
                f"{record.subject} is a {kind} failover record without a health check (healthCheckId): Route53 "
                f"cannot tell when to fail over. {HINT}",
                record.urn,
            )
        for urn in record.property_dependencies.get("healthCheckId", []):
            check = stack.by_urn.get(urn)
            if check is None or check.type != HEALTH_CHECK:
                continue
            kind_of_check, threshold = check.get("type"), check.get("failureThreshold")
            if isinstance(kind_of_check, Unknown) or isinstance(threshold, Unknown):
                ctx.defer(f".type and .failureThreshold of {check.subject}", "judged on `pulumi up`")
            elif not str(kind_of_check).startswith("HTTPS") or (as_int(threshold) or 3) > limit:
                ctx.violation(
                    f"{check.subject} checks the {kind} endpoint with {kind_of_check} and failure threshold "
                    f"{as_int(threshold) or 3}; a failover check probes HTTPS (or HTTPS_STR_MATCH) and fails over "
                    f"after at most {limit} failures. {HINT}",
                    check.urn,
                )


def _check_standby(stack: Stack, records: dict[str, list[StackResource]], ctx: Context) -> None:
    for cluster in stack.of_type(CLUSTER):
        if not cluster.get("globalClusterIdentifier"):
            ctx.violation(
                f"{cluster.subject} is a DR standby's database that replicates nothing: make it the secondary of "
                f"the primary's global cluster (global_cluster_identifier). {HINT}",
                cluster.urn,
            )
    for instance in stack.of_type(INSTANCE):
        if not instance.get("replicateSourceDb"):
            ctx.violation(
                f"{instance.subject} is a DR standby's database that replicates nothing: make it a cross-region "
                f"read replica of the primary's instance (replicate_source_db = its ARN). {HINT}",
                instance.urn,
            )
    if not stack.of_type(REPLICA_KEY):
        ctx.violation(f"a DR standby stack has no KMS replica key of the primary's multi-region key. {HINT}")
    _check_failover(stack, records["SECONDARY"], "SECONDARY", "standby", ctx)


def _check_primary(stack: Stack, records: dict[str, list[StackResource]], ctx: Context) -> None:
    sources = {
        urn
        for g in stack.of_type(GLOBAL_CLUSTER)
        for urn in g.property_dependencies.get("sourceDbClusterIdentifier", [])
    }
    for cluster in stack.of_type(CLUSTER):
        if cluster.urn not in sources and not cluster.get("globalClusterIdentifier"):
            ctx.violation(
                f"{cluster.subject} is a DR primary's database in no global cluster: its standby has nothing to "
                f"replicate (aws.rds.GlobalCluster with source_db_cluster_identifier). {HINT}",
                cluster.urn,
            )
    for instance in stack.of_type(INSTANCE):
        if instance.get("replicateSourceDb"):
            continue
        retention = instance.get("backupRetentionPeriod")
        if isinstance(retention, Unknown):
            ctx.defer(f".backupRetentionPeriod of {instance.subject}", "judged on `pulumi up`")
        elif (as_int(retention) or 0) < 1:
            ctx.violation(
                f"{instance.subject} is a DR primary's database without automated backups: a cross-region read "
                f"replica needs them on its source (backup_retention_period >= 1). {HINT}",
                instance.urn,
            )
    if not any(is_true(key.get("multiRegion")) for key in stack.of_type(KEY)):
        ctx.violation(f"a DR primary stack has no multi-region KMS key for its standby to replicate. {HINT}")
    _check_failover(stack, records["PRIMARY"], "PRIMARY", "primary", ctx)


def check_dr(stack: Stack, ctx: Context) -> None:
    records = _records(stack, ctx)
    standby = bool(stack.of_type(REPLICA_KEY) or records["SECONDARY"])
    primary = bool(
        records["PRIMARY"]
        or stack.of_type(GLOBAL_CLUSTER)
        or any(is_true(key.get("multiRegion")) for key in stack.of_type(KEY))
    )
    if standby and primary:
        ctx.violation(
            "the stack is both a DR primary (a multi-region key, a global cluster or a PRIMARY record) and a "
            f"standby (a replica key or a SECONDARY record): a stack is one side of a pair. {HINT}"
        )
    elif standby:
        _check_standby(stack, records, ctx)
    elif primary:
        _check_primary(stack, records, ctx)


DR_REPLICATES_DECLARED = stack_policy(
    name="dr-replicates-declared",
    description="A stack that declares disaster recovery replicates what it declares: a standby's databases are "
    "secondaries or replicas, its key a replica, its domain a SECONDARY failover record with a health check; a "
    "primary's Aurora is in a global cluster, its RDS keeps backups, it has a multi-region key and a PRIMARY "
    "failover record with a health check.",
    check=check_dr,
    settings=SETTINGS,
    severity=Severity.HIGH,
    remediation="Declare both sides in their stack files (platform:dr: {role: primary, standbyRegion} and {role: "
    "standby, primaryStack}); components/dr.py builds what this policy checks.",
)

POLICIES = [DR_REPLICATES_DECLARED]
