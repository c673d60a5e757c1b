"""`platform:network` rules the bounds tests leave open (components/config/network.py): without NAT, Fargate
needs the ECR and logs endpoints; prod needs a second AZ. Models and the stack file; no stack runs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.config import StackConfigError, load_stack_config
from components.config.network import NetworkConfig

from .mutate import broken

NEEDED = ["ecr.api", "ecr.dkr", "logs"]


def network(**values: Any) -> NetworkConfig:
    return NetworkConfig.model_validate({"cidr": "10.10.0.0/16", "azCount": 2, "natStrategy": "single", **values})


def test_no_nat_with_the_ecr_and_logs_endpoints_is_accepted() -> None:
    assert network(natStrategy="none", interfaceEndpoints=[*NEEDED, "sts"]).nat_strategy == "none"


@pytest.mark.parametrize(
    ("endpoints", "missing"), [([], "ecr.api, ecr.dkr, logs"), (["ecr.api", "sts"], "ecr.dkr, logs")]
)
def test_no_nat_without_an_endpoint_fargate_needs_is_refused_naming_the_missing(
    endpoints: list[str], missing: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        network(natStrategy="none", interfaceEndpoints=endpoints)
    [error] = caught.value.errors()
    assert error["msg"] == (
        "Value error, natStrategy none leaves private subnets without internet egress, so Fargate needs the "
        f"interface endpoints ecr.api, ecr.dkr, logs; missing: {missing} (add them to interfaceEndpoints, or choose "
        "natStrategy single)"
    )


@pytest.mark.parametrize("strategy", ["single", "per-az"])
def test_with_nat_no_endpoint_is_needed(strategy: str) -> None:
    assert network(natStrategy=strategy).interface_endpoints == []


def test_prod_in_one_az_is_refused() -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("prod", broken("prod", "platform:network.azCount", 1))
    assert (
        "Pulumi.prod.yaml: platform:network.azCount = 1: prod needs at least 2 availability zones (allowed: 2 to 6)"
        in (caught.value.lines)
    )
