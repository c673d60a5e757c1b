"""rds-instance-hardening and rds-tls-required.

- rds-instance-hardening (resource): every RDS DB instance authenticates with IAM
  (`iamDatabaseAuthenticationEnabled`: services log in with short-lived tokens, not a shared password). In
  production an instance is Multi-AZ (`multiAz`, a synchronous standby in another AZ; a read replica, which has
  `replicateSourceDb`, is exempt: it is the copy) and sends Enhanced Monitoring (`monitoringInterval` > 0 with a
  `monitoringRoleArn`): OS metrics (memory, swap, I/O per process) are what tells a slow query from a starved
  host. Aurora instances (`aws:rds/clusterInstance`) are judged for Enhanced Monitoring only (IAM auth and
  Multi-AZ are the cluster's).
- rds-tls-required (stack): a PostgreSQL instance or Aurora PostgreSQL cluster refuses non-TLS connections: the
  parameter group it names (`parameterGroupName` / `dbClusterParameterGroupName`, followed through property
  dependencies so it works while names are unknown) sets `rds.force_ssl` to 1. No parameter group means the
  engine's default group, whose value depends on the engine version: not accepted, set it explicitly.
"""

from __future__ import annotations

from pulumi_policy import Severity

from .base import (
    PRODUCTION_SETTING,
    Context,
    Resource,
    Stack,
    StackResource,
    Unknown,
    as_int,
    as_list,
    is_true,
    resource_policy,
    stack_policy,
    string_list,
)

INSTANCE = "aws:rds/instance:Instance"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
CLUSTER = "aws:rds/cluster:Cluster"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"

HARDENING_HINT = (
    "components/rds_instance.py sets iam_database_authentication_enabled, multi_az where "
    "`multiAz` is on (the prod preset) and monitoring_interval with its own role where "
    "`enhancedMonitoringSeconds` > 0 (the staging and prod presets)."
)


def check_instance(resource: Resource, ctx: Context) -> None:
    props = resource.props
    if resource.type == INSTANCE:
        iam = props.get("iamDatabaseAuthenticationEnabled")
        if isinstance(iam, Unknown):
            ctx.defer(f".iamDatabaseAuthenticationEnabled of {resource.subject}", "judged on `pulumi up`")
        elif not is_true(iam):
            ctx.violation(
                f"{resource.subject} does not accept IAM authentication: set "
                f"iam_database_authentication_enabled=true, so services log in with IAM tokens instead of "
                f"a shared password. {HARDENING_HINT}"
            )
    if not ctx.in_production(resource):
        return
    if resource.type == INSTANCE and not props.get("replicateSourceDb"):
        multi_az = props.get("multiAz")
        if isinstance(multi_az, Unknown):
            ctx.defer(f".multiAz of {resource.subject}", "judged on `pulumi up`")
        elif not is_true(multi_az):
            ctx.violation(
                f"{resource.subject} is a production database in one AZ: set multi_az=true (a standby "
                f"in another AZ, automatic failover). {HARDENING_HINT}"
            )
    interval = props.get("monitoringInterval")
    if isinstance(interval, Unknown):
        ctx.defer(f".monitoringInterval of {resource.subject}", "judged on `pulumi up`")
    elif (as_int(interval) or 0) <= 0 or not props.get("monitoringRoleArn"):
        ctx.violation(
            f"{resource.subject} is a production database without Enhanced Monitoring: set "
            f"monitoring_interval (1 to 60 seconds) and monitoring_role_arn. {HARDENING_HINT}"
        )


RDS_INSTANCE_HARDENING = resource_policy(
    name="rds-instance-hardening",
    description="RDS instances use IAM authentication; in production they are Multi-AZ and send Enhanced "
    "Monitoring (Aurora instances too).",
    types=[INSTANCE, CLUSTER_INSTANCE],
    check=check_instance,
    settings=PRODUCTION_SETTING,
    severity=Severity.HIGH,
    remediation="Set iam_database_authentication_enabled=true; in production multi_az=true and monitoring_interval "
    "with monitoring_role_arn.",
)


TLS_HINT = (
    "Name a parameter group that sets rds.force_ssl=1 (components/rds_instance.py and "
    "components/database.py create one)."
)


def _forces_tls(group: StackResource) -> bool | Unknown:
    parameters = as_list(group.get("parameters"))
    if isinstance(parameters, Unknown):
        return parameters
    for parameter in parameters:
        if isinstance(parameter, dict) and parameter.get("name") == "rds.force_ssl":
            value = parameter.get("value")
            return value if isinstance(value, Unknown) else str(value).strip() in ("1", "1.0", "true")
    return False


def check_tls(stack: Stack, ctx: Context) -> None:
    engines = {str(e) for e in ctx.settings["engines"]}
    for database in stack.of_type(INSTANCE, CLUSTER):
        engine = database.get("engine")
        if isinstance(engine, Unknown):
            ctx.defer(f".engine of {database.subject}", "judged on `pulumi up`")
        elif engine in engines and not database.get("replicateSourceDb"):
            _check_parameter_group(stack, database, ctx)
        # a replica follows its primary's engine settings; its own group is judged when it names one


def _check_parameter_group(stack: Stack, database: StackResource, ctx: Context) -> None:
    """Judge whether the database's parameter group (traced by property dependency) sets rds.force_ssl=1."""
    prop, kind = (
        ("parameterGroupName", PARAMETER_GROUP)
        if database.type == INSTANCE
        else ("dbClusterParameterGroupName", CLUSTER_PARAMETER_GROUP)
    )
    groups = [
        stack.by_urn[u]
        for u in database.property_dependencies.get(prop, [])
        if u in stack.by_urn and stack.by_urn[u].type == kind
    ]
    if not groups:
        named = database.get(prop)
        if isinstance(named, Unknown):
            ctx.defer(f".{prop} of {database.subject}", "judged on `pulumi up`")
        else:
            ctx.violation(
                f"{database.subject} uses {'the default parameter group' if not named else repr(named)}"
                f", which this stack does not show forcing TLS. {TLS_HINT}",
                database.urn,
            )
        return
    verdict = _forces_tls(groups[0])
    if isinstance(verdict, Unknown):
        ctx.defer(f"the parameters of {groups[0].subject}", "judged on `pulumi up`")
    elif not verdict:
        ctx.violation(
            f"{database.subject} accepts unencrypted connections: its parameter group "
            f"{groups[0].subject} does not set rds.force_ssl=1. {TLS_HINT}",
            database.urn,
        )


RDS_TLS_REQUIRED = stack_policy(
    name="rds-tls-required",
    description="PostgreSQL databases force TLS through their parameter group (rds.force_ssl=1).",
    check=check_tls,
    settings={
        "engines": string_list(
            ["postgres", "aurora-postgresql"], "Engines whose parameter group must set rds.force_ssl=1."
        )
    },
    severity=Severity.HIGH,
    remediation=TLS_HINT,
)

POLICIES = [RDS_INSTANCE_HARDENING, RDS_TLS_REQUIRED]
