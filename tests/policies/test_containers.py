"""container-hardening, ecs-service-hardening, container-insights."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from policies.guardrails.containers import (
    CONTAINER_HARDENING,
    CONTAINER_HINT,
    CONTAINER_INSIGHTS,
    ECS_SERVICE_HARDENING,
)

from .helpers import STANDARD_TAGS, UNKNOWN, check

TASK = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
GOOD = {
    "name": "api",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4.2",
    "essential": True,
    "user": "1000:1000",
    "readonlyRootFilesystem": True,
    "privileged": False,
    "environment": [{"name": "PORT", "value": "8080"}, {"name": "DB_SECRET_ARN", "value": "arn:aws:..."}],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}],
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/platform/dev/api"}},
}


def task(**changes: object) -> dict:
    container = {**GOOD, **changes}
    definition = {k: v for k, v in container.items() if v is not None}
    return {"family": "api", "containerDefinitions": json.dumps([definition])}


def violations(props: dict) -> list[str]:
    return [v.removesuffix(f". {CONTAINER_HINT}") for v in check(CONTAINER_HARDENING, TASK, props).violations]


def test_a_hardened_container_passes() -> None:
    assert check(CONTAINER_HARDENING, TASK, task()).passed
    assert check(CONTAINER_HARDENING, TASK, task(image="public.ecr.aws/nginx/nginx@sha256:" + "a" * 64)).passed


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("nginx:latest", "uses the floating tag 'nginx:latest': pin a version tag or a digest"),
        ("nginx", "uses the untagged image 'nginx' (which means :latest): pin a version tag or a digest"),
        (
            "localhost:5000/api",
            "uses the untagged image 'localhost:5000/api' (which means :latest): pin a version tag or a digest",
        ),
        ("repo/api:LATEST", "uses the floating tag 'repo/api:LATEST': pin a version tag or a digest"),
    ],
)
def test_images_are_pinned(image: str, problem: str) -> None:
    assert violations(task(image=image)) == [f"aws:ecs/taskDefinition:TaskDefinition 'r' container 'api' {problem}"]


@pytest.mark.parametrize("user", [None, "root", "0", "0:0", "root:wheel", "00", "000:1000", " ROOT "])
def test_containers_run_as_non_root(user: str | None) -> None:
    assert violations(task(user=user)) == [
        f"aws:ecs/taskDefinition:TaskDefinition 'r' container 'api' runs as root (user is {user!r}): set a non-root "
        f"user such as '1000:1000'"
    ]


@pytest.mark.parametrize("user", ["1", "1000", "10:0", "app", "rooted"])
def test_a_non_root_user_passes(user: str) -> None:
    assert violations(task(user=user)) == []


def test_privileged_writable_and_unlogged_containers_are_rejected() -> None:
    assert violations(task(privileged=True, readonlyRootFilesystem=False, logConfiguration=None)) == [
        "aws:ecs/taskDefinition:TaskDefinition 'r' container 'api' is privileged: remove privileged=true",
        "aws:ecs/taskDefinition:TaskDefinition 'r' container 'api' has a writable root filesystem: set "
        "readonlyRootFilesystem=true (mount a volume for scratch space)",
        "aws:ecs/taskDefinition:TaskDefinition 'r' container 'api' has no logConfiguration: send its logs to "
        "CloudWatch (awslogs)",
    ]


def test_secret_looking_plain_environment_values_are_rejected() -> None:
    environment = [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "STRIPE_API_KEY", "value": "sk_live"},
        {"name": "GITHUB_TOKEN", "value": "ghp_x"},
        {"name": "SECRET_NAME", "value": "platform/db"},
        {"name": "PASSWORD_MIN_LENGTH_HINT", "value": ""},
        {"name": "KEYBOARD", "value": "qwerty"},
    ]
    assert violations(task(environment=environment)) == [
        f"aws:ecs/taskDefinition:TaskDefinition 'r' container 'api' has the secret-looking variable {name} in plain "
        f"text: move it to `secrets` with valueFrom (Secrets Manager or SSM)"
        for name in ("DB_PASSWORD", "STRIPE_API_KEY", "GITHUB_TOKEN")
    ]


def test_unknown_container_definitions_are_deferred() -> None:
    result = check(CONTAINER_HARDENING, TASK, {"family": "api", "containerDefinitions": UNKNOWN})
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'container-hardening' from policy pack 'test-pack@v0.0.1' during preview: "
        ".containerDefinitions of aws:ecs/taskDefinition:TaskDefinition 'r' can't be known during preview: it "
        "embeds values known only after create; judged on `pulumi up`"
    ]


def test_malformed_container_definitions_are_reported() -> None:
    assert check(CONTAINER_HARDENING, TASK, {"containerDefinitions": "[{"}).violations == [
        "aws:ecs/taskDefinition:TaskDefinition 'r' containerDefinitions is not valid JSON (Expecting property name "
        "enclosed in double quotes)."
    ]
    assert check(CONTAINER_HARDENING, TASK, {"containerDefinitions": "[]"}).violations == [
        "aws:ecs/taskDefinition:TaskDefinition 'r' has no container definitions."
    ]


# -- services -----------------------------------------------------------------------------------------
HARDENED_SERVICE = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "networkConfiguration": {"assignPublicIp": False, "subnets": ["subnet-1"]},
    "enableExecuteCommand": True,
    "tags": STANDARD_TAGS,
}


def test_a_hardened_service_passes_and_exec_is_fine_outside_production() -> None:
    assert check(ECS_SERVICE_HARDENING, SERVICE, HARDENED_SERVICE).passed


def test_services_roll_back_failed_deployments() -> None:
    for breaker in (None, {"enable": True, "rollback": False}):
        props = {**HARDENED_SERVICE, "deploymentCircuitBreaker": breaker}
        assert check(ECS_SERVICE_HARDENING, SERVICE, props).violations == [
            "aws:ecs/service:Service 'r' has no deployment circuit breaker with rollback: set "
            "deployment_circuit_breaker enable=true, rollback=true, so a failing deployment rolls back by itself."
        ]
    code_deploy = {
        **HARDENED_SERVICE,
        "deploymentCircuitBreaker": None,
        "deploymentController": {"type": "CODE_DEPLOY"},
    }
    assert check(ECS_SERVICE_HARDENING, SERVICE, code_deploy).passed


def test_tasks_get_no_public_ip() -> None:
    props = {**HARDENED_SERVICE, "networkConfiguration": {"assignPublicIp": True}}
    assert check(ECS_SERVICE_HARDENING, SERVICE, props).violations == [
        "aws:ecs/service:Service 'r' gives its tasks public IPs: set assign_public_ip=false and run them in the "
        "private subnets (they reach AWS through the NAT or VPC endpoints)."
    ]


def test_no_ecs_exec_in_production(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    assert check(ECS_SERVICE_HARDENING, SERVICE, HARDENED_SERVICE).violations == [
        "aws:ecs/service:Service 'r' allows ECS Exec in production: set enable_execute_command=false (shell access to "
        "production tasks goes through break-glass, not the service)."
    ]
    assert check(ECS_SERVICE_HARDENING, SERVICE, {**HARDENED_SERVICE, "enableExecuteCommand": False}).passed


def test_clusters_have_container_insights() -> None:
    cluster = "aws:ecs/cluster:Cluster"
    for value in ("enabled", "enhanced"):
        assert check(CONTAINER_INSIGHTS, cluster, {"settings": [{"name": "containerInsights", "value": value}]}).passed
    assert check(CONTAINER_INSIGHTS, cluster, {"name": "c"}).violations == [
        "aws:ecs/cluster:Cluster 'r' has Container Insights unset: add setting containerInsights=enabled|enhanced "
        "(task-level CPU, memory and running-task metrics)."
    ]
    disabled = {"settings": [{"name": "containerInsights", "value": "disabled"}]}
    assert "has Container Insights 'disabled'" in check(CONTAINER_INSIGHTS, cluster, disabled).violations[0]


def test_unknown_service_and_cluster_settings_are_deferred() -> None:
    breaker = check(ECS_SERVICE_HARDENING, SERVICE, {**HARDENED_SERVICE, "deploymentCircuitBreaker": UNKNOWN})
    assert breaker.violations == []
    assert breaker.deferred == [
        "can't run policy 'ecs-service-hardening' from policy pack 'test-pack@v0.0.1' during preview: "
        ".deploymentCircuitBreaker of aws:ecs/service:Service 'r' can't be known during preview: judged on `pulumi "
        "up`, when known"
    ]
    settings = check(
        CONTAINER_INSIGHTS, "aws:ecs/cluster:Cluster", {"settings": [{"name": "containerInsights", "value": UNKNOWN}]}
    )
    assert settings.violations == [] and len(settings.deferred) == 1
