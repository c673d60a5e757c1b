"""`platform:apis` cross-checks (components/config/apis.py) the other way round: what they accept (an API in
front of the web service, a document that exists, a VPC link in front of every web service) and what a VPC link
makes unreachable. The dev stack file with `platform:apis` set; no stack runs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.config import StackConfigError, load_stack_config
from components.config.apis import ApiConfig
from offline.engine import stack_config


def problems(apis: dict[str, Any], **sections: Any) -> list[str]:
    flat = {**stack_config("dev"), "platform:apis": json.dumps(apis)}
    flat.update({f"platform:{key}": json.dumps(value) for key, value in sections.items()})
    try:
        load_stack_config("dev", flat)
    except StackConfigError as error:
        return [line.removeprefix("Pulumi.dev.yaml: ") for line in error.lines]
    return []


VPC_LINK = {"public": {"service": "api", "integration": "vpcLink"}}


def test_an_api_in_front_of_the_web_service_is_accepted() -> None:
    assert problems({"public": {"service": "api"}}) == []


def test_an_openapi_document_that_exists_is_accepted() -> None:
    assert problems({"docs": {"openapi": "Pulumi.yaml"}}) == []


def test_a_vpc_link_in_front_of_every_web_service_is_accepted() -> None:
    assert problems(VPC_LINK) == []


def test_an_openapi_api_beside_a_vpc_link_needs_no_integration_of_its_own() -> None:
    assert problems({**VPC_LINK, "docs": {"openapi": "Pulumi.yaml"}}) == []


def test_without_web_services_an_api_says_there_are_none() -> None:
    services = json.loads(stack_config("dev")["platform:services"])
    del services["api"]
    assert "platform:apis.public.service = 'api': no web service 'api' in platform:services; web services: none" in (
        problems({"public": {"service": "api"}}, services=services)
    )


def test_with_a_vpc_link_an_http_function_is_unreachable() -> None:
    function = {
        "code": "examples/candlefish/functions/db-init",
        "handler": "handler.main",
        "runtime": "python3.13",
        "triggers": {"http": {"priority": 200, "paths": ["/hooks/*"]}},
    }
    assert problems(VPC_LINK, functions={"hook": function}) == [
        "platform:functions.hook.triggers.http = 'set': with a VPC link API the ALB is internal: an HTTP route on "
        "it is unreachable from the internet"
    ]


@pytest.mark.parametrize("value", [{}, {"service": "api", "openapi": "Pulumi.yaml"}])
def test_an_api_with_both_or_neither_source_is_refused(value: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        ApiConfig.model_validate(value)
    [error] = caught.value.errors()
    assert (
        error["msg"] == "Value error, give exactly one of `service` (proxy to a web service) and `openapi` (a document)"
    )
