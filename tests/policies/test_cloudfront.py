"""cloudfront-baseline: own certificate with a TLS 1.2 floor, HTTPS only, OAC for S3, access logs."""

from __future__ import annotations

from typing import Any

from policies.guardrails.cloudfront import CLOUDFRONT_BASELINE, HINT

from .helpers import UNKNOWN, R, check_stack

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
D = f"{DISTRIBUTION} 'cdn'"


def distribution(**changes: Any) -> R:
    props: dict[str, Any] = {
        "viewerCertificate": {
            "acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x",
            "minimumProtocolVersion": "TLSv1.2_2021",
            "sslSupportMethod": "sni-only",
        },
        "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https"},
        "origins": [{"originId": "s3", "domainName": "b.s3.us-east-1.amazonaws.com", "originAccessControlId": "E1"}],
    }
    props.update(changes)
    return R(DISTRIBUTION, "cdn", props)


def with_logs(cdn: R) -> list[R]:
    return [cdn, R(SOURCE, "logs", {"logType": "ACCESS_LOGS", "resourceArn": UNKNOWN}, deps={"resourceArn": [cdn]})]


def test_a_distribution_built_like_the_platform_passes() -> None:
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(distribution())).passed
    legacy = distribution(loggingConfig={"bucket": "logs.s3.amazonaws.com"})
    assert check_stack(CLOUDFRONT_BASELINE, [legacy]).passed


def test_the_default_certificate_and_old_tls_are_refused() -> None:
    default = distribution(viewerCertificate={"cloudfrontDefaultCertificate": True})
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(default)).violations == [
        f"{D} uses the default *.cloudfront.net certificate, which accepts TLSv1: give it an ACM certificate "
        f"(us-east-1) with minimumProtocolVersion TLSv1.2_2021. {HINT}"
    ]
    old = distribution(viewerCertificate={"acmCertificateArn": "arn:x", "minimumProtocolVersion": "TLSv1.1_2016"})
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(old)).violations == [
        f"{D} accepts viewer TLS below 1.2 (minimumProtocolVersion 'TLSv1.1_2016'): use TLSv1.2_2021 or newer. {HINT}"
    ]


def test_plain_http_in_any_behaviour_is_refused() -> None:
    cdn = distribution(
        defaultCacheBehavior={"viewerProtocolPolicy": "allow-all"},
        orderedCacheBehaviors=[{"pathPattern": "/api/*", "viewerProtocolPolicy": "allow-all"}],
    )
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(cdn)).violations == [
        f"{D} defaultCacheBehavior serves plain HTTP (viewerProtocolPolicy allow-all): use redirect-to-https or "
        f"https-only. {HINT}",
        f"{D} orderedCacheBehaviors[0] '/api/*' serves plain HTTP (viewerProtocolPolicy allow-all): use "
        f"redirect-to-https or https-only. {HINT}",
    ]


def test_s3_origins_need_origin_access_control_never_an_oai() -> None:
    oai = distribution(
        origins=[
            {
                "originId": "s3",
                "domainName": "b.s3.amazonaws.com",
                "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E2"},
            }
        ]
    )
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(oai)).violations == [
        f"{D} origin 's3' uses an origin access identity (legacy OAI): use Origin Access Control. {HINT}"
    ]
    public = distribution(origins=[{"originId": "s3", "domainName": "b.s3.us-west-2.amazonaws.com"}])
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(public)).violations == [
        f"{D} origin 's3' reads S3 without Origin Access Control: the bucket must then be public. {HINT}"
    ]
    alb = distribution(origins=[{"originId": "alb", "domainName": "api.example.com"}])
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(alb)).passed


def test_a_distribution_without_access_logs_fails() -> None:
    assert check_stack(CLOUDFRONT_BASELINE, [distribution()]).violations == [
        f"{D} keeps no access logs: add standard logging v2 (a LogDeliverySource of type ACCESS_LOGS for it, with a "
        f"delivery). {HINT}"
    ]


def test_only_s3_endpoints_count_as_s3_origins() -> None:
    for domain in ("b.s3-us-west-2.amazonaws.com", "b.s3.amazonaws.com"):
        legacy = distribution(origins=[{"originId": "s3", "domainName": domain}])
        assert check_stack(CLOUDFRONT_BASELINE, with_logs(legacy)).violations == [
            f"{D} origin 's3' reads S3 without Origin Access Control: the bucket must then be public. {HINT}"
        ], domain
    for domain in ("abc123.execute-api.us-east-1.amazonaws.com", "b.s3.example.com"):
        other = distribution(origins=[{"originId": "api", "domainName": domain}])
        assert check_stack(CLOUDFRONT_BASELINE, with_logs(other)).passed, domain


def test_an_origin_domain_unknown_at_preview_defers_unless_it_has_origin_access_control() -> None:
    unknown = distribution(origins=[{"originId": "s3", "domainName": UNKNOWN}])
    result = check_stack(CLOUDFRONT_BASELINE, with_logs(unknown))
    assert result.violations == [] and "the domain of origin 's3'" in result.deferred[0]
    controlled = distribution(origins=[{"originId": "s3", "domainName": UNKNOWN, "originAccessControlId": UNKNOWN}])
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(controlled)).passed


def test_no_certificate_at_all_or_the_default_one_beside_an_acm_arn_is_the_default_certificate() -> None:
    message = (
        f"{D} uses the default *.cloudfront.net certificate, which accepts TLSv1: give it an ACM certificate "
        f"(us-east-1) with minimumProtocolVersion TLSv1.2_2021. {HINT}"
    )
    for certificate in ({}, None, {"cloudfrontDefaultCertificate": "true", "acmCertificateArn": "arn:x"}):
        assert check_stack(CLOUDFRONT_BASELINE, with_logs(distribution(viewerCertificate=certificate))).violations == [
            message
        ], certificate
    iam = {"iamCertificateId": "ASCA1", "minimumProtocolVersion": "TLSv1.2_2021"}
    assert check_stack(CLOUDFRONT_BASELINE, with_logs(distribution(viewerCertificate=iam))).passed
    unknown_floor = {"acmCertificateArn": "arn:x", "minimumProtocolVersion": UNKNOWN}
    result = check_stack(CLOUDFRONT_BASELINE, with_logs(distribution(viewerCertificate=unknown_floor)))
    assert result.violations == [] and ".minimumProtocolVersion of" in result.deferred[0]
