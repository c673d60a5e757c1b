"""RDS PostgreSQL instance (`database: {engine: postgres}`) and Enhanced Monitoring (RDS and Aurora): the major
version only, Multi-AZ and storage autoscaling per preset, TLS forced, IAM auth, grants on the instance and its
replicas, alarms, and the monitoring role with AWS's managed policy."""

from __future__ import annotations

import json

import pytest

from offline.engine import StackRun

from .data_support import key_arn, statements
from .variants import dev_stores_run


@pytest.fixture(scope="module")
def dev_postgres() -> StackRun:
    """dev with `database: {engine: postgres, readReplicas: 1}` (tests/components/variants.py)."""
    return dev_stores_run()


def test_dev_postgres_is_one_az_small_and_unprotected_with_a_replica(dev_postgres: StackRun) -> None:
    run = dev_postgres
    primary = run.named("database-instance")
    inputs = primary.inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["autoMinorVersionUpgrade"]) == ("postgres", "16", True)
    assert (inputs["instanceClass"], inputs["multiAz"], inputs["allocatedStorage"], inputs["maxAllocatedStorage"]) == (
        "db.t4g.small",
        False,
        20,
        100,
    )
    assert (inputs["backupRetentionPeriod"], inputs["deletionProtection"], inputs["skipFinalSnapshot"]) == (
        1,
        False,
        True,
    )
    assert inputs["monitoringInterval"] == 0 and "monitoringRoleArn" not in inputs
    assert (inputs["storageEncrypted"], inputs["kmsKeyId"], inputs["masterUserSecretKmsKeyId"]) == (
        True,
        key_arn(run),
        key_arn(run),
    )
    assert not primary.protect
    replica = run.named("database-replica-1").inputs
    assert replica["replicateSourceDb"] == "platform-dev-db" and replica["availabilityZone"] == "us-east-1a"
    assert (replica["iamDatabaseAuthenticationEnabled"], replica["publiclyAccessible"]) == (True, False)
    assert not {"dbSubnetGroupName", "username", "manageMasterUserPassword"} & set(replica)


def test_a_connect_grant_reaches_the_instance_and_its_replica_by_resource_id(dev_postgres: StackRun) -> None:
    run = dev_postgres
    ids = [run.named(n).outputs["resourceId"] for n in ("database-instance", "database-replica-1")]
    grant = statements(run.named("api-task-policy"))["DatabaseConnectApp"]
    assert grant["Action"] == ["rds-db:connect"]
    assert grant["Resource"] == [f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{i}/app" for i in ids]


def test_postgres_alarms_watch_the_instance_storage_and_replica_lag(dev_postgres: StackRun) -> None:
    alarms = {a.inputs["name"]: a.inputs for a in dev_postgres.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    storage = alarms["platform-dev-database-free-storage"]
    assert (storage["metricName"], storage["dimensions"], storage["threshold"]) == (
        "FreeStorageSpace",
        {"DBInstanceIdentifier": "platform-dev-db"},
        round(20 * 1024**3 * 0.05),
    )
    lag = alarms["platform-dev-database-replica-1-lag"]
    assert (lag["metricName"], lag["dimensions"], lag["threshold"]) == (
        "ReplicaLag",
        {"DBInstanceIdentifier": "platform-dev-db-replica-1"},
        60,
    )
    # db.t4g.small: 2 GiB -> LEAST(2e9 / 9531392, 5000) = 209; 80 %
    assert alarms["platform-dev-database-connections"]["threshold"] == round(209 * 0.8)


@pytest.mark.parametrize(("stack", "interval"), [("dev", 0), ("staging", 60), ("prod", 15)])
def test_aurora_instances_send_enhanced_monitoring_outside_dev(
    stack: str, interval: int, stack_runs: dict[str, StackRun]
) -> None:
    run = stack_runs[stack]
    instances = run.of_type("aws:rds/clusterInstance:ClusterInstance")
    assert instances and {i.inputs["monitoringInterval"] for i in instances} == {interval}
    roles = [r for r in run.of_type("aws:iam/role:Role") if r.name == "database-monitoring-role"]
    if not interval:
        assert not roles and all("monitoringRoleArn" not in i.inputs for i in instances)
        return
    [role] = roles
    assert {i.inputs["monitoringRoleArn"] for i in instances} == {role.outputs["arn"]}
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": ["monitoring.rds.amazonaws.com"]}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:rds:us-east-1:123456789012:db:*"},
    }
    [attachment] = [
        a
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name == "database-monitoring-policy"
    ]
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    assert attachment.inputs["role"] == role.outputs["name"]
