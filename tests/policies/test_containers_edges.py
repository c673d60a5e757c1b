"""container-hardening, ecs-service-hardening and container-insights at their edges: containers without an image,
unknown or malformed container entries, environment entries that are not variables, settings unknown at preview."""

from __future__ import annotations

import json

import pytest

from policies.guardrails.containers import (
    CONTAINER_HARDENING,
    CONTAINER_HINT,
    CONTAINER_INSIGHTS,
    ECS_SERVICE_HARDENING,
)

from .helpers import UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_OBJECT, check
from .test_containers import GOOD, HARDENED_SERVICE, SERVICE, TASK, task, violations

PREFIX = "aws:ecs/taskDefinition:TaskDefinition 'r' container 'api'"


@pytest.mark.parametrize("image", [None, "", "   ", 7], ids=["absent", "empty", "blank", "not-a-string"])
def test_a_container_without_an_image_is_reported_as_having_none(image: object) -> None:
    assert violations(task(image=image)) == [f"{PREFIX} has no image"]


def test_environment_entries_that_are_not_variables_are_skipped_and_the_rest_still_judged() -> None:
    environment = ["DB_PASSWORD=hunter2", None, {"name": "DB_PASSWORD", "value": "hunter2"}]
    assert violations(task(environment=environment)) == [
        f"{PREFIX} has the secret-looking variable DB_PASSWORD in plain text: move it to `secrets` with valueFrom "
        "(Secrets Manager or SSM)"
    ]


def test_an_unknown_container_is_deferred_and_the_others_still_judged() -> None:
    unnamed = {k: v for k, v in GOOD.items() if k != "name"} | {"image": "nginx:latest"}
    result = check(CONTAINER_HARDENING, TASK, {"family": "api", "containerDefinitions": [UNKNOWN_OBJECT, unnamed]})
    assert result.violations == [
        "aws:ecs/taskDefinition:TaskDefinition 'r' container #1 uses the floating tag 'nginx:latest': pin a version "
        f"tag or a digest. {CONTAINER_HINT}"
    ]
    assert len(result.deferred) == 1
    assert (
        "container #0 of aws:ecs/taskDefinition:TaskDefinition 'r' can't be known during preview"
        in (result.deferred[0])
    )


def test_container_entries_that_are_not_definitions_are_skipped() -> None:
    result = check(CONTAINER_HARDENING, TASK, {"containerDefinitions": json.dumps(["api", 5, {**GOOD, "user": "0"}])})
    assert result.violations == [
        f"{PREFIX} runs as root (user is '0'): set a non-root user such as '1000:1000'. {CONTAINER_HINT}"
    ]


@pytest.mark.parametrize(
    ("changes", "what"),
    [
        ({"deploymentController": {"type": UNKNOWN}}, ".deploymentController of"),
        ({"deploymentCircuitBreaker": {"enable": True, "rollback": UNKNOWN}}, ".deploymentCircuitBreaker of"),
        ({"deploymentCircuitBreaker": {"enable": UNKNOWN, "rollback": True}}, ".deploymentCircuitBreaker of"),
        ({"networkConfiguration": {"assignPublicIp": UNKNOWN}}, ".networkConfiguration.assignPublicIp of"),
        ({"enableExecuteCommand": UNKNOWN}, ".enableExecuteCommand / Environment of"),
    ],
    ids=["controller", "rollback", "enable", "public-ip", "exec"],
)
def test_each_service_setting_unknown_at_preview_is_deferred_not_judged(changes: dict[str, object], what: str) -> None:
    result = check(ECS_SERVICE_HARDENING, SERVICE, {**HARDENED_SERVICE, **changes})
    assert result.violations == [] and len(result.deferred) == 1
    assert f"{what} aws:ecs/service:Service 'r' can't be known during preview" in result.deferred[0]


def test_cluster_settings_unknown_at_preview_are_deferred_not_reported_unset() -> None:
    result = check(CONTAINER_INSIGHTS, "aws:ecs/cluster:Cluster", {"settings": UNKNOWN_ARRAY})
    assert result.violations == [] and len(result.deferred) == 1
    assert ".settings of aws:ecs/cluster:Cluster 'r' can't be known during preview" in result.deferred[0]
