"""The edge layer: what faces the internet. The load balancer (before compute: web services attach to its
listener), the web services' addresses in the registry, the origin-verify secrets, CDN sites and REST APIs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..api import Api, OriginVerify, build_apis, origin_verify_secrets
from ..aws_context import AwsContext
from ..config import StackConfig
from ..load_balancer import LoadBalancer, LoadBalancerArgs
from ..registry import register_services
from ..site import Site, build_sites
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
            ),
            opts,
        )
    register_services(data.registry, config.services, load_balancer)
    origin_verify = origin_verify_secrets(config, data.keys.arn, opts)  # before the services: their rules need it
    # -- sites: private buckets behind CloudFront (components/site.py) -----------------------------
    sites = build_sites(config, context, opts, data.access_log_bucket)
    # -- REST APIs: API Gateway in front of web services or from OpenAPI documents (components/api.py) --
    apis = build_apis(config, context, data.keys.arn, data.registry, opts, origin_verify=origin_verify)
    return EdgeLayer(load_balancer=load_balancer, origin_verify=origin_verify, sites=sites, apis=apis)
