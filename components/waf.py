"""WAFv2 web ACLs for every entry point from the internet (the ALB today; CloudFront and API stages reuse it).

`web_acl` builds one web ACL with:

- a rate limit per client (`RateLimitPerIp`, priority 1, blocks): keyed on the source IP, or, behind
  CloudFront or API Gateway (where the source IP is the proxy's), on the first address of a forwarded IP
  header (`forwardedIpHeader: X-Forwarded-For`; `fallbackBehavior: MATCH`, so a request without a valid
  header is counted against one shared key instead of escaping the limit);
- the AWS managed rule groups `AWSManagedRulesCommonRuleSet` (OWASP top risks) and
  `AWSManagedRulesKnownBadInputsRuleSet` (Log4j/Log4Shell, Java deserialisation, host-header exploits);
- logging to a CloudWatch log group named `aws-waf-logs-<name>` (WAF only delivers to names with that
  prefix), encrypted with the stack key, with the stack's retention, and with the `authorization` and
  `cookie` headers redacted (credentials never land in logs). WAF adds the log group resource policy for
  `delivery.logs.amazonaws.com` itself when the logging configuration is created.

Every resource is created with the caller's options (parent, provider): the ALB's ACL keeps the names and
parent it had, so existing stacks see no replacement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from .naming import physical_name

MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
"""AWS managed rule groups every web ACL runs, in priority order after the rate limit."""
REDACTED_HEADERS = ("authorization", "cookie")
"""Headers kept out of WAF logs (WAF wants them lower-case)."""
LOG_GROUP_PREFIX = "aws-waf-logs-"


@dataclass(frozen=True, kw_only=True)
class WebAclArgs:
    purpose: str
    """Physical name suffix and metric prefix: `alb` -> `<product>-<stack>-alb`."""
    scope: Literal["REGIONAL", "CLOUDFRONT"]
    """`CLOUDFRONT` ACLs (and their log group) must be created in us-east-1: pass that provider in `opts`."""
    description: str
    rate_limit: int
    """Requests per client in 5 minutes before it is blocked."""
    forwarded_ip_header: str | None = None
    """Key the rate limit on this header's first address (`X-Forwarded-For`) instead of the source IP."""
    kms_key_arn: pulumi.Input[str] | None = None
    """Encrypts the log group (a key in the ACL's region). None: no logging configuration is created."""
    log_retention_days: int = 365


def _visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, sampled_requests_enabled=True, metric_name=metric
    )


def _managed(priority: int, group: str, metric: str) -> aws.wafv2.WebAclRuleArgs:
    return aws.wafv2.WebAclRuleArgs(
        name=group,
        priority=priority,
        override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                vendor_name="AWS", name=group
            )
        ),
        visibility_config=_visibility(f"{metric}-{group}"),
    )


def _rate_limit(args: WebAclArgs, metric: str) -> aws.wafv2.WebAclRuleArgs:
    forwarded = None
    if args.forwarded_ip_header is not None:
        forwarded = aws.wafv2.WebAclRuleStatementRateBasedStatementForwardedIpConfigArgs(
            header_name=args.forwarded_ip_header, fallback_behavior="MATCH"
        )
    return aws.wafv2.WebAclRuleArgs(
        name="RateLimitPerIp",
        priority=1,
        action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                limit=args.rate_limit,
                aggregate_key_type="FORWARDED_IP" if forwarded else "IP",
                forwarded_ip_config=forwarded,
                evaluation_window_sec=300,
            )
        ),
        visibility_config=_visibility(f"{metric}-rate-limit"),
    )


def web_acl(name: str, args: WebAclArgs, opts: pulumi.ResourceOptions) -> aws.wafv2.WebAcl:
    """The web ACL `name` (logical) with its logging; associate it with `associate` (regional resources) or
    a distribution's `web_acl_id` (CloudFront)."""
    metric = physical_name(args.purpose, separator="-")
    rules: Sequence[aws.wafv2.WebAclRuleArgs] = [
        _rate_limit(args, metric),
        *(_managed(priority, group, metric) for priority, group in enumerate(MANAGED_RULE_GROUPS, start=2)),
    ]
    acl = aws.wafv2.WebAcl(
        name,
        name=physical_name(args.purpose),
        scope=args.scope,
        description=args.description,
        default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
        rules=list(rules),
        visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, sampled_requests_enabled=True, metric_name=metric
        ),
        opts=opts,
    )
    if args.kms_key_arn is not None:
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=LOG_GROUP_PREFIX + physical_name(args.purpose),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=opts,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in REDACTED_HEADERS
            ],
            opts=opts,
        )
    return acl


def associate(
    name: str, acl: aws.wafv2.WebAcl, resource_arn: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> aws.wafv2.WebAclAssociation:
    """Attach a REGIONAL web ACL to an ALB or an API Gateway REST stage (`arn:...:/restapis/<id>/stages/<s>`)."""
    return aws.wafv2.WebAclAssociation(name, resource_arn=resource_arn, web_acl_arn=acl.arn, opts=opts)
