"""End to end over gRPC (the real pack process): prod's recorded resources pass the data guardrails of issue 14,
and a copy broken in one place per guardrail fails exactly that guardrail, on exactly that resource."""

from __future__ import annotations

import dataclasses

import pytest

from offline.engine import RecordedResource, StackRun
from offline.policy_harness import PolicyHarness, format_report

DATA_POLICIES = {
    "cache-encrypted-and-authenticated",
    "prod-cache-multi-az",
    "cache-not-in-public-subnets",
    "rds-instance-hardening",
    "rds-tls-required",
    "prod-backup-coverage",
    "s3-access-logging",
}


@pytest.fixture(scope="module")
def harness(pack_harness: PolicyHarness) -> PolicyHarness:
    """The session's pack processes (one per stack, mode and stack config), shared with the other modules."""
    return pack_harness


def _with(resource: RecordedResource, **props: object) -> RecordedResource:
    return dataclasses.replace(resource, inputs={**resource.inputs, **props}, outputs={**resource.outputs, **props})


def break_data(run: StackRun) -> tuple[list[RecordedResource], dict[str, str]]:
    """Prod with one fault per data guardrail; returns the resources and {policy: faulty URN}."""
    resources = list(run.resources)
    faults: dict[str, str] = {}

    def replace(type_: str, name: str | None = None, **props: object) -> RecordedResource:
        index = next(i for i, r in enumerate(resources) if r.type == type_ and (name is None or r.name == name))
        resources[index] = _with(resources[index], **props)
        return resources[index]

    cache = replace("aws:elasticache/replicationGroup:ReplicationGroup", transitEncryptionMode="preferred")
    faults["cache-encrypted-and-authenticated"] = cache.urn
    instance = replace("aws:rds/clusterInstance:ClusterInstance", monitoringInterval=0)
    faults["rds-instance-hardening"] = instance.urn
    replace("aws:rds/clusterParameterGroup:ClusterParameterGroup", parameters=[{"name": "rds.force_ssl", "value": "0"}])
    faults["rds-tls-required"] = next(r.urn for r in resources if r.type == "aws:rds/cluster:Cluster")
    # the table leaves the backup selection; the access logging is configured on the wrong bucket (the log bucket
    # itself), so the uploads bucket logs nothing
    [selection] = [r for r in resources if r.type == "aws:backup/selection:Selection"]
    table = next(r for r in resources if r.type == "aws:dynamodb/table:Table")
    index = resources.index(selection)
    deps = {k: [u for u in v if u != table.urn] for k, v in selection.property_dependencies.items()}
    listed = [a for a in selection.inputs["resources"] if a != table.outputs["arn"]]
    resources[index] = dataclasses.replace(_with(selection, resources=listed), property_dependencies=deps)
    faults["prod-backup-coverage"] = table.urn
    logging = next(r for r in resources if r.type == "aws:s3/bucketLogging:BucketLogging")
    uploads = next(
        r for r in resources if r.type == "aws:s3/bucket:Bucket" and r.outputs.get("bucket") == logging.inputs["bucket"]
    )
    [log_bucket] = [
        r.urn
        for r in resources
        if r.type == "aws:s3/bucket:Bucket" and r.outputs.get("bucket") == logging.inputs["targetBucket"]
    ]
    resources[resources.index(logging)] = dataclasses.replace(
        logging, property_dependencies={**logging.property_dependencies, "bucket": [log_bucket]}
    )
    faults["s3-access-logging"] = uploads.urn
    return resources, faults


def test_prod_passes_the_data_guardrails_and_each_fault_fails_exactly_its_own(
    harness: PolicyHarness, stack_runs: dict[str, StackRun]
) -> None:
    run = stack_runs["prod"]
    clean = harness.check_run(run)
    assert set(clean.levels) >= DATA_POLICIES and clean.mandatory == [], format_report(clean)
    resources, faults = break_data(run)
    report = harness.check(resources, stack="prod")
    assert report.violated("mandatory") == set(faults), format_report(report)
    for policy, urn in faults.items():
        assert {d.resource for d in report.mandatory if d.policy == policy} == {urn}, policy
