"""`platform:functions`, `platform:tasks`, `platform:canaries` and secret rotation: the cross-checks of
components/config/functions.py, each a dev stack file with one function (or task, canary, rotation) added,
accepted, or refused with its exact one-line error. Fast: the config is validated, no stack runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import StackConfig, StackConfigError, load_stack_config
from components.config.functions import (
    EventTriggerConfig,
    ScheduleTriggerConfig,
    TriggersConfig,
    secret_arn_variable,
)
from offline.engine import stack_config

FILE = "Pulumi.dev.yaml"
CODE = {"code": "examples/candlefish/functions/db-init", "handler": "handler.main", "runtime": "python3.13"}
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/unblock:1.0"
PATTERN = {"eventPattern": {"source": ["app.orders"]}}


def flat(sections: dict[str, Any]) -> dict[str, str]:
    """The dev stack file with `platform:<key>` sections replaced (a None value removes the section)."""
    config = stack_config("dev")
    for key, value in sections.items():
        if value is None:
            config.pop(f"platform:{key}", None)
        else:
            config[f"platform:{key}"] = json.dumps(value)
    return config


def accepted(**sections: Any) -> StackConfig:
    return load_stack_config("dev", flat(sections))


def refused(**sections: Any) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("dev", flat(sections))
    return [line.removeprefix(f"{FILE}: ") for line in caught.value.lines]


def problems(**sections: Any) -> list[str]:
    """The stack's problems, none when it is accepted."""
    try:
        load_stack_config("dev", flat(sections))
    except StackConfigError as error:
        return [line.removeprefix(f"{FILE}: ") for line in error.lines]
    return []


def function(**settings: Any) -> dict[str, Any]:
    return {"fn": {**CODE, **settings}}


# -- code or image -------------------------------------------------------------------------------------
def test_a_function_with_neither_code_nor_image_is_refused_without_a_value() -> None:
    assert refused(functions={"fn": {}}) == [
        "platform:functions.fn.code: give exactly one of code (a directory of the repository) and image "
        "(a pinned container image)"
    ]


def test_code_needs_a_handler_and_a_runtime_each_with_its_example() -> None:
    assert refused(functions={"fn": {"code": CODE["code"]}}) == [
        "platform:functions.fn.handler: required with code (e.g. handler.main)",
        "platform:functions.fn.runtime: required with code (e.g. python3.13)",
    ]


def test_a_code_function_with_handler_and_runtime_is_accepted() -> None:
    assert accepted(functions=function()).functions["fn"].code == CODE["code"]


def test_an_ecr_image_alone_is_accepted() -> None:
    assert accepted(functions={"fn": {"image": IMAGE}}).functions["fn"].image == IMAGE


def test_an_image_takes_no_handler_and_no_runtime() -> None:
    assert refused(functions={"fn": {"image": IMAGE, "handler": "handler.main", "runtime": "python3.13"}}) == [
        "platform:functions.fn.handler: not with image: the image's own entry point and runtime apply",
        "platform:functions.fn.runtime: not with image: the image's own entry point and runtime apply",
    ]


def test_an_image_is_parsed_for_its_pin_when_given() -> None:
    assert refused(functions={"fn": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/unblock"}}) == [
        "platform:functions.fn.image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/unblock': untagged image "
        "(that means `latest`); pin a version tag (repo:1.4.2) or a digest (repo@sha256:...)"
    ]


# -- secrets and environment ------------------------------------------------------------------------------
def test_a_secret_the_stack_declares_is_accepted() -> None:
    assert accepted(functions=function(secrets=["stripe-key"])).functions["fn"].secrets == ["stripe-key"]


def test_a_secret_the_stack_does_not_declare_is_refused_listing_those_it_does() -> None:
    assert refused(functions=function(secrets=["stripe-key", "nope"])) == [
        "platform:functions.fn.secrets[1] = 'nope': no secret 'nope' in platform:secrets (defined: "
        "session-signing-key, stripe-key)"
    ]


def test_a_stack_without_secrets_says_none_are_defined() -> None:
    assert refused(functions=function(secrets=["nope"]), secrets=None, services=None) == [
        "platform:functions.fn.secrets[0] = 'nope': no secret 'nope' in platform:secrets (none are defined)"
    ]


def test_the_secret_arn_variable_is_the_secret_name_in_capitals_with_its_suffix() -> None:
    assert secret_arn_variable("github-token") == "GITHUB_TOKEN_SECRET_ARN"


def test_a_variable_named_like_the_secret_without_the_suffix_does_not_clash() -> None:
    config = accepted(functions=function(secrets=["stripe-key"], environment={"STRIPE_KEY": "live"}))
    assert config.functions["fn"].environment == {"STRIPE_KEY": "live"}


def test_a_reference_of_the_documented_shape_is_accepted() -> None:
    environment = {"QUEUE": "${queues.jobs.url}", "BUS": "${events.busArn}"}
    assert accepted(functions=function(environment=environment)).functions["fn"].environment == environment


# -- concurrency ----------------------------------------------------------------------------------------------
def test_provisioned_concurrency_equal_to_reserved_is_accepted() -> None:
    config = accepted(functions=function(reservedConcurrency=3, provisionedConcurrency=3))
    assert config.functions["fn"].provisioned_concurrency == 3


@pytest.mark.parametrize("settings", [{"provisionedConcurrency": 5}, {"reservedConcurrency": 5}])
def test_either_concurrency_alone_is_accepted(settings: dict[str, int]) -> None:
    accepted(functions=function(**settings))


# -- queue triggers -------------------------------------------------------------------------------------------
def test_a_queue_trigger_on_a_queue_of_the_stack_is_accepted() -> None:
    config = accepted(functions=function(triggers={"queues": {"jobs": {}}}))
    assert list(config.functions["fn"].triggers.queues) == ["jobs"]


def test_a_queue_trigger_with_a_send_grant_on_the_same_queue_is_refused() -> None:
    assert refused(functions=function(triggers={"queues": {"jobs": {}}}, grants={"queues": {"jobs": "send"}})) == [
        "platform:functions.fn.grants.queues.jobs = 'send': the function consumes this queue (a trigger); the "
        "trigger grants consume, remove the send grant"
    ]


def test_a_queue_trigger_with_a_consume_grant_is_accepted() -> None:
    accepted(functions=function(triggers={"queues": {"jobs": {}}}, grants={"queues": {"jobs": "consume"}}))


def test_a_queue_trigger_on_an_unknown_queue_is_refused_once() -> None:
    assert refused(functions=function(triggers={"queues": {"nope": {"batchSize": 100}}})) == [
        "platform:functions.fn.triggers.queues.nope: no queue 'nope' in platform:queues (defined: jobs)"
    ]


def test_a_visibility_timeout_equal_to_the_function_timeout_is_accepted() -> None:
    accepted(functions=function(timeoutSeconds=120, triggers={"queues": {"jobs": {}}}))


def test_a_visibility_timeout_one_second_short_of_the_function_timeout_is_refused() -> None:
    assert refused(functions=function(timeoutSeconds=121, triggers={"queues": {"jobs": {}}})) == [
        "platform:functions.fn.triggers.queues.jobs: queue jobs's visibilityTimeoutSeconds (120) is shorter than "
        "the function's timeoutSeconds (121); Lambda refuses the mapping (a message would reappear while still "
        "being processed): raise it to at least 6 x the timeout"
    ]


FIFO = {"jobs": {"visibilityTimeoutSeconds": 120}, "ordered": {"fifo": True, "visibilityTimeoutSeconds": 120}}


def test_a_fifo_queue_takes_no_batching_window() -> None:
    assert refused(queues=FIFO, functions=function(triggers={"queues": {"ordered": {"batchingWindowSeconds": 1}}})) == [
        "platform:functions.fn.triggers.queues.ordered.batchingWindowSeconds = 1: FIFO queues take no batching "
        "window (allowed: 0)"
    ]


def test_a_standard_queue_takes_a_batching_window() -> None:
    accepted(functions=function(triggers={"queues": {"jobs": {"batchingWindowSeconds": 1}}}))


def test_a_fifo_queue_without_a_window_is_accepted_up_to_ten_messages() -> None:
    accepted(queues=FIFO, functions=function(triggers={"queues": {"ordered": {"batchSize": 10}}}))


BATCH = "above 10 needs a standard queue and batchingWindowSeconds of at least 1"


@pytest.mark.parametrize(
    ("queue", "trigger", "expected"),
    [
        ("jobs", {"batchSize": 10}, []),
        ("jobs", {"batchSize": 11, "batchingWindowSeconds": 1}, []),
        ("jobs", {"batchSize": 11}, [f"platform:functions.fn.triggers.queues.jobs.batchSize = 11: {BATCH}"]),
        (
            "jobs",
            {"batchSize": 11, "batchingWindowSeconds": 0},
            [f"platform:functions.fn.triggers.queues.jobs.batchSize = 11: {BATCH}"],
        ),
        ("ordered", {"batchSize": 11}, [f"platform:functions.fn.triggers.queues.ordered.batchSize = 11: {BATCH}"]),
        ("ordered", {"batchSize": 9}, []),
    ],
)
def test_a_batch_above_ten_needs_a_standard_queue_and_a_window(
    queue: str, trigger: dict[str, int], expected: list[str]
) -> None:
    sections = {"queues": FIFO, "functions": function(triggers={"queues": {queue: trigger}})}
    if expected:
        assert refused(**sections) == expected
    else:
        accepted(**sections)


# -- event triggers ------------------------------------------------------------------------------------------
def test_event_triggers_on_a_stack_with_a_bus_are_accepted() -> None:
    config = accepted(functions=function(triggers={"events": {"on-order": PATTERN}}))
    assert config.functions["fn"].triggers.events["on-order"].enabled is True


def test_event_triggers_without_a_bus_are_refused() -> None:
    assert refused(events=None, services=None, functions=function(triggers={"events": {"on-order": PATTERN}})) == [
        "platform:functions.fn.triggers.events: the stack has no event bus; set platform:events.enabled: true"
    ]


def test_a_bus_without_rules_carries_event_triggers() -> None:
    accepted(events={"enabled": True}, functions=function(triggers={"events": {"on-order": PATTERN}}))


def test_an_event_trigger_named_like_a_rule_of_the_bus_is_refused() -> None:
    assert refused(functions=function(triggers={"events": {"order-created": PATTERN}})) == [
        "platform:functions.fn.triggers.events.order-created = 'order-created': platform:events.rules already has "
        "a rule of this name (rule names are shared on the bus); rename one"
    ]


def test_triggers_and_schedules_are_enabled_unless_the_stack_file_says_otherwise() -> None:
    assert EventTriggerConfig.model_validate(PATTERN).enabled is True
    assert ScheduleTriggerConfig.model_validate({"expression": "rate(1 day)"}).enabled is True


@pytest.mark.parametrize(
    ("triggers", "asynchronous"),
    [
        ({}, False),
        ({"queues": {"jobs": {}}}, False),
        ({"events": {"on-order": PATTERN}}, True),
        ({"schedules": {"nightly": {"expression": "rate(1 day)"}}}, True),
    ],
)
def test_events_or_schedules_alone_make_a_function_asynchronous(triggers: dict[str, Any], asynchronous: bool) -> None:
    assert TriggersConfig.model_validate(triggers).asynchronous is asynchronous


@pytest.mark.parametrize(
    "expression", ["cron(0 9 ? * MON-FRI *)", "rate(1 day)", "rate(5 minutes)", "at(2026-01-01T00:00:00)"]
)
def test_schedule_expressions_of_the_three_kinds_are_accepted(expression: str) -> None:
    assert ScheduleTriggerConfig.model_validate({"expression": expression}).expression == expression


# -- http triggers --------------------------------------------------------------------------------------------
def test_an_http_trigger_with_its_own_priority_and_paths_is_accepted() -> None:
    accepted(functions=function(triggers={"http": {"priority": 200, "paths": ["/hooks/*"]}}))


def test_an_http_trigger_needs_paths_or_hosts() -> None:
    assert refused(functions=function(triggers={"http": {"priority": 200}})) == [
        "platform:functions.fn.triggers.http: give paths and/or hosts to match (e.g. paths: ['/webhooks/github'])"
    ]


def test_an_http_trigger_with_hosts_only_is_accepted() -> None:
    accepted(functions=function(triggers={"http": {"priority": 200, "hosts": ["hooks.example.com"]}}))


def test_two_functions_on_one_priority_are_refused_naming_the_first() -> None:
    http = {"triggers": {"http": {"priority": 200, "paths": ["/a"]}}}
    assert refused(functions={"fa": {**CODE, **http}, "fb": {**CODE, **http}}) == [
        "platform:functions.fb.triggers.http.priority = 200: already used by functions.fa; each listener rule "
        "needs its own priority (1 to 50000)"
    ]


def test_a_function_may_take_the_priority_of_a_service_that_is_not_web() -> None:
    services = json.loads(stack_config("dev")["platform:services"])
    services["worker"]["routing"] = {"priority": 300, "paths": ["/w"]}
    lines = problems(services=services, functions=function(triggers={"http": {"priority": 300, "paths": ["/f"]}}))
    assert not any("priority" in line for line in lines), lines


def test_a_function_may_not_take_the_priority_of_a_web_service() -> None:
    assert refused(functions=function(triggers={"http": {"priority": 100, "paths": ["/f"]}})) == [
        "platform:functions.fn.triggers.http.priority = 100: already used by services.api; each listener rule "
        "needs its own priority (1 to 50000)"
    ]


# -- tasks -------------------------------------------------------------------------------------------------
TASK = {"service": "migrate", "events": {"on-order": PATTERN}}


def test_a_task_of_a_service_with_rules_on_the_bus_is_accepted() -> None:
    assert accepted(tasks={"report": TASK}).tasks["report"].service == "migrate"


def test_a_task_of_an_unknown_service_is_refused_listing_the_services() -> None:
    assert refused(tasks={"report": {**TASK, "service": "nope"}}) == [
        "platform:tasks.report.service = 'nope': no service 'nope' in platform:services (defined: api, cleanup, "
        "migrate, worker)"
    ]


def test_a_task_without_rules_is_refused() -> None:
    assert refused(tasks={"report": {**TASK, "events": {}}}) == [
        "platform:tasks.report.events: give at least one rule that starts the task"
    ]


def test_a_task_on_a_stack_without_a_bus_is_refused() -> None:
    services = json.loads(stack_config("dev")["platform:services"])
    for service in services.values():
        service["grants"].pop("events", None)
    assert refused(events=None, services=services, tasks={"report": TASK}) == [
        "platform:tasks.report.events: the stack has no event bus; set platform:events.enabled: true"
    ]


# -- secret rotation -------------------------------------------------------------------------------------------
def secrets(rotation: dict[str, Any]) -> dict[str, Any]:
    return {"stripe-key": {"rotation": rotation}, "session-signing-key": {}}


def test_a_secret_rotated_by_a_stack_function_is_accepted() -> None:
    config = accepted(functions=function(), secrets=secrets({"function": "fn"}))
    assert config.secrets["stripe-key"].rotation is not None


def test_a_secret_rotated_externally_is_accepted() -> None:
    accepted(secrets=secrets({"external": "stripe dashboard, quarterly"}))


@pytest.mark.parametrize("rotation", [{}, {"function": "fn", "external": "stripe dashboard"}])
def test_a_rotation_needs_exactly_one_of_function_and_external(rotation: dict[str, Any]) -> None:
    assert refused(functions=function(), secrets=secrets(rotation)) == [
        "platform:secrets.stripe-key.rotation: give exactly one of function (a stack function rotating it every "
        "`days`) and external (who rotates it where it is issued)"
    ]


def test_a_rotation_by_a_function_the_stack_does_not_have_is_refused() -> None:
    assert refused(functions=function(), secrets=secrets({"function": "nope"})) == [
        "platform:secrets.stripe-key.rotation.function = 'nope': no function 'nope' in platform:functions (defined: fn)"
    ]


# -- canaries --------------------------------------------------------------------------------------------------
CANARY = {"health": {}}


def test_canaries_on_a_stack_with_a_web_service_are_accepted() -> None:
    assert list(accepted(canaries=CANARY).canaries) == ["health"]


def test_canaries_on_a_stack_whose_only_url_is_a_function_route_are_accepted() -> None:
    services = json.loads(stack_config("dev")["platform:services"])
    del services["api"]
    http = function(triggers={"http": {"priority": 200, "paths": ["/hooks/*"]}})
    assert problems(canaries=CANARY, services=services, functions=http) == []


def test_canaries_on_a_stack_without_a_url_are_refused() -> None:
    services = json.loads(stack_config("dev")["platform:services"])
    del services["api"]
    lines = refused(canaries=CANARY, services=services, functions=function())
    assert (
        "platform:canaries: canaries probe the stack's own URL, and this stack has no load balancer (no web "
        "service and no function with triggers.http)"
    ) in lines, lines


def test_a_stack_without_canaries_needs_no_url() -> None:
    services = json.loads(stack_config("dev")["platform:services"])
    del services["api"]
    assert problems(services=services, functions=function()) == []
