"""required-tags defers, rather than passes or fails, when the tags it judges are unknown at preview: the
autoscaling group's tag list, one item of it, or the provider's default tags."""

from __future__ import annotations

import json

from policies.guardrails.tagging import HINT, REQUIRED_TAGS_POLICY

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_OBJECT, check
from .helpers import deferred as deferred_advisory

GROUP = "aws:autoscaling/group:Group"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EVERY_TAG = ("Environment", "Project", "Owner", "CostCenter", "ManagedBy")


def deferred(subject: str, keys: tuple[str, ...]) -> list[str]:
    when = "the tags are judged on `pulumi up`, when known"
    return deferred_advisory("required-tags", *((f"tag {key} of {subject}", when) for key in keys))


def test_an_unknown_tag_list_defers_every_tag_of_an_autoscaling_group() -> None:
    result = check(REQUIRED_TAGS_POLICY, GROUP, {"tags": UNKNOWN_ARRAY})
    assert result.violations == []
    assert result.deferred == deferred(f"{GROUP} 'r'", EVERY_TAG)


def test_an_item_with_an_unknown_key_defers_the_tags_not_found() -> None:
    items = [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in STANDARD_TAGS.items() if k != "Owner"]
    result = check(REQUIRED_TAGS_POLICY, GROUP, {"tags": [*items, {"key": UNKNOWN, "value": "x"}]})
    assert result.violations == []
    assert result.deferred == deferred(f"{GROUP} 'r'", ("Owner",))


def test_a_wholly_unknown_item_defers_the_tags_not_found() -> None:
    items = [{"key": k, "value": v} for k, v in STANDARD_TAGS.items() if k != "Project"]
    result = check(REQUIRED_TAGS_POLICY, GROUP, {"tags": [*items, UNKNOWN_OBJECT]})
    assert result.violations == []
    assert result.deferred == deferred(f"{GROUP} 'r'", ("Project",))


def test_a_group_whose_tags_are_not_a_list_is_missing_them_all() -> None:
    assert check(REQUIRED_TAGS_POLICY, GROUP, {"tags": "Environment=dev"}).violations == [
        f"{GROUP} 'r' is missing required tags: {', '.join(EVERY_TAG)}. {HINT}"
    ]


def test_unknown_provider_default_tags_defer_the_tags_the_resource_lacks() -> None:
    result = check(REQUIRED_TAGS_POLICY, RULE, {"ipProtocol": "tcp"}, provider={"defaultTags": UNKNOWN})
    assert result.violations == []
    assert result.deferred == deferred(f"{RULE} 'r'", EVERY_TAG)


def test_provider_default_tags_that_are_not_json_count_for_nothing() -> None:
    result = check(REQUIRED_TAGS_POLICY, RULE, {"ipProtocol": "tcp"}, provider={"defaultTags": "{tags: oops"})
    assert result.violations == [f"{RULE} 'r' is missing required tags: {', '.join(EVERY_TAG)}. {HINT}"]
    assert result.deferred == []


def test_provider_default_tags_given_as_an_object_count() -> None:
    provider = {"defaultTags": {"tags": STANDARD_TAGS}}
    assert check(REQUIRED_TAGS_POLICY, RULE, {"ipProtocol": "tcp"}, provider=provider).passed
    nested_wrong = {"defaultTags": json.dumps({"tags": {**STANDARD_TAGS, "ManagedBy": "cdk"}})}
    assert check(REQUIRED_TAGS_POLICY, RULE, {"ipProtocol": "tcp"}, provider=nested_wrong).violations == [
        f"{RULE} 'r' has wrong tag values: ManagedBy='cdk' (must be 'pulumi'). {HINT}"
    ]


def test_a_tag_without_a_string_value_is_empty() -> None:
    vpc = "aws:ec2/vpc:Vpc"
    tags = {**STANDARD_TAGS, "Owner": None, "CostCenter": 1042}
    assert check(REQUIRED_TAGS_POLICY, vpc, {"tags": tags}).violations == [
        f"{vpc} 'r' has empty required tags: Owner, CostCenter. {HINT}"
    ]
