"""Config rules mutation testing showed untested: plain secrets, domains outside their zone, reserved tag
prefixes, network bounds. Each is a config the model must refuse (or the boundary value it must accept), checked
through `load_stack_config` for the one-line message, or on the section's model where the rule lives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.config import StackConfigError, load_stack_config
from components.config.compute import SECRET_LOOKING_NAME, SECRET_LOOKING_VALUE
from components.config.network import NetworkConfig
from offline.engine import stack_config

from .mutate import broken


def problems(stack: str, flat: dict[str, str]) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stack, flat)
    return caught.value.lines


def with_environment(variables: dict[str, str]) -> dict[str, str]:
    flat = stack_config("dev")
    services = json.loads(flat["platform:services"])
    services["api"]["environment"] = variables
    flat["platform:services"] = json.dumps(services)
    return flat


# -- plain secrets in a service's environment --------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "GITHUB_TOKEN",
        "github_token",
        "DB_PASSWORD",
        "STRIPE_APIKEY",
        "AWS_ACCESS_KEY",
        "JWT_SIGNING_KEY",
        "OAUTH_CLIENT_KEY",
        "PRIVATE_KEY",
        "SERVICE_CREDENTIALS",
    ],
)
def test_a_secret_looking_name_with_a_plain_value_is_refused(name: str) -> None:
    assert problems("dev", with_environment({"LOG_LEVEL": "info", name: "x"})) == [
        f"Pulumi.dev.yaml: platform:services.api.environment: {name} looks like a secret;"  # the value is not shown
        " a plain environment value lands in the task definition and the state: move it to secrets "
        "(valueFrom a stack secret or a Secrets Manager / SSM ARN)"
    ]


def test_two_secret_looking_names_are_listed_together() -> None:
    assert (
        "A_TOKEN, B_SECRET look like a secret;"
        in problems("dev", with_environment({"B_SECRET": "1", "A_TOKEN": "2"}))[0]
    )


@pytest.mark.parametrize(
    "value",
    [
        "AKIAABCDEFGHIJKLMNOP",
        "key=ASIAABCDEFGHIJKLMNOP;",
        "postgres://app:hunter2@db:5432/x",
        "-----BEGIN RSA PRIVATE KEY-----\nMII...",
    ],
)
def test_a_credential_in_any_variable_is_refused(value: str) -> None:
    lines = problems("dev", with_environment({"UPSTREAM": value}))
    assert len(lines) == 1
    assert lines[0].endswith(
        ": the value of UPSTREAM contains a credential (URL password, AWS key or private key); "
        "move it to secrets (valueFrom a stack secret or a Secrets Manager / SSM ARN)"
    )


@pytest.mark.parametrize("value", ["AKIA", "AKIAABCDEFGHIJKLMNO", "https://example.com/path", "info", "ASIA-PACIFIC"])
def test_values_that_are_not_credentials_pass(value: str) -> None:
    load_stack_config("dev", with_environment({"UPSTREAM": value}))
    assert not SECRET_LOOKING_VALUE.search(value)


def test_names_that_do_not_say_secret_pass() -> None:
    for name in ("LOG_LEVEL", "PORT", "KEYSPACE", "TOKENIZER_MODEL_PATH_X"):
        assert bool(SECRET_LOOKING_NAME.search(name)) is (name == "TOKENIZER_MODEL_PATH_X")


# -- the load balancer's domain inside its hosted zone ------------------------------------------------------
def domain(name: str, zone: str) -> dict[str, str]:
    return broken("prod", "platform:loadBalancer.domain", {"name": name, "hostedZone": zone})


@pytest.mark.parametrize("name", ["evilexample.com", "example.com.evil.org", "api.example.co"])
def test_a_domain_outside_its_zone_is_refused(name: str) -> None:
    assert problems("prod", domain(name, "example.com")) == [
        f"Pulumi.prod.yaml: platform:loadBalancer.domain.name = {name!r}: not inside the hosted zone example.com; "
        "use a name ending in .example.com or the zone that holds it"
    ]


@pytest.mark.parametrize("name", ["example.com", "api.example.com", "a.b.example.com"])
def test_the_zone_apex_and_names_under_it_are_accepted(name: str) -> None:
    config = load_stack_config("prod", domain(name, "example.com"))
    assert config.load_balancer.domain is not None and config.load_balancer.domain.name == name


# -- tags ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["aws:createdBy", "AWS:Team", "Aws:cost"])
def test_reserved_tag_prefixes_are_refused_in_any_case(key: str) -> None:
    assert problems("dev", broken("dev", "platform:tags", {key: "x", "Team": "core"})) == [
        f"Pulumi.dev.yaml: platform:tags: tag keys starting with aws: are reserved by AWS: {key}"
    ]


def test_a_tag_merely_containing_aws_is_fine() -> None:
    config = load_stack_config("dev", broken("dev", "platform:tags", {"team-aws:x": "1", "awsome": "2"}))
    assert config.tags == {"team-aws:x": "1", "awsome": "2"}


# -- network bounds -------------------------------------------------------------------------------------
def network(**values: Any) -> NetworkConfig:
    return NetworkConfig.model_validate({"cidr": "10.10.0.0/16", "azCount": 2, "natStrategy": "single", **values})


def refused(**values: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        network(**values)
    return caught.value.errors()[0]["msg"].removeprefix("Value error, ")


@pytest.mark.parametrize("cidr", ["10.10.0.0/16", "10.10.0.0/24"])
def test_vpc_cidrs_from_16_to_24_are_accepted(cidr: str) -> None:
    assert network(cidr=cidr, subnetNewbits=4).cidr == cidr


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.10.0.0/25", "10.10.0.0/28"])
def test_vpc_cidrs_outside_16_to_24_are_refused(cidr: str) -> None:
    assert refused(cidr=cidr) == "the VPC CIDR must be /16 to /24 (AWS's limits for a VPC)"


def test_a_public_vpc_range_and_host_bits_are_refused() -> None:
    assert refused(cidr="100.64.0.0/16") == "the VPC CIDR must be a private (RFC 1918) range, e.g. 10.20.0.0/16"
    assert refused(cidr="10.10.0.1/16").startswith("not a valid IPv4 network CIDR")


def test_az_count_is_one_to_six() -> None:
    assert network(azCount=1).az_count == 1
    assert network(azCount=6, subnetNewbits=5).az_count == 6
    assert refused(azCount=0) == "Input should be greater than or equal to 1"
    assert refused(azCount=7, subnetNewbits=5) == "Input should be less than or equal to 6"


def test_subnet_newbits_bounds_and_fit() -> None:
    assert network(subnetNewbits=2, azCount=1).subnet_newbits == 2
    assert network(subnetNewbits=8).subnet_newbits == 8
    assert refused(subnetNewbits=1) == "Input should be greater than or equal to 2"
    assert refused(subnetNewbits=9) == "Input should be less than or equal to 8"
    # 2 new bits leave one subnet per tier: two AZs do not fit, one does
    assert refused(subnetNewbits=2, azCount=2) == (
        "azCount 2 does not fit subnetNewbits 2 (at most 1 AZs per tier); raise subnetNewbits or give explicit subnets"
    )
    assert network(subnetNewbits=3, azCount=2).subnet_cidrs()["data"] == ["10.10.128.0/19", "10.10.160.0/19"]
    # a /24 VPC carves /28 subnets with 4 new bits (the smallest AWS allows), /29 with 5
    assert network(cidr="10.10.0.0/24", subnetNewbits=4).subnet_cidrs()["public"] == ["10.10.0.0/28", "10.10.0.16/28"]
    assert refused(cidr="10.10.0.0/24", subnetNewbits=5) == (
        "subnetNewbits 5 on a /24 makes subnets smaller than /28, the smallest AWS allows"
    )


def explicit(stack: str, azs: int, public: list[str], private: list[str], data: list[str]) -> dict[str, str]:
    value = {"cidr": "10.10.0.0/16", "azCount": azs, "subnets": {"public": public, "private": private, "data": data}}
    return broken(stack, "platform:network", value)


def test_explicit_subnets_need_one_cidr_per_az() -> None:
    lines = problems(
        "dev",
        explicit(
            "dev",
            2,
            ["10.10.0.0/24", "10.10.1.0/24", "10.10.2.0/24"],
            ["10.10.10.0/24", "10.10.11.0/24"],
            ["10.10.20.0/24"],
        ),
    )
    assert lines == [
        "Pulumi.dev.yaml: platform:network.subnets.public = 3: needs exactly one CIDR per AZ: azCount is 2, 3 given",
        "Pulumi.dev.yaml: platform:network.subnets.data = 1: needs exactly one CIDR per AZ: azCount is 2, 1 given",
    ]


def test_explicit_subnets_from_16_to_28_inside_the_vpc_without_overlap() -> None:
    good = explicit(
        "dev", 2, ["10.10.0.0/28", "10.10.0.16/28"], ["10.10.1.0/24", "10.10.2.0/24"], ["10.10.3.0/24", "10.10.4.0/24"]
    )
    assert load_stack_config("dev", good).network.subnet_cidrs()["public"] == ["10.10.0.0/28", "10.10.0.16/28"]
    lines = problems(
        "dev",
        explicit(
            "dev",
            2,
            ["10.10.0.0/29", "10.10.0.16/28"],
            ["10.11.1.0/24", "10.10.2.0/24"],
            ["10.10.2.0/25", "10.10.4.0/24"],
        ),
    )
    assert lines == [
        "Pulumi.dev.yaml: platform:network.subnets.public[0] = '10.10.0.0/29': a subnet must be /16 to /28",
        "Pulumi.dev.yaml: platform:network.subnets.private[0] = '10.11.1.0/24': outside the VPC CIDR 10.10.0.0/16",
        "Pulumi.dev.yaml: platform:network.subnets.data[0] = '10.10.2.0/25': overlaps subnets.private[1] "
        "(10.10.2.0/24)",
    ]


def test_a_15_bit_subnet_is_refused_even_inside_the_vpc_range() -> None:
    lines = problems("dev", explicit("dev", 1, ["10.10.0.0/15"], ["10.10.1.0/24"], ["10.10.2.0/24"]))
    assert "Pulumi.dev.yaml: platform:network.subnets.public[0] = '10.10.0.0/15': a subnet must be /16 to /28" in lines


def test_prod_needs_two_azs_and_dev_may_use_one() -> None:
    assert load_stack_config("dev", broken("dev", "platform:network.azCount", 1)).network.az_count == 1
    assert load_stack_config("prod", broken("prod", "platform:network.azCount", 2)).network.az_count == 2


def test_flow_logs_kept_ninety_days_pass_and_sixty_do_not() -> None:
    """The minimum is the pack's (vpc-flow-logs.minimumRetentionDays in the stack's pack config): one source.
    60 is the CloudWatch retention just below 90 (89 is not a retention CloudWatch offers)."""
    assert load_stack_config("dev", broken("dev", "platform:network.flowLogs.retentionDays", 90))
    with pytest.raises(StackConfigError) as refused_60:
        load_stack_config("dev", broken("dev", "platform:network.flowLogs.retentionDays", 60))
    assert refused_60.value.lines == [
        "Pulumi.dev.yaml: platform:network.flowLogs.retentionDays = 60: flow logs must be kept at least 90 days "
        "(policies/config/dev.json: vpc-flow-logs.minimumRetentionDays); a relaxation goes in that file (reviewed "
        "by the platform owners)"
    ]


def test_subnets_are_carved_four_bits_smaller_by_default() -> None:
    assert network().subnet_cidrs() == {
        "public": ["10.10.0.0/20", "10.10.16.0/20"],
        "private": ["10.10.64.0/20", "10.10.80.0/20"],
        "data": ["10.10.128.0/20", "10.10.144.0/20"],
    }


def test_an_explicit_subnet_with_host_bits_is_refused() -> None:
    lines = problems("dev", explicit("dev", 1, ["10.10.0.1/24"], ["10.10.1.0/24"], ["10.10.2.0/24"]))
    assert lines == [
        "Pulumi.dev.yaml: platform:network.subnets.public[0] = '10.10.0.1/24': not a valid network CIDR "
        "(10.10.0.1/24 has host bits set)"
    ]


def test_a_subnet_as_large_as_the_vpc_is_a_valid_size_but_overlaps_the_others() -> None:
    lines = problems("dev", explicit("dev", 1, ["10.10.0.0/16"], ["10.10.1.0/24"], ["10.10.2.0/24"]))
    assert lines == [
        "Pulumi.dev.yaml: platform:network.subnets.private[0] = '10.10.1.0/24': overlaps subnets.public[0] "
        "(10.10.0.0/16)",
        "Pulumi.dev.yaml: platform:network.subnets.data[0] = '10.10.2.0/24': overlaps subnets.public[0] (10.10.0.0/16)",
    ]
