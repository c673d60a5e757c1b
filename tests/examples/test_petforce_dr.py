"""examples/petforce (seed 003): the production pair, us-east-1 primary and us-west-2 standby, previewed together.
The standby's StackReference (`organization/platform/petforce-prod`) is answered by the primary's own offline run,
so the replica's source, the replica key's primary and the failover records carry the primary's real values; the
real pack judges both (first preview and up) over gRPC with the prod levels: 0 mandatory violations."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from offline.engine import ORGANIZATION, StackReferenceError, StackRun, referenced_outputs, run_references_with
from offline.policy_harness import PolicyHarness, format_report
from offline.policy_harness import PolicyReport as Report
from tests.shared_runs import configure as configure_sharing
from tests.shared_runs import session_root as shared_runs_root
from tests.shared_runs import shared_run

from .support import EXAMPLES

DIRECTORY = EXAMPLES / "petforce"
PRIMARY, STANDBY = "petforce-prod", "petforce-prod-us-west-2"
PROD_LEVELS = EXAMPLES.parent / "policies" / "config" / "prod.json"


def _run(stack: str, *, preview: bool = False, directory: Path = DIRECTORY) -> StackRun:
    """The stack file's run, shared: a standby's StackReference reads the same run of its primary."""
    return shared_run(stack, config_file=directory / f"Pulumi.{stack}.yaml", preview=preview)


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, bool], StackRun]:
    """The pair as up and as a first preview, once per session (tests.shared_runs)."""
    return {
        (stack, preview): shared_run(stack, config_file=DIRECTORY / f"Pulumi.{stack}.yaml", preview=preview)
        for stack in (PRIMARY, STANDBY)
        for preview in (False, True)
    }


@pytest.fixture(scope="module")
def reports(runs: dict[tuple[str, bool], StackRun], pack_harness: PolicyHarness) -> dict[tuple[str, bool], Report]:
    reports = pack_harness.check_runs(runs.values(), policy_config=PROD_LEVELS)
    return dict(zip(runs, reports, strict=True))


@pytest.mark.parametrize("stack", [PRIMARY, STANDBY])
@pytest.mark.parametrize("preview", [False, True], ids=["up", "first-preview"])
def test_both_stacks_pass_every_mandatory_policy(
    stack: str, preview: bool, reports: dict[tuple[str, bool], Report]
) -> None:
    report = reports[(stack, preview)]
    assert report.mandatory == [], format_report(report)
    assert report.levels["dr-replicates-declared"] == "mandatory"


def test_the_standby_reads_the_primarys_outputs_through_the_stack_reference(
    runs: dict[tuple[str, bool], StackRun],
) -> None:
    primary, standby = runs[(PRIMARY, False)], runs[(STANDBY, False)]
    dr = primary.outputs["dr"]
    [source] = primary.of_type("aws:rds/instance:Instance")
    [dr_key] = [k for k in primary.of_type("aws:kms/key:Key") if k.inputs.get("multiRegion")]
    assert dr == {
        "role": "primary",
        "region": "us-east-1",
        "kmsKeyArn": dr_key.outputs["arn"],
        "databaseArn": source.outputs["arn"],
        "rtoMinutes": 16,
        "rpoSeconds": 300,
    }
    [replica] = standby.of_type("aws:rds/instance:Instance")
    [replica_key] = standby.of_type("aws:kms/replicaKey:ReplicaKey")
    assert replica.inputs["replicateSourceDb"] == source.outputs["arn"]  # a cross-region source is named by ARN
    assert replica_key.inputs["primaryKeyArn"] == dr_key.outputs["arn"]
    assert replica.inputs["kmsKeyId"] == replica_key.outputs["arn"]
    assert replica_key.outputs["arn"].startswith("arn:aws:kms:us-west-2:") and "/mrk-" in replica_key.outputs["arn"]
    assert replica.ignore_changes == ["replicateSourceDb"]  # a promoted replica is not made a replica again
    assert "username" not in replica.inputs and "engineVersion" not in replica.inputs  # both come from the source
    # a first preview of the standby reads the deployed primary: the reference is known even then
    assert runs[(STANDBY, True)].named("database-instance").inputs["replicateSourceDb"] == source.outputs["arn"]


def test_outside_a_test_session_a_referenced_stack_runs_once_per_file(
    runs: dict[tuple[str, bool], StackRun],
) -> None:
    """The CLI's path (the session answers references with its shared runs): the primary's own `up` run, the
    same outputs the shared run exported, computed once per stack file."""
    run_references_with(None)
    try:
        first = referenced_outputs(PRIMARY, DIRECTORY)
        assert referenced_outputs(PRIMARY, DIRECTORY) is first
    finally:
        configure_sharing(shared_runs_root())
    assert first == runs[(PRIMARY, False)].outputs and first["dr"]["role"] == "primary"


def test_route53_fails_over_from_the_primary_to_the_standby_on_an_https_health_check(
    runs: dict[tuple[str, bool], StackRun],
) -> None:
    for stack, kind in ((PRIMARY, "PRIMARY"), (STANDBY, "SECONDARY")):
        run = runs[(stack, False)]
        [check] = run.of_type("aws:route53/healthCheck:HealthCheck")
        [lb] = run.of_type("aws:lb/loadBalancer:LoadBalancer")
        assert {k: check.inputs[k] for k in ("type", "fqdn", "port", "resourcePath", "failureThreshold")} == {
            "type": "HTTPS",
            "fqdn": lb.outputs["dnsName"],
            "port": 443,
            "resourcePath": "/health",
            "failureThreshold": 3,
        }
        assert check.inputs["requestInterval"] == 30
        [record] = [
            r
            for r in run.of_type("aws:route53/record:Record")
            if r.inputs.get("type") == "A" and r.inputs["name"] == "api.petforce.example"
        ]
        assert record.inputs["failoverRoutingPolicies"] == [{"type": kind}]
        assert record.inputs["healthCheckId"] == check.id
        assert record.inputs["aliases"][0]["name"] == lb.outputs["dnsName"]


def test_the_standby_waits_at_zero_tasks_with_its_autoscaling_ready(runs: dict[tuple[str, bool], StackRun]) -> None:
    standby = runs[(STANDBY, False)]
    services = standby.of_type("aws:ecs/service:Service")
    targets = standby.of_type("aws:appautoscaling/target:Target")
    assert len(services) == len(targets) == 2  # the API and the Next.js app
    assert {service.inputs["desiredCount"] for service in services} == {0}
    assert {(t.inputs["minCapacity"], t.inputs["maxCapacity"]) for t in targets} == {(0, 10)}
    primary_services = runs[(PRIMARY, False)].of_type("aws:ecs/service:Service")
    assert {service.inputs["desiredCount"] for service in primary_services} == {3}


def test_prod_dr_state_is_protected(runs: dict[tuple[str, bool], StackRun]) -> None:
    standby = runs[(STANDBY, False)]
    assert standby.named("dr-key").protect and standby.named("database-instance").protect
    assert runs[(PRIMARY, False)].named("dr-key").protect


def _broken(run: StackRun) -> tuple[list, dict[str, str]]:
    """The standby with its replica turned into a standalone instance and its failover record's check removed."""
    resources = list(run.resources)
    faults: dict[str, str] = {}
    for index, resource in enumerate(resources):
        if resource.name == "database-instance":
            outputs = {k: v for k, v in resource.outputs.items() if k != "replicateSourceDb"}
            resources[index] = dataclasses.replace(resource, outputs=outputs)
            faults[resource.urn] = "replicates nothing"
        if resource.name == "dr-failover-standby":
            outputs = {k: v for k, v in resource.outputs.items() if k != "healthCheckId"}
            deps = {k: v for k, v in resource.property_dependencies.items() if k != "healthCheckId"}
            resources[index] = dataclasses.replace(resource, outputs=outputs, property_dependencies=deps)
            faults[resource.urn] = "without a health check"
    return resources, faults


@pytest.mark.parametrize("preview", [False, True], ids=["up", "first-preview"])
def test_a_standby_that_stops_replicating_fails_exactly_dr_replicates_declared(
    preview: bool, runs: dict[tuple[str, bool], StackRun], pack_harness: PolicyHarness
) -> None:
    run = runs[(STANDBY, preview)]
    resources, faults = _broken(run)
    report = pack_harness.check(resources, stack=STANDBY, preview=preview, policy_config=PROD_LEVELS)
    assert report.violated("mandatory") == {"dr-replicates-declared"}, format_report(report)
    found = {d.resource: d.message for d in report.mandatory}
    assert set(found) == set(faults)
    for urn, phrase in faults.items():
        assert phrase in found[urn]


def test_a_reference_to_a_stack_without_a_file_is_a_clear_error(tmp_path: Path) -> None:
    document = yaml.safe_load((DIRECTORY / f"Pulumi.{STANDBY}.yaml").read_text())
    document["config"]["platform:dr"]["primaryStack"] = "petforce-nowhere"
    (tmp_path / "Pulumi.orphan.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(StackReferenceError) as error:
        _run("orphan", directory=tmp_path)
    assert str(error.value) == (
        f"stack reference {ORGANIZATION}/platform/petforce-nowhere: no stack file {tmp_path}/Pulumi.petforce-nowhere.yaml "
        "(a StackReference names a stack of this project whose Pulumi.<stack>.yaml is beside the reader's)"
    )


def test_an_aurora_pair_joins_a_global_cluster_and_builds_the_secondary(
    tmp_path: Path, pack_harness: PolicyHarness
) -> None:
    aurora = {"instanceClass": "db.r6g.large", "instances": 2, "backupRetentionDays": 35, "databaseName": "petforce"}
    for stack in (PRIMARY, STANDBY):
        document = yaml.safe_load((DIRECTORY / f"Pulumi.{stack}.yaml").read_text())
        document["config"]["platform:database"] = {**aurora, "engineVersion": "16.4"}
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    primary = _run(PRIMARY, directory=tmp_path)
    standby = _run(STANDBY, directory=tmp_path)
    [global_cluster] = primary.of_type("aws:rds/globalCluster:GlobalCluster")
    primary_cluster = primary.named("database-cluster")
    assert global_cluster.property_dependencies["sourceDbClusterIdentifier"] == [primary_cluster.urn]
    assert global_cluster.protect and global_cluster.inputs["forceDestroy"] is True
    assert "globalClusterIdentifier" in primary_cluster.ignore_changes  # the provider does not read it back
    secondary = standby.named("database-cluster")
    assert secondary.inputs["globalClusterIdentifier"] == global_cluster.inputs["globalClusterIdentifier"]
    assert secondary.inputs["engineVersion"] == primary_cluster.outputs["engineVersionActual"] == "16.4"
    assert secondary.inputs["kmsKeyId"] == standby.named("dr-key").outputs["arn"]
    for absent in ("masterUsername", "manageMasterUserPassword", "databaseName"):
        assert absent not in secondary.inputs
    assert {"globalClusterIdentifier", "replicationSourceIdentifier"} <= set(secondary.ignore_changes)
    rpo = standby.named("dr-rpo").inputs
    assert (rpo["metricName"], rpo["threshold"]) == ("AuroraGlobalDBReplicationLag", 300_000)  # milliseconds
    for run in (primary, standby):
        report = pack_harness.check_run(run, policy_config=PROD_LEVELS)
        assert report.mandatory == [], format_report(report)


def test_the_standby_alarms_when_its_replica_lags_past_the_rpo(runs: dict[tuple[str, bool], StackRun]) -> None:
    standby = runs[(STANDBY, False)]
    alarm = standby.named("dr-rpo").inputs
    [topic] = standby.of_type("aws:sns/topic:Topic")
    assert (alarm["metricName"], alarm["dimensions"]) == (
        "ReplicaLag",
        {"DBInstanceIdentifier": "petforce-petforce-prod-us-west-2-db"},
    )
    assert (alarm["threshold"], alarm["period"] * alarm["evaluationPeriods"]) == (300, 300)
    assert alarm["alarmActions"] == [topic.outputs["arn"]] and alarm["treatMissingData"] == "breaching"
    assert not [
        r for r in runs[(PRIMARY, False)].of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if r.name == "dr-rpo"
    ]
