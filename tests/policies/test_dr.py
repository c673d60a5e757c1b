"""dr-replicates-declared: a stack that declares DR (read from its resources) replicates what it declares."""

from __future__ import annotations

from policies.guardrails.dr import DR_REPLICATES_DECLARED, HINT

from .helpers import UNKNOWN, R, check_stack

RECORD = "aws:route53/record:Record"
HEALTH = R("aws:route53/healthCheck:HealthCheck", "health", {"type": "HTTPS", "failureThreshold": 3})
LB = R("aws:lb/loadBalancer:LoadBalancer", "alb", {})
SOURCE_ARN = "arn:aws:rds:us-east-1:123456789012:db:petforce-prod-db"


def _record(kind: str, *, checked: bool = True) -> R:
    return R(
        RECORD,
        f"failover-{kind.lower()}",
        {"failoverRoutingPolicies": [{"type": kind}], "setIdentifier": kind.lower(), "healthCheckId": UNKNOWN}
        if checked
        else {"failoverRoutingPolicies": [{"type": kind}], "setIdentifier": kind.lower()},
        deps={"healthCheckId": [HEALTH]} if checked else {},
    )


def _standby() -> list[R]:
    return [
        R("aws:kms/replicaKey:ReplicaKey", "dr-key", {"primaryKeyArn": "arn:aws:kms:us-east-1:1:key/mrk-1"}),
        R("aws:rds/instance:Instance", "db", {"replicateSourceDb": SOURCE_ARN}),
        HEALTH,
        _record("SECONDARY"),
    ]


def _primary() -> list[R]:
    cluster = R("aws:rds/cluster:Cluster", "db", {"clusterIdentifier": "petforce-prod-db"})
    return [
        R("aws:kms/key:Key", "dr-key", {"multiRegion": True}),
        cluster,
        R(
            "aws:rds/globalCluster:GlobalCluster",
            "global",
            {"sourceDbClusterIdentifier": UNKNOWN},
            {"sourceDbClusterIdentifier": [cluster]},
        ),
        R("aws:rds/instance:Instance", "reporting", {"backupRetentionPeriod": 35}),
        HEALTH,
        _record("PRIMARY"),
    ]


def test_a_standby_that_replicates_its_database_key_and_domain_passes() -> None:
    assert check_stack(DR_REPLICATES_DECLARED, _standby()).passed


def test_a_primary_in_a_global_cluster_with_a_multi_region_key_and_a_checked_record_passes() -> None:
    assert check_stack(DR_REPLICATES_DECLARED, _primary()).passed


def test_a_stack_without_dr_resources_is_not_judged() -> None:
    plain = [R("aws:rds/instance:Instance", "db", {"backupRetentionPeriod": 0}), R("aws:kms/key:Key", "key", {})]
    assert check_stack(DR_REPLICATES_DECLARED, plain).passed


def test_a_standby_database_that_replicates_nothing_is_refused() -> None:
    resources = _standby()
    resources[1] = R("aws:rds/instance:Instance", "db", {"engine": "postgres"})
    cluster = R("aws:rds/cluster:Cluster", "aurora", {"engine": "aurora-postgresql"})
    result = check_stack(DR_REPLICATES_DECLARED, [*resources, cluster])
    assert result.violations == [
        "aws:rds/cluster:Cluster 'aurora' is a DR standby's database that replicates nothing: make it the secondary "
        f"of the primary's global cluster (global_cluster_identifier). {HINT}",
        "aws:rds/instance:Instance 'db' is a DR standby's database that replicates nothing: make it a cross-region "
        f"read replica of the primary's instance (replicate_source_db = its ARN). {HINT}",
    ]
    assert result.urns == [cluster.urn, resources[1].urn]


def test_a_standby_without_a_replica_key_or_a_checked_secondary_record_is_refused() -> None:
    resources = [
        R("aws:rds/instance:Instance", "db", {"replicateSourceDb": SOURCE_ARN}),
        _record("SECONDARY", checked=False),
    ]
    result = check_stack(DR_REPLICATES_DECLARED, resources)
    assert result.violations == [
        f"a DR standby stack has no KMS replica key of the primary's multi-region key. {HINT}",
        f"{RECORD} 'failover-secondary' is a SECONDARY failover record without a health check (healthCheckId): "
        f"Route53 cannot tell when to fail over. {HINT}",
    ]


def test_a_primary_outside_a_global_cluster_without_backups_key_or_record_is_refused() -> None:
    cluster = R("aws:rds/cluster:Cluster", "db", {})
    instance = R("aws:rds/instance:Instance", "reporting", {"backupRetentionPeriod": 0})
    global_cluster = R("aws:rds/globalCluster:GlobalCluster", "global", {"globalClusterIdentifier": "g"})
    result = check_stack(DR_REPLICATES_DECLARED, [cluster, instance, global_cluster, LB])
    assert result.violations == [
        "aws:rds/cluster:Cluster 'db' is a DR primary's database in no global cluster: its standby has nothing to "
        f"replicate (aws.rds.GlobalCluster with source_db_cluster_identifier). {HINT}",
        "aws:rds/instance:Instance 'reporting' is a DR primary's database without automated backups: a "
        f"cross-region read replica needs them on its source (backup_retention_period >= 1). {HINT}",
        f"a DR primary stack has no multi-region KMS key for its standby to replicate. {HINT}",
        f"a DR primary stack has no PRIMARY failover record: its domain cannot fail over. {HINT}",
    ]


def test_a_stack_that_is_both_primary_and_standby_is_refused() -> None:
    result = check_stack(DR_REPLICATES_DECLARED, [*_primary(), _record("SECONDARY")])
    assert result.violations == [
        "the stack is both a DR primary (a multi-region key, a global cluster or a PRIMARY record) and a standby "
        f"(a replica key or a SECONDARY record): a stack is one side of a pair. {HINT}"
    ]


def test_an_unknown_failover_type_defers_to_up() -> None:
    record = R(RECORD, "failover", {"failoverRoutingPolicies": [{"type": UNKNOWN}]})
    result = check_stack(DR_REPLICATES_DECLARED, [record])
    assert result.violations == [] and result.deferred


def test_a_failover_check_that_is_not_https_or_waits_too_long_is_refused() -> None:
    slow = R("aws:route53/healthCheck:HealthCheck", "health", {"type": "HTTP", "failureThreshold": 5})
    resources = [r if r.name != "health" else slow for r in _standby()]
    result = check_stack(DR_REPLICATES_DECLARED, resources)
    assert result.violations == [
        "aws:route53/healthCheck:HealthCheck 'health' checks the SECONDARY endpoint with HTTP and failure threshold 5; "
        f"a failover check probes HTTPS (or HTTPS_STR_MATCH) and fails over after at most 3 failures. {HINT}"
    ]
    assert check_stack(DR_REPLICATES_DECLARED, resources, config={"maximumFailureThreshold": 5}).violations == [
        "aws:route53/healthCheck:HealthCheck 'health' checks the SECONDARY endpoint with HTTP and failure threshold 5; "
        f"a failover check probes HTTPS (or HTTPS_STR_MATCH) and fails over after at most 5 failures. {HINT}"
    ]


def test_a_dr_stack_without_a_load_balancer_needs_no_failover_record() -> None:
    resources = [r for r in _standby() if r.type != RECORD]
    assert check_stack(DR_REPLICATES_DECLARED, resources).passed
    assert not check_stack(DR_REPLICATES_DECLARED, [*resources, LB]).passed
