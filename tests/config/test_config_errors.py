"""Bad stack config stops the program before any resource registers, one line per problem naming the
stack file, the key path, the value and what is allowed."""

from __future__ import annotations

import pytest

from components.config import StackConfigError, load_stack_config
from offline.engine import run_stack

from .mutate import DELETE, broken

TOP_KEYS = (
    "alarms, apis, backup, buckets, budget, caches, canaries, cluster, collections, costCenter, database, dr, "
    "environment, events, functions, loadBalancer, logQueries, logRetentionDays, name, network, owner, "
    "protectStatefulResources, queues, repositories, secrets, secretsPending, services, sites, tables, tags, "
    "tasks"
)

CASES = [
    (
        "dev",
        "platform:netwrok",
        {"cidr": "10.0.0.0/16"},
        f"Pulumi.dev.yaml: platform:netwrok: unknown key (a typo?); allowed keys here: {TOP_KEYS}",
    ),
    (
        "dev",
        "platform:environment",
        DELETE,
        "Pulumi.dev.yaml: platform:environment: required: one of dev, staging, prod",
    ),
    (
        "prod",
        "platform:environment",
        "production",
        "Pulumi.prod.yaml: platform:environment = 'production': required: one of dev, staging, prod",
    ),
    ("dev", "platform:owner", "", "Pulumi.dev.yaml: platform:owner = '': String should have at least 1 character"),
    ("staging", "platform:costCenter", DELETE, "Pulumi.staging.yaml: platform:costCenter: required key is missing"),
    ("dev", "aws:region", DELETE, "Pulumi.dev.yaml: aws:region: required: the AWS region to deploy to, e.g. us-east-1"),
    (
        "dev",
        "aws:region",
        "us-east",
        "Pulumi.dev.yaml: aws:region = 'us-east': required: the AWS region to deploy to, e.g. us-east-1",
    ),
    ("dev", "platform:network", DELETE, "Pulumi.dev.yaml: platform:network.cidr: required key is missing"),
    (
        "dev",
        "platform:network.cidr",
        "10.0.0.0/33",
        "Pulumi.dev.yaml: platform:network.cidr = '10.0.0.0/33': not a valid IPv4 network CIDR "
        "('33' is not a valid netmask); e.g. 10.20.0.0/16",
    ),
    (
        "dev",
        "platform:network.cidr",
        "8.8.0.0/16",
        "Pulumi.dev.yaml: platform:network.cidr = '8.8.0.0/16': the VPC CIDR must be a private (RFC 1918) "
        "range, e.g. 10.20.0.0/16",
    ),
    (
        "dev",
        "platform:network.cidr",
        "10.0.0.0/8",
        "Pulumi.dev.yaml: platform:network.cidr = '10.0.0.0/8': the VPC CIDR must be /16 to /24 "
        "(AWS's limits for a VPC)",
    ),
    (
        "dev",
        "platform:network.azCount",
        0,
        "Pulumi.dev.yaml: platform:network.azCount = 0: Input should be greater than or equal to 1",
    ),
    (
        "prod",
        "platform:network.azCount",
        1,
        "Pulumi.prod.yaml: platform:network.azCount = 1: prod needs at least 2 availability zones (allowed: 2 to 6)",
    ),
    (
        "dev",
        "platform:network.natStrategy",
        "two",
        "Pulumi.dev.yaml: platform:network.natStrategy = 'two': Input should be 'none', 'single' or 'per-az'",
    ),
    (
        "dev",
        "platform:network.natStrategy",
        "none",
        "Pulumi.dev.yaml: platform:network: natStrategy none leaves private subnets without internet egress, "
        "so Fargate needs the interface endpoints ecr.api, ecr.dkr, logs; missing: ecr.api, ecr.dkr, logs "
        "(add them to interfaceEndpoints, or choose natStrategy single)",
    ),
    (
        "prod",
        "platform:network.flowLogs",
        {"retentionDays": 30},
        "Pulumi.prod.yaml: platform:network.flowLogs.retentionDays = 30: flow logs must be kept at least 90 days "
        "(policies/config/prod.json: vpc-flow-logs.minimumRetentionDays); a relaxation goes in that file (reviewed "
        "by the platform owners)",
    ),
    (
        "dev",
        "platform:network.flowLogs",
        {"retentionDays": 100},
        "Pulumi.dev.yaml: platform:network.flowLogs.retentionDays = 100: Input should be 1, 3, 5, 7, 14, 30, "
        "60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653",
    ),
    (
        "staging",
        "platform:network.interfaceEndpoints",
        ["ecr.api", "ec2x"],
        "Pulumi.staging.yaml: platform:network.interfaceEndpoints[1] = 'ec2x': Input should be 'ecr.api', "
        "'ecr.dkr', 'logs', 'secretsmanager', 'sts', 'ssm', 'ssmmessages', 'ec2messages', 'kms', 'sqs', "
        "'sns', 'events', 'monitoring', 'ecs', 'ecs-agent', 'ecs-telemetry' or 'rds'",
    ),
    (
        "staging",
        "platform:network.interfaceEndpoints",
        ["logs", "sts", "logs"],
        "Pulumi.staging.yaml: platform:network.interfaceEndpoints: listed more than once: logs",
    ),
    (
        "dev",
        "platform:network.subnets",
        {
            "public": ["10.10.0.0/24", "10.99.1.0/24"],
            "private": ["10.10.10.0/24", "10.10.11.0/24"],
            "data": ["10.10.20.0/24", "10.10.21.0/24"],
        },
        "Pulumi.dev.yaml: platform:network.subnets.public[1] = '10.99.1.0/24': outside the VPC CIDR 10.10.0.0/16",
    ),
    (
        "dev",
        "platform:network.subnets",
        {
            "public": ["10.10.0.0/24", "10.10.1.0/24"],
            "private": ["10.10.0.128/25", "10.10.11.0/24"],
            "data": ["10.10.20.0/24", "10.10.21.0/24"],
        },
        "Pulumi.dev.yaml: platform:network.subnets.private[0] = '10.10.0.128/25': overlaps "
        "subnets.public[0] (10.10.0.0/24)",
    ),
    (
        "dev",
        "platform:network.subnets",
        {
            "public": ["10.10.0.0/24"],
            "private": ["10.10.10.0/24", "10.10.11.0/24"],
            "data": ["10.10.20.0/24", "10.10.21.0/24"],
        },
        "Pulumi.dev.yaml: platform:network.subnets.public = 1: needs exactly one CIDR per AZ: azCount is 2, 1 given",
    ),
    (
        "dev",
        "platform:network.cidrBlock",
        "10.0.0.0/16",
        "Pulumi.dev.yaml: platform:network.cidrBlock: unknown key (a typo?); allowed keys here: azCount, cidr, "
        "flowLogs, interfaceEndpoints, natStrategy, subnetNewbits, subnets",
    ),
    (
        "prod",
        "platform:network.subnetNewbits",
        3,
        "Pulumi.prod.yaml: platform:network: azCount 3 does not fit subnetNewbits 3 (at most 2 AZs per tier); "
        "raise subnetNewbits or give explicit subnets",
    ),
    (
        "dev",
        "platform:tags",
        {"Owner": "someone-else"},
        "Pulumi.dev.yaml: platform:tags: Owner are set by the platform from environment/owner/costCenter; "
        "remove them from tags",
    ),
    (
        "dev",
        "platform:tags",
        {"aws:createdBy": "me"},
        "Pulumi.dev.yaml: platform:tags: tag keys starting with aws: are reserved by AWS: aws:createdBy",
    ),
    (
        "dev",
        "platform:logRetentionDays",
        "10",
        "Pulumi.dev.yaml: platform:logRetentionDays = 10: Input should be 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, "
        "180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653",
    ),
    (
        "dev",
        "platform:network",
        "{cidr: 10.0.0.0/16",
        "Pulumi.dev.yaml: platform:network: not valid structured config (Expecting property name enclosed in "
        "double quotes)",
    ),
]


@pytest.mark.parametrize(
    ("stack", "path", "value", "expected"), CASES, ids=[f"{c[0]}:{c[1]}={c[2]!r}"[:70] for c in CASES]
)
def test_bad_config_is_rejected_with_its_key_path(stack: str, path: str, value: object, expected: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stack, broken(stack, path, value))
    assert expected in caught.value.lines, "\n".join(caught.value.lines)


def test_the_corpus_has_at_least_twenty_distinct_cases() -> None:
    assert len({(c[1], repr(c[2])) for c in CASES}) >= 20


def test_every_problem_is_reported_at_once() -> None:
    flat = broken("dev", "platform:owner", "")
    flat["platform:costCenter"] = ""
    flat["platform:typo"] = "x"
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("dev", flat)
    assert len(caught.value.lines) == 3
    assert str(caught.value).startswith("Pulumi.dev.yaml: 3 config problems:\n")


def test_bad_config_stops_the_program_before_any_resource_registers() -> None:
    from offline import engine

    records: list[object] = []
    original = engine.RecordingMonitor.RegisterResource

    def spy(self: engine.RecordingMonitor, request: object) -> object:
        records.append(request)
        return original(self, request)

    engine.RecordingMonitor.RegisterResource = spy  # type: ignore[method-assign]
    try:
        with pytest.raises(StackConfigError):
            run_stack("dev", config=broken("dev", "platform:network.azCount", 0))
    finally:
        engine.RecordingMonitor.RegisterResource = original  # type: ignore[method-assign]
    assert [getattr(r, "type", None) for r in records] == ["pulumi:pulumi:Stack"]


def test_a_stack_file_states_only_what_differs_from_its_preset() -> None:
    config = load_stack_config("prod", broken("prod", "platform:network.natStrategy", DELETE))
    assert config.network.nat_strategy == "per-az"
    assert config.network.az_count == 3
    dev = load_stack_config("dev", broken("dev", "platform:network.natStrategy", DELETE))
    assert dev.network.nat_strategy == "single"
