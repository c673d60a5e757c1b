"""OpenSearch Serverless: stack key, VPC endpoint only, data access from grants, standby replicas in prod."""

from __future__ import annotations

import json

import pytest

from offline.engine import StackRun
from offline.policy_harness import PolicyHarness, format_report

from .variants import prod_edge_run

SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"


@pytest.fixture(scope="module")
def run() -> StackRun:
    """prod with the collection `cache` (VECTORSEARCH) the api may read and write (tests/components/variants.py)."""
    return prod_edge_run()


def test_the_collection_is_encrypted_with_the_stack_key_and_reachable_only_through_the_endpoint(run: StackRun) -> None:
    key = run.named("keys-key")  # the stack key (backups copy with their own)
    [endpoint] = run.of_type("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    policies = {r.inputs["type"]: json.loads(r.inputs["policy"]) for r in run.of_type(SECURITY_POLICY)}
    assert policies["encryption"]["AWSOwnedKey"] is False and policies["encryption"]["KmsARN"] == key.outputs["arn"]
    [network] = policies["network"]
    assert network["AllowFromPublic"] is False and network["SourceVPCEs"] == [endpoint.id]


def test_prod_collections_have_standby_replicas_and_protection(run: StackRun) -> None:
    [collection] = run.of_type("aws:opensearch/serverlessCollection:ServerlessCollection")
    assert collection.inputs["standbyReplicas"] == "ENABLED" and collection.inputs["type"] == "VECTORSEARCH"
    assert collection.protect


def test_the_data_access_policy_admits_exactly_the_granted_task_role(run: StackRun) -> None:
    [access] = run.of_type("aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy")
    [role] = [r for r in run.of_type("aws:iam/role:Role") if r.name == "api-task-role"]
    [rule] = json.loads(access.inputs["policy"])
    assert rule["Principal"] == [role.outputs["arn"]]
    assert "aoss:WriteDocument" in rule["Rules"][1]["Permission"]
    [task_policy] = [r for r in run.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == "api-task-policy"]
    [statement] = [s for s in json.loads(task_policy.inputs["policy"])["Statement"] if s["Sid"] == "CollectionCacheApi"]
    assert statement["Action"] == ["aoss:APIAccessAll"]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_prod_with_a_collection_passes_every_mandatory_policy(preview: bool, pack_harness: PolicyHarness) -> None:
    run = prod_edge_run(preview=preview)
    report = pack_harness.check(run.resources, stack="prod", preview=preview)
    assert report.mandatory == [], format_report(report)


def test_search_and_ingestion_errors_alarm_to_the_stack_topic(run: StackRun) -> None:
    [collection] = run.of_type("aws:opensearch/serverlessCollection:ServerlessCollection")
    [topic] = [t for t in run.of_type("aws:sns/topic:Topic") if t.name == "observability-alarm-topic"]
    alarms = {
        r.name: r.inputs
        for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.name.startswith("collection-cache-")
    }
    assert set(alarms) == {"collection-cache-search-errors", "collection-cache-ingestion-errors"}
    for alarm in alarms.values():
        assert alarm["namespace"] == "AWS/AOSS" and alarm["alarmActions"] == [topic.outputs["arn"]]
        assert alarm["dimensions"]["CollectionId"] == collection.id
