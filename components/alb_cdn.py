"""CloudFront in front of the ALB (`platform:loadBalancer.cloudFront`).

- The ALB stays in the public subnets, but its security group admits only CloudFront's origin-facing servers:
  one rule on 443 referencing the AWS-managed prefix list `com.amazonaws.global.cloudfront.origin-facing`
  (looked up by name with `aws.ec2.get_managed_prefix_list`). No CIDR, no 0.0.0.0/0. That rule counts as the
  list's weight (55) against the group's inbound rules quota (60 by default): config refuses a test listener
  whose sources would overflow it (components/config/cdn.py).
- The prefix list admits every CloudFront distribution, not only this one: CloudFront adds `X-Origin-Verify`
  (a 48-character RandomPassword kept in state as a secret and in Secrets Manager, as the API's, see
  components/api.py `origin_verify_secret`) and every web service's listener rule requires it, so a request
  through someone else's distribution gets the ALB's 404.
- The distribution: the ALB as a custom origin by `loadBalancer.domain` (HTTPS only, TLSv1.2 to the origin, its
  certificate verified against that name), viewers redirected to HTTPS with a TLSv1.2_2021 floor and an ACM
  certificate in us-east-1, HTTP/2 and 3, IPv6, caching disabled (Managed-CachingDisabled: a dynamic
  application decides its own caching later) and every viewer header, cookie and query string forwarded except
  Host (Managed-AllViewerExceptHostHeader: the ALB sees its own name), the security headers policy of sites,
  a CLOUDFRONT-scope web ACL (us-east-1; its rate limit keys on the viewer's own address, which CloudFront-scope
  WAF sees; the ALB's regional ACL, when enabled, keys on X-Forwarded-For instead), standard logging v2 to an
  encrypted log group in us-east-1, alias A/AAAA records, and a 5xx-rate alarm on the edge topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from .api import OriginVerify, origin_verify_secret
from .config.cdn import CLOUDFRONT_PREFIX_LIST
from .config.compute import LoadBalancerCdnConfig
from .dns import alias_records, validated_certificate
from .naming import physical_name
from .site import Edge, access_logs, edge_web_acl, error_rate_alarm, security_headers_policy, viewer_settings

if TYPE_CHECKING:
    from .config.stack import StackConfig
    from .load_balancer import LoadBalancer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
"""AWS managed cache policy `Managed-CachingDisabled`."""
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""AWS managed origin request policy `Managed-AllViewerExceptHostHeader`."""
ORIGIN_ID = "alb"


@dataclass(frozen=True, kw_only=True)
class AlbCdnArgs:
    config: LoadBalancerCdnConfig
    origin_domain: str
    """`loadBalancer.domain.name`: CloudFront connects to it over HTTPS and verifies the ALB's certificate."""
    alb_security_group_id: pulumi.Input[str]
    origin_verify: OriginVerify
    edge: Edge
    log_retention_days: int


class AlbCdn(pulumi.ComponentResource):
    """The ALB's distribution and the ALB's only ingress rule (see the module docstring)."""

    distribution_id: pulumi.Output[str]
    url: str

    def __init__(self, name: str, args: AlbCdnArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:alb_cdn:AlbCdn", name, None, opts)
        config, edge = args.config, args.edge
        child = pulumi.ResourceOptions(parent=self)
        at_edge = pulumi.ResourceOptions(parent=self, provider=edge.provider)
        purpose = "cdn"

        prefix_list = aws.ec2.get_managed_prefix_list_output(name=CLOUDFRONT_PREFIX_LIST)
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-in-cloudfront",
            security_group_id=args.alb_security_group_id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            prefix_list_id=prefix_list.id,
            description="HTTPS from CloudFront's origin-facing servers only",
            opts=child,
        )

        zone_id = aws.route53.get_zone(name=config.domain.hosted_zone, private_zone=False).zone_id
        certificate_arn = validated_certificate(
            name, config.domain.name, zone_id, at_edge, record_opts=pulumi.ResourceOptions(parent=self)
        )
        acl = (
            edge_web_acl(
                name,
                purpose,
                "CloudFront in front of the ALB",
                rate_limit=config.waf.rate_limit,
                edge=edge,
                retention_days=args.log_retention_days,
                at_edge=at_edge,
            )
            if config.waf.enabled
            else None
        )
        headers = security_headers_policy(name, purpose, config.content_security_policy, child)
        header_name, header_value = args.origin_verify.header
        distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=physical_name(purpose),
            aliases=[config.domain.name],
            price_class=config.price_class,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ORIGIN_ID,
                    domain_name=args.origin_domain,
                    custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                        origin_protocol_policy="https-only",
                        origin_ssl_protocols=["TLSv1.2"],
                        http_port=80,
                        https_port=443,
                    ),
                    custom_headers=[
                        aws.cloudfront.DistributionOriginCustomHeaderArgs(name=header_name, value=header_value)
                    ],
                )
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                compress=True,
                allowed_methods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_DISABLED,
                origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST,
                response_headers_policy_id=headers.id,
            ),
            **viewer_settings(certificate_arn, acl),
            tags={"Name": physical_name(purpose)},
            opts=child,
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
        error_rate_alarm(name, purpose, distribution, edge, label="CloudFront in front of the ALB", at_edge=at_edge)
        access_logs(name, purpose, distribution, edge, retention_days=args.log_retention_days, at_edge=at_edge)
        self.distribution_id = distribution.id
        self.url = f"https://{config.domain.name}"
        self.register_outputs({"distributionId": self.distribution_id, "url": self.url})


def cdn_origin_verify(
    config: StackConfig, kms_key_arn: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> dict[str, OriginVerify]:
    """With `loadBalancer.cloudFront`: one origin-verify secret, required by every web service's rule."""
    if config.load_balancer.cloud_front is None:
        return {}
    verify = origin_verify_secret(
        "cdn",
        "CloudFront adds it, every web service's ALB rule requires it",
        kms_key_arn=kms_key_arn,
        protect=config.protect_stateful_resources,
        opts=opts,
    )
    return {name: verify for name, service in config.services.items() if service.kind == "web"}


def build_alb_cdn(
    config: StackConfig,
    load_balancer: LoadBalancer | None,
    edge: Edge | None,
    origin_verify: dict[str, OriginVerify],
    opts: pulumi.ResourceOptions,
) -> AlbCdn | None:
    """The ALB's distribution when `loadBalancer.cloudFront` is set (config requires the ALB's domain)."""
    cdn, domain = config.load_balancer.cloud_front, config.load_balancer.domain
    if cdn is None or load_balancer is None or edge is None or domain is None or not origin_verify:
        return None
    return AlbCdn(
        "cdn",
        AlbCdnArgs(
            config=cdn,
            origin_domain=domain.name,
            alb_security_group_id=load_balancer.security_group_id,
            origin_verify=next(iter(origin_verify.values())),
            edge=edge,
            log_retention_days=config.log_retention_days,
        ),
        opts,
    )
