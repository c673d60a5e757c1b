"""`loadBalancer.cloudFront`: CloudFront in front of the ALB. The ALB's group admits only CloudFront's
origin-facing prefix list, its service rules require the origin-verify header CloudFront adds, and no 0.0.0.0/0
remains anywhere. The prod stack with a distribution in front of its ALB."""

from __future__ import annotations

import json

import pytest

from components.config import StackConfigError, load_stack_config
from offline.cost import estimate_run
from offline.engine import RecordedResource, StackRun, stack_config
from tests.shared_runs import shared_run

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
CDN = {"domain": {"name": "www.example.com", "hostedZone": "example.com"}}


def cdn_config(stack: str = "prod", **cdn: object) -> dict[str, str]:
    flat = stack_config(stack)
    balancer = json.loads(flat["platform:loadBalancer"])
    balancer["cloudFront"] = {**CDN, **cdn}
    flat["platform:loadBalancer"] = json.dumps(balancer)
    return flat


def cdn_run(preview: bool = False) -> StackRun:
    """Prod with CloudFront in front of its ALB, once per session (shared with tests/policies/test_edge_pack_e2e.py
    and tests/test_tagging.py)."""
    return shared_run("prod", config=cdn_config(), preview=preview)


def named(run: StackRun, name: str) -> RecordedResource:
    [resource] = [r for r in run.resources if r.name == name]
    return resource


def test_the_albs_group_admits_only_cloudfronts_prefix_list_on_443() -> None:
    run = cdn_run()
    group = named(run, "load-balancer-sg")
    rules = [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]
    on_443 = [r for r in rules if r.inputs["fromPort"] == 443]
    assert [r.name for r in on_443] == ["cdn-alb-in-cloudfront"]
    assert on_443[0].inputs["prefixListId"].startswith("pl-") and "cidrIpv4" not in on_443[0].inputs
    assert not [r for r in rules if r.inputs["fromPort"] == 80]
    assert "CloudFront" in group.inputs["description"]


def test_no_security_group_anywhere_admits_the_internet() -> None:
    run = cdn_run()
    opened = [
        r.name
        for r in run.of_type(INGRESS)
        if r.inputs.get("cidrIpv4") == "0.0.0.0/0" or r.inputs.get("cidrIpv6") == "::/0"
    ]
    assert opened == []


def test_every_web_service_rule_requires_the_header_cloudfront_adds() -> None:
    run = cdn_run()
    origin = named(run, "cdn-distribution").inputs["origins"][0]
    [header] = origin["customHeaders"]
    assert header["name"] == "X-Origin-Verify" and len(header["value"]) == 48
    for rule in run.of_type("aws:lb/listenerRule:ListenerRule"):
        conditions = [c["httpHeader"] for c in rule.inputs["conditions"] if "httpHeader" in c]
        assert conditions == [{"httpHeaderName": "X-Origin-Verify", "values": [header["value"]]}], rule.name
    secret = named(run, "origin-verify-cdn")
    assert secret.inputs["name"] == "/platform/prod/cdn/origin-verify" and secret.inputs["kmsKeyId"]
    assert secret.protect  # prod


def test_the_distribution_calls_the_alb_over_tls_12_by_its_domain_and_serves_viewers_https_only() -> None:
    distribution = named(cdn_run(), "cdn-distribution").inputs
    origin = distribution["origins"][0]
    assert origin["domainName"] == "api.example.com"
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    behavior = distribution["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["cachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert behavior["originRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert distribution["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert distribution["aliases"] == ["www.example.com"] and distribution["webAclId"]


def test_the_web_acls_are_cloudfront_scope_at_the_edge_and_the_albs_keys_on_x_forwarded_for() -> None:
    run = cdn_run()
    edge_acl = named(run, "cdn-waf")
    assert edge_acl.inputs["scope"] == "CLOUDFRONT"
    assert edge_acl.inputs["rules"][0]["statement"]["rateBasedStatement"]["aggregateKeyType"] == "IP"
    provider = next(r for r in run.resources if r.type == "pulumi:providers:aws" and r.name == "edge-us-east-1")
    assert provider.inputs["region"] == "us-east-1"
    alb_acl = named(run, "load-balancer-waf")
    limit = alb_acl.inputs["rules"][0]["statement"]["rateBasedStatement"]
    assert (limit["aggregateKeyType"], limit["forwardedIpConfig"]["headerName"]) == ("FORWARDED_IP", "X-Forwarded-For")


def test_logs_security_headers_alias_records_and_the_5xx_alarm() -> None:
    run = cdn_run()
    assert named(run, "cdn-log-source").inputs["logType"] == "ACCESS_LOGS"
    assert named(run, "cdn-access-logs").inputs["kmsKeyId"]
    headers = named(run, "cdn-security-headers").inputs["securityHeadersConfig"]
    assert headers["strictTransportSecurity"]["accessControlMaxAgeSec"] == 63_072_000
    assert "contentSecurityPolicy" not in headers  # the application sends its own unless configured
    assert {named(run, f"cdn-alias-{t}").inputs["type"] for t in ("a", "aaaa")} == {"A", "AAAA"}
    assert named(run, "cdn-5xx-rate").inputs["metricName"] == "5xxErrorRate"


def test_every_new_resource_is_priced_or_known_free() -> None:
    assert estimate_run(cdn_run(), cdn_config()).missing == []


# -- config ------------------------------------------------------------------------------------------------
def problems(flat: dict[str, str], stack: str = "prod") -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stack, flat)
    return caught.value.lines


def test_the_viewer_name_must_differ_from_the_origins() -> None:
    flat = cdn_config(domain={"name": "api.example.com", "hostedZone": "example.com"})
    assert problems(flat) == [
        "Pulumi.prod.yaml: platform:loadBalancer.cloudFront.domain.name = 'api.example.com': the viewers' name "
        "must differ from loadBalancer.domain.name (the origin's name)"
    ]


def test_a_test_listener_that_overflows_the_groups_rules_quota_is_refused() -> None:
    flat = cdn_config()
    balancer = json.loads(flat["platform:loadBalancer"])
    balancer["testListener"] = {"cidrs": ["198.51.100.0/24", "203.0.113.0/24"]}
    flat["platform:loadBalancer"] = json.dumps(balancer)
    assert problems(flat) == [
        "Pulumi.prod.yaml: platform:loadBalancer.testListener.cidrs = ['198.51.100.0/24', '203.0.113.0/24']: the "
        "ALB's group would hold 61 inbound rule entries (CloudFront's prefix list counts 55) over the default quota "
        "of 60: list fewer networks, or raise the quota (Service Quotas: inbound or outbound rules per security "
        "group) first"
    ]


def test_an_api_cannot_reach_an_alb_behind_cloudfront_over_the_internet() -> None:
    flat = cdn_config()
    flat["platform:apis"] = json.dumps({"public": {"service": "api"}})
    assert problems(flat) == [
        "Pulumi.prod.yaml: platform:apis.public.integration = 'https': behind CloudFront the ALB admits only "
        "CloudFront's addresses: API Gateway cannot reach it over the internet"
    ]


def test_the_distributions_web_acl_cannot_be_turned_off_in_prod() -> None:
    assert problems(cdn_config(waf={"enabled": False})) == [
        "Pulumi.prod.yaml: platform:loadBalancer.cloudFront.waf.enabled = false: production puts a web ACL on every "
        "internet entry point (policies/config/prod.json: internet-entry-points-have-waf is mandatory); set true, or "
        "a relaxation goes in that file (reviewed by the platform owners)"
    ]
