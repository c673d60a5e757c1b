"""cloudfront-origin-tls: passing and failing distributions with the exact messages."""

from __future__ import annotations

from typing import Any

from policies.guardrails.cloudfront_origins import CLOUDFRONT_ORIGIN_TLS, HINT

from .helpers import UNKNOWN, R, check_stack

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
GOOD: dict[str, Any] = {
    "originId": "alb",
    "domainName": "origin.example.com",
    "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"]},
    "customHeaders": [{"name": "X-Origin-Verify", "value": "secret"}],
}


def distribution(*origins: dict[str, Any]) -> R:
    return R(DISTRIBUTION, "cdn", {"origins": list(origins)})


def test_an_https_only_tls12_origin_with_a_header_passes() -> None:
    assert check_stack(CLOUDFRONT_ORIGIN_TLS, [distribution(GOOD)]).passed


def test_s3_origins_and_unknown_origins_are_not_judged_here() -> None:
    s3 = {"originId": "s3", "domainName": "b.s3.us-east-1.amazonaws.com", "originAccessControlId": "oac"}
    assert check_stack(CLOUDFRONT_ORIGIN_TLS, [distribution(s3)]).passed
    assert check_stack(CLOUDFRONT_ORIGIN_TLS, [R(DISTRIBUTION, "cdn", {"origins": UNKNOWN})]).passed


def test_plain_http_old_tls_and_no_header_are_each_named() -> None:
    bad = {
        **GOOD,
        "customOriginConfig": {"originProtocolPolicy": "match-viewer", "originSslProtocols": ["TLSv1", "TLSv1.2"]},
        "customHeaders": [],
    }
    assert check_stack(CLOUDFRONT_ORIGIN_TLS, [distribution(bad)]).violations == [
        f"{DISTRIBUTION} 'cdn' origin 'alb': origin protocol policy 'match-viewer' (use https-only); origin TLS "
        f"protocols ['TLSv1', 'TLSv1.2'] (use ['TLSv1.2'] only); no custom header for the origin to check "
        f"(X-Origin-Verify). {HINT}"
    ]
