"""No guardrail crashes on any resource shape: odd types, nulls, unknowns everywhere. A crash would fail the
whole `pulumi preview`; an unknown must end as a deliberate deferral, never as an exception."""

from __future__ import annotations

import functools
import itertools
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from policies.guardrails import POLICIES

from .helpers import (
    UNKNOWN,
    UNKNOWN_ARRAY,
    UNKNOWN_BOOL,
    UNKNOWN_NUMBER,
    UNKNOWN_OBJECT,
    R,
    check,
    check_stack_request,
    stack_request,
)

KEYS = [
    "tags",
    "tagsAll",
    "policy",
    "assumeRolePolicy",
    "inlinePolicies",
    "managedPolicyArns",
    "policyArn",
    "ingress",
    "type",
    "protocol",
    "ipProtocol",
    "fromPort",
    "toPort",
    "cidrBlocks",
    "ipv6CidrBlocks",
    "cidrIpv4",
    "cidrIpv6",
    "containerDefinitions",
    "rules",
    "serverSideEncryptionConfiguration",
    "settings",
    "defaultActions",
    "sslPolicy",
    "deploymentCircuitBreaker",
    "deploymentController",
    "networkConfiguration",
    "enableExecuteCommand",
    "serverSideEncryption",
    "pointInTimeRecovery",
    "versioningConfiguration",
    "dimensions",
    "metricQueries",
    "retentionInDays",
    "storageEncrypted",
    "kmsKeyId",
    "kmsMasterKeyId",
    "publiclyAccessible",
    "backupRetentionPeriod",
    "skipFinalSnapshot",
    "deletionProtection",
    "deletionProtectionEnabled",
    "internal",
    "loadBalancerType",
    "dropInvalidHeaderFields",
    "action",
    "principal",
    "trafficType",
    "versioning",
    "blockPublicAcls",
    "engineMode",
    "sqsManagedSseEnabled",
    "accessLogs",
    "bucket",
    "encrypted",
    "policyDocument",
    "accessPolicies",
    "accessPolicy",
]
VALUES: list[Any] = [
    None,
    UNKNOWN,
    UNKNOWN_BOOL,
    UNKNOWN_NUMBER,
    UNKNOWN_ARRAY,
    UNKNOWN_OBJECT,
    7,
    "x",
    "[",
    "{}",
    True,
    [],
    [None],
    [UNKNOWN],
    ["*"],
    {},
    {"a": None},
    {"Statement": UNKNOWN},
    [{"x": UNKNOWN}],
    {"rule": [1]},
    '{"Statement": "x"}',
    '[{"image": 3, "environment": [1], "user": 0}]',
    '{"Statement": [{"Effect": "Allow", "Action": [1, {"a": 1}], "Resource": 5, "Principal": [1], '
    '"Condition": [1], "NotPrincipal": 2}]}',
    '{"Statement": {"Effect": "Deny", "Principal": {"AWS": 1}, "Condition": {"Bool": 3}}}',
    [{"name": 1, "value": {}}, {"key": UNKNOWN}],
    {"enable": UNKNOWN_BOOL, "type": 9},
]
SHAPES = [dict.fromkeys(KEYS, value) for value in VALUES] + [{}]
STACK_VALUES: list[Any] = [
    None,
    UNKNOWN,
    UNKNOWN_BOOL,
    UNKNOWN_NUMBER,
    UNKNOWN_ARRAY,
    UNKNOWN_OBJECT,
    7,
    "x",
    True,
    [None],
    [UNKNOWN],
    {"a": None},
    [{"x": UNKNOWN}],
    {"rule": [1]},
]
"""Every kind of unknown and odd shape, for the (slower) stack policies."""

LINKS = [
    "securityGroupId",
    "securityGroups",
    "networkConfiguration",
    "bucket",
    "queueUrl",
    "vpcId",
    "logDestination",
    "dimensions",
    "metricQueries",
    "accessLogs",
]
"""The property dependencies stack policies follow."""

RESOURCE_POLICIES = [p for p in POLICIES if isinstance(p, ResourceValidationPolicy)]
STACK_POLICIES = [p for p in POLICIES if isinstance(p, StackValidationPolicy)]


def _types(policy: ResourceValidationPolicy) -> list[str]:
    types = sorted(policy.resource_types or [])  # type: ignore[attr-defined]
    return types[:12]  # required-tags judges ~860 types the same way


@pytest.mark.parametrize("policy", RESOURCE_POLICIES, ids=lambda p: p.name)
def test_resource_policies_never_crash(policy: ResourceValidationPolicy) -> None:
    for resource_type, props in itertools.product(_types(policy), SHAPES):
        result = check(policy, resource_type, props)  # raises if the policy raised anything but a deferral
        assert not [v for v in result.violations if "could not be judged" in v], (resource_type, props)


STACK_TYPES = [
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/flowLog:FlowLog",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:ecs/service:Service",
    "aws:rds/cluster:Cluster",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
]


@functools.cache
def _stack_requests() -> list[tuple[dict[str, Any], analyzer_pb2.AnalyzeStackRequest]]:
    """Per stack value, every key of every type set to it, everything depending on everything by every key:
    built once and judged by every stack policy (requests are read, never changed)."""
    requests = []
    for value in STACK_VALUES:
        props = dict.fromkeys(KEYS, value)
        resources = [R(t, f"r{i}", dict(props)) for i, t in enumerate(STACK_TYPES)]
        for i, resource in enumerate(resources):
            resource.deps = {key: [resources[(i + 1) % len(resources)], resources[i - 1]] for key in LINKS}
        requests.append((props, stack_request(resources)))
    return requests


@pytest.mark.parametrize("policy", STACK_POLICIES, ids=lambda p: p.name)
def test_stack_policies_never_crash(policy: StackValidationPolicy) -> None:
    for props, request in _stack_requests():
        result = check_stack_request(policy, request)
        assert not [v for v in result.violations if "could not be judged" in v], props


def test_an_unforeseen_crash_is_reported_not_passed() -> None:
    from policies.guardrails.base import resource_policy

    def broken(resource: object, ctx: object) -> None:
        raise KeyError("surprise")

    policy = resource_policy(name="broken", description="d", types=None, check=broken, remediation="r")
    result = check(policy, "aws:ec2/vpc:Vpc", {})
    assert result.levels == {"mandatory"}
    assert result.violations == [
        "aws:ec2/vpc:Vpc 'r' could not be judged (KeyError: 'surprise'); the policy met a property shape it does not "
        "understand, so it reports instead of passing: report this to the platform team with the resource's inputs."
    ]
