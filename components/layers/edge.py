"""The edge layer: what faces the internet. The load balancer (before compute: web services attach to its
listener), the web services' addresses in the registry, the origin-verify secrets, CDN sites and REST APIs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..alb_cdn import AlbCdn, build_alb_cdn, cdn_origin_verify
from ..api import Api, OriginVerify, build_apis, origin_verify_secrets
from ..aws_context import AwsContext
from ..config import StackConfig
from ..config.apis import alb_behind_vpc_link
from ..load_balancer import LoadBalancer, LoadBalancerArgs
from ..private_link import PrivateLink, build_private_link
from ..registry import register_services
from ..site import Site, build_sites, edge_for
from .data import DataLayer
from .network import NetworkLayer


@dataclass(frozen=True)
class EdgeLayer:
    """What faces the internet, for compute (the load balancer, origin-verify headers) and observability."""

    load_balancer: LoadBalancer | None
    """Built when a web service or an http-triggered function needs it."""
    origin_verify: dict[str, OriginVerify]
    """By web service: the header an API sends and the service's listener rule requires."""
    sites: dict[str, Site]
    apis: dict[str, Api]
    alb_cdn: AlbCdn | None
    """CloudFront in front of the ALB (`loadBalancer.cloudFront`, components/alb_cdn.py)."""
    private_link: PrivateLink | None
    """The VPC link and internal NLB to an internal ALB (`apis.<name>.integration: vpcLink`)."""

    def outputs(self) -> dict[str, pulumi.Input[object]]:
        outputs: dict[str, pulumi.Input[object]] = {}
        if self.load_balancer is not None:
            outputs["loadBalancerDnsName"] = self.load_balancer.dns_name
            outputs["url"] = self.load_balancer.url
        if self.apis:
            outputs["apiUrls"] = {key: api.url for key, api in self.apis.items()}
            outputs["apiKeyIds"] = {
                f"{key}.{name}": key_id for key, api in self.apis.items() for name, key_id in api.api_key_ids.items()
            }
        if self.sites:
            outputs["siteUrls"] = {key: site.url for key, site in self.sites.items()}
        if self.alb_cdn is not None:
            outputs["cdnUrl"] = self.alb_cdn.url
        return outputs


def build_edge(
    config: StackConfig, context: AwsContext, opts: pulumi.ResourceOptions, *, network: NetworkLayer, data: DataLayer
) -> EdgeLayer:
    """The load balancer, then (registering the web services' URLs first: a proxy API targets one) sites and
    APIs."""
    load_balancer: LoadBalancer | None = None
    if any(service.kind == "web" for service in config.services.values()) or any(
        function.triggers.http is not None for function in config.functions.values()
    ):
        load_balancer = LoadBalancer(
            "load-balancer",
            LoadBalancerArgs(
                config=config.load_balancer,
                vpc_id=network.vpc_id,
                public_subnet_ids=network.public_subnet_ids,
                aws_context=context,
                network_ready=network.internet_ready,
                test_listener=any(s.kind == "web" and s.deployment.progressive for s in config.services.values()),
                vpc_cidr=network.vpc_cidr,
                nat_public_ips=network.nat_public_ips,
                kms_key_arn=data.keys.arn,
                log_retention_days=config.log_retention_days,
                internal_subnet_ids=network.private_subnet_ids if alb_behind_vpc_link(config) else None,
                behind_cloudfront=config.load_balancer.cloud_front is not None,
                alias_record=data.dr is None,  # DR: the failover aliases answer for the domain (layers/recovery.py)
            ),
            opts,
        )
    register_services(data.registry, config.services, load_balancer)
    cdn_verify = cdn_origin_verify(config, data.keys.arn, opts)  # CloudFront in front of the ALB: same rule
    origin_verify = origin_verify_secrets(config, data.keys.arn, opts) | cdn_verify  # before the services
    # -- sites and the ALB's distribution share one Edge (us-east-1 provider; components/site.py, alb_cdn.py) --
    shared_edge = edge_for(config, context, opts)
    sites = build_sites(config, context, opts, data.access_log_bucket, edge=shared_edge)
    alb_cdn = build_alb_cdn(config, load_balancer, shared_edge, cdn_verify, opts)
    private_link = build_private_link(config, network, load_balancer, opts)
    # -- REST APIs: API Gateway in front of web services or from OpenAPI documents (components/api.py) --
    apis = build_apis(
        config,
        context,
        data.keys.arn,
        data.registry,
        opts,
        origin_verify=origin_verify,
        vpc_link_id=private_link.vpc_link_id if private_link is not None else None,
    )
    return EdgeLayer(
        load_balancer=load_balancer,
        origin_verify=origin_verify,
        sites=sites,
        apis=apis,
        alb_cdn=alb_cdn,
        private_link=private_link,
    )
