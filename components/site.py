"""Static sites: a private S3 bucket served by CloudFront (`platform:sites`).

Per site (`Site`):

- the bucket (components/bucket.py: private, BucketOwnerEnforced, versioned, TLS-only) encrypted with a site
  key whose policy lets CloudFront decrypt for this distribution only; its policy admits
  `cloudfront.amazonaws.com` to `s3:GetObject` on its objects only when `AWS:SourceArn` is this distribution.
  Origin Access Control (SigV4, always signing), never an origin access identity, never a public bucket;
- the distribution: viewers redirected to HTTPS, TLSv1.2_2021 floor with SNI, HTTP/2 and 3, IPv6, the managed
  CachingOptimized cache policy, a response headers policy with the security headers (HSTS two years with
  preload, nosniff, DENY framing, strict-origin-when-cross-origin, a Content-Security-Policy), optional SPA
  fallback (403/404 -> `/index.html` 200), the CLOUDFRONT-scope web ACL (components/waf.py), an ACM
  certificate in us-east-1 validated by DNS, alias A and AAAA records;
- access logs: CloudFront *standard logging (legacy)* writes to S3 through bucket ACLs, which the platform's
  buckets disable (BucketOwnerEnforced); *standard logging v2* (CloudWatch Logs vended delivery: a delivery
  source `ACCESS_LOGS` on the distribution, a destination, a delivery, all in us-east-1) needs no ACL, so the
  site uses v2 into a CloudWatch log group in us-east-1, encrypted with the edge key, with the stack's
  retention.

The bucket's name is deterministic, so the distribution's origin is known before the bucket exists and the
bucket policy and the site key can name the distribution's ARN without a dependency cycle.

The composition root creates the us-east-1 provider and the edge key once (`Edge`) and hands them to every
site (CloudFront takes certificates and web ACLs from us-east-1 only, and a log group's key must be in its
region).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .bucket import Bucket, BucketArgs
from .config.sites import SiteConfig
from .dns import alias_records, validated_certificate
from .iam import Statement, policy_document
from .keys import KeysArgs, account_root_statement, key_policy, symmetric_key
from .naming import physical_name
from .observability import topic_policy
from .waf import WebAclArgs, web_acl

if TYPE_CHECKING:
    from .config.stack import StackConfig

EDGE_REGION = "us-east-1"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
"""AWS managed cache policy `Managed-CachingOptimized` (same id in every account)."""
TLS_FLOOR = "TLSv1.2_2021"
HSTS_SECONDS = 63_072_000


class Edge(pulumi.ComponentResource):
    """What every CloudFront resource of the stack shares in us-east-1: the provider and a key for log groups
    there (the stack key may live in another region). Created once by the composition root."""

    provider: aws.Provider
    key_arn: pulumi.Output[str]
    alarm_topic_arn: pulumi.Output[str]
    """SNS topic in us-east-1 (stack key there) for the sites' alarms; the stack's alarm emails subscribe."""
    context: AwsContext
    """The stack's context with the region set to us-east-1 (for ARNs of what lives there)."""

    def __init__(
        self,
        name: str,
        context: AwsContext,
        *,
        protect: bool,
        emails: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:site:Edge", name, None, opts)
        self.context = dataclasses.replace(context, region=EDGE_REGION)
        self.provider = aws.Provider(
            f"{name}-{EDGE_REGION}", region=EDGE_REGION, opts=pulumi.ResourceOptions(parent=self)
        )
        scoped = pulumi.ResourceOptions(parent=self, provider=self.provider)
        holder = pulumi.ComponentResource("platform:site:EdgeKeys", f"{name}-keys", None, scoped)
        key = symmetric_key(
            holder,
            f"{name}-key",
            description=f"{physical_name('edge')}: CloudFront and WAF logs in {EDGE_REGION}",
            policy=key_policy(KeysArgs(aws_context=self.context)),
            alias=f"alias/{physical_name('edge')}",
            tag_name=physical_name("edge-key"),
            deletion_window_days=30 if protect else 7,
            protect=protect,
        )
        self.key_arn = key.arn
        # CloudFront metrics live in us-east-1, and an alarm notifies topics of its own Region only.
        topic_name = physical_name("edge-alarms", max_length=256)
        topic = aws.sns.Topic(
            f"{name}-alarm-topic",
            name=topic_name,
            display_name=f"{physical_name()} edge alarms",
            kms_master_key_id=key.arn,
            tags={"Name": topic_name},
            opts=scoped,
        )
        aws.sns.TopicPolicy(
            f"{name}-alarm-topic-policy",
            arn=topic.arn,
            policy=policy_document(topic_policy(self.context, self.context.arn("sns", topic_name))),
            opts=scoped,
        )
        for index, email in enumerate(emails):
            aws.sns.TopicSubscription(
                f"{name}-alarm-email-{index}", topic=topic.arn, protocol="email", endpoint=email, opts=scoped
            )
        self.alarm_topic_arn = topic.arn
        self.register_outputs({"keyArn": self.key_arn, "alarmTopicArn": self.alarm_topic_arn})


@dataclass(frozen=True, kw_only=True)
class SiteArgs:
    name: str
    """The config key (`frontend`): physical names `<product>-<stack>-site-<name>...`."""
    config: SiteConfig
    aws_context: AwsContext
    edge: Edge
    log_retention_days: int
    protect: bool = False
    access_log_bucket: pulumi.Input[str] | None = None
    """The stack's access-log bucket: the content bucket's S3 server access logs go there. Default none."""


class Site(pulumi.ComponentResource):
    """One static site (see the module docstring)."""

    bucket_name: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    distribution_arn: pulumi.Output[str]
    domain_name: pulumi.Output[str]
    url: str

    def __init__(self, name: str, args: SiteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:site:Site", name, None, opts)
        config, context, edge = args.config, args.aws_context, args.edge
        child = pulumi.ResourceOptions(parent=self)
        at_edge = pulumi.ResourceOptions(parent=self, provider=edge.provider)
        purpose = f"site-{args.name}"

        zone_id = aws.route53.get_zone(name=config.domain.hosted_zone, private_zone=False).zone_id
        certificate_arn = self._certificate(name, config, zone_id, at_edge)
        acl = (
            edge_web_acl(
                name,
                purpose,
                f"CloudFront {args.name}",
                rate_limit=config.waf.rate_limit,
                edge=edge,
                retention_days=args.log_retention_days,
                at_edge=at_edge,
            )
            if config.waf.enabled
            else None
        )

        bucket_name = physical_name(purpose, context.account_id, context.region, max_length=63).lower()
        oac = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            name=physical_name(purpose),
            description=f"{args.name}: CloudFront signs S3 requests",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        headers = security_headers_policy(name, purpose, config.content_security_policy, child)
        distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=physical_name(purpose),
            aliases=[config.domain.name],
            price_class=config.price_class,
            default_root_object=config.default_root_object,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id="s3",
                    domain_name=f"{bucket_name}.s3.{context.region}.{context.dns_suffix}",
                    origin_access_control_id=oac.id,
                )
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id="s3",
                viewer_protocol_policy="redirect-to-https",
                compress=True,
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED,
                response_headers_policy_id=headers.id,
            ),
            custom_error_responses=[
                aws.cloudfront.DistributionCustomErrorResponseArgs(
                    error_code=code, response_code=200, response_page_path="/index.html", error_caching_min_ttl=10
                )
                for code in (403, 404)
            ]
            if config.spa
            else None,
            **viewer_settings(certificate_arn, acl),
            tags={"Name": physical_name(purpose)},
            opts=child,
        )

        source_arn = distribution.arn
        key = symmetric_key(
            self,
            f"{name}-key",
            description=f"{physical_name(purpose)}: the site's objects",
            policy=[
                account_root_statement(context),
                Statement(
                    sid="CloudFrontDecryptsForThisDistribution",
                    actions=["kms:Decrypt"],
                    resources=["*"],
                    principals={"Service": [context.service_principal("cloudfront")]},
                    conditions={"StringEquals": {"AWS:SourceArn": source_arn}},
                    justification="a key policy's `*` is the key itself",
                ),
            ],
            alias=f"alias/{physical_name(purpose)}",
            tag_name=physical_name(purpose, "key"),
            deletion_window_days=30 if args.protect else 7,
            protect=args.protect,
        )
        bucket = Bucket(
            f"{name}-content",
            BucketArgs(
                name=purpose,
                aws_context=context,
                kms_key_arn=key.arn,
                protect=args.protect,
                access_log_bucket=args.access_log_bucket,
                policy_statements=lambda arn: [
                    Statement(
                        sid="CloudFrontReadsThroughOac",
                        actions=["s3:GetObject"],
                        resources=[pulumi.Output.concat(arn, "/*")],
                        principals={"Service": [context.service_principal("cloudfront")]},
                        conditions={"StringEquals": {"AWS:SourceArn": source_arn}},
                    )
                ],
            ),
            child,
        )

        alias_records(
            name,
            config.domain.name,
            zone_id,
            distribution.domain_name,
            distribution.hosted_zone_id,
            opts=child,
            types=("A", "AAAA"),
        )
        error_rate_alarm(name, purpose, distribution, edge, label=f"Site {args.name}", at_edge=at_edge)
        access_logs(name, purpose, distribution, edge, retention_days=args.log_retention_days, at_edge=at_edge)

        self.bucket_name = bucket.bucket_name
        self.distribution_id = distribution.id
        self.distribution_arn = distribution.arn
        self.domain_name = distribution.domain_name
        self.url = f"https://{config.domain.name}"
        self.register_outputs({"bucketName": self.bucket_name, "distributionId": self.distribution_id, "url": self.url})

    @staticmethod
    def _certificate(
        name: str, config: SiteConfig, zone_id: pulumi.Input[str], at_edge: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        """An ACM certificate in us-east-1 for the site's name, validated by DNS in its zone."""
        return validated_certificate(
            name, config.domain.name, zone_id, at_edge, record_opts=pulumi.ResourceOptions(parent=at_edge.parent)
        )


def security_headers_policy(
    name: str, purpose: str, content_security_policy: str | None, opts: pulumi.ResourceOptions
) -> aws.cloudfront.ResponseHeadersPolicy:
    """HSTS two years with preload, nosniff, DENY framing, strict-origin-when-cross-origin, and the CSP when given."""
    csp = aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs
    security = aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs(
        strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
            access_control_max_age_sec=HSTS_SECONDS, include_subdomains=True, preload=True, override=True
        ),
        content_type_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
            override=True
        ),
        frame_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
            frame_option="DENY", override=True
        ),
        referrer_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
            referrer_policy="strict-origin-when-cross-origin", override=True
        ),
        content_security_policy=csp(content_security_policy=content_security_policy, override=True)
        if content_security_policy
        else None,
    )
    return aws.cloudfront.ResponseHeadersPolicy(
        f"{name}-security-headers",
        name=physical_name(purpose, "security-headers"),
        comment="HSTS, nosniff, DENY framing, referrer policy" + (", CSP" if content_security_policy else ""),
        security_headers_config=security,
        opts=opts,
    )


def edge_web_acl(
    name: str,
    purpose: str,
    label: str,
    *,
    rate_limit: int,
    edge: Edge,
    retention_days: int,
    at_edge: pulumi.ResourceOptions,
) -> aws.wafv2.WebAcl:
    """`<name>-waf`: a CLOUDFRONT-scope web ACL in us-east-1 (the edge provider), logging with the edge key. Its
    rate limit keys on the viewer's address, which CloudFront-scope WAF sees."""
    return web_acl(
        f"{name}-waf",
        WebAclArgs(
            purpose=purpose,
            scope="CLOUDFRONT",
            description=f"{label}: per-IP rate limit, AWS managed common and known-bad-inputs rules",
            rate_limit=rate_limit,
            kms_key_arn=edge.key_arn,
            log_retention_days=retention_days,
        ),
        at_edge,
    )


class ViewerSettings(TypedDict):
    restrictions: aws.cloudfront.DistributionRestrictionsArgs
    viewer_certificate: aws.cloudfront.DistributionViewerCertificateArgs
    web_acl_id: pulumi.Output[str] | None


def viewer_settings(certificate_arn: pulumi.Input[str], acl: aws.wafv2.WebAcl | None) -> ViewerSettings:
    """A distribution's viewer side: no geo restriction, the us-east-1 certificate by SNI with the TLSv1.2_2021
    floor, the web ACL."""
    return ViewerSettings(
        restrictions=aws.cloudfront.DistributionRestrictionsArgs(
            geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
        ),
        viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
            acm_certificate_arn=certificate_arn, ssl_support_method="sni-only", minimum_protocol_version=TLS_FLOOR
        ),
        web_acl_id=acl.arn if acl is not None else None,
    )


def error_rate_alarm(
    name: str,
    purpose: str,
    distribution: aws.cloudfront.Distribution,
    edge: Edge,
    *,
    label: str,
    at_edge: pulumi.ResourceOptions,
) -> None:
    """`<name>-5xx-rate`: more than 5 % of responses are 5xx for 5 minutes (CloudFront metrics and the edge topic
    live in us-east-1)."""
    aws.cloudwatch.MetricAlarm(
        f"{name}-5xx-rate",
        name=physical_name(purpose, "5xx-rate"),
        namespace="AWS/CloudFront",
        metric_name="5xxErrorRate",
        dimensions={"DistributionId": distribution.id, "Region": "Global"},
        statistic="Average",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=5,
        threshold=5,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=[edge.alarm_topic_arn],
        ok_actions=[edge.alarm_topic_arn],
        alarm_description=f"{label}: more than 5 % of responses are 5xx for 5 minutes",
        opts=at_edge,
    )


def access_logs(
    name: str,
    purpose: str,
    distribution: aws.cloudfront.Distribution,
    edge: Edge,
    *,
    retention_days: int,
    at_edge: pulumi.ResourceOptions,
) -> None:
    """Standard logging v2: distribution -> delivery source -> delivery -> encrypted log group (us-east-1)."""
    group = aws.cloudwatch.LogGroup(
        f"{name}-access-logs",
        name=f"/{physical_name(purpose, separator='/')}/cloudfront",
        retention_in_days=retention_days,
        kms_key_id=edge.key_arn,
        opts=at_edge,
    )
    source = aws.cloudwatch.LogDeliverySource(
        f"{name}-log-source",
        name=physical_name(purpose, "access"),
        log_type="ACCESS_LOGS",
        resource_arn=distribution.arn,
        opts=at_edge,
    )
    destination = aws.cloudwatch.LogDeliveryDestination(
        f"{name}-log-destination",
        name=physical_name(purpose, "access"),
        output_format="json",
        delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
            destination_resource_arn=group.arn
        ),
        opts=at_edge,
    )
    aws.cloudwatch.LogDelivery(
        f"{name}-log-delivery",
        delivery_source_name=source.name,
        delivery_destination_arn=destination.arn,
        opts=at_edge,
    )


def edge_for(config: StackConfig, context: AwsContext, opts: pulumi.ResourceOptions) -> Edge | None:
    """The stack's one `Edge` (us-east-1 provider, key, alarm topic) when it has a site or a CloudFront ALB."""
    if not config.sites and config.load_balancer.cloud_front is None:
        return None
    return Edge("edge", context, protect=config.protect_stateful_resources, emails=config.alarms.emails, opts=opts)


def site_bucket_keys(config: StackConfig) -> list[str]:
    """The `name` of each site's content bucket (`bucket_physical_name` input): they log to the stack's log bucket."""
    return [f"site-{key}" for key in config.sites]


def build_sites(
    config: StackConfig,
    context: AwsContext,
    opts: pulumi.ResourceOptions,
    access_log_bucket: pulumi.Input[str] | None,
    edge: Edge | None,
) -> dict[str, Site]:
    """Every `platform:sites` entry, sharing the stack's one `Edge` (`edge_for`: built whenever there is a site)."""
    if not config.sites:
        return {}
    assert edge is not None, "edge_for builds the Edge whenever the stack has a site"
    protect = config.protect_stateful_resources
    return {
        key: Site(
            f"site-{key}",
            SiteArgs(
                name=key,
                config=site,
                aws_context=context,
                edge=edge,
                log_retention_days=config.log_retention_days,
                protect=protect,
                access_log_bucket=access_log_bucket,
            ),
            opts,
        )
        for key, site in config.sites.items()
    }
