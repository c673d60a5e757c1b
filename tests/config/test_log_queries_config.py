"""`platform:logQueries` errors: one line each, naming the stack file, the key path, the value and what is allowed
(broken copies of the Candlefish example's saved queries, seed 001)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from tests.examples.support import example_config


def with_queries(queries: dict[str, Any]) -> dict[str, str]:
    flat = example_config("candlefish", "prod")
    flat["platform:logQueries"] = json.dumps(queries)
    return flat


def problems(queries: dict[str, Any]) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("prod", with_queries(queries))
    return caught.value.lines


def test_the_examples_queries_load_with_their_log_groups() -> None:
    config = load_stack_config("prod", example_config("candlefish", "prod"))
    assert config.log_queries["application-errors"].log_groups == ["services.core-api", "services.workflow-engine"]


def test_a_query_of_a_log_group_the_stack_does_not_have_is_refused() -> None:
    assert problems({"errors": {"query": "fields @message", "logGroups": ["services.core-api", "functions.nope"]}}) == [
        "Pulumi.prod.yaml: platform:logQueries.errors.logGroups[1] = 'functions.nope': no function 'nope' in "
        "platform:functions (defined: daily-unblock, db-init, github-webhook, stage-gate-processor, "
        "webhook-secret-rotator, wip-limit-processor)"
    ]


def test_a_query_names_at_least_one_log_group_of_a_service_or_function() -> None:
    assert problems({"errors": {"query": "fields @message", "logGroups": []}}) == [
        "Pulumi.prod.yaml: platform:logQueries.errors.logGroups: List should have at least 1 item after "
        "validation, not 0"
    ]
    [line] = problems({"errors": {"query": "fields @message", "logGroups": ["/aws/lambda/x"]}})
    assert line.startswith("Pulumi.prod.yaml: platform:logQueries.errors.logGroups[0] = '/aws/lambda/x': String should")


def test_a_query_needs_its_text() -> None:
    assert problems({"errors": {"logGroups": ["services.core-api"]}}) == [
        "Pulumi.prod.yaml: platform:logQueries.errors.query: required key is missing"
    ]
