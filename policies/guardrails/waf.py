"""internet-entry-points-have-waf and web-acl-baseline.

internet-entry-points-have-waf (stack): in a production stack every entry point from the internet has a WAFv2
web ACL: an internet-facing application load balancer and an API Gateway REST stage through an
`aws.wafv2.WebAclAssociation` whose `resourceArn` is built from it; a CloudFront distribution through its
`webAclId`. So `waf: {enabled: false}` in a production stack file is a violation, not a silent downgrade.
Relations come from the engine's property dependencies, which it gives even while ARNs are unknown (first
preview).

web-acl-baseline (stack): every web ACL runs the AWS managed rule groups the platform requires (the common rule
set and the known-bad-inputs set: Log4Shell and friends), has a rate-based rule, and logs through an
`aws.wafv2.WebAclLoggingConfiguration` to a CloudWatch log group encrypted with a KMS key (`kmsKeyId`),
redacting the `authorization` and `cookie` headers.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import (
    PRODUCTION_SETTING,
    Context,
    Stack,
    StackResource,
    Unknown,
    as_list,
    dig,
    is_true,
    stack_policy,
    string_list,
)

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
REST_STAGE = "aws:apigateway/stage:Stage"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

ENTRY_HINT = (
    "Give every internet entry point a web ACL (platform:loadBalancer.waf.enabled: true; sites and "
    "APIs get theirs from their components): components/waf.py."
)
ACL_HINT = (
    "Build web ACLs with components/waf.py `web_acl`: rate limit, AWS managed common and "
    "known-bad-inputs rule groups, encrypted logs with credentials redacted."
)


def _internet_facing_alb(resource: StackResource) -> bool:
    kind = resource.props.get("loadBalancerType")
    return not is_true(resource.props.get("internal")) and kind in (None, "application")


def _associated(stack: Stack, resource: StackResource) -> bool:
    return any(r.type == ASSOCIATION for r, _ in stack.referrers(resource.urn, key="resourceArn"))


def check_entry_points(stack: Stack, ctx: Context) -> None:
    for resource in stack.of_type(*LOAD_BALANCERS, REST_STAGE, DISTRIBUTION):
        if not ctx.in_production(resource):
            continue
        if resource.type in LOAD_BALANCERS:
            if _internet_facing_alb(resource) and not _associated(stack, resource):
                ctx.violation(
                    f"{resource.subject} is internet-facing in a production stack and no "
                    f"aws.wafv2.WebAclAssociation attaches a web ACL to it. {ENTRY_HINT}",
                    resource.urn,
                )
        elif resource.type == REST_STAGE:
            if not _associated(stack, resource):
                ctx.violation(
                    f"{resource.subject} serves an API to the internet in a production stack and no "
                    f"aws.wafv2.WebAclAssociation attaches a web ACL to it. {ENTRY_HINT}",
                    resource.urn,
                )
        else:
            acl = resource.props.get("webAclId")
            if not acl and "webAclId" not in resource.property_dependencies:
                ctx.violation(
                    f"{resource.subject} serves the internet in a production stack without a web ACL "
                    f"(webAclId). {ENTRY_HINT}",
                    resource.urn,
                )


INTERNET_ENTRY_POINTS_HAVE_WAF = stack_policy(
    name="internet-entry-points-have-waf",
    description="In production every entry point from the internet (internet-facing ALB, API Gateway stage, "
    "CloudFront distribution) has a WAFv2 web ACL.",
    check=check_entry_points,
    settings=PRODUCTION_SETTING,
    severity=Severity.HIGH,
    remediation=ENTRY_HINT,
)


def _managed_groups(rules: list[Any]) -> set[str]:
    found = set()
    for rule in rules:
        statement = dig(rule, "statement", "managedRuleGroupStatement")
        if isinstance(statement, dict) and statement.get("vendorName") == "AWS":
            found.add(str(statement.get("name")))
    return found


def _redacted_headers(logging: StackResource) -> set[str] | Unknown:
    fields = as_list(logging.props.get("redactedFields"))
    if isinstance(fields, Unknown):
        return fields
    return {str(dig(f, "singleHeader", "name")).lower() for f in fields if isinstance(dig(f, "singleHeader"), dict)}


def _check_logging(stack: Stack, acl: StackResource, logging: StackResource, ctx: Context) -> None:
    groups = [
        stack.by_urn[urn]
        for urn in logging.property_dependencies.get("logDestinationConfigs", [])
        if urn in stack.by_urn and stack.by_urn[urn].type == LOG_GROUP
    ]
    for group in groups:
        if group.props.get("kmsKeyId") is None:
            ctx.violation(
                f"{acl.subject} logs to {group.subject}, which is not encrypted with a KMS key (kmsKeyId). {ACL_HINT}",
                acl.urn,
            )
    redacted = _redacted_headers(logging)
    if isinstance(redacted, Unknown):
        ctx.defer(f".redactedFields of {logging.subject}", "judged on `pulumi up`, when known")
        return
    missing = [h for h in (str(h).lower() for h in ctx.settings["redactedHeaders"]) if h not in redacted]
    if missing:
        ctx.violation(
            f"{acl.subject} logs the {', '.join(missing)} header{'s' if len(missing) > 1 else ''} "
            f"in clear: redact {'them' if len(missing) > 1 else 'it'} (redactedFields singleHeader). "
            f"{ACL_HINT}",
            acl.urn,
        )


def check_web_acls(stack: Stack, ctx: Context) -> None:
    for acl in stack.of_type(WEB_ACL):
        rules = as_list(acl.props.get("rules"))
        if isinstance(rules, Unknown):
            ctx.defer(f".rules of {acl.subject}", "judged on `pulumi up`, when known")
            continue
        missing = [
            g for g in (str(g) for g in ctx.settings["requiredManagedRuleGroups"]) if g not in _managed_groups(rules)
        ]
        if missing:
            ctx.violation(
                f"{acl.subject} does not run the AWS managed rule group{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}. {ACL_HINT}",
                acl.urn,
            )
        if not any(isinstance(dig(r, "statement", "rateBasedStatement"), dict) for r in rules):
            ctx.violation(
                f"{acl.subject} has no rate-based rule: one client can flood the entry point. {ACL_HINT}", acl.urn
            )
        loggings = [r for r, _ in stack.referrers(acl.urn, key="resourceArn") if r.type == LOGGING]
        if not loggings:
            ctx.violation(
                f"{acl.subject} has no aws.wafv2.WebAclLoggingConfiguration: blocked and allowed "
                f"requests leave no trace. {ACL_HINT}",
                acl.urn,
            )
        for logging in loggings:
            _check_logging(stack, acl, logging, ctx)


WEB_ACL_BASELINE = stack_policy(
    name="web-acl-baseline",
    description="Every WAFv2 web ACL runs the AWS managed common and known-bad-inputs rule groups and a "
    "rate-based rule, and logs to a KMS-encrypted log group with the authorization and cookie "
    "headers redacted.",
    check=check_web_acls,
    settings={
        "requiredManagedRuleGroups": string_list(
            ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
            "AWS managed rule groups every web ACL must run.",
        ),
        "redactedHeaders": string_list(
            ["authorization", "cookie"], "Request headers a web ACL's logging configuration must redact."
        ),
    },
    severity=Severity.HIGH,
    remediation=ACL_HINT,
)

POLICIES = [INTERNET_ENTRY_POINTS_HAVE_WAF, WEB_ACL_BASELINE]
