"""Database: Aurora PostgreSQL Serverless v2 in the data subnets, encrypted with the stack key, RDS-managed
master secret, IAM auth, TLS forced, backups per environment, prod protected, and a security group that
admits 5432 only from the services granted `database: connect`."""

from __future__ import annotations

from offline.engine import StackRun

from .data_support import config_of, key_arn

BACKUPS = {"dev": 1, "staging": 7, "prod": 35}
CAPACITY = {"dev": (0, 2), "staging": (0.5, 4), "prod": (0.5, 16)}


def test_cluster_is_aurora_postgres_serverless_v2_encrypted_with_the_stack_key(stack_run: StackRun) -> None:
    cluster = stack_run.named("database-cluster").inputs
    arn = key_arn(stack_run)
    assert (cluster["engine"], cluster["engineMode"], cluster["engineVersion"]) == (
        "aurora-postgresql",
        "provisioned",
        "16.8",
    )
    low, high = CAPACITY[stack_run.stack]
    scaling = cluster["serverlessv2ScalingConfiguration"]
    assert (scaling["minCapacity"], scaling["maxCapacity"]) == (low, high)
    assert ("secondsUntilAutoPause" in scaling) is (low == 0)  # only a dev cluster pauses
    assert (cluster["storageEncrypted"], cluster["kmsKeyId"]) == (True, arn)
    assert cluster["clusterIdentifier"] == f"platform-{stack_run.stack}-db"
    assert cluster["port"] == 5432


def test_master_password_is_managed_by_rds_and_never_in_inputs(stack_run: StackRun) -> None:
    cluster = stack_run.named("database-cluster")
    assert cluster.inputs["manageMasterUserPassword"] is True
    assert cluster.inputs["masterUserSecretKmsKeyId"] == key_arn(stack_run)
    assert not {"masterPassword", "masterPasswordWo"} & set(cluster.inputs)
    assert cluster.outputs["masterUserSecrets"][0]["secretArn"].startswith("arn:aws:secretsmanager:")


def test_iam_auth_log_exports_snapshot_tags_and_backups_per_environment(stack_run: StackRun) -> None:
    cluster = stack_run.named("database-cluster").inputs
    assert cluster["iamDatabaseAuthenticationEnabled"] is True
    assert cluster["enabledCloudwatchLogsExports"] == ["postgresql"]
    assert cluster["copyTagsToSnapshot"] is True
    assert cluster["backupRetentionPeriod"] == BACKUPS[stack_run.stack]
    assert (cluster["preferredBackupWindow"], cluster["preferredMaintenanceWindow"]) == (
        "03:00-04:00",
        "mon:04:30-mon:05:30",
    )


def test_parameter_group_forces_tls_and_logs_slow_statements(stack_run: StackRun) -> None:
    group = stack_run.named("database-cluster-params")
    assert group.inputs["family"] == "aurora-postgresql16"
    parameters = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    assert parameters["rds.force_ssl"] == "1"
    assert parameters["log_min_duration_statement"] == "1000"
    assert stack_run.named("database-cluster").inputs["dbClusterParameterGroupName"] == group.outputs["name"]


def test_cluster_lives_in_the_data_subnets_behind_its_own_security_group(stack_run: StackRun) -> None:
    subnets = stack_run.named("database-subnets")
    data = sorted(str(s.id) for s in stack_run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "data")
    assert sorted(subnets.inputs["subnetIds"]) == data
    cluster = stack_run.named("database-cluster").inputs
    assert cluster["dbSubnetGroupName"] == subnets.outputs["name"]
    assert cluster["vpcSecurityGroupIds"] == [stack_run.named("database-sg").id]


def test_instances_writer_and_readers_in_different_azs_with_performance_insights(stack_run: StackRun) -> None:
    instances = stack_run.of_type("aws:rds/clusterInstance:ClusterInstance")
    assert len(instances) == config_of(stack_run.stack).database.instances  # type: ignore[union-attr]
    assert len({i.inputs["availabilityZone"] for i in instances}) == len(instances)
    arn = key_arn(stack_run)
    for instance in instances:
        inputs = instance.inputs
        assert inputs["instanceClass"] == "db.serverless"
        assert inputs["publiclyAccessible"] is False
        assert (
            inputs["performanceInsightsEnabled"],
            inputs["performanceInsightsKmsKeyId"],
            inputs["performanceInsightsRetentionPeriod"],
        ) == (True, arn, 7)
        assert inputs["clusterIdentifier"] == stack_run.named("database-cluster").id
    assert stack_run.named("database-writer").inputs["promotionTier"] == 0


def test_prod_has_a_writer_and_a_reader(stack_runs: dict[str, StackRun]) -> None:
    names = {
        stack: [i.name for i in run.of_type("aws:rds/clusterInstance:ClusterInstance")]
        for stack, run in stack_runs.items()
    }
    assert names == {
        "dev": ["database-writer"],
        "staging": ["database-writer"],
        "prod": ["database-writer", "database-reader-1"],
    }
    reader = stack_runs["prod"].named("database-reader-1")
    assert stack_runs["prod"].named("database-writer").urn in reader.dependencies  # the writer comes first


def test_prod_database_is_protected_from_deletion_with_a_deterministic_final_snapshot(
    stack_runs: dict[str, StackRun],
) -> None:
    prod = stack_runs["prod"].named("database-cluster")
    assert prod.protect is True
    assert (prod.inputs["deletionProtection"], prod.inputs["skipFinalSnapshot"]) == (True, False)
    assert prod.inputs["finalSnapshotIdentifier"] == "platform-prod-db-final"
    assert {i.protect for i in stack_runs["prod"].of_type("aws:rds/clusterInstance:ClusterInstance")} == {True}
    for stack in ("dev", "staging"):
        cluster = stack_runs[stack].named("database-cluster")
        assert (cluster.protect, cluster.inputs["deletionProtection"], cluster.inputs["skipFinalSnapshot"]) == (
            False,
            False,
            True,
        ), stack
        assert "finalSnapshotIdentifier" not in cluster.inputs


def test_exported_log_group_exists_first_with_retention_and_the_stack_key(stack_run: StackRun) -> None:
    group = stack_run.named("database-postgresql-logs")
    assert group.inputs["name"] == f"/aws/rds/cluster/platform-{stack_run.stack}-db/postgresql"
    assert group.inputs["retentionInDays"] == config_of(stack_run.stack).log_retention_days
    assert group.inputs["kmsKeyId"] == key_arn(stack_run)
    assert group.urn in stack_run.named("database-cluster").dependencies


def test_security_group_admits_5432_only_from_granted_services_and_has_no_egress(stack_run: StackRun) -> None:
    group = stack_run.named("database-sg")
    assert "ingress" not in group.inputs and "egress" not in group.inputs  # no inline rules at all
    egress = [
        r
        for r in stack_run.of_type(
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/securityGroupRule:SecurityGroupRule"
        )
        if r.inputs.get("securityGroupId") == group.id
    ]
    assert not egress
    ingress = [
        r
        for r in stack_run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs.get("securityGroupId") == group.id
    ]
    other_groups = {g.id for g in stack_run.of_type("aws:ec2/securityGroup:SecurityGroup")} - {group.id}
    for rule in ingress:
        assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", 5432, 5432)
        assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & set(rule.inputs), rule.name
        assert rule.inputs["referencedSecurityGroupId"] in other_groups, rule.name
    granted = {
        name for name, service in config_of(stack_run.stack).services.items() if service.grants.database is not None
    }
    assert {r.inputs["description"] for r in ingress} == {f"PostgreSQL from {name}" for name in granted}


def test_minor_version_drift_from_automatic_upgrades_is_ignored(stack_run: StackRun) -> None:
    """AWS moves the minor version in the maintenance window; a pinned minor would make the next `up` try a
    downgrade that RDS refuses. The configured major resolves to its newest minor at creation."""
    members = stack_run.of_type("aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance")
    assert members
    for member in members:
        assert "engineVersion" in member.ignore_changes, member.name
    for instance in stack_run.of_type("aws:rds/clusterInstance:ClusterInstance"):
        assert instance.inputs["autoMinorVersionUpgrade"] is True
