"""The ECS cluster: Container Insights, Fargate capacity providers, ECS Exec only outside prod and logged
to a KMS-encrypted log group."""

from __future__ import annotations

from offline.engine import StackRun

from .compute_support import ECS_CLUSTER, ECS_SERVICE, LOG_GROUP, ROLE_POLICY, config_of, policy
from .data_support import stack_keys

CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
KMS_KEY = "aws:kms/key:Key"


def test_cluster_has_container_insights_enabled(stack_run: StackRun) -> None:
    [cluster] = stack_run.of_type(ECS_CLUSTER)
    assert {"name": "containerInsights", "value": "enabled"} in cluster.inputs["settings"]
    assert cluster.inputs["name"] == f"platform-{stack_run.stack}-cluster"


def test_cluster_offers_fargate_and_fargate_spot_with_an_on_demand_default(stack_run: StackRun) -> None:
    [cluster] = stack_run.of_type(ECS_CLUSTER)
    [capacity] = stack_run.of_type(CAPACITY)
    assert capacity.inputs["clusterName"] == cluster.outputs["name"]
    assert sorted(capacity.inputs["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert capacity.inputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0}
    ]


def test_every_service_waits_for_the_capacity_providers_and_states_its_split(stack_run: StackRun) -> None:
    [capacity] = stack_run.of_type(CAPACITY)
    config = config_of(stack_run.stack)
    for service in stack_run.of_type(ECS_SERVICE):
        assert capacity.urn in service.dependencies
        wanted = config.services[service.name.removesuffix("-service")].capacity
        strategies = {s["capacityProvider"]: s for s in service.inputs["capacityProviderStrategies"]}
        assert strategies["FARGATE"]["base"] == wanted.on_demand_base
        assert strategies["FARGATE"]["weight"] == wanted.on_demand_weight
        assert strategies.get("FARGATE_SPOT", {}).get("weight", 0) == wanted.spot_weight
        assert "launchType" not in service.inputs  # a strategy and a launch type exclude each other


def test_prod_services_keep_an_on_demand_base(stack_runs: dict[str, StackRun]) -> None:
    for service in stack_runs["prod"].of_type(ECS_SERVICE):
        [fargate] = [s for s in service.inputs["capacityProviderStrategies"] if s["capacityProvider"] == "FARGATE"]
        assert fargate["base"] >= 1, service.name


def test_ecs_exec_is_logged_to_a_kms_encrypted_log_group_outside_prod(stack_runs: dict[str, StackRun]) -> None:
    for stack in ("dev", "staging"):
        run = stack_runs[stack]
        [cluster] = run.of_type(ECS_CLUSTER)
        [key] = stack_keys(run)
        exec_config = cluster.inputs["configuration"]["executeCommandConfiguration"]
        assert exec_config["logging"] == "OVERRIDE"
        assert exec_config["kmsKeyId"] == key.outputs["arn"]
        log_config = exec_config["logConfiguration"]
        assert log_config["cloudWatchEncryptionEnabled"] is True
        [group] = [g for g in run.of_type(LOG_GROUP) if g.inputs["name"] == log_config["cloudWatchLogGroupName"]]
        assert group.inputs["kmsKeyId"] == key.outputs["arn"]
        assert group.inputs["retentionInDays"] == config_of(stack).log_retention_days
        assert all(s.inputs["enableExecuteCommand"] is True for s in run.of_type(ECS_SERVICE))


def test_prod_has_no_ecs_exec_at_all(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    [cluster] = run.of_type(ECS_CLUSTER)
    assert "configuration" not in cluster.inputs
    assert all(s.inputs["enableExecuteCommand"] is False for s in run.of_type(ECS_SERVICE))
    assert not [g for g in run.of_type(LOG_GROUP) if g.inputs["name"].endswith("/ecs/exec")]
    for role_policy in run.of_type(ROLE_POLICY):
        actions = {a for s in policy(role_policy)["Statement"] for a in s["Action"]}
        assert not {a for a in actions if a.startswith("ssmmessages:")}, role_policy.name
