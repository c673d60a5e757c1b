"""`deployment.strategy` and its settings, and `loadBalancer.testListener`: every strategy loads where AWS allows
it; a bad combination or value is one config line naming the stack file, the key, the value and what is allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import load_stack_config
from components.config.compute import CanaryConfig
from offline.engine import stack_config

from .test_compute_config import problems, service_change

HOOK = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test"


def load_balancer_change(stack: str, **changes: Any) -> dict[str, str]:
    """`stack`'s config with keys of `loadBalancer` set."""
    flat = stack_config(stack)
    section = json.loads(flat.get("platform:loadBalancer", "{}"))
    section.update(changes)
    flat["platform:loadBalancer"] = json.dumps(section)
    return flat


# -- what loads ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["rolling", "blue-green", "canary", "linear"])
def test_a_web_service_may_use_every_strategy(strategy: str) -> None:
    config = load_stack_config("staging", service_change("staging", "api", deployment={"strategy": strategy}))
    deployment = config.services["api"].deployment
    assert deployment.strategy == strategy
    assert deployment.progressive == (strategy != "rolling")


@pytest.mark.parametrize("strategy", ["rolling", "blue-green"])
def test_a_worker_may_roll_or_deploy_blue_green_without_a_load_balancer(strategy: str) -> None:
    flat = service_change(
        "prod",
        "worker",
        deployment={
            "strategy": strategy,
            **(
                {
                    "bakeTimeMinutes": 5,
                    "lifecycleHooks": [{"function": HOOK, "stages": ["POST_SCALE_UP"], "details": {"queue": "jobs"}}],
                }
                if strategy == "blue-green"
                else {}
            ),
        },
    )
    assert load_stack_config("prod", flat).services["worker"].deployment.strategy == strategy


def test_presets_deploy_prod_web_services_by_canary_and_everything_else_by_rolling() -> None:
    for stack in ("dev", "staging", "prod"):
        config = load_stack_config(stack, stack_config(stack))
        for name, service in config.services.items():
            expected = "canary" if stack == "prod" and service.kind == "web" else "rolling"
            assert service.deployment.strategy == expected, (stack, name)
    prod_api = load_stack_config("prod", stack_config("prod")).services["api"].deployment
    # AWS's and the reference's canary: 5 % for 10 minutes, then all; 10 minutes' bake
    canary = prod_api.canary or CanaryConfig()
    assert (canary.percent, canary.bake_time_minutes) == (5.0, 10)
    assert prod_api.effective_bake_time_minutes == 10
    # the stack file wins over the preset
    rolled = load_stack_config("prod", service_change("prod", "api", deployment={"strategy": "rolling"}))
    assert rolled.services["api"].deployment.strategy == "rolling"


def test_strategy_settings_and_hooks_load_with_their_strategy() -> None:
    flat = service_change(
        "prod",
        "api",
        deployment={
            "strategy": "linear",
            "bakeTimeMinutes": 15,
            "linear": {"stepPercent": 12.5, "stepBakeTimeMinutes": 3},
            "lifecycleHooks": [
                {"function": HOOK, "stages": ["POST_TEST_TRAFFIC_SHIFT"], "details": {"path": "/health"}},
                {"function": f"{HOOK}:live", "stages": ["PRE_SCALE_UP"]},
            ],
        },
    )
    deployment = load_stack_config("prod", flat).services["api"].deployment
    assert deployment.linear is not None
    assert (deployment.linear.step_percent, deployment.linear.step_bake_time_minutes) == (12.5, 3)
    assert [h.stages for h in deployment.lifecycle_hooks] == [["POST_TEST_TRAFFIC_SHIFT"], ["PRE_SCALE_UP"]]


def test_the_test_listener_defaults_to_8443_admitting_no_named_network() -> None:
    listener = load_stack_config("prod", stack_config("prod")).load_balancer.test_listener
    assert (listener.port, listener.cidrs) == (8443, [])
    named = load_stack_config(
        "prod", load_balancer_change("prod", testListener={"port": 9443, "cidrs": ["198.51.100.0/24"]})
    )
    assert (named.load_balancer.test_listener.port, named.load_balancer.test_listener.cidrs) == (
        9443,
        ["198.51.100.0/24"],
    )


# -- what is refused, one line each ----------------------------------------------------------------------------
CASES: list[tuple[str, dict[str, str], str]] = [
    (
        "canary without a load balancer",
        service_change("prod", "worker", deployment={"strategy": "canary"}),
        "Pulumi.prod.yaml: platform:services.worker.deployment.strategy = 'canary': canary shifts traffic through the "
        "load balancer and a worker has none; use rolling or blue-green",
    ),
    (
        "linear without a load balancer",
        service_change("dev", "worker", deployment={"strategy": "linear"}),
        "Pulumi.dev.yaml: platform:services.worker.deployment.strategy = 'linear': linear shifts traffic through the "
        "load balancer and a worker has none; use rolling or blue-green",
    ),
    (
        "unknown strategy",
        service_change("prod", "api", deployment={"strategy": "green"}),
        "Pulumi.prod.yaml: platform:services.api.deployment.strategy = 'green': Input should be 'rolling', "
        "'blue-green', 'canary' or 'linear'",
    ),
    (
        "canary percent 0",
        service_change("prod", "api", deployment={"canary": {"percent": 0}}),
        "Pulumi.prod.yaml: platform:services.api.deployment.canary.percent = 0: Input should be greater than or "
        "equal to 0.1",
    ),
    (
        "canary percent above 100",
        service_change("prod", "api", deployment={"canary": {"percent": 150}}),
        "Pulumi.prod.yaml: platform:services.api.deployment.canary.percent = 150: Input should be less than or "
        "equal to 100",
    ),
    (
        "canary percent not in tenths",
        service_change("prod", "api", deployment={"canary": {"percent": 5.05}}),
        "Pulumi.prod.yaml: platform:services.api.deployment.canary.percent = 5.05: must be a multiple of 0.1 (e.g. "
        "5 or 12.5)",
    ),
    (
        "linear step below 3 %",
        service_change("prod", "api", deployment={"strategy": "linear", "linear": {"stepPercent": 2}}),
        "Pulumi.prod.yaml: platform:services.api.deployment.linear.stepPercent = 2: Input should be greater than or "
        "equal to 3",
    ),
    (
        "bake time above a day",
        service_change("prod", "api", deployment={"bakeTimeMinutes": 2000}),
        "Pulumi.prod.yaml: platform:services.api.deployment.bakeTimeMinutes = 2000: Input should be less than or "
        "equal to 1440",
    ),
    (
        "canary settings on a linear deployment",
        service_change("prod", "api", deployment={"strategy": "linear", "canary": {"percent": 10}}),
        "Pulumi.prod.yaml: platform:services.api.deployment.canary: settings of strategy canary, but the strategy is "
        "linear; remove deployment.canary or set deployment.strategy: canary",
    ),
    (
        "bake time on a rolling deployment",
        service_change("dev", "api", deployment={"bakeTimeMinutes": 5}),
        "Pulumi.dev.yaml: platform:services.api.deployment.bakeTimeMinutes = 5: rolling keeps no old revision to "
        "bake beside the new one; bake time applies to blue-green, canary and linear",
    ),
    (
        "hooks on a rolling deployment",
        service_change(
            "dev", "api", deployment={"lifecycleHooks": [{"function": HOOK, "stages": ["POST_TEST_TRAFFIC_SHIFT"]}]}
        ),
        "Pulumi.dev.yaml: platform:services.api.deployment.lifecycleHooks[0]: lifecycle hooks run in blue-green, "
        "canary and linear deployments only; the strategy is rolling",
    ),
    (
        "a traffic stage without a load balancer",
        service_change(
            "prod",
            "worker",
            deployment={
                "strategy": "blue-green",
                "lifecycleHooks": [{"function": HOOK, "stages": ["PRE_SCALE_UP", "TEST_TRAFFIC_SHIFT"]}],
            },
        ),
        "Pulumi.prod.yaml: platform:services.worker.deployment.lifecycleHooks[0].stages: TEST_TRAFFIC_SHIFT happens "
        "only when traffic shifts through a load balancer, and a worker has none; use RECONCILE_SERVICE, "
        "PRE_SCALE_UP or POST_SCALE_UP",
    ),
    (
        "a hook that is not a function",
        service_change(
            "prod",
            "api",
            deployment={"lifecycleHooks": [{"function": "smoke-test", "stages": ["POST_TEST_TRAFFIC_SHIFT"]}]},
        ),
        "Pulumi.prod.yaml: platform:services.api.deployment.lifecycleHooks[0].function = 'smoke-test': not a Lambda "
        "function ARN (arn:aws:lambda:<region>:<account>:function:<name>) or a reference ${functions.<name>.arn}",
    ),
    (
        "a hook naming a function the stack lacks",
        service_change(
            "prod",
            "api",
            deployment={
                "lifecycleHooks": [{"function": "${functions.smoke.arn}", "stages": ["POST_TEST_TRAFFIC_SHIFT"]}]
            },
        ),
        "Pulumi.prod.yaml: platform:services.api.deployment.lifecycleHooks[0].function = '${functions.smoke.arn}': "
        "no function 'smoke' in platform:functions (none are defined); give the function's ARN (arn:aws:lambda:...)",
    ),
    (
        "a hook without stages",
        service_change("prod", "api", deployment={"lifecycleHooks": [{"function": HOOK, "stages": []}]}),
        "Pulumi.prod.yaml: platform:services.api.deployment.lifecycleHooks[0].stages: List should have at least 1 "
        "item after validation, not 0",
    ),
    (
        "test listener on a production port",
        load_balancer_change("prod", testListener={"port": 443}),
        "Pulumi.prod.yaml: platform:loadBalancer.testListener.port = 443: 80 and 443 are the production listeners, "
        "open to loadBalancer.ingressCidrs; give the test listener its own port, e.g. 8443",
    ),
    (
        "test listener open to the internet",
        load_balancer_change("prod", testListener={"cidrs": ["0.0.0.0/0"]}),
        "Pulumi.prod.yaml: platform:loadBalancer.testListener.cidrs: 0.0.0.0/0 is the whole internet; the test "
        "listener serves a revision no one has checked yet: name the networks that may test it (office, VPN)",
    ),
]


@pytest.mark.parametrize(("flat", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_deployment_config_is_one_line_naming_file_and_key(flat: dict[str, str], expected: str) -> None:
    stack = flat["platform:environment"]
    assert problems(stack, flat) == [expected]
