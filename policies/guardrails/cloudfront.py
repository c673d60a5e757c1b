"""cloudfront-baseline: every CloudFront distribution serves HTTPS only with a TLS floor, reads S3 origins
through Origin Access Control, and logs its requests.

- viewer TLS: a certificate of its own (`acmCertificateArn`/`iamCertificateId`) with `minimumProtocolVersion` one
  of `allowedMinimumProtocolVersions` (TLSv1.2_2021 and newer); the default `*.cloudfront.net` certificate
  accepts TLSv1 and is refused;
- HTTPS only: no cache behaviour (default or ordered) with `viewerProtocolPolicy: allow-all`
  (`redirect-to-https` and `https-only` both never serve content over HTTP);
- Origin Access Control: an S3 origin (`<bucket>.s3[.<region>].amazonaws.com`) has `originAccessControlId` and no
  origin access identity (OAI: legacy, no SSE-KMS, no new Regions);
- logging: standard logging (legacy `loggingConfig`) or standard logging v2 (an
  `aws.cloudwatch.LogDeliverySource` of type ACCESS_LOGS whose `resourceArn` is built from the distribution).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import Context, Stack, StackResource, Unknown, as_list, dig, is_true, stack_policy, string_list

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
TLS_FLOORS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"]
HINT = (
    "Serve sites with components/site.py: OAC, redirect-to-https, TLSv1.2_2021, standard logging v2 to an "
    "encrypted log group."
)


def _behaviors(distribution: StackResource) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("defaultCacheBehavior", distribution.props.get("defaultCacheBehavior"))]
    ordered = as_list(distribution.props.get("orderedCacheBehaviors"))
    if isinstance(ordered, list):
        found += [(f"orderedCacheBehaviors[{i}] {dig(b, 'pathPattern')!r}", b) for i, b in enumerate(ordered)]
    return found


def _is_s3(domain: Any) -> bool:
    return isinstance(domain, str) and (".s3." in domain or ".s3-" in domain) and domain.endswith(".amazonaws.com")


def _check_distribution(stack: Stack, distribution: StackResource, ctx: Context) -> None:
    subject = distribution.subject
    certificate = distribution.props.get("viewerCertificate") or {}
    floors = [str(v) for v in ctx.settings["allowedMinimumProtocolVersions"]]
    if is_true(dig(certificate, "cloudfrontDefaultCertificate")) or not (
        dig(certificate, "acmCertificateArn") or dig(certificate, "iamCertificateId")
    ):
        ctx.violation(
            f"{subject} uses the default *.cloudfront.net certificate, which accepts TLSv1: give it "
            f"an ACM certificate (us-east-1) with minimumProtocolVersion {floors[0]}. {HINT}",
            distribution.urn,
        )
    else:
        version = dig(certificate, "minimumProtocolVersion")
        if isinstance(version, Unknown):
            ctx.defer(f".viewerCertificate.minimumProtocolVersion of {subject}", "judged on `pulumi up`, when known")
        elif version not in floors:
            ctx.violation(
                f"{subject} accepts viewer TLS below 1.2 (minimumProtocolVersion {version!r}): use "
                f"{floors[0]} or newer. {HINT}",
                distribution.urn,
            )
    for where, behavior in _behaviors(distribution):
        if dig(behavior, "viewerProtocolPolicy") == "allow-all":
            ctx.violation(
                f"{subject} {where} serves plain HTTP (viewerProtocolPolicy allow-all): use "
                f"redirect-to-https or https-only. {HINT}",
                distribution.urn,
            )
    origins = as_list(distribution.props.get("origins"))
    for origin in origins if isinstance(origins, list) else []:
        origin_id = dig(origin, "originId")
        if dig(origin, "s3OriginConfig", "originAccessIdentity"):
            ctx.violation(
                f"{subject} origin {origin_id!r} uses an origin access identity (legacy OAI): use "
                f"Origin Access Control. {HINT}",
                distribution.urn,
            )
        elif dig(origin, "originAccessControlId"):
            pass  # an S3 origin as it should be; any other origin ignores it
        elif isinstance(dig(origin, "domainName"), Unknown):
            ctx.defer(f"the domain of origin {origin_id!r} of {subject}", "whether it is S3 is judged on `pulumi up`")
        elif _is_s3(dig(origin, "domainName")):
            ctx.violation(
                f"{subject} origin {origin_id!r} reads S3 without Origin Access Control: the bucket "
                f"must then be public. {HINT}",
                distribution.urn,
            )
    legacy = dig(distribution.props, "loggingConfig", "bucket")
    v2 = [r for r, _ in stack.referrers(distribution.urn, key="resourceArn") if r.type == DELIVERY_SOURCE]
    if not legacy and not v2:
        ctx.violation(
            f"{subject} keeps no access logs: add standard logging v2 (a LogDeliverySource of type "
            f"ACCESS_LOGS for it, with a delivery). {HINT}",
            distribution.urn,
        )


def check_cloudfront(stack: Stack, ctx: Context) -> None:
    for distribution in stack.of_type(DISTRIBUTION):
        _check_distribution(stack, distribution, ctx)


CLOUDFRONT_BASELINE = stack_policy(
    name="cloudfront-baseline",
    description="CloudFront distributions use their own certificate with a TLSv1.2_2021+ floor, never serve plain "
    "HTTP, read S3 through Origin Access Control (no OAI) and keep access logs.",
    check=check_cloudfront,
    settings={
        "allowedMinimumProtocolVersions": string_list(
            TLS_FLOORS, "Viewer security policies a distribution may use (TLS 1.2 and newer, modern ciphers)."
        )
    },
    severity=Severity.HIGH,
    remediation=HINT,
)

POLICIES = [CLOUDFRONT_BASELINE]
