"""The estimator: a small stack priced by hand equals its estimate; what the table cannot price is reported,
never zero; free types are listed as free; a usage file changes exactly the usage-driven lines; the real
stacks are fully priced, at a first preview too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from offline.engine import StackRun
from policies.guardrails.base import Unknown
from policies.guardrails.costing import (
    Item,
    Usage,
    UsageFileError,
    estimate_stack,
    items_from_records,
    load_usage,
    parse_usage,
    render,
)

STACK = "urn:pulumi:test::platform::pulumi:pulumi:Stack::platform-test"
COMPONENT = "urn:pulumi:test::platform::platform:network:Network::net"


def item(
    token: str, name: str, parent: str = COMPONENT, deps: dict[str, list[str]] | None = None, **props: Any
) -> Item:
    return Item(
        type=token,
        name=name,
        urn=f"urn:pulumi:test::platform::{token}::{name}",
        parent=parent,
        props=props,
        custom=True,
        property_dependencies=deps or {},
    )


def small_stack() -> list[Item]:
    task = item(
        "aws:ecs/taskDefinition:TaskDefinition",
        "web-task",
        cpu="512",
        memory="1024",
        runtimePlatform={"cpuArchitecture": "ARM64"},
    )
    cluster = item(
        "aws:rds/cluster:Cluster",
        "db",
        engine="aurora-postgresql",
        serverlessv2ScalingConfiguration={"minCapacity": 0.5, "maxCapacity": 4.0},
    )
    return [
        Item("pulumi:pulumi:Stack", "platform-test", STACK, None, {}, custom=False),
        Item("platform:network:Network", "net", COMPONENT, STACK, {}, custom=False),
        item("aws:ec2/natGateway:NatGateway", "nat"),
        item("aws:ec2/eip:Eip", "nat-eip", domain="vpc"),
        item("aws:lb/loadBalancer:LoadBalancer", "alb", loadBalancerType="application"),
        task,
        item(
            "aws:ecs/service:Service",
            "web",
            deps={"taskDefinition": [task.urn]},
            desiredCount=3.0,
            capacityProviderStrategies=[
                {"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0},
                {"capacityProvider": "FARGATE_SPOT", "weight": 2.0},
            ],
        ),
        cluster,
        item(
            "aws:rds/clusterInstance:ClusterInstance",
            "db-writer",
            deps={"clusterIdentifier": [cluster.urn]},
            instanceClass="db.serverless",
            engine="aurora-postgresql",
        ),
        item("aws:kms/key:Key", "key"),
        item(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "latency-anomaly",
            metricQueries=[
                {"id": "m1", "metric": {"metricName": "TargetResponseTime", "period": 60.0, "stat": "p95"}},
                {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "returnData": True},
            ],
        ),
        item("aws:cloudwatch/logGroup:LogGroup", "logs", retentionInDays=30.0),
        item("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", vpcEndpointType="Interface", subnetIds=["a", "b"]),
        item("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", vpcEndpointType="Gateway"),
        item("aws:iam/role:Role", "role"),
    ]


def test_a_small_stack_costs_what_the_hand_computation_says() -> None:
    estimate = estimate_stack(small_stack(), stack="test", region="us-east-1")
    hours = 730
    # Prices from policies/guardrails/costing/data/prices.json (us-east-1); usage from the defaults file.
    nat = hours * 0.045 + 100 * 0.045  # hours + 100 GB processed
    eip = hours * 0.005  # public IPv4
    alb = hours * 0.0225 + 1 * hours * 0.008  # hours + 1 LCU on average
    # 3 tasks of 0.5 vCPU / 1 GB on ARM64: 1 base task on FARGATE, the other 2 split 1:2 FARGATE:FARGATE_SPOT.
    on_demand, spot = 1 + 2 / 3, 4 / 3
    web = (
        on_demand * hours * (0.5 * 0.03238 + 1 * 0.00356)  # FARGATE, ARM64 rates
        + spot * hours * (0.5 * 0.012144 + 1 * 0.0013335)
    )  # FARGATE_SPOT rates
    db = 20 * 0.10 + 10 * 0.20  # 20 GB storage, 10 million I/O
    writer = 0.5 * hours * 0.12  # minCapacity 0.5 ACU, always on
    key = 1.00 + 100_000 / 10_000 * 0.03  # key-month + 100k requests
    alarm = 3 * 0.10  # anomaly detection: 3 alarm metrics
    logs = 5 * 0.50 + 5 * (30 / 30) * 0.15 * 0.03  # 5 GB ingested, 1 month kept, compressed
    endpoint = 2 * hours * 0.01 + 10 * 0.01  # 2 AZs + 10 GB processed
    expected = {
        "nat": nat,
        "nat-eip": eip,
        "alb": alb,
        "web": web,
        "db": db,
        "db-writer": writer,
        "key": key,
        "latency-anomaly": alarm,
        "logs": logs,
        "ecr": endpoint,
    }

    by_name = {estimate.items[urn].name: cost for urn, cost in estimate.per_resource().items()}
    assert by_name == pytest.approx(expected, abs=1e-9)
    assert estimate.total == pytest.approx(sum(expected.values()), abs=1e-9)
    assert estimate.per_component() == pytest.approx({COMPONENT: sum(expected.values())}, abs=1e-9)
    assert estimate.missing == [] and estimate.unknown == []
    free = {estimate.items[urn].name: reason for urn, reason in estimate.free.items()}
    assert free == {
        "web-task": "free; its tasks are priced on the service that runs them",
        "s3": "gateway endpoints (S3, DynamoDB) have no hourly or data charge",
        "role": "IAM is free",
    }


def test_a_created_type_missing_from_the_table_is_reported_not_zero() -> None:
    stack = [
        *small_stack(),
        item("aws:neptune/cluster:Cluster", "graph"),
        item("aws:rds/instance:Instance", "legacy", engine="postgres", instanceClass="db.x2g.large"),
    ]
    estimate = estimate_stack(stack, stack="test", region="us-east-1")
    assert [(e.name, e.reason) for e in estimate.missing] == [
        ("graph", "type not in the price table (nor listed as free)"),
        ("legacy", "no price for rds.instanceHour.postgres.db.x2g.large in us-east-1 in the price table"),
    ]
    text = render(estimate)
    assert "Not priced, missing from the price table (2):" in text
    assert "  aws:neptune/cluster:Cluster  graph: type not in the price table (nor listed as free)" in text
    assert "Stack total: at least $" in text


def test_a_region_without_prices_reports_every_priced_resource() -> None:
    estimate = estimate_stack(small_stack(), stack="test", region="eu-west-1")
    assert estimate.total == 0 and len(estimate.missing) == 10
    assert estimate.missing[0].reason == "no price for natGateway.hour in eu-west-1 in the price table"


def test_a_price_driver_unknown_at_preview_leaves_the_resource_unpriced_not_free() -> None:
    stack = [*small_stack(), item("aws:lb/loadBalancer:LoadBalancer", "alb-2", loadBalancerType=Unknown("string"))]
    estimate = estimate_stack(stack, stack="test", region="us-east-1")
    assert [(e.name, e.reason) for e in estimate.unknown] == [
        ("alb-2", ".loadBalancerType is unknown until the resource exists")
    ]
    assert "Not priced yet, unknown at this preview (1):" in render(estimate)


def test_the_usage_file_overrides_exactly_the_lines_it_names(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.test.usage.yaml").write_text(
        "defaults:\n  natGateway.processedGb: 1000\nresources:\n  web:\n    tasks: 6\n"
    )
    usage = load_usage("test", tmp_path)
    base = estimate_stack(small_stack(), stack="test", region="us-east-1")
    changed = estimate_stack(small_stack(), stack="test", region="us-east-1", usage=usage)
    before = {base.items[u].name: c for u, c in base.per_resource().items()}
    after = {changed.items[u].name: c for u, c in changed.per_resource().items()}
    assert after["nat"] - before["nat"] == pytest.approx(900 * 0.045)
    # 6 tasks: 1 base task on FARGATE, the other 5 split 1:2 between FARGATE and FARGATE_SPOT (ARM64, 0.5 vCPU, 1 GB).
    assert after["web"] == pytest.approx(
        (1 + 5 / 3) * 730 * (0.5 * 0.03238 + 0.00356) + 10 / 3 * 730 * (0.5 * 0.012144 + 0.0013335)
    )
    assert {k: v for k, v in after.items() if k not in ("nat", "web")} == {
        k: v for k, v in before.items() if k not in ("nat", "web")
    }
    nat_line = next(line for line in changed.lines if line.what == "data processed")
    assert nat_line.assumption == "Pulumi.test.usage.yaml: defaults.natGateway.processedGb = 1000"
    assert "usage from Pulumi.test.usage.yaml" in render(changed)


def test_without_a_usage_file_the_defaults_apply(tmp_path: Path) -> None:
    assert load_usage("test", tmp_path) == Usage()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"defaults": {"nat.gb": 1}}, "Pulumi.x.usage.yaml: defaults.nat.gb: not a usage assumption; one of "),
        (
            {"defaults": {"natGateway.processedGb": "lots"}},
            "Pulumi.x.usage.yaml: defaults.natGateway.processedGb = 'lots': expected a number >= 0 "
            "(GB per gateway per month)",
        ),
        (
            {"resources": {"web": {"tasks": -1}}},
            "Pulumi.x.usage.yaml: resources.web.tasks = -1: expected a number >= 0",
        ),
        ({"resource": {}}, "Pulumi.x.usage.yaml: expected a mapping with `defaults:` and/or `resources:`"),
    ],
)
def test_a_bad_usage_file_is_refused_naming_the_key(document: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageFileError) as error:
        parse_usage(document, "Pulumi.x.usage.yaml")
    assert str(error.value).startswith(message)


def test_every_real_stack_is_fully_priced_and_its_components_add_up(stack_run: StackRun) -> None:
    estimate = estimate_stack(items_from_records(stack_run.resources), stack=stack_run.stack, region="us-east-1")
    assert estimate.missing == [] and estimate.unknown == []
    assert estimate.total > 0
    roots = [urn for urn, i in estimate.items.items() if i.type == "platform:stack:Platform"]
    assert estimate.per_component()[roots[0]] == pytest.approx(estimate.total)
    priced_or_free = set(estimate.per_resource()) | set(estimate.free)
    # providers (an explicit provider for another region) are configuration, not AWS resources
    assert priced_or_free == {
        r.urn for r in stack_run.resources if r.custom and not r.type.startswith("pulumi:providers:")
    }


def test_a_first_preview_estimates_what_the_update_estimates(
    stack_runs: dict[str, StackRun], preview_runs: dict[str, StackRun]
) -> None:
    # The prices depend on inputs (sizes, counts, classes, subnets per endpoint), known at preview.
    for stack, run in stack_runs.items():
        up = estimate_stack(items_from_records(run.resources), stack=stack, region="us-east-1")
        first = estimate_stack(items_from_records(preview_runs[stack].resources), stack=stack, region="us-east-1")
        assert first.unknown == [] and first.total == pytest.approx(up.total), stack


def test_a_property_shape_no_pricer_foresaw_is_reported_not_zero() -> None:
    task = item("aws:ecs/taskDefinition:TaskDefinition", "task", cpu="256", memory="512")
    odd = item("aws:ecs/service:Service", "odd", deps={"taskDefinition": [task.urn]}, capacityProviderStrategies=7.0)
    estimate = estimate_stack([task, odd], stack="test", region="us-east-1")
    assert [(e.name, e.reason) for e in estimate.missing] == [
        (
            "odd",
            "its properties have a shape the estimator does not understand (TypeError: 'float' object is not iterable)",
        )
    ]


def test_an_opensearch_serverless_vpc_endpoint_is_priced_as_an_interface_endpoint_per_az() -> None:
    endpoint = item(
        "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint", "search", subnetIds=["subnet-a", "subnet-b"]
    )
    estimate = estimate_stack([endpoint], stack="test", region="us-east-1")
    assert estimate.missing == [] and estimate.unknown == []
    # 2 AZs x 730 h x $0.01 + 10 GB (the interface endpoint default) x $0.01.
    assert estimate.total == pytest.approx(2 * 730 * 0.01 + 10 * 0.01)
