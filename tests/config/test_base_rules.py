"""What every config section shares (components/config/base.py): camelCase keys only, unknown keys refused,
frozen models whose docstrings are the schema, non-empty text, lists without repeats. Fast: no stack runs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.config import StackConfigError, load_stack_config
from components.config.functions import FunctionConfig
from components.config.network import NetworkConfig
from offline.engine import stack_config

NETWORK = {"cidr": "10.10.0.0/16", "azCount": 2, "natStrategy": "single"}


def lines(**changes: str) -> list[str]:
    flat = stack_config("dev") | {f"platform:{k}": v for k, v in changes.items()}
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("dev", flat)
    return caught.value.lines


def test_a_snake_case_key_is_an_unknown_key() -> None:
    with pytest.raises(ValidationError) as caught:
        NetworkConfig.model_validate({**NETWORK, "nat_strategy": "single"})
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(("nat_strategy",), "extra_forbidden")]


def test_a_section_dumps_with_the_stack_files_camel_case_keys() -> None:
    dumped = NetworkConfig.model_validate(NETWORK).model_dump()
    assert {"azCount", "natStrategy", "subnetNewbits", "flowLogs"} <= set(dumped)


def test_a_validated_section_cannot_be_changed() -> None:
    network = NetworkConfig.model_validate(NETWORK)
    with pytest.raises(ValidationError):
        network.az_count = 3  # type: ignore[misc]


def test_a_settings_docstring_is_its_schema_description() -> None:
    description = FunctionConfig.model_fields["memory"].description or ""
    assert description.startswith("MiB (128 to 10240)")


@pytest.mark.parametrize("owner", ["", "   "])
def test_an_empty_or_blank_owner_is_refused(owner: str) -> None:
    assert lines(owner=owner) == [
        "Pulumi.dev.yaml: platform:owner = '': String should have at least 1 character"
        if owner == ""
        else f"Pulumi.dev.yaml: platform:owner = '{owner}': String should have at least 1 character"
    ]


def test_a_one_character_owner_is_accepted_and_trimmed() -> None:
    assert load_stack_config("dev", stack_config("dev") | {"platform:owner": " x "}).owner == "x"


def test_an_endpoint_listed_twice_is_refused_naming_it_once() -> None:
    with pytest.raises(ValidationError) as caught:
        NetworkConfig.model_validate({**NETWORK, "interfaceEndpoints": ["logs", "sts", "logs", "kms"]})
    [error] = caught.value.errors()
    assert error["msg"] == "Value error, listed more than once: logs"


def test_endpoints_listed_once_each_are_accepted() -> None:
    network = NetworkConfig.model_validate({**NETWORK, "interfaceEndpoints": ["logs", "sts"]})
    assert network.interface_endpoints == ["logs", "sts"]
