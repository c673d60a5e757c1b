"""rds-instance-hardening and rds-tls-required."""

from __future__ import annotations

from collections.abc import Callable

from policies.guardrails.data_protection import PROD_DATA_PROTECTION
from policies.guardrails.rds import HARDENING_HINT, RDS_INSTANCE_HARDENING, RDS_TLS_REQUIRED, TLS_HINT

from .helpers import STANDARD_TAGS, UNKNOWN, R, check, check_stack

INSTANCE = "aws:rds/instance:Instance"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PROD_TAGS = {**STANDARD_TAGS, "Environment": "prod"}
HARDENED = {
    "iamDatabaseAuthenticationEnabled": True,
    "multiAz": True,
    "monitoringInterval": 15,
    "monitoringRoleArn": "arn:aws:iam::123456789012:role/platform-prod-database-monitoring",
    "tags": PROD_TAGS,
}


def test_a_hardened_production_instance_passes(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    assert check(RDS_INSTANCE_HARDENING, INSTANCE, HARDENED).passed


def test_an_instance_without_iam_authentication_is_refused_everywhere() -> None:
    result = check(RDS_INSTANCE_HARDENING, INSTANCE, {"iamDatabaseAuthenticationEnabled": False, "tags": STANDARD_TAGS})
    assert result.violations == [
        f"{INSTANCE} 'r' does not accept IAM authentication: set iam_database_authentication_enabled=true, so "
        f"services log in with IAM tokens instead of a shared password. {HARDENING_HINT}"
    ]


def test_a_production_instance_in_one_az_without_enhanced_monitoring_is_refused(
    stack_name: Callable[[str], None],
) -> None:
    stack_name("prod")
    result = check(RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, "multiAz": False, "monitoringInterval": 0})
    assert result.violations == [
        f"{INSTANCE} 'r' is a production database in one AZ: set multi_az=true (a standby in another AZ, "
        f"automatic failover). {HARDENING_HINT}",
        f"{INSTANCE} 'r' is a production database without Enhanced Monitoring: set monitoring_interval (1 to 60 "
        f"seconds) and monitoring_role_arn. {HARDENING_HINT}",
    ]


def test_a_read_replica_needs_no_multi_az_and_aurora_instances_need_enhanced_monitoring(
    stack_name: Callable[[str], None],
) -> None:
    stack_name("prod")
    assert check(
        RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, "multiAz": False, "replicateSourceDb": "platform-prod-db"}
    ).passed
    assert check(
        RDS_INSTANCE_HARDENING,
        CLUSTER_INSTANCE,
        {"monitoringInterval": 60, "monitoringRoleArn": "arn", "tags": PROD_TAGS},
    ).passed
    assert check(RDS_INSTANCE_HARDENING, CLUSTER_INSTANCE, {"tags": PROD_TAGS}).violations == [
        f"{CLUSTER_INSTANCE} 'r' is a production database without Enhanced Monitoring: set monitoring_interval (1 "
        f"to 60 seconds) and monitoring_role_arn. {HARDENING_HINT}"
    ]


def test_outside_production_one_az_and_no_enhanced_monitoring_are_fine() -> None:
    assert check(
        RDS_INSTANCE_HARDENING,
        INSTANCE,
        {"iamDatabaseAuthenticationEnabled": True, "multiAz": False, "tags": STANDARD_TAGS},
    ).passed


def test_a_read_replica_is_judged_for_deletion_protection_only(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    replica = {
        "replicateSourceDb": "platform-prod-db",
        "deletionProtection": True,
        "skipFinalSnapshot": True,
        "tags": PROD_TAGS,
    }
    assert check(PROD_DATA_PROTECTION, INSTANCE, replica).passed
    assert check(PROD_DATA_PROTECTION, INSTANCE, {**replica, "deletionProtection": False}).violations


def _database(parameters: list[dict[str, object]] | str, engine: str = "postgres") -> tuple[list[R], R]:
    group = R("aws:rds/parameterGroup:ParameterGroup", "params", {"parameters": parameters})
    instance = R(
        INSTANCE,
        "db",
        {"engine": engine, "parameterGroupName": "platform-prod-db-pg16"},
        deps={"parameterGroupName": [group]},
    )
    return [group, instance], instance


def test_a_postgres_instance_whose_group_forces_tls_passes() -> None:
    resources, _ = _database([{"name": "rds.force_ssl", "value": "1"}, {"name": "log_connections", "value": "1"}])
    assert check_stack(RDS_TLS_REQUIRED, resources).passed


def test_a_group_that_does_not_force_tls_is_refused() -> None:
    resources, instance = _database([{"name": "rds.force_ssl", "value": "0"}])
    result = check_stack(RDS_TLS_REQUIRED, resources)
    assert result.violations == [
        f"{INSTANCE} 'db' accepts unencrypted connections: its parameter group aws:rds/parameterGroup:ParameterGroup "
        f"'params' does not set rds.force_ssl=1. {TLS_HINT}"
    ]
    assert result.urns == [instance.urn]


def test_the_default_group_is_refused_and_other_engines_are_not_judged() -> None:
    default = R(INSTANCE, "db", {"engine": "postgres"})
    assert check_stack(RDS_TLS_REQUIRED, [default]).violations == [
        f"{INSTANCE} 'db' uses the default parameter group, which this stack does not show forcing TLS. {TLS_HINT}"
    ]
    assert check_stack(RDS_TLS_REQUIRED, [R(INSTANCE, "db", {"engine": "mysql"})]).passed
    resources, _ = _database(UNKNOWN)
    assert check_stack(RDS_TLS_REQUIRED, resources).deferred


def test_an_aurora_cluster_is_judged_through_its_cluster_parameter_group() -> None:
    group = R(
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "cluster-params",
        {"parameters": [{"name": "rds.force_ssl", "value": "1"}]},
    )
    cluster = R(
        "aws:rds/cluster:Cluster",
        "cluster",
        {"engine": "aurora-postgresql"},
        deps={"dbClusterParameterGroupName": [group]},
    )
    assert check_stack(RDS_TLS_REQUIRED, [group, cluster]).passed


def test_enhanced_monitoring_interval_boundaries_and_string_values(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    missing = (
        f"{INSTANCE} 'r' is a production database without Enhanced Monitoring: set monitoring_interval (1 to 60 "
        f"seconds) and monitoring_role_arn. {HARDENING_HINT}"
    )
    assert check(RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, "monitoringInterval": 1}).passed
    assert check(RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, "monitoringInterval": "60"}).passed
    assert check(RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, "monitoringInterval": 0}).violations == [missing]
    assert check(RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, "monitoringRoleArn": ""}).violations == [missing]
    strings = {**HARDENED, "iamDatabaseAuthenticationEnabled": "true", "multiAz": "true"}
    assert check(RDS_INSTANCE_HARDENING, INSTANCE, strings).passed


def test_a_database_tagged_production_in_a_dev_stack_is_judged_and_unknowns_defer() -> None:
    one_az = {**HARDENED, "multiAz": False, "tags": {**STANDARD_TAGS, "Environment": "Production"}}
    assert len(check(RDS_INSTANCE_HARDENING, INSTANCE, one_az).violations) == 1
    for prop in ("iamDatabaseAuthenticationEnabled", "multiAz", "monitoringInterval"):
        result = check(RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, prop: UNKNOWN})
        assert result.violations == [] and f".{prop} of" in result.deferred[0], prop
    result = check(RDS_INSTANCE_HARDENING, INSTANCE, {**HARDENED, "tags": {"Environment": UNKNOWN}})
    assert result.violations == [] and "the Environment tag of" in result.deferred[0]


def test_force_ssl_values_and_unknowns_of_the_tls_check() -> None:
    for value in ("1", 1, "true", " 1 "):
        resources, _ = _database([{"name": "rds.force_ssl", "value": value}])
        assert check_stack(RDS_TLS_REQUIRED, resources).passed, value
    for value in ("0", "false", None):
        resources, _ = _database([{"name": "rds.force_ssl", "value": value}])
        assert not check_stack(RDS_TLS_REQUIRED, resources).passed, value
    resources, _ = _database([{"name": "rds.force_ssl", "value": UNKNOWN}])
    result = check_stack(RDS_TLS_REQUIRED, resources)
    assert result.violations == [] and "the parameters of" in result.deferred[0]
    resources, _ = _database([{"name": "log_connections", "value": "1"}])
    assert not check_stack(RDS_TLS_REQUIRED, resources).passed
    result = check_stack(RDS_TLS_REQUIRED, [R(INSTANCE, "db", {"engine": UNKNOWN})])
    assert result.violations == [] and ".engine of" in result.deferred[0]


def test_a_group_named_but_not_in_the_stack_is_refused_by_name_and_an_unknown_name_defers() -> None:
    named = R(INSTANCE, "db", {"engine": "postgres", "parameterGroupName": "shared-params"})
    assert check_stack(RDS_TLS_REQUIRED, [named]).violations == [
        f"{INSTANCE} 'db' uses 'shared-params', which this stack does not show forcing TLS. {TLS_HINT}"
    ]
    unknown = R(INSTANCE, "db", {"engine": "postgres", "parameterGroupName": UNKNOWN})
    result = check_stack(RDS_TLS_REQUIRED, [unknown])
    assert result.violations == [] and ".parameterGroupName of" in result.deferred[0]
    replica = R(INSTANCE, "replica", {"engine": "postgres", "replicateSourceDb": "db"})
    assert check_stack(RDS_TLS_REQUIRED, [replica]).passed
    assert check_stack(RDS_TLS_REQUIRED, [named], config={"engines": ["mysql"]}).passed
    cluster = R("aws:rds/cluster:Cluster", "cluster", {"engine": "aurora-postgresql"})
    assert check_stack(RDS_TLS_REQUIRED, [cluster]).violations == [
        f"aws:rds/cluster:Cluster 'cluster' uses the default parameter group, which this stack does not show "
        f"forcing TLS. {TLS_HINT}"
    ]


def test_only_a_parameter_group_of_the_right_kind_counts() -> None:
    cluster_group = R(
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "cluster-params",
        {"parameters": [{"name": "rds.force_ssl", "value": "1"}]},
    )
    instance = R(
        INSTANCE, "db", {"engine": "postgres", "parameterGroupName": "x"}, deps={"parameterGroupName": [cluster_group]}
    )
    assert check_stack(RDS_TLS_REQUIRED, [cluster_group, instance]).violations == [
        f"{INSTANCE} 'db' uses 'x', which this stack does not show forcing TLS. {TLS_HINT}"
    ]
    elsewhere = R(
        INSTANCE, "db", {"engine": "postgres", "parameterGroupName": "x"}, deps={"parameterGroupName": [cluster_group]}
    )
    assert check_stack(RDS_TLS_REQUIRED, [elsewhere]).violations == [  # the group is not in the stack at all
        f"{INSTANCE} 'db' uses 'x', which this stack does not show forcing TLS. {TLS_HINT}"
    ]
