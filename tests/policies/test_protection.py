"""prod-stateful-resources-protected: in production, resources that store data carry Pulumi's `protect` option."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies.guardrails.protection import HINT, PROD_STATEFUL_RESOURCES_PROTECTED, STATEFUL_DEFAULT

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_OBJECT, check

POLICY = PROD_STATEFUL_RESOURCES_PROTECTED
PROD_TAGS = {**STANDARD_TAGS, "Environment": "prod"}


@pytest.mark.parametrize("resource_type", STATEFUL_DEFAULT)
def test_in_production_every_stateful_type_must_be_protected(
    resource_type: str, stack_name: Callable[[str], None]
) -> None:
    stack_name("prod")
    assert check(POLICY, resource_type, {"tags": PROD_TAGS}, protect=True).passed
    assert check(POLICY, resource_type, {"tags": PROD_TAGS}).violations == [
        f"{resource_type} 'r' stores production data without the `protect` resource option. {HINT}"
    ]


def test_the_message_says_how_to_fix_it(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    assert check(POLICY, "aws:rds/cluster:Cluster", {}, name="database-cluster").violations == [
        "aws:rds/cluster:Cluster 'database-cluster' stores production data without the `protect` resource option. "
        "Pass opts=pulumi.ResourceOptions(protect=True) (the platform's components do where "
        "protectStatefulResources is on, the prod preset), so no `pulumi up` or `pulumi destroy` can delete or "
        "replace it and the data it holds."
    ]


def test_outside_production_nothing_is_required() -> None:
    for resource_type in STATEFUL_DEFAULT:
        assert check(POLICY, resource_type, {"tags": STANDARD_TAGS}).passed  # stack dev, Environment dev
    assert check(POLICY, "aws:s3/bucket:Bucket", {}).passed  # no tags at all: the stack decides


def test_the_environment_tag_makes_production_in_any_stack() -> None:
    # Stack "dev" (the fixture), as the bootstrap's "shared" stack: the resource says it is production data.
    assert check(POLICY, "aws:kms/key:Key", {"tags": PROD_TAGS}).violations == [
        f"aws:kms/key:Key 'r' stores production data without the `protect` resource option. {HINT}"
    ]
    assert check(POLICY, "aws:kms/key:Key", {"tags": PROD_TAGS}, protect=True).passed
    live = {**STANDARD_TAGS, "Environment": "live"}
    assert check(POLICY, "aws:sqs/queue:Queue", {"tags": live}).passed
    assert check(POLICY, "aws:sqs/queue:Queue", {"tags": live}, config={"productionEnvironments": ["live"]}).violations


def test_an_unknown_environment_tag_defers_instead_of_skipping() -> None:
    result = check(POLICY, "aws:dynamodb/table:Table", {"tags": {**STANDARD_TAGS, "Environment": UNKNOWN}})
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'prod-stateful-resources-protected' from policy pack 'test-pack@v0.0.1' during preview: "
        "the Environment tag of aws:dynamodb/table:Table 'r' can't be known during preview: whether it is "
        "production is judged on `pulumi up`"
    ]
    assert check(POLICY, "aws:s3/bucket:Bucket", {"tags": UNKNOWN_OBJECT}).deferred  # all the tags unknown
    # Protected already: compliant whatever the tag turns out to be, so nothing is deferred.
    assert check(
        POLICY, "aws:dynamodb/table:Table", {"tags": {**STANDARD_TAGS, "Environment": UNKNOWN}}, protect=True
    ).passed


def test_in_a_production_stack_an_unknown_tag_does_not_matter(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    tags = {**STANDARD_TAGS, "Environment": UNKNOWN}
    assert check(POLICY, "aws:dynamodb/table:Table", {"tags": tags}, protect=True).passed
    assert check(POLICY, "aws:dynamodb/table:Table", {"tags": tags}).violations == [
        f"aws:dynamodb/table:Table 'r' stores production data without the `protect` resource option. {HINT}"
    ]


def test_stateless_types_are_not_judged(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    for resource_type in (
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:iam/role:Role",
        "aws:kms/alias:Alias",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ebs/volume:Volume",
    ):
        assert check(POLICY, resource_type, {"tags": PROD_TAGS}).passed, resource_type


def test_the_stateful_types_are_configurable(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    config = {"statefulTypes": ["aws:cloudwatch/logGroup:LogGroup"]}
    assert check(POLICY, "aws:cloudwatch/logGroup:LogGroup", {}, config=config).violations == [
        f"aws:cloudwatch/logGroup:LogGroup 'r' stores production data without the `protect` resource option. {HINT}"
    ]
    assert check(POLICY, "aws:s3/bucket:Bucket", {}, config=config).passed  # no longer in the list
