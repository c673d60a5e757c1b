"""internet-entry-points-have-waf and web-acl-baseline."""

from __future__ import annotations

from typing import Any

import pytest

from policies.guardrails.waf import ACL_HINT, ENTRY_HINT, INTERNET_ENTRY_POINTS_HAVE_WAF, WEB_ACL_BASELINE

from .helpers import UNKNOWN, R, check_stack

ALB = "aws:lb/loadBalancer:LoadBalancer"
STAGE = "aws:apigateway/stage:Stage"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PROD = {"Environment": "prod"}


def managed(name: str) -> dict[str, Any]:
    return {"name": name, "statement": {"managedRuleGroupStatement": {"vendorName": "AWS", "name": name}}}


RULES = [
    {"name": "RateLimitPerIp", "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}}},
    managed("AWSManagedRulesCommonRuleSet"),
    managed("AWSManagedRulesKnownBadInputsRuleSet"),
]
REDACTED = [{"singleHeader": {"name": "authorization"}}, {"singleHeader": {"name": "cookie"}}]


def web_acl_stack(
    rules: list[Any] = RULES, redacted: list[Any] = REDACTED, kms: str | None = "arn:key", logging: bool = True
) -> list[R]:
    acl = R(ACL, "waf", {"scope": "REGIONAL", "rules": rules})
    group = R(LOG_GROUP, "waf-logs", {"name": "aws-waf-logs-x", **({"kmsKeyId": kms} if kms else {})})
    resources = [acl, group]
    if logging:
        resources.append(
            R(
                LOGGING,
                "waf-logging",
                {"resourceArn": UNKNOWN, "logDestinationConfigs": [UNKNOWN], "redactedFields": redacted},
                deps={"resourceArn": [acl], "logDestinationConfigs": [group]},
            )
        )
    return resources


def alb(internal: bool = False, tags: dict[str, str] = PROD) -> R:
    return R(ALB, "alb", {"loadBalancerType": "application", "internal": internal, "tags": tags})


def test_a_production_alb_with_a_web_acl_association_passes_even_while_arns_are_unknown() -> None:
    lb, acl = alb(), R(ACL, "waf", {"rules": RULES})
    association = R(
        ASSOCIATION,
        "assoc",
        {"resourceArn": UNKNOWN, "webAclArn": UNKNOWN},
        deps={"resourceArn": [lb], "webAclArn": [acl]},
    )
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [lb, acl, association]).passed


def test_a_production_alb_without_a_web_acl_fails() -> None:
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [alb()]).violations == [
        f"{ALB} 'alb' is internet-facing in a production stack and no aws.wafv2.WebAclAssociation attaches a web "
        f"ACL to it. {ENTRY_HINT}"
    ]


def test_internal_albs_and_non_production_stacks_need_no_web_acl() -> None:
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [alb(internal=True)]).passed
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [alb(tags={"Environment": "dev"})]).passed


def test_api_stages_and_distributions_of_production_need_a_web_acl() -> None:
    stage = R(STAGE, "stage", {"stageName": "v1", "tags": PROD})
    distribution = R(DISTRIBUTION, "cdn", {"tags": PROD})
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [stage, distribution]).violations == [
        f"{STAGE} 'stage' serves an API to the internet in a production stack and no aws.wafv2.WebAclAssociation "
        f"attaches a web ACL to it. {ENTRY_HINT}",
        f"{DISTRIBUTION} 'cdn' serves the internet in a production stack without a web ACL (webAclId). {ENTRY_HINT}",
    ]
    acl = R(ACL, "waf", {"rules": RULES})
    with_acl = R(DISTRIBUTION, "cdn", {"tags": PROD, "webAclId": UNKNOWN}, deps={"webAclId": [acl]})
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [acl, with_acl]).passed


def test_a_complete_web_acl_passes_the_baseline() -> None:
    assert check_stack(WEB_ACL_BASELINE, web_acl_stack()).passed


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        (
            web_acl_stack(rules=RULES[:2]),
            f"{ACL} 'waf' does not run the AWS managed rule group AWSManagedRulesKnownBadInputsRuleSet. {ACL_HINT}",
        ),
        (
            web_acl_stack(rules=RULES[1:]),
            f"{ACL} 'waf' has no rate-based rule: one client can flood the entry point. {ACL_HINT}",
        ),
        (
            web_acl_stack(logging=False),
            f"{ACL} 'waf' has no aws.wafv2.WebAclLoggingConfiguration: blocked and allowed requests leave no trace. "
            f"{ACL_HINT}",
        ),
        (
            web_acl_stack(kms=None),
            f"{ACL} 'waf' logs to {LOG_GROUP} 'waf-logs', which is not encrypted with a KMS key (kmsKeyId). {ACL_HINT}",
        ),
        (
            web_acl_stack(redacted=REDACTED[:1]),
            f"{ACL} 'waf' logs the cookie header in clear: redact it (redactedFields singleHeader). {ACL_HINT}",
        ),
        (
            web_acl_stack(redacted=[]),
            f"{ACL} 'waf' logs the authorization, cookie headers in clear: redact them (redactedFields singleHeader). "
            f"{ACL_HINT}",
        ),
    ],
    ids=["no-known-bad-inputs", "no-rate-limit", "no-logging", "unencrypted-logs", "cookie-logged", "both-logged"],
)
def test_a_web_acl_missing_a_part_of_the_baseline_fails(resources: list[R], message: str) -> None:
    assert check_stack(WEB_ACL_BASELINE, resources).violations == [message]


def test_production_by_tag_in_any_case_decides_and_an_unknown_tag_defers() -> None:
    assert not check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [alb(tags={"Environment": "Production"})]).passed
    result = check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [alb(tags={"Environment": UNKNOWN})])
    assert result.violations == [] and "the Environment tag of" in result.deferred[0]


def test_only_internet_facing_application_load_balancers_are_entry_points() -> None:
    internal = R(ALB, "alb", {"loadBalancerType": "application", "internal": "true", "tags": PROD})
    network = R(ALB, "nlb", {"loadBalancerType": "network", "tags": PROD})
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [internal, network]).passed
    default_type = R(ALB, "alb", {"internal": "false", "tags": PROD})
    assert not check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [default_type]).passed


def test_a_web_acl_whose_rules_or_redactions_are_unknown_at_preview_is_deferred() -> None:
    acl = R(ACL, "waf", {"scope": "REGIONAL", "rules": UNKNOWN})
    result = check_stack(WEB_ACL_BASELINE, [acl])
    assert result.violations == [] and ".rules of" in result.deferred[0]
    result = check_stack(WEB_ACL_BASELINE, web_acl_stack(redacted=UNKNOWN))  # type: ignore[arg-type]
    assert result.violations == [] and ".redactedFields of" in result.deferred[0]


def test_managed_rule_groups_count_only_from_aws_and_headers_match_in_any_case() -> None:
    foreign = [
        RULES[0],
        RULES[1],
        {
            "statement": {
                "managedRuleGroupStatement": {"vendorName": "Other", "name": "AWSManagedRulesKnownBadInputsRuleSet"}
            }
        },
    ]
    assert check_stack(WEB_ACL_BASELINE, web_acl_stack(rules=foreign)).violations == [
        f"{ACL} 'waf' does not run the AWS managed rule group AWSManagedRulesKnownBadInputsRuleSet. {ACL_HINT}"
    ]
    upper = [{"singleHeader": {"name": "Authorization"}}, {"singleHeader": {"name": "COOKIE"}}]
    assert check_stack(WEB_ACL_BASELINE, web_acl_stack(redacted=upper)).passed
    one = [{"singleHeader": {"name": "authorization"}}, {"method": {}}]
    assert check_stack(WEB_ACL_BASELINE, web_acl_stack(redacted=one)).violations == [
        f"{ACL} 'waf' logs the cookie header in clear: redact it (redactedFields singleHeader). {ACL_HINT}"
    ]


def test_the_legacy_alb_type_is_an_entry_point_too() -> None:
    legacy = R("aws:alb/loadBalancer:LoadBalancer", "alb", {"loadBalancerType": "application", "tags": PROD})
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [legacy]).violations == [
        f"aws:alb/loadBalancer:LoadBalancer 'alb' is internet-facing in a production stack and no "
        f"aws.wafv2.WebAclAssociation attaches a web ACL to it. {ENTRY_HINT}"
    ]


def test_a_distribution_web_acl_counts_known_or_by_dependency_alone() -> None:
    known = R(DISTRIBUTION, "cdn", {"tags": PROD, "webAclId": "arn:aws:wafv2:us-east-1:1:global/webacl/x/1"})
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [known]).passed
    acl = R(ACL, "waf", {"rules": RULES})
    by_dependency = R(DISTRIBUTION, "cdn", {"tags": PROD}, deps={"webAclId": [acl]})
    assert check_stack(INTERNET_ENTRY_POINTS_HAVE_WAF, [acl, by_dependency]).passed


def test_only_log_group_destinations_are_judged_for_encryption() -> None:
    acl = R(ACL, "waf", {"scope": "REGIONAL", "rules": RULES})
    stream = R("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "aws-waf-logs-stream", {})
    logging = R(
        LOGGING,
        "waf-logging",
        {"resourceArn": UNKNOWN, "logDestinationConfigs": [UNKNOWN], "redactedFields": REDACTED},
        deps={"resourceArn": [acl], "logDestinationConfigs": [stream]},
    )
    assert check_stack(WEB_ACL_BASELINE, [acl, stream, logging]).passed
    assert check_stack(WEB_ACL_BASELINE, web_acl_stack(kms=None)).violations == [
        f"{ACL} 'waf' logs to {LOG_GROUP} 'waf-logs', which is not encrypted with a KMS key (kmsKeyId). {ACL_HINT}"
    ]
