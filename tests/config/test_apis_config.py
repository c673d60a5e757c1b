"""`platform:apis` problems: one line each, naming the key path, the value and what is allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from offline.engine import stack_config


def problems(apis: dict[str, Any]) -> list[str]:
    with pytest.raises(StackConfigError) as error:
        load_stack_config("dev", {**stack_config("dev"), "platform:apis": json.dumps(apis)})
    return error.value.lines


def test_an_api_proxies_a_web_service_of_the_stack() -> None:
    assert problems({"public": {"service": "worker"}}) == [
        "Pulumi.dev.yaml: platform:apis.public.service = 'worker': no web service 'worker' in platform:services; "
        "web services: api"
    ]


def test_an_api_has_exactly_one_source() -> None:
    [line] = problems({"public": {}})
    assert line.startswith("Pulumi.dev.yaml: platform:apis.public") and "exactly one of `service`" in line


def test_the_openapi_document_must_exist() -> None:
    assert problems({"public": {"openapi": "docs/missing.json"}}) == [
        "Pulumi.dev.yaml: platform:apis.public.openapi = 'docs/missing.json': no such file (a path from the project "
        "root, e.g. docs/openapi.json)"
    ]


def test_a_key_belongs_to_one_plan() -> None:
    plans = {
        "gold": {"throttle": {"rateLimit": 1, "burstLimit": 1}, "keys": ["partner"]},
        "silver": {"throttle": {"rateLimit": 1, "burstLimit": 1}, "keys": ["partner"]},
    }
    assert problems({"public": {"service": "api", "usagePlans": plans}}) == [
        "Pulumi.dev.yaml: platform:apis.public.usagePlans.silver.keys = 'partner': key 'partner' is already in plan "
        "'gold': a key belongs to one plan of a stage"
    ]


# -- integration: vpcLink ------------------------------------------------------------------------------------
def test_a_vpc_link_needs_a_service() -> None:
    assert (
        "Pulumi.dev.yaml: platform:apis.public.integration = 'vpcLink': a VPC link proxies a web service: give "
        "`service` (an OpenAPI document carries its own integrations)"
    ) in problems({"public": {"openapi": "docs/missing.json", "integration": "vpcLink"}})


def test_with_a_vpc_link_every_proxy_uses_it() -> None:
    assert problems({"public": {"service": "api", "integration": "vpcLink"}, "partner": {"service": "api"}}) == [
        "Pulumi.dev.yaml: platform:apis.partner.integration = 'https': another API reaches the ALB through a VPC "
        "link, so the ALB is internal and has no internet address: use vpcLink here too",
    ]


def test_with_a_vpc_link_the_alb_needs_a_domain() -> None:
    flat = {
        **stack_config("dev"),
        "platform:apis": json.dumps({"public": {"service": "api", "integration": "vpcLink"}}),
    }
    balancer = json.loads(flat["platform:loadBalancer"])
    balancer.pop("domain")
    balancer["certificateArn"] = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    flat["platform:loadBalancer"] = json.dumps(balancer)
    with pytest.raises(StackConfigError) as error:
        load_stack_config("dev", flat)
    assert error.value.lines == [
        "Pulumi.dev.yaml: platform:loadBalancer.domain: a VPC link integration calls https://<domain>: API Gateway "
        "verifies the ALB's certificate against it; give loadBalancer.domain",
    ]


def test_with_a_vpc_link_a_web_service_behind_no_api_would_be_unreachable() -> None:
    from .test_compute_config import with_second_web_service

    flat = with_second_web_service("dev", routing={"priority": 20, "paths": ["/admin/*"]})
    flat["platform:apis"] = json.dumps({"public": {"service": "api", "integration": "vpcLink"}})
    with pytest.raises(StackConfigError) as error:
        load_stack_config("dev", flat)
    assert error.value.lines == [
        "Pulumi.dev.yaml: platform:services.admin.kind = 'web': with a VPC link API the ALB is internal: this web "
        "service would be unreachable; put it behind an API with integration vpcLink",
    ]


BOUNDS: list[tuple[dict[str, Any], str, Any, str]] = [
    (
        {"throttle": {"rateLimit": -1, "burstLimit": 1}},
        "throttle.rateLimit",
        -1,
        "greater than or equal to 0",
    ),
    (
        {"throttle": {"rateLimit": 10_001, "burstLimit": 1}},
        "throttle.rateLimit",
        10_001,
        "less than or equal to 10000",
    ),
    (
        {"throttle": {"rateLimit": 1, "burstLimit": -1}},
        "throttle.burstLimit",
        -1,
        "greater than or equal to 0",
    ),
    (
        {"throttle": {"rateLimit": 1, "burstLimit": 5_001}},
        "throttle.burstLimit",
        5_001,
        "less than or equal to 5000",
    ),
    (
        {"usagePlans": {"gold": {"throttle": {"rateLimit": 1, "burstLimit": 1}, "quota": {"limit": 0}}}},
        "usagePlans.gold.quota.limit",
        0,
        "greater than or equal to 1",
    ),
    ({"waf": {"rateLimit": 99}}, "waf.rateLimit", 99, "greater than or equal to 100"),
    ({"waf": {"rateLimit": 2_000_000_001}}, "waf.rateLimit", 2_000_000_001, "less than or equal to 2000000000"),
]


@pytest.mark.parametrize(("change", "key", "value", "allowed"), BOUNDS, ids=[f"{b[1]}={b[2]}" for b in BOUNDS])
def test_a_limit_one_past_its_bound_is_refused(change: dict[str, Any], key: str, value: Any, allowed: str) -> None:
    assert problems({"public": {"service": "api", **change}}) == [
        f"Pulumi.dev.yaml: platform:apis.public.{key} = {value}: Input should be {allowed}"
    ]


def test_limits_at_their_bounds_are_accepted_and_the_defaults_are_safe() -> None:
    at_bounds = {
        "service": "api",
        "throttle": {"rateLimit": 10_000, "burstLimit": 5_000},
        "methodThrottles": {"/orders/GET": {"rateLimit": 0, "burstLimit": 0}},
        "usagePlans": {"gold": {"throttle": {"rateLimit": 1, "burstLimit": 1}, "quota": {"limit": 1}}},
        "waf": {"rateLimit": 100},
    }
    flat = {**stack_config("dev"), "platform:apis": json.dumps({"public": at_bounds, "edge": {"service": "api"}})}
    apis = load_stack_config("dev", flat).apis
    assert apis["public"].usage_plans["gold"].quota is not None
    assert apis["public"].usage_plans["gold"].quota.period == "MONTH"
    edge = apis["edge"]
    assert (edge.api_key_required, edge.waf.enabled, edge.waf.rate_limit, edge.logging_level) == (
        True,
        True,
        2000,
        "ERROR",
    )
    assert (edge.throttle.rate_limit, edge.throttle.burst_limit, edge.stage) == (100, 200, "v1")
