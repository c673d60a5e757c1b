"""Replication: `buckets.<name>.replication` copies every object version to a replica bucket in another region
(same hardening, a key of that region, access logs there), through a least-privilege role, with replication
metrics and, with timeControl, S3 Replication Time Control; the whole stack still passes the pack."""

from __future__ import annotations

import json

import pytest

from offline.engine import StackRun
from offline.policy_harness import PolicyHarness, format_report

from .data_support import key_arn, statements
from .variants import prod_replicated_run


@pytest.fixture(scope="module")
def replicated() -> StackRun:
    """prod with uploads replicated to us-west-2 as STANDARD_IA with timeControl (tests/components/variants.py)."""
    return prod_replicated_run()


def test_the_replica_region_side_is_built_through_its_own_provider(replicated: StackRun) -> None:
    run = replicated
    [provider] = [r for r in run.resources if r.type == "pulumi:providers:aws" and "replication" in r.name]
    assert provider.inputs["region"] == "us-west-2"
    side = [r for r in run.custom_resources if r.name.startswith("bucket-uploads-replication-us-west-2-")]
    assert side and all(r.provider is not None and r.provider.startswith(provider.urn) for r in side)
    replica = run.named("bucket-uploads-replication-us-west-2-bucket-bucket")
    assert replica.inputs["bucket"] == "platform-prod-uploads-replica-123456789012-us-west-2" and replica.protect
    key = run.named("bucket-uploads-replication-us-west-2-key")
    [rule] = run.named("bucket-uploads-replication-us-west-2-bucket-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key.outputs["arn"],
    }
    assert run.named("bucket-uploads-replication-us-west-2-bucket-versioning").inputs["versioningConfiguration"] == {
        "status": "Enabled"
    }


def test_the_rule_replicates_everything_with_rtc_metrics_and_the_replica_key(replicated: StackRun) -> None:
    run = replicated
    config = run.named("bucket-uploads-replication-config")
    assert config.provider is None  # the source's region
    [rule] = config.inputs["rules"]
    destination = rule["destination"]
    assert (rule["status"], rule["filter"], rule["deleteMarkerReplication"]) == (
        "Enabled",
        {"prefix": ""},
        {"status": "Enabled"},
    )
    assert destination["storageClass"] == "STANDARD_IA"
    assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert destination["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}
    assert destination["encryptionConfiguration"] == {
        "replicaKmsKeyId": run.named("bucket-uploads-replication-us-west-2-key").outputs["arn"]
    }


def test_the_replication_role_may_do_exactly_what_replication_needs(replicated: StackRun) -> None:
    run = replicated
    source = run.named("bucket-uploads-bucket").outputs["arn"]
    replica = run.named("bucket-uploads-replication-us-west-2-bucket-bucket").outputs["arn"]
    policy = statements(run.named("bucket-uploads-replication-role-policy"))
    assert {sid: (s["Action"], s["Resource"]) for sid, s in policy.items()} == {
        "ReadReplicationConfiguration": (["s3:GetReplicationConfiguration", "s3:ListBucket"], [source]),
        "ReadSourceVersions": (
            ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"],
            [f"{source}/*"],
        ),
        "WriteReplicas": (["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"], [f"{replica}/*"]),
        "DecryptSource": (["kms:Decrypt"], [key_arn(run)]),
        "EncryptReplica": (
            ["kms:Encrypt", "kms:GenerateDataKey"],
            [run.named("bucket-uploads-replication-us-west-2-key").outputs["arn"]],
        ),
    }
    assert policy["DecryptSource"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    assert policy["EncryptReplica"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}
    assert policy["EncryptReplica"]["Resource"][0].startswith("arn:aws:kms:us-west-2:")
    trust = json.loads(run.named("bucket-uploads-replication-role").inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": ["s3.amazonaws.com"]}


def test_a_replicated_prod_stack_passes_every_mandatory_policy(
    replicated: StackRun, pack_harness: PolicyHarness
) -> None:
    report = pack_harness.check_run(replicated)
    assert report.mandatory == [], format_report(report)
