"""`platform:loadBalancer.cloudFront`: the rules across keys (components/alb_cdn.py builds it).

```yaml
platform:loadBalancer:
  domain: {name: origin.example.com, hostedZone: example.com}    # the origin: CloudFront verifies its certificate
  cloudFront:
    domain: {name: www.example.com, hostedZone: example.com}     # the viewers' name
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .apis import alb_behind_vpc_link
from .problems import MISSING, Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig

CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
PREFIX_LIST_WEIGHT = 55
"""A security group rule that references a managed prefix list counts as the list's max entries against the
rules-per-group quota: CloudFront's origin-facing list weighs 55 (IPv4)
(https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html)."""
INBOUND_RULES_QUOTA = 60
"""Inbound rules per security group, the default quota (adjustable, up to 1000 with fewer groups per interface)."""


def alb_inbound_rules(config: StackConfig) -> int:
    """Inbound rule weight of the ALB's group behind CloudFront: the prefix list, plus the test listener's sources
    when a web service deploys progressively (the VPC, one NAT address per AZ, `testListener.cidrs`)."""
    progressive = any(s.kind == "web" and s.deployment.progressive for s in config.services.values())
    test_sources = 1 + config.network.az_count + len(config.load_balancer.test_listener.cidrs) if progressive else 0
    return PREFIX_LIST_WEIGHT + test_sources


def check(config: StackConfig) -> list[Problem]:
    """CloudFront needs the ALB's own domain, a different viewer name, an internet-facing ALB (no VPC link) no
    API reaching the ALB over the internet, and room in the group's inbound rules quota."""
    cdn = config.load_balancer.cloud_front
    if cdn is None:
        return []
    problems: list[Problem] = []
    where = ("loadBalancer", "cloudFront")
    if config.load_balancer.domain is None:
        problems.append(
            Problem(
                key_path(("loadBalancer", "domain")),
                "CloudFront calls the ALB over HTTPS by this name and verifies its certificate: give "
                "loadBalancer.domain (the origin's name)",
                MISSING,
            )
        )
    elif config.load_balancer.domain.name == cdn.domain.name:
        problems.append(
            Problem(
                key_path((*where, "domain", "name")),
                "the viewers' name must differ from loadBalancer.domain.name (the origin's name)",
                cdn.domain.name,
            )
        )
    if alb_behind_vpc_link(config):
        problems.append(
            Problem(
                key_path(where),
                "an API reaches the ALB through a VPC link, which makes it internal: CloudFront cannot reach it",
                "set",
            )
        )
    for name, api in config.apis.items():
        if api.service is not None and api.integration == "https":
            problems.append(
                Problem(
                    key_path(("apis", name, "integration")),
                    "behind CloudFront the ALB admits only CloudFront's addresses: API Gateway cannot reach it "
                    "over the internet",
                    api.integration,
                )
            )
    weight = alb_inbound_rules(config)
    if weight > INBOUND_RULES_QUOTA:
        problems.append(
            Problem(
                key_path(("loadBalancer", "testListener", "cidrs")),
                f"the ALB's group would hold {weight} inbound rule entries (CloudFront's prefix list counts "
                f"{PREFIX_LIST_WEIGHT}) over the default quota of {INBOUND_RULES_QUOTA}: list fewer networks, or "
                "raise the quota (Service Quotas: inbound or outbound rules per security group) first",
                config.load_balancer.test_listener.cidrs,
            )
        )
    return problems
