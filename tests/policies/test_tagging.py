"""required-tags: the five standard tags on every taggable AWS resource, decided from the SDK-derived data."""

from __future__ import annotations

import json

from policies.guardrails.tagging import HINT, REQUIRED_TAGS_POLICY

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_OBJECT, check

VPC = "aws:ec2/vpc:Vpc"
SUBJECT = "aws:ec2/vpc:Vpc 'r'"


def test_a_resource_with_the_five_standard_tags_passes() -> None:
    assert check(REQUIRED_TAGS_POLICY, VPC, {"tags": {**STANDARD_TAGS, "Name": "x"}}).passed


def test_missing_tags_are_named_with_the_remediation() -> None:
    tags = {k: v for k, v in STANDARD_TAGS.items() if k not in {"Owner", "CostCenter"}}
    result = check(REQUIRED_TAGS_POLICY, VPC, {"tags": tags})
    assert result.violations == [f"{SUBJECT} is missing required tags: Owner, CostCenter. {HINT}"]
    assert result.levels == {"mandatory"}


def test_a_resource_without_tags_is_missing_all_five() -> None:
    result = check(REQUIRED_TAGS_POLICY, VPC, {"cidrBlock": "10.0.0.0/16"})
    assert result.violations == [
        f"{SUBJECT} is missing required tags: Environment, Project, Owner, CostCenter, ManagedBy. {HINT}"
    ]


def test_empty_and_blank_values_are_rejected() -> None:
    result = check(REQUIRED_TAGS_POLICY, VPC, {"tags": {**STANDARD_TAGS, "Owner": "", "Project": "  "}})
    assert result.violations == [f"{SUBJECT} has empty required tags: Project, Owner. {HINT}"]


def test_managed_by_must_be_pulumi() -> None:
    result = check(REQUIRED_TAGS_POLICY, VPC, {"tags": {**STANDARD_TAGS, "ManagedBy": "terraform"}})
    assert result.violations == [f"{SUBJECT} has wrong tag values: ManagedBy='terraform' (must be 'pulumi'). {HINT}"]


def test_tags_all_computed_from_provider_default_tags_count() -> None:
    props = {"tags": {"Name": "x"}, "tagsAll": {**STANDARD_TAGS, "Name": "x"}}
    assert check(REQUIRED_TAGS_POLICY, VPC, props).passed


def test_provider_default_tags_count_when_tags_all_is_absent() -> None:
    # Plugin-Framework resources have no tagsAll at preview (pulumi-aws#6602); the provider's input is JSON.
    provider = {"region": "us-east-1", "defaultTags": json.dumps({"tags": STANDARD_TAGS})}
    rule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    assert check(REQUIRED_TAGS_POLICY, rule, {"ipProtocol": "tcp"}, provider=provider).passed
    assert check(REQUIRED_TAGS_POLICY, rule, {"ipProtocol": "tcp"}, provider={"region": "us-east-1"}).violations


def test_untaggable_types_are_not_judged() -> None:
    for untaggable in (
        "aws:ec2/route:Route",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "platform:network:Network",
        "pulumi:pulumi:Stack",
        "aws:devopsguru/resourceCollection:ResourceCollection",
    ):
        assert check(REQUIRED_TAGS_POLICY, untaggable, {"tags": {}}).passed, untaggable


def test_autoscaling_group_tags_are_a_list_of_key_value_items() -> None:
    group = "aws:autoscaling/group:Group"
    items = [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in STANDARD_TAGS.items()]
    assert check(REQUIRED_TAGS_POLICY, group, {"tags": items}).passed
    result = check(REQUIRED_TAGS_POLICY, group, {"tags": items[:-1]})
    assert result.violations == [f"aws:autoscaling/group:Group 'r' is missing required tags: ManagedBy. {HINT}"]


def test_an_unknown_tag_value_defers_without_hiding_a_missing_tag() -> None:
    # `"Owner" in tags` would raise through the SDK proxy here; the policy reads keys, judges what is known,
    # reports the missing tag, and defers the unknown value to `pulumi up` (advisory).
    tags = {k: v for k, v in STANDARD_TAGS.items() if k != "CostCenter"} | {"Owner": UNKNOWN}
    result = check(REQUIRED_TAGS_POLICY, VPC, {"tags": tags})
    assert result.violations == [f"{SUBJECT} is missing required tags: CostCenter. {HINT}"]
    assert result.deferred == [
        "can't run policy 'required-tags' from policy pack 'test-pack@v0.0.1' during preview: tag Owner of "
        "aws:ec2/vpc:Vpc 'r' can't be known during preview: its value is judged on `pulumi up`, when known"
    ]
    assert result.levels == {"mandatory", "advisory"}


def test_wholly_unknown_tags_defer_every_tag_not_found_elsewhere() -> None:
    result = check(REQUIRED_TAGS_POLICY, VPC, {"tags": UNKNOWN_OBJECT, "tagsAll": {"Environment": "dev"}})
    assert result.violations == []
    assert len(result.deferred) == 1
    assert "tag Project of aws:ec2/vpc:Vpc 'r' can't be known during preview" in result.deferred[0]
    assert "tag Environment" not in result.deferred[0]


def test_required_keys_and_values_are_configurable() -> None:
    config = {"requiredTags": ["Team"], "requiredValues": {"ManagedBy": "pulumi", "Environment": "prod"}}
    result = check(REQUIRED_TAGS_POLICY, VPC, {"tags": STANDARD_TAGS}, config=config)
    assert result.violations == [
        f"{SUBJECT} is missing required tags: Team. {HINT}",
        f"{SUBJECT} has wrong tag values: Environment='dev' (must be 'prod'). {HINT}",
    ]
