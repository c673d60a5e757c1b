"""nlb-hardening and nlb-listeners: the platform's network load balancers (the API Gateway VPC link's NLB).

nlb-hardening (resource): a network load balancer is internal (the platform builds NLBs only behind API Gateway
VPC links; an entry from the internet is the ALB's, with its WAF), has security groups (an NLB without one
cannot be referenced by its targets' groups and can never get one later), balances across zones (a VPC link NLB
with one healthy AZ would otherwise blackhole the other zone's share), and in production has AWS deletion
protection. Gateway and application load balancers are not judged here.

nlb-listeners (stack): a listener of a network load balancer carries TLS. A `TLS` listener uses a TLS 1.2+
policy (the same list as alb-tls-and-headers) and its NLB writes access logs (NLB access logs record TLS
listeners only). A `TCP` listener is allowed only when it forwards to target groups of type `alb`: TLS passes
through to the ALB, which terminates it (an ALB-type target group takes only TCP). Plain TCP to instances or IPs,
and UDP, are refused. Relations come from property dependencies (`loadBalancerArn`, `defaultActions`), known
even while ARNs are not.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import (
    PRODUCTION_SETTING,
    Context,
    Resource,
    Stack,
    StackResource,
    Unknown,
    is_true,
    resource_policy,
    stack_policy,
)
from .load_balancing import MODERN_TLS_POLICIES

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
TARGET_GROUPS = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")

HINT = "Build the NLB with components/private_link.py (internal, security group, cross-zone, TCP 443 to the ALB)."


def check_nlb(resource: Resource, ctx: Context) -> None:
    kind = resource.props.get("loadBalancerType")
    if isinstance(kind, Unknown):
        ctx.defer(f".loadBalancerType of {resource.subject}", "judged on `pulumi up`, when known")
        return
    if kind != "network":
        return
    if not is_true(resource.props.get("internal")):
        ctx.violation(
            f"{resource.subject} is an internet-facing network load balancer: NLBs stay internal (API Gateway "
            f"reaches them through a VPC link); the internet enters through the ALB and its web ACL. {HINT}"
        )
    groups = resource.props.get("securityGroups")
    if not isinstance(groups, Unknown) and not (isinstance(groups, list) and groups):
        ctx.violation(
            f"{resource.subject} has no security group: its targets cannot admit it by reference, and AWS adds "
            f"none to an NLB created without one. {HINT}"
        )
    if not is_true(resource.props.get("enableCrossZoneLoadBalancing")):
        ctx.violation(
            f"{resource.subject} does not balance across zones (enableCrossZoneLoadBalancing): a zone whose "
            f"target is unhealthy drops its share of the connections. {HINT}"
        )
    production = ctx.production(resource.props.get("tags"))
    if isinstance(production, Unknown):
        ctx.defer(f".tags.Environment of {resource.subject}", "judged on `pulumi up`, when known")
    elif production and not is_true(resource.props.get("enableDeletionProtection")):
        ctx.violation(
            f"{resource.subject} is a production load balancer without deletion protection "
            f"(enableDeletionProtection: true; the prod preset sets it). {HINT}"
        )


NLB_HARDENING = resource_policy(
    name="nlb-hardening",
    description="Network load balancers are internal, have security groups, balance across zones and, in "
    "production, have deletion protection.",
    types=LOAD_BALANCERS,
    check=check_nlb,
    settings=PRODUCTION_SETTING,
    severity=Severity.HIGH,
    remediation=HINT,
)


def _linked(stack: Stack, resource: StackResource, key: str, types: tuple[str, ...]) -> list[StackResource]:
    return [
        stack.by_urn[urn]
        for urn in resource.property_dependencies.get(key, [])
        if urn in stack.by_urn and stack.by_urn[urn].type in types
    ]


def _check_tls(listener: StackResource, nlb: StackResource, ctx: Context) -> None:
    allowed = [str(p) for p in ctx.settings["allowedSslPolicies"]]
    policy = listener.props.get("sslPolicy")
    if not isinstance(policy, Unknown) and policy not in allowed:
        shown = repr(policy) if policy else "unset (AWS then uses ELBSecurityPolicy-2016-08, TLS 1.0)"
        ctx.violation(f"{listener.subject} uses TLS policy {shown}: use {allowed[0]}. {HINT}", listener.urn)
    logs: Any = nlb.props.get("accessLogs")
    enabled = logs.get("enabled") if isinstance(logs, dict) else None
    if not isinstance(enabled, Unknown) and not is_true(enabled):
        ctx.violation(
            f"{nlb.subject} terminates TLS ({listener.subject}) without access logs (accessLogs.enabled): "
            f"its TLS requests leave no record. {HINT}",
            listener.urn,
        )


def check_listeners(stack: Stack, ctx: Context) -> None:
    for listener in stack.of_type(*LISTENERS):
        nlbs = [
            lb
            for lb in _linked(stack, listener, "loadBalancerArn", LOAD_BALANCERS)
            if lb.props.get("loadBalancerType") == "network"
        ]
        if not nlbs:
            continue
        protocol = listener.props.get("protocol")
        if isinstance(protocol, Unknown):
            continue
        protocol = str(protocol or "TCP").upper()
        if protocol == "TLS":
            _check_tls(listener, nlbs[0], ctx)
        elif protocol == "TCP":
            groups = _linked(stack, listener, "defaultActions", TARGET_GROUPS)
            kinds = [g.props.get("targetType") for g in groups]
            if any(isinstance(k, Unknown) for k in kinds):
                continue
            if not groups or any(k != "alb" for k in kinds):
                ctx.violation(
                    f"{listener.subject} forwards plain TCP to targets that do not terminate TLS: terminate it on a "
                    f"TLS listener, or pass it through to an ALB (a target group of type alb). {HINT}",
                    listener.urn,
                )
        else:
            ctx.violation(
                f"{listener.subject} uses {protocol}: a network load balancer of the platform carries TLS (TLS, "
                f"or TCP passed through to an ALB). {HINT}",
                listener.urn,
            )


NLB_LISTENERS = stack_policy(
    name="nlb-listeners",
    description="Network load balancer listeners carry TLS: a TLS listener with a TLS 1.2+ policy and access "
    "logs, or TCP passed through to an ALB target group.",
    check=check_listeners,
    settings={
        "allowedSslPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": MODERN_TLS_POLICIES,
            "description": "ELB security policies a TLS listener may use (TLS 1.2 and newer only).",
        }
    },
    severity=Severity.HIGH,
    remediation=HINT,
)

POLICIES = [NLB_HARDENING, NLB_LISTENERS]

__all__ = ["NLB_HARDENING", "NLB_LISTENERS", "POLICIES"]
