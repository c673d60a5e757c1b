"""The internet-facing ALB: the only group open to the internet, HTTPS with a modern TLS policy (HTTP only
redirects) where a certificate exists, a fixed 404, access logs, WAF and deletion protection in prod."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.aws_context import AwsContext
from components.config import thresholds
from components.load_balancer import ELB_ACCOUNT_REGIONS, LoadBalancer
from offline.engine import StackRun, run_stack
from tests.config.mutate import broken

from .compute_support import (
    EGRESS,
    INGRESS,
    INTERNET,
    LEGACY_RULE,
    LISTENER,
    SECURITY_GROUP,
    alb,
    alb_security_group_id,
    by_id,
    config_of,
    container,
    egress_rules,
    ingress_rules,
    policy,
    services,
)

BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


def _listeners(run: StackRun) -> dict[int, dict]:
    return {int(r.inputs["port"]): r.inputs for r in run.of_type(LISTENER)}


def test_no_security_group_but_the_albs_admits_the_internet(stack_run: StackRun) -> None:
    alb_group = alb_security_group_id(stack_run)
    open_groups: dict[str, set[int]] = {}
    for rule in stack_run.of_type(INGRESS):
        if rule.inputs.get("cidrIpv4") in INTERNET or rule.inputs.get("cidrIpv6") in INTERNET:
            open_groups.setdefault(rule.inputs["securityGroupId"], set()).update(
                range(int(rule.inputs["fromPort"]), int(rule.inputs["toPort"]) + 1)
            )
    for rule in stack_run.of_type(LEGACY_RULE):
        cidrs = [*rule.inputs.get("cidrBlocks", []), *rule.inputs.get("ipv6CidrBlocks", [])]
        assert rule.inputs["type"] != "ingress" or not set(cidrs) & set(INTERNET), rule.name
    for group in stack_run.of_type(SECURITY_GROUP, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        for inline in group.inputs.get("ingress", []):
            cidrs = [*inline.get("cidrBlocks", []), *inline.get("ipv6CidrBlocks", [])]
            assert not set(cidrs) & set(INTERNET), group.name
    assert set(open_groups) == {alb_group}
    expected_ports = {80, 443} if config_of(stack_run.stack).load_balancer.https else {80}
    assert open_groups[alb_group] == expected_ports


def test_alb_ingress_comes_from_the_configured_cidrs_ipv4_and_ipv6(stack_run: StackRun) -> None:
    config = config_of(stack_run.stack).load_balancer
    # the test listener's port is admitted from the VPC only: tests/components/test_delivery.py
    rules = [
        r
        for r in ingress_rules(stack_run, alb_security_group_id(stack_run))
        if int(r.inputs["fromPort"]) != config.test_listener.port
    ]
    sources = {(r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6"), int(r.inputs["fromPort"])) for r in rules}
    ports = (443, 80) if config.https else (80,)
    assert sources == {(cidr, port) for cidr in config.ingress_cidrs for port in ports}
    assert all(r.inputs["ipProtocol"] == "tcp" and r.inputs["fromPort"] == r.inputs["toPort"] for r in rules)


def test_alb_egress_goes_only_to_web_services_on_their_container_ports(stack_run: StackRun) -> None:
    groups = by_id(stack_run, SECURITY_GROUP)
    rules = egress_rules(stack_run, alb_security_group_id(stack_run))
    web = {
        name: svc
        for name, svc in services(stack_run).items()
        if config_of(stack_run.stack).services[name].kind == "web"
    }
    expected = {
        (
            svc.inputs["networkConfiguration"]["securityGroups"][0],
            container(stack_run, name)["portMappings"][0]["containerPort"],
        )
        for name, svc in web.items()
    }
    assert {(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in rules} == expected
    for rule in rules:
        assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs
        assert rule.inputs["referencedSecurityGroupId"] in groups


def test_alb_is_internet_facing_in_the_public_subnets_and_drops_invalid_headers(stack_run: StackRun) -> None:
    lb = alb(stack_run).inputs
    assert lb["internal"] is False and lb["loadBalancerType"] == "application"
    assert lb["subnets"] == stack_run.outputs["publicSubnetIds"]
    assert lb["dropInvalidHeaderFields"] is True
    assert lb["enableDeletionProtection"] is (stack_run.stack == "prod")


def test_plain_http_only_where_dev_allows_it_visibly_in_two_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The stack file says allowPlainHttp; its pack config makes alb-tls-and-headers advisory (else config refuses).
    (tmp_path / "dev.json").write_text(json.dumps({"all": "mandatory", "alb-tls-and-headers": "advisory"}))
    monkeypatch.setattr(thresholds, "POLICY_CONFIG_DIR", tmp_path)
    run = run_stack("dev", config=broken("dev", "platform:loadBalancer", {"allowPlainHttp": True}))
    listeners = _listeners(run)
    assert set(listeners) == {80}
    assert listeners[80]["protocol"] == "HTTP"
    assert listeners[80]["defaultActions"] == [
        {
            "type": "fixed-response",
            "fixedResponse": {"contentType": "text/plain", "messageBody": "Not found", "statusCode": "404"},
        }
    ]
    assert run.outputs["url"].startswith("http://")
    assert not run.of_type(CERTIFICATE)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_https_uses_a_tls13_policy_and_http_only_redirects(stack_runs: dict[str, StackRun], stack: str) -> None:
    run = stack_runs[stack]
    listeners = _listeners(run)
    test_port = config_of(stack).load_balancer.test_listener.port
    progressive = any(s.deployment.progressive for s in config_of(stack).services.values())
    assert set(listeners) == ({80, 443, test_port} if progressive else {80, 443})
    https, http = listeners[443], listeners[80]
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    assert http["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]
    [validation] = run.of_type(VALIDATION)
    assert https["certificateArn"] == validation.outputs["certificateArn"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_domain_gets_a_dns_validated_certificate_and_an_alias(stack_runs: dict[str, StackRun], stack: str) -> None:
    run = stack_runs[stack]
    domain = config_of(stack).load_balancer.domain
    assert domain is not None
    [certificate] = run.of_type(CERTIFICATE)
    assert certificate.inputs["domainName"] == domain.name
    assert certificate.inputs["validationMethod"] == "DNS"
    [option] = certificate.outputs["domainValidationOptions"]
    records = {r.inputs["type"]: r for r in run.of_type(RECORD)}
    assert records["CNAME"].inputs["name"] == option["resourceRecordName"]
    assert records["CNAME"].inputs["records"] == [option["resourceRecordValue"]]
    [validation] = run.of_type(VALIDATION)
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert validation.inputs["validationRecordFqdns"] == [records["CNAME"].outputs["fqdn"]]
    alias = records["A"].inputs
    assert alias["name"] == domain.name and alias["zoneId"] == records["CNAME"].inputs["zoneId"]
    assert alias["aliases"] == [
        {"name": alb(run).outputs["dnsName"], "zoneId": alb(run).outputs["zoneId"], "evaluateTargetHealth": True}
    ]
    assert run.outputs["url"] == f"https://{domain.name}"


def test_access_logs_go_to_a_locked_down_sse_s3_bucket(stack_run: StackRun) -> None:
    logs = alb(stack_run).inputs["accessLogs"]
    assert logs["enabled"] is True and logs["prefix"] == "alb"
    buckets = {b.outputs["bucket"]: b for b in stack_run.of_type(BUCKET)}
    bucket = buckets[logs["bucket"]]
    bucket_id = bucket.id

    def of(kind: str):
        [found] = [r for r in stack_run.of_type(kind) if r.inputs["bucket"] == bucket_id]
        return found.inputs

    # ALB log delivery supports SSE-S3 only: this is the one bucket not on the stack key.
    assert of(ENCRYPTION)["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert all(
        of(PUBLIC_ACCESS)[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    [rule] = [r for r in of(LIFECYCLE)["rules"] if "expiration" in r]
    assert rule["expiration"]["days"] == config_of(stack_run.stack).load_balancer.access_log_expiration_days
    statements = {
        s["Sid"]: s
        for s in policy(next(r for r in stack_run.of_type(BUCKET_POLICY) if r.inputs["bucket"] == bucket_id))[
            "Statement"
        ]
    }
    delivery = statements["AllowLoadBalancerLogDelivery"]
    assert delivery["Principal"] == {"AWS": ["arn:aws:iam::127311923021:root"]}  # us-east-1's ELB account
    assert delivery["Action"] == ["s3:PutObject"]
    assert delivery["Resource"] == [f"{bucket.outputs['arn']}/alb/AWSLogs/123456789012/*"]
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # the ALB writes a test object when logging is turned on: it waits for the bucket policy
    [bucket_policy] = [r for r in stack_run.of_type(BUCKET_POLICY) if r.inputs["bucket"] == bucket_id]
    assert bucket_policy.urn in alb(stack_run).dependencies


def test_regions_opened_after_2022_deliver_logs_as_the_service_principal() -> None:
    context = AwsContext(
        account_id="123456789012", region="ap-southeast-5", partition="aws", dns_suffix="amazonaws.com"
    )
    assert context.region not in ELB_ACCOUNT_REGIONS
    assert "us-east-1" in ELB_ACCOUNT_REGIONS
    assert LoadBalancer.log_delivery_principals(context) == {
        "Service": ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }


def test_prod_has_a_waf_with_managed_rules_and_a_rate_limit(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    [acl] = run.of_type(WEB_ACL)
    assert acl.inputs["scope"] == "REGIONAL"
    rules = {r["name"]: r for r in acl.inputs["rules"]}
    assert set(rules) == {"RateLimitPerIp", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}
    rate = rules["RateLimitPerIp"]["statement"]["rateBasedStatement"]
    assert (rate["limit"], rate["aggregateKeyType"]) == (2000, "IP")
    assert "block" in rules["RateLimitPerIp"]["action"]
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        assert rules[group]["statement"]["managedRuleGroupStatement"] == {"vendorName": "AWS", "name": group}
    [association] = run.of_type(WEB_ACL_ASSOCIATION)
    assert association.inputs == {"resourceArn": alb(run).outputs["arn"], "webAclArn": acl.outputs["arn"]}
    assert not stack_runs["dev"].of_type(WEB_ACL) and not stack_runs["staging"].of_type(WEB_ACL)


def test_alb_group_rules_are_standalone_rule_resources(stack_run: StackRun) -> None:
    alb_group = alb_security_group_id(stack_run)
    [group] = [g for g in stack_run.of_type(SECURITY_GROUP) if g.id == alb_group]
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    assert {r.type for r in stack_run.resources if "securityGroupRule" in r.type.lower()} <= {INGRESS, EGRESS}


def test_prod_access_log_bucket_is_protected_like_the_alb(stack_runs: dict[str, StackRun]) -> None:
    for stack, expected in (("prod", True), ("dev", False)):
        [bucket] = [b for b in stack_runs[stack].of_type("aws:s3/bucket:Bucket") if b.name.startswith("load-balancer")]
        assert bucket.protect is expected, stack
