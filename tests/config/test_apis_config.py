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
