"""The stack file as a whole (components/config/stack.py): tag and product-name bounds, the region and the
environment checked first, structured values decoded from Pulumi's strings, the product name's default from the
project file, and the effective config in the stack file's own spelling. Fast: the config is validated, no
stack runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.config import StackConfigError, load_stack_config, stack
from components.config.stack import effective_config
from offline.engine import stack_config


def lines(flat: dict[str, str], **options: str) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("dev", flat, **options)  # type: ignore[arg-type]
    return caught.value.lines


def dev(**changes: str | None) -> dict[str, str]:
    """The dev stack file's flat config with `ns:key` values replaced (a None value removes the key)."""
    flat = stack_config("dev")
    for name, value in changes.items():
        key = name.replace("__", ":")
        if value is None:
            flat.pop(key, None)
        else:
            flat[key] = value
    return flat


# -- tags --------------------------------------------------------------------------------------------------
def tags(value: dict[str, str]) -> dict[str, str]:
    return dev(platform__tags=json.dumps(value))


def test_a_tag_key_of_128_characters_and_a_value_of_256_are_accepted() -> None:
    config = load_stack_config("dev", tags({"k" * 128: "v" * 256}))
    assert config.tags == {"k" * 128: "v" * 256}


def test_a_tag_key_of_129_characters_is_refused() -> None:
    assert lines(tags({"k" * 129: "v"})) == [
        f"Pulumi.dev.yaml: platform:tags.{'k' * 129}.[key] = '{'k' * 76}...: String should have at most 128 characters"
    ]


def test_a_tag_value_of_257_characters_is_refused() -> None:
    assert lines(tags({"Team": "v" * 257})) == [
        f"Pulumi.dev.yaml: platform:tags.Team = '{'v' * 76}...: String should have at most 256 characters"
    ]


def test_an_empty_tag_key_is_refused_and_an_empty_value_accepted() -> None:
    assert lines(tags({"": "v"})) == [
        "Pulumi.dev.yaml: platform:tags..[key] = '': String should have at least 1 character"
    ]
    assert load_stack_config("dev", tags({"Team": ""})).tags == {"Team": ""}


@pytest.mark.parametrize("key", ["aws:team", "AWS:Team"])
def test_aws_tag_prefixes_are_refused_in_any_case(key: str) -> None:
    assert lines(tags({key: "x", "Team": "y"})) == [
        f"Pulumi.dev.yaml: platform:tags: tag keys starting with aws: are reserved by AWS: {key}"
    ]


def test_the_standard_tags_may_not_be_overridden() -> None:
    assert lines(tags({"Owner": "x", "Environment": "y", "Team": "z"})) == [
        "Pulumi.dev.yaml: platform:tags: Environment, Owner are set by the platform from environment/owner/costCenter; "
        "remove them from tags"
    ]


# -- product name ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ab", "shop-2", "a" * 20])
def test_product_names_of_2_to_20_characters_are_accepted(name: str) -> None:
    assert load_stack_config("dev", dev(platform__name=name)).name == name


NAME = (
    "lower-case letters, digits and hyphens, 2 to 20 characters, starting with a letter and not ending with a "
    "hyphen (it starts every physical name, S3 buckets included)"
)


@pytest.mark.parametrize("name", ["a", "a" * 21, "2shop", "shop-", "Shop"])
def test_other_product_names_are_refused(name: str) -> None:
    assert lines(dev(platform__name=name)) == [f"Pulumi.dev.yaml: platform:name = '{name}': {NAME}"]


def test_an_empty_product_name_is_refused_as_empty() -> None:
    assert lines(dev(platform__name="")) == [
        "Pulumi.dev.yaml: platform:name = '': String should have at least 1 character"
    ]


def test_the_product_name_defaults_to_the_project_given() -> None:
    assert load_stack_config("dev", dev(), project="shop").name == "shop"


def test_the_product_name_defaults_to_the_project_files_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "Pulumi.yaml"
    project.write_text("name: shop\nruntime: python\n")
    monkeypatch.setattr(stack, "PROJECT_FILE", project)
    stack._project_name.cache_clear()
    try:
        assert load_stack_config("dev", dev()).name == "shop"
        project.write_text("- not a mapping\n")
        stack._project_name.cache_clear()
        assert load_stack_config("dev", dev()).name == "platform"
        project.write_text("runtime: python\n")
        stack._project_name.cache_clear()
        assert load_stack_config("dev", dev()).name == "platform"
    finally:
        stack._project_name.cache_clear()


# -- region and environment ----------------------------------------------------------------------------------
def test_a_missing_region_is_named_without_a_value() -> None:
    assert lines(dev(aws__region=None)) == [
        "Pulumi.dev.yaml: aws:region: required: the AWS region to deploy to, e.g. us-east-1"
    ]


@pytest.mark.parametrize("region", ["moon-1", "US-EAST-1", "us-east"])
def test_a_region_that_is_not_one_is_refused_with_its_value(region: str) -> None:
    assert lines(dev(aws__region=region)) == [
        f"Pulumi.dev.yaml: aws:region = '{region}': required: the AWS region to deploy to, e.g. us-east-1"
    ]


@pytest.mark.parametrize("region", ["eu-central-1", "us-gov-west-1", "ap-southeast-2"])
def test_aws_regions_are_accepted(region: str) -> None:
    load_stack_config("dev", dev(aws__region=region))


def test_without_an_environment_nothing_else_is_judged() -> None:
    flat = dev(platform__environment=None, aws__region=None, platform__network='{"cidr": "10.0.0.0/8"}')
    assert lines(flat) == [
        "Pulumi.dev.yaml: aws:region: required: the AWS region to deploy to, e.g. us-east-1",
        "Pulumi.dev.yaml: platform:environment: required: one of dev, staging, prod",
    ]


def test_an_unknown_environment_is_shown() -> None:
    assert lines(dev(platform__environment="qa")) == [
        "Pulumi.dev.yaml: platform:environment = 'qa': required: one of dev, staging, prod"
    ]


def test_problems_name_the_config_file_given() -> None:
    assert lines(dev(platform__environment="qa"), stack_file="deploy/dev.yaml") == [
        "deploy/dev.yaml: platform:environment = 'qa': required: one of dev, staging, prod"
    ]


def test_a_model_problem_and_a_region_problem_are_reported_together() -> None:
    flat = dev(aws__region="moon-1", platform__tags='{"aws:x": "y"}')
    assert lines(flat) == [
        "Pulumi.dev.yaml: aws:region = 'moon-1': required: the AWS region to deploy to, e.g. us-east-1",
        "Pulumi.dev.yaml: platform:tags: tag keys starting with aws: are reserved by AWS: aws:x",
    ]


def test_a_cross_check_problem_and_a_region_problem_are_reported_together() -> None:
    assert lines(dev(aws__region="moon-1", platform__canaries='{"health": {}}', platform__services="{}")) == [
        "Pulumi.dev.yaml: aws:region = 'moon-1': required: the AWS region to deploy to, e.g. us-east-1",
        "Pulumi.dev.yaml: platform:canaries: canaries probe the stack's own URL, and this stack has no load "
        "balancer (no web service and no function with triggers.http)",
    ]


# -- values as Pulumi passes them -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "message"), [("{bad", "Expecting property name enclosed in double quotes"), ("[1,", "Expecting value")]
)
def test_structured_config_that_is_not_json_is_refused(raw: str, message: str) -> None:
    assert lines(dev(platform__tags=raw)) == [
        f"Pulumi.dev.yaml: platform:tags: not valid structured config ({message})"
    ]


def test_keys_of_other_namespaces_are_not_read() -> None:
    load_stack_config("dev", dev(other__tables="{bad"))


def test_top_level_numbers_and_booleans_arrive_as_strings_and_are_decoded() -> None:
    config = load_stack_config("dev", dev(platform__budget="150.5", platform__secretsPending="true"))
    assert (config.budget, config.secrets_pending) == (150.5, True)


def test_a_number_given_for_a_text_setting_is_taken_as_text() -> None:
    assert load_stack_config("dev", dev(platform__costCenter="1042")).cost_center == "1042"


def test_secrets_are_not_pending_unless_the_stack_file_says_so() -> None:
    assert load_stack_config("dev", dev()).secrets_pending is False


def test_the_effective_config_uses_the_stack_files_camel_case_keys() -> None:
    shown = effective_config(load_stack_config("dev", dev()))
    assert shown["costCenter"] == "CC-1042" and shown["logRetentionDays"] == 14 and "cost_center" not in shown
