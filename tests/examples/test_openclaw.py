"""examples/openclaw (seed 000): RDS PostgreSQL 16 Multi-AZ with the manual's parameters, Redis in the data subnets,
the app reading DB_PASSWORD from the RDS-managed secret, alarms at the manual's thresholds; previewed (first
preview and up) by the real pack over gRPC with the prod policy levels, 0 mandatory violations."""

from __future__ import annotations

import json

import pytest

from offline.engine import StackRun
from offline.policy_harness import PolicyHarness, format_report
from offline.policy_harness import PolicyReport as Report

from .support import EXAMPLES, example_run

PROD_LEVELS = EXAMPLES.parent / "policies" / "config" / "prod.json"


@pytest.fixture(scope="module")
def runs() -> dict[bool, StackRun]:
    return {preview: example_run("openclaw", stack="openclaw-prod", preview=preview) for preview in (False, True)}


@pytest.fixture(scope="module")
def reports(runs: dict[bool, StackRun], pack_harness: PolicyHarness) -> dict[bool, Report]:
    return {preview: pack_harness.check_run(run, policy_config=PROD_LEVELS) for preview, run in runs.items()}


@pytest.mark.parametrize("preview", [False, True], ids=["up", "first-preview"])
def test_openclaw_passes_every_mandatory_policy(preview: bool, reports: dict[bool, Report]) -> None:
    report = reports[preview]
    assert report.mandatory == [], format_report(report)
    # every policy at prod's level: mandatory, but the budget's, advisory by design (it informs a review)
    assert {level for name, level in report.levels.items() if name != "stack-budget"} == {"mandatory"}


def test_the_database_is_the_manuals_rds_postgresql_16_multi_az(runs: dict[bool, StackRun]) -> None:
    run = runs[False]
    [instance] = run.of_type("aws:rds/instance:Instance")
    inputs = instance.inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["instanceClass"]) == ("postgres", "16", "db.r8g.xlarge")
    assert (inputs["multiAz"], inputs["storageType"], inputs["allocatedStorage"], inputs["maxAllocatedStorage"]) == (
        True,
        "gp3",
        100,
        500,
    )
    assert (inputs["backupRetentionPeriod"], inputs["backupWindow"], inputs["maintenanceWindow"]) == (
        35,
        "03:00-04:00",
        "mon:04:30-mon:05:30",
    )
    assert inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert (inputs["performanceInsightsEnabled"], inputs["performanceInsightsRetentionPeriod"]) == (True, 7)
    assert (inputs["deletionProtection"], inputs["skipFinalSnapshot"], inputs["publiclyAccessible"]) == (
        True,
        False,
        False,
    )
    assert inputs["manageMasterUserPassword"] is True and "password" not in inputs
    assert instance.protect
    [group] = run.of_type("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres16"
    assert {p["name"]: p["value"] for p in group.inputs["parameters"]} == {
        "rds.force_ssl": "1",
        "log_min_duration_statement": "1000",
        "log_connections": "1",
        "log_disconnections": "1",
    }


def test_redis_lives_in_the_data_subnets(runs: dict[bool, StackRun]) -> None:
    run = runs[False]
    [cache] = run.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert (cache.inputs["engine"], cache.inputs["transitEncryptionEnabled"]) == ("redis", True)
    data = sorted(str(s.id) for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "data")
    [subnets] = run.of_type("aws:elasticache/subnetGroup:SubnetGroup")
    assert sorted(subnets.inputs["subnetIds"]) == data


def test_the_app_reads_db_password_from_the_managed_secret(runs: dict[bool, StackRun]) -> None:
    run = runs[False]
    [task] = run.of_type("aws:ecs/taskDefinition:TaskDefinition")
    [container] = json.loads(task.inputs["containerDefinitions"])
    secret_arn = run.outputs["databaseMasterSecretArn"]
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert secrets["DB_PASSWORD"] == f"{secret_arn}:password::"
    execution = json.loads(run.named("app-execution-policy").inputs["policy"])
    read = next(s for s in execution["Statement"] if s["Sid"] == "InjectDatabaseMasterSecret")
    assert read["Resource"] == [secret_arn] and read["Action"] == ["secretsmanager:GetSecretValue"]
    assert (container["user"], container["readonlyRootFilesystem"]) == ("1000:1000", True)


def test_alarms_are_at_the_manuals_thresholds(runs: dict[bool, StackRun]) -> None:
    alarms = {a.inputs["name"]: a.inputs for a in runs[False].of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    cpu = alarms["platform-openclaw-prod-app-cpu"]
    assert (cpu["threshold"], cpu["period"] * cpu["evaluationPeriods"]) == (85, 600)
    connections = alarms["platform-openclaw-prod-database-connections"]
    # db.r8g.xlarge: 32 GiB -> max_connections LEAST(DBInstanceClassMemory / 9531392, 5000), the platform
    # counting 32e9 bytes (components/config/observability.py) = 3357; 80 % of it
    assert connections["dimensions"] == {"DBInstanceIdentifier": "platform-openclaw-prod-db"}
    assert (connections["threshold"], connections["period"] * connections["evaluationPeriods"]) == (
        round(3357 * 0.8),
        600,
    )
