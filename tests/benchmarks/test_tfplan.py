"""The recorded graph as a Terraform plan for checkov: every AWS type maps, shapes come from the SDK, nested
single objects become one-element blocks, references follow the engine's property dependencies."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.tfplan import TERRAFORM_TYPES, plan_for, shapes, snake
from offline.engine import StackRun


def _by_address(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in plan["planned_values"]["root_module"]["resources"]}


def test_every_aws_type_the_stacks_register_has_a_terraform_type(stack_runs: dict[str, StackRun]) -> None:
    for run in stack_runs.values():
        plan, mapping = plan_for(run.resources)
        assert mapping.unmapped_types == {}, run.stack
        resources = [r for r in run.custom_resources if not r.type.startswith("pulumi:providers:")]
        assert mapping.mapped == len(resources)
        assert mapping.components == len(run.resources) - len(resources)  # explicit providers count here
        assert len(plan["planned_values"]["root_module"]["resources"]) == mapping.mapped
        assert mapping.unknown_fields == 0, "a recorded input the SDK class does not declare"


def test_a_type_without_a_mapping_is_counted_not_guessed(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["dev"]
    [vpc] = run.of_type("aws:ec2/vpc:Vpc")
    stranger = type(vpc)(**{**vpc.__dict__, "type": "aws:ec2/vpc:VpcStranger", "urn": vpc.urn + "-x"})
    plan, mapping = plan_for([*run.resources, stranger])
    assert mapping.unmapped_types == {"aws:ec2/vpc:VpcStranger": 1}
    assert all(r["type"] in TERRAFORM_TYPES.values() for r in plan["planned_values"]["root_module"]["resources"])


def test_nested_block_names_come_from_the_sdk_types_not_from_pulumis_plural_names() -> None:
    import pulumi_aws as aws

    service = shapes(aws.ecs.Service)
    assert (service["capacityProviderStrategies"].tf_name, service["capacityProviderStrategies"].kind) == (
        "capacity_provider_strategy",
        "objects",
    )
    assert (service["loadBalancers"].tf_name, service["deploymentCircuitBreaker"].kind) == ("load_balancer", "object")
    assert (service["tags"].tf_name, service["tags"].kind) == ("tags", "map")
    assert shapes(aws.wafv2.WebAcl)["rules"].tf_name == "rule"
    assert shapes(aws.lb.ListenerRule)["conditions"].tf_name == "condition"
    assert snake("ipv6CidrBlock") == "ipv6_cidr_block" and snake("cidrIpv4") == "cidr_ipv4"


def test_prods_service_is_planned_as_terraform_would_plan_it(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    plan, _ = plan_for(run.resources)
    resources = _by_address(plan)
    api = resources["aws_ecs_service.api-service"]
    values = api["values"]
    assert api["type"] == "aws_ecs_service" and api["mode"] == "managed"
    assert api["provider_name"] == "registry.terraform.io/hashicorp/aws"
    # single nested objects are blocks of one; lists of objects keep Terraform's singular block name
    assert values["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    assert len(values["network_configuration"]) == 1
    assert values["network_configuration"][0]["assign_public_ip"] is False
    assert values["capacity_provider_strategy"] == [{"capacity_provider": "FARGATE", "base": 1, "weight": 1}]
    assert values["desired_count"] == 3 and isinstance(values["desired_count"], int)  # 3.0 on the wire
    assert values["tags"]["Environment"] == "prod"  # a map stays a map
    change = next(c for c in plan["resource_changes"] if c["address"] == api["address"])
    assert change["change"]["actions"] == ["create"] and change["change"]["after"] == values


def test_references_follow_the_engines_property_dependencies(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    plan, mapping = plan_for(run.resources)
    addresses = set(_by_address(plan))
    configuration = {c["address"]: c for c in plan["configuration"]["root_module"]["resources"]}
    assert set(configuration) == addresses
    expressions = configuration["aws_ecs_service.api-service"]["expressions"]
    assert "aws_ecs_cluster.cluster-cluster" in expressions["cluster"]["references"]
    assert any(ref.startswith("aws_security_group.") for ref in expressions["network_configuration"]["references"])
    referenced = {ref for c in configuration.values() for e in c["expressions"].values() for ref in e["references"]}
    assert {ref.rsplit(".", 1)[0] if ref.endswith(".id") else ref for ref in referenced} <= addresses
    assert mapping.references > 0


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_addresses_are_unique_terraform_identifiers(stack_runs: dict[str, StackRun], stack: str) -> None:
    import re

    plan, _ = plan_for(stack_runs[stack].resources)
    resources = plan["planned_values"]["root_module"]["resources"]
    assert len({r["address"] for r in resources}) == len(resources)
    assert all(re.fullmatch(r"[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*", r["address"]) for r in resources)
