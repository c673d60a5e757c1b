"""Every taggable AWS resource in every stack carries the five standard tags in its own `tags` input."""

from __future__ import annotations

import importlib

import pulumi_aws as aws
import pytest

from components.tagging import merge_tags, takes_tag_map
from offline.engine import StackRun

REQUIRED = {"Environment", "Project", "Owner", "CostCenter", "ManagedBy"}


def sdk_class(resource_type: str) -> type:
    """`aws:ec2/vpc:Vpc` -> pulumi_aws.ec2.Vpc, the class the SDK registers for that token."""
    _, module_path, class_name = resource_type.split(":")
    module = module_path.split("/")[0]
    package = aws if module == "index" else importlib.import_module(f"pulumi_aws.{module}")
    return getattr(package, class_name)


@pytest.mark.parametrize(
    ("cls", "taggable"),
    [
        (aws.ec2.Vpc, True),
        (aws.ec2.Subnet, True),
        (aws.iam.Role, True),
        (aws.vpc.SecurityGroupIngressRule, True),
        (aws.ec2.Route, False),
        (aws.ec2.RouteTableAssociation, False),
        (aws.iam.RolePolicy, False),
        (aws.autoscaling.Group, False),  # its `tags` is a list of {key, value, propagateAtLaunch}
    ],
)
def test_taggability_is_read_from_the_installed_sdk(cls: type, taggable: bool) -> None:
    assert takes_tag_map(cls) is taggable


def test_every_taggable_resource_carries_the_standard_tags(stack_run: StackRun) -> None:
    aws_resources = [r for r in stack_run.custom_resources if r.type.startswith("aws:")]
    taggable = [r for r in aws_resources if takes_tag_map(sdk_class(r.type))]
    assert taggable, "a stack with no taggable resource proves nothing"
    untagged = [
        (r.type, r.name, sorted(REQUIRED - set(r.inputs.get("tags") or {})))
        for r in taggable
        if not set(r.inputs.get("tags") or {}) >= REQUIRED
    ]
    assert untagged == []
    for resource in taggable:
        tags = resource.inputs["tags"]
        assert all(tags[key] for key in REQUIRED), resource.name
        assert tags["ManagedBy"] == "pulumi"
        assert tags["Environment"] == stack_run.stack
        assert tags["Project"] == "platform"


def test_tags_are_inputs_even_at_first_preview(preview_runs: dict[str, StackRun]) -> None:
    for run in preview_runs.values():
        for resource in run.custom_resources:
            if resource.type.startswith("aws:") and takes_tag_map(sdk_class(resource.type)):
                assert set(resource.inputs["tags"]) >= REQUIRED, resource.name


def test_per_resource_tags_merge_and_standard_keys_win() -> None:
    merged = merge_tags({"Name": "x", "Owner": "someone"}, {"Owner": "team", "ManagedBy": "pulumi"})
    assert merged == {"Name": "x", "Owner": "team", "ManagedBy": "pulumi"}


def test_stack_extra_tags_reach_resources(stack_runs: dict[str, StackRun]) -> None:
    [vpc] = stack_runs["prod"].of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["tags"]["DataClassification"] == "confidential"
    assert vpc.inputs["tags"]["Name"] == "platform-prod-vpc"


@pytest.mark.parametrize("variant", ["vpc-link", "cloudfront"])
def test_the_vpc_link_and_cloudfront_variants_tag_every_taggable_resource(variant: str) -> None:
    from tests.components.test_alb_cdn import cdn_run
    from tests.components.test_private_link import vpc_link_run

    run = vpc_link_run() if variant == "vpc-link" else cdn_run()
    taggable = [r for r in run.custom_resources if r.type.startswith("aws:") and takes_tag_map(sdk_class(r.type))]
    new = {
        "aws:apigateway/vpcLink:VpcLink",
        "aws:cloudfront/distribution:Distribution",
        "aws:lb/loadBalancer:LoadBalancer",
    }
    assert new & {r.type for r in taggable}
    assert [(r.type, r.name) for r in taggable if not set(r.inputs.get("tags") or {}) >= REQUIRED] == []
