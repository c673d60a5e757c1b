"""A static site: private bucket behind CloudFront through OAC, HTTPS with a TLS floor, security headers,
SPA fallback, a CLOUDFRONT web ACL and access logs in us-east-1, alias records; the pack passes it."""

from __future__ import annotations

import json

import pytest

from offline.engine import StackRun
from offline.policy_harness import PolicyHarness, format_report

from .variants import prod_edge_run

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


@pytest.fixture(scope="module")
def site_run() -> StackRun:
    """prod with the site `frontend` (variants.SITE: app.example.com, a SPA) (tests/components/variants.py)."""
    return prod_edge_run()


def one(run: StackRun, resource_type: str, name: str) -> dict:
    [resource] = [r for r in run.of_type(resource_type) if r.name == name]
    return resource.inputs


def edge_provider(run: StackRun, name: str) -> bool:
    [resource] = [r for r in run.resources if r.name == name]
    return "edge-us-east-1" in (resource.provider or "")


def test_the_distribution_reads_the_bucket_through_oac_over_https_with_a_tls_floor(site_run: StackRun) -> None:
    cdn = one(site_run, DISTRIBUTION, "site-frontend-distribution")
    [origin] = cdn["origins"]
    bucket = one(site_run, "aws:s3/bucket:Bucket", "site-frontend-content-bucket")["bucket"]
    assert origin["domainName"] == f"{bucket}.s3.us-east-1.amazonaws.com"
    assert "originAccessControlId" in origin and "s3OriginConfig" not in origin
    oac = one(site_run, "aws:cloudfront/originAccessControl:OriginAccessControl", "site-frontend-oac")
    assert (oac["originAccessControlOriginType"], oac["signingBehavior"], oac["signingProtocol"]) == (
        "s3",
        "always",
        "sigv4",
    )
    assert cdn["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert cdn["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert cdn["viewerCertificate"]["sslSupportMethod"] == "sni-only"
    assert cdn["aliases"] == ["app.example.com"]
    assert [(e["errorCode"], e["responseCode"], e["responsePagePath"]) for e in cdn["customErrorResponses"]] == [
        (403, 200, "/index.html"),
        (404, 200, "/index.html"),
    ]
    assert "webAclId" in cdn


def test_only_this_distribution_may_read_the_bucket_and_decrypt_its_objects(site_run: StackRun) -> None:
    [cdn] = site_run.of_type(DISTRIBUTION)
    policy = json.loads(one(site_run, "aws:s3/bucketPolicy:BucketPolicy", "site-frontend-content-policy")["policy"])
    [read] = [s for s in policy["Statement"] if s["Sid"] == "CloudFrontReadsThroughOac"]
    assert read["Principal"] == {"Service": ["cloudfront.amazonaws.com"]} and read["Action"] == ["s3:GetObject"]
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": cdn.outputs["arn"]}}
    assert read["Resource"][0].endswith("/*")
    public = one(
        site_run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-frontend-content-public-access"
    )
    assert all(public[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    key_policy = json.loads(one(site_run, "aws:kms/key:Key", "site-frontend-key")["policy"])
    [decrypt] = [s for s in key_policy["Statement"] if s["Sid"] == "CloudFrontDecryptsForThisDistribution"]
    assert decrypt["Condition"] == {"StringEquals": {"AWS:SourceArn": cdn.outputs["arn"]}}


def test_certificate_web_acl_and_logs_live_in_us_east_1(site_run: StackRun) -> None:
    for name in (
        "site-frontend-certificate",
        "site-frontend-waf",
        "site-frontend-waf-logs",
        "site-frontend-access-logs",
        "site-frontend-log-source",
        "site-frontend-log-delivery",
        "edge-key",
    ):
        assert edge_provider(site_run, name), name
    assert one(site_run, "aws:wafv2/webAcl:WebAcl", "site-frontend-waf")["scope"] == "CLOUDFRONT"
    source = one(site_run, "aws:cloudwatch/logDeliverySource:LogDeliverySource", "site-frontend-log-source")
    assert source["logType"] == "ACCESS_LOGS"
    group = one(site_run, "aws:cloudwatch/logGroup:LogGroup", "site-frontend-access-logs")
    [edge_key] = [r for r in site_run.of_type("aws:kms/key:Key") if r.name == "edge-key"]
    assert group["kmsKeyId"] == edge_key.outputs["arn"]


def test_responses_carry_the_security_headers(site_run: StackRun) -> None:
    policy = one(
        site_run, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-frontend-security-headers"
    )["securityHeadersConfig"]
    assert policy["strictTransportSecurity"]["accessControlMaxAgeSec"] == 63_072_000
    assert policy["frameOptions"]["frameOption"] == "DENY"
    assert {"contentTypeOptions", "referrerPolicy", "contentSecurityPolicy"} <= set(policy)


def test_an_alias_record_points_the_name_at_the_distribution(site_run: StackRun) -> None:
    records = [r for r in site_run.of_type("aws:route53/record:Record") if r.name.startswith("site-frontend-alias")]
    assert sorted(r.inputs["type"] for r in records) == ["A", "AAAA"]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_prod_with_a_site_passes_every_mandatory_policy(preview: bool, pack_harness: PolicyHarness) -> None:
    run = prod_edge_run(preview=preview)
    report = pack_harness.check(run.resources, stack="prod", preview=preview)
    assert report.mandatory == [], format_report(report)


def test_the_5xx_rate_alarm_lives_in_us_east_1_and_notifies_a_topic_there(site_run: StackRun) -> None:
    alarm = one(site_run, "aws:cloudwatch/metricAlarm:MetricAlarm", "site-frontend-5xx-rate")
    [topic] = [r for r in site_run.of_type("aws:sns/topic:Topic") if r.name == "edge-alarm-topic"]
    assert (alarm["namespace"], alarm["metricName"], alarm["threshold"]) == ("AWS/CloudFront", "5xxErrorRate", 5)
    assert alarm["dimensions"]["Region"] == "Global" and alarm["alarmActions"] == [topic.outputs["arn"]]
    assert edge_provider(site_run, "site-frontend-5xx-rate") and edge_provider(site_run, "edge-alarm-topic")
