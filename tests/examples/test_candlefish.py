"""The Candlefish example (seed 001, `examples/candlefish/Pulumi.candlefish.yaml`) builds what the seed runs: two
ECS services, five functions with their triggers, canaries, the WIP-limit alarm and WAF, fully tagged. (That it
passes every mandatory policy on up and first preview is proven over gRPC in tests/policies/test_pack_e2e.py.)"""

from __future__ import annotations

import pytest

from components.tagging import takes_tag_map
from offline.engine import StackRun
from tests.test_tagging import REQUIRED
from tests.test_tagging import sdk_class as stack_sdk_class

from .support import example_run, example_stack_config


@pytest.fixture(scope="module")
def run() -> StackRun:
    return example_run("candlefish")


def test_it_runs_what_seed_001_describes(run: StackRun) -> None:
    config = example_stack_config("candlefish")
    assert {n: s.kind for n, s in config.services.items()} == {"core-api": "web", "workflow-engine": "worker"}
    assert len(run.of_type("aws:ecs/service:Service")) == 2
    functions = {
        r.inputs["name"].removeprefix("platform-candlefish-") for r in run.of_type("aws:lambda/function:Function")
    }
    assert {"db-init", "stage-gate-processor", "wip-limit-processor", "github-webhook", "daily-unblock"} <= functions
    assert len(run.of_type("aws:lambda/invocation:Invocation")) == 1  # db-init, once
    assert len(run.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")) == 2  # the two processors
    assert len(run.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")) == 1  # github-webhook
    assert len(run.of_type("aws:scheduler/schedule:Schedule")) == 1  # daily-unblock
    assert len(run.of_type("aws:synthetics/canary:Canary")) == 3
    assert len(run.of_type("aws:wafv2/webAcl:WebAcl")) == 1
    alarms = {r.inputs["name"] for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert "platform-candlefish-custom-wip-limit-violations" in alarms
    assert run.outputs["url"] == "https://api.candlefish.example.com"


def sdk_class(resource_type: str) -> type:
    """As tests/test_tagging.py, for Python's reserved word too (`aws:lambda/...` lives in `pulumi_aws.lambda_`)."""
    return stack_sdk_class(resource_type.replace("aws:lambda/", "aws:lambda_/"))


def test_every_taggable_resource_of_the_example_carries_the_standard_tags(run: StackRun) -> None:
    taggable = [r for r in run.custom_resources if r.type.startswith("aws:") and takes_tag_map(sdk_class(r.type))]
    untagged = [(r.type, r.name) for r in taggable if not set(r.inputs.get("tags") or {}) >= REQUIRED]
    assert taggable and untagged == []
    assert {r.inputs["tags"]["Environment"] for r in taggable} == {"prod"}


def test_prod_stateful_resources_of_the_example_are_protected(run: StackRun) -> None:
    stateful = (
        "aws:sqs/queue:Queue",
        "aws:s3/bucket:Bucket",
        "aws:secretsmanager/secret:Secret",
        "aws:rds/cluster:Cluster",
        "aws:dynamodb/table:Table",
        "aws:kms/key:Key",
    )
    unprotected = [r.name for r in run.of_type(*stateful) if not r.protect]
    assert unprotected == []
