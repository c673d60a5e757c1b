"""`platform:functions` and `platform:canaries` errors: one line each, naming the stack file, the key path, the
value and what is allowed (broken copies of the Candlefish example, seed 001)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.functions import RUNTIME_DEPRECATION, Runtime
from tests.examples.support import example_config

FILE = "Pulumi.prod.yaml"


def with_function(
    change: dict[str, Any],
    function: str = "daily-unblock",
    *,
    section: str = "functions",
    extra: dict[str, Any] | None = None,
) -> dict[str, str]:
    """The example's config with `change` merged into one function (a None value deletes the key)."""
    flat = example_config("candlefish", "prod")
    document = json.loads(flat[f"platform:{section}"]) if f"platform:{section}" in flat else {}
    entry = copy.deepcopy(document.get(function, {}))
    for key, value in change.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    document[function] = entry
    flat[f"platform:{section}"] = json.dumps(document)
    for key, value in (extra or {}).items():
        flat[key] = json.dumps(value)
    return flat


CASES = [
    (
        {"runtime": "nodejs20.x"},
        "platform:functions.daily-unblock.runtime = 'nodejs20.x': Input should be 'nodejs24.x', 'nodejs22.x', "
        "'python3.14', 'python3.13', 'python3.12', 'java25', 'java21', 'ruby3.4', 'ruby3.3', 'dotnet10' or "
        "'provided.al2023'",
    ),
    (
        {"timeoutSeconds": 901},
        "platform:functions.daily-unblock.timeoutSeconds = 901: Input should be less than or equal to 900",
    ),
    (
        {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/unblock:1.0"},
        "platform:functions.daily-unblock.code = 'examples/candlefish/functions/daily-unblock': give exactly one of "
        "code (a directory of the repository) and image (a pinned container image)",
    ),
    (
        {"code": None, "handler": None, "runtime": None, "image": "ghcr.io/candlefish/unblock:1.0"},
        "platform:functions.daily-unblock.image = 'ghcr.io/candlefish/unblock:1.0': Lambda runs images from Amazon "
        "ECR only (<account>.dkr.ecr.<region>.amazonaws.com/<repository>)",
    ),
    (
        {
            "code": None,
            "handler": None,
            "runtime": None,
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/unblock:latest",
        },
        "platform:functions.daily-unblock.image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/unblock:latest': "
        "`latest` is not a version: it moves under a running service, so a redeploy or a scale-out can start "
        "different code; pin a version tag (repo:1.4.2) or a digest (repo@sha256:...)",
    ),
    (
        {"code": "examples/candlefish/functions/no-such"},
        "platform:functions.daily-unblock.code = 'examples/candlefish/functions/no-such': no such directory under "
        "the project directory",
    ),
    ({"handler": None}, "platform:functions.daily-unblock.handler: required with code (e.g. handler.main)"),
    (
        {"environment": {"SLACK_TOKEN": "xoxb-1"}},
        "platform:functions.daily-unblock.environment: SLACK_TOKEN looks like a secret; an environment value lands "
        "in the function's configuration and the state: declare the secret in platform:secrets and list it under "
        "the function's secrets",
    ),
    (
        {"environment": {"TABLE": "${tables}"}},
        "platform:functions.daily-unblock.environment: TABLE: ${tables} is not a reference; write "
        "${<kind>.<name>.<attr>}, e.g. ${queues.jobs.url}",
    ),
    (
        {"secrets": ["stripe"]},
        "platform:functions.daily-unblock.secrets[0] = 'stripe': no secret 'stripe' in platform:secrets (defined: "
        "auth0-client-secret, github-token, github-webhook-secret, slack-token)",
    ),
    (
        {"grants": {"queues": {"jobs": "send"}}},
        "platform:functions.daily-unblock.grants.queues.jobs = 'send': no queue 'jobs' in platform:queues (defined: "
        "stage-gate, wip-limit, workflow)",
    ),
    (
        {"reservedConcurrency": 2, "provisionedConcurrency": 3},
        "platform:functions.daily-unblock.provisionedConcurrency = 3: above reservedConcurrency (2): Lambda cannot "
        "keep more environments ready than the function may run",
    ),
    (
        {"triggers": {"url": {"auth": "NONE"}}},
        "platform:functions.daily-unblock.triggers.url.auth = 'NONE': Input should be 'AWS_IAM'",
    ),
    (
        {"triggers": {"schedules": {"nightly": {"expression": "every night"}}}},
        "platform:functions.daily-unblock.triggers.schedules.nightly.expression = 'every night': not a schedule "
        "expression; e.g. cron(0 9 ? * MON-FRI *), rate(1 day), at(2026-01-01T00:00:00)",
    ),
    (
        {"timeoutSeconds": 600, "triggers": {"queues": {"wip-limit": {}}}},
        "platform:functions.daily-unblock.triggers.queues.wip-limit: queue wip-limit's visibilityTimeoutSeconds "
        "(360) is shorter than the function's timeoutSeconds (600); Lambda refuses the mapping (a message would "
        "reappear while still being processed): raise it to at least 6 x the timeout",
    ),
    (
        {"triggers": {"queues": {"wip-limit": {"batchSize": 100}}}},
        "platform:functions.daily-unblock.triggers.queues.wip-limit.batchSize = 100: above 10 needs a standard "
        "queue and batchingWindowSeconds of at least 1",
    ),
    (
        {"triggers": {"queues": {"nope": {}}}},
        "platform:functions.daily-unblock.triggers.queues.nope: no queue 'nope' in platform:queues (defined: "
        "stage-gate, wip-limit, workflow)",
    ),
    (
        {"triggers": {"http": {"priority": 100, "paths": ["/unblock"]}}},
        "platform:functions.daily-unblock.triggers.http.priority = 100: already used by services.core-api; each "
        "listener rule needs its own priority (1 to 50000)",
    ),
    (
        {"triggers": {"events": {"stage-gates": {"eventPattern": {"source": ["x"]}}}}},
        "platform:functions.daily-unblock.triggers.events.stage-gates = 'stage-gates': platform:events.rules "
        "already has a rule of this name (rule names are shared on the bus); rename one",
    ),
    (
        {"memroy": 512},
        "platform:functions.daily-unblock.memroy: unknown key (a typo?); allowed keys here: architecture, "
        "asyncRetryAttempts, code, environment, grants, handler, image, maximumEventAgeSeconds, memory, "
        "provisionedConcurrency, reservedConcurrency, runOnDeploy, runtime, secrets, timeoutSeconds, triggers",
    ),
]


@pytest.mark.parametrize(("change", "expected"), CASES, ids=[str(c[0])[:60] for c in CASES])
def test_bad_function_config_is_rejected_with_its_key_path(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("prod", with_function(change))
    assert f"{FILE}: {expected}" in caught.value.lines, "\n".join(caught.value.lines)


def test_the_example_is_valid_and_its_runtimes_are_the_supported_list() -> None:
    config = load_stack_config("prod", example_config("candlefish", "prod"))
    assert len(config.functions) == 6  # the five of seed 001 and the webhook secret's rotator
    assert set(Runtime.__args__) == set(RUNTIME_DEPRECATION)  # type: ignore[attr-defined]


def test_canaries_need_the_stacks_own_url() -> None:
    from offline.engine import stack_config

    flat = stack_config("dev")
    flat["platform:services"] = json.dumps(
        {k: v for k, v in json.loads(flat["platform:services"]).items() if v["kind"] != "web"}
    )
    flat["platform:canaries"] = json.dumps({"health": {}})
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("dev", flat)
    assert (
        "Pulumi.dev.yaml: platform:canaries: canaries probe the stack's own URL, and this stack has no load "
        "balancer (no web service and no function with triggers.http)"
    ) in caught.value.lines


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "custom",
            {"x": {"namespace": "Candlefish", "metric": "M", "threshold": 1, "statistic": "P99"}},
            "platform:alarms.custom.x.statistic = 'P99': allowed: SampleCount, Average, Sum, Minimum, Maximum or a "
            "percentile such as p99 or p99.9",
        ),
        (
            "custom",
            {"x": {"namespace": "Candlefish", "metric": "M", "threshold": 1, "periodSeconds": 90}},
            "platform:alarms.custom.x.periodSeconds = 90: allowed: 10, 30 or a multiple of 60 up to 86400 seconds",
        ),
        (
            "custom",
            {"x": {"namespace": "Candlefish", "metric": "M"}},
            "platform:alarms.custom.x.threshold: required key is missing",
        ),
        (
            "httpsEndpoints",
            ["http://events.pagerduty.com/x"],
            "platform:alarms.httpsEndpoints[0] = 'http://events.pagerduty.com/x': String should match pattern "
            "'^https://[A-Za-z0-9.-]+(:\\d+)?(/\\S*)?$'",
        ),
    ],
)
def test_bad_alarm_targets_and_custom_alarms_are_rejected(key: str, value: Any, expected: str) -> None:
    flat = example_config("candlefish", "prod")
    alarms = json.loads(flat["platform:alarms"])
    alarms[key] = value
    flat["platform:alarms"] = json.dumps(alarms)
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("prod", flat)
    assert f"{FILE}: {expected}" in caught.value.lines, "\n".join(caught.value.lines)


ENTRY_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "functions",
        "daily-unblock",
        {"triggers": {"queues": {"wip-limit": {}}}, "grants": {"queues": {"wip-limit": "send"}}},
        "platform:functions.daily-unblock.grants.queues.wip-limit = 'send': the function consumes this queue (a "
        "trigger); the trigger grants consume, remove the send grant",
    ),
    (
        "canaries",
        "api-health",
        {"runtime": "syn-nodejs-puppeteer-7.0"},
        "platform:canaries.api-health.runtime = 'syn-nodejs-puppeteer-7.0': Input should be "
        "'syn-nodejs-puppeteer-15.0'",
    ),
    (
        "secrets",
        "slack-token",
        {"rotation": {"days": 30, "function": "rotator"}},
        "platform:secrets.slack-token.rotation.function = 'rotator': no function 'rotator' in platform:functions "
        "(defined: daily-unblock, db-init, github-webhook, stage-gate-processor, webhook-secret-rotator, "
        "wip-limit-processor)",
    ),
    (
        "secrets",
        "slack-token",
        {"rotation": {"days": 30, "function": "daily-unblock", "external": "slack"}},
        "platform:secrets.slack-token.rotation: give exactly one of function (a stack function rotating it every "
        "`days`) and external (who rotates it where it is issued)",
    ),
    (
        "tasks",
        "wip-report",
        {"service": "reporter"},
        "platform:tasks.wip-report.service = 'reporter': no service 'reporter' in platform:services (defined: "
        "core-api, workflow-engine)",
    ),
]
"""One entry of a section changed (a queue trigger granted send, a deprecated canary runtime, a rotation naming
no stack function or both a function and `external`, a task naming no service): the error line it must give."""


@pytest.mark.parametrize(
    ("section", "entry", "change", "expected"),
    ENTRY_CASES,
    ids=[f"{c[0]}-{c[1]}-{next(iter(c[2]))}" for c in ENTRY_CASES],
)
def test_a_bad_entry_is_refused_with_its_one_line_error(
    section: str, entry: str, change: dict[str, Any], expected: str
) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("prod", with_function(change, entry, section=section))
    assert f"{FILE}: {expected}" in caught.value.lines, "\n".join(caught.value.lines)
