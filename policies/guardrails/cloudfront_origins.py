"""cloudfront-origin-tls: a CloudFront distribution reaches its custom origins (an ALB, an API) over HTTPS only,
with TLS 1.2 only, and tells them apart from the rest of CloudFront with a custom header.

- `customOriginConfig.originProtocolPolicy` is `https-only` (`http-only` sends viewers' requests in clear over the
  internet; `match-viewer` does too for any viewer on HTTP);
- `originSslProtocols` holds TLSv1.2 and nothing older (SSLv3, TLSv1, TLSv1.1 are refused);
- the origin carries at least one `customHeaders` entry: an origin that admits CloudFront's managed prefix list
  admits every distribution of every account; a secret header it checks is what makes it this distribution's.
S3 origins (Origin Access Control: cloudfront-baseline) and origins whose config is unknown at preview are not
judged here.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import Context, Stack, Unknown, as_list, dig, stack_policy

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HINT = "Put CloudFront in front of the ALB with components/alb_cdn.py (https-only, TLSv1.2, X-Origin-Verify)."


def _origin_problems(origin: Any, allowed: list[str]) -> list[str]:
    config = dig(origin, "customOriginConfig")
    if not isinstance(config, dict):
        return []
    problems = []
    policy = config.get("originProtocolPolicy")
    if not isinstance(policy, Unknown) and policy != "https-only":
        problems.append(f"origin protocol policy {policy!r} (use https-only)")
    protocols = as_list(config.get("originSslProtocols"))
    if isinstance(protocols, list):
        old = sorted(str(p) for p in protocols if p not in allowed)
        if old or not protocols:
            problems.append(f"origin TLS protocols {sorted(str(p) for p in protocols)} (use {allowed} only)")
    headers = as_list(dig(origin, "customHeaders"))
    if isinstance(headers, list) and not headers:
        problems.append("no custom header for the origin to check (X-Origin-Verify)")
    return problems


def check_origins(stack: Stack, ctx: Context) -> None:
    for distribution in stack.of_type(DISTRIBUTION):
        origins = as_list(distribution.props.get("origins"))
        if isinstance(origins, Unknown):
            continue
        for origin in origins:
            problems = _origin_problems(origin, [str(p) for p in ctx.settings["allowedOriginSslProtocols"]])
            if problems:
                ctx.violation(
                    f"{distribution.subject} origin {dig(origin, 'originId')!r}: {'; '.join(problems)}. {HINT}",
                    distribution.urn,
                )


CLOUDFRONT_ORIGIN_TLS = stack_policy(
    name="cloudfront-origin-tls",
    description="CloudFront reaches custom origins over HTTPS only, with TLS 1.2, and with a custom header the "
    "origin checks.",
    check=check_origins,
    settings={
        "allowedOriginSslProtocols": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["TLSv1.2"],
            "description": "TLS protocols CloudFront may offer a custom origin (TLSv1.2 is CloudFront's newest).",
        }
    },
    severity=Severity.HIGH,
    remediation=HINT,
)

POLICIES = [CLOUDFRONT_ORIGIN_TLS]
