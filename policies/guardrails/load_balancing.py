"""alb-tls-and-headers: HTTPS with a modern TLS policy, HTTP only as a redirect, invalid headers dropped."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import Context, Resource, Unknown, as_list, dig, is_true, resource_policy, string_list

LISTENERS = {"aws:lb/listener:Listener", "aws:alb/listener:Listener"}
LOAD_BALANCERS = {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}

MODERN_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
]
"""TLS 1.2+ policies without the extended (legacy-cipher) variants."""

SETTINGS: dict[str, dict[str, Any]] = {
    "allowedSslPolicies": string_list(
        MODERN_TLS_POLICIES, "ELB security policies an HTTPS/TLS listener may use (TLS 1.2 and newer only)."
    ),
}
HINT = "The internet-facing ALB serves HTTPS only; HTTP exists only to redirect to it."


def _redirects_to_https(action: Any) -> bool | Unknown:
    if isinstance(action, Unknown):
        return action
    kind = dig(action, "type")
    protocol = dig(action, "redirect", "protocol")
    if isinstance(kind, Unknown) or isinstance(protocol, Unknown):
        return Unknown("string")
    return kind == "redirect" and protocol == "HTTPS"


def check_listener(resource: Resource, ctx: Context) -> None:
    protocol = resource.props.get("protocol")
    if isinstance(protocol, Unknown):
        ctx.defer(f".protocol of {resource.subject}", "judged on `pulumi up`, when known")
        return
    protocol = str(protocol or "HTTP").upper()  # an ALB listener without protocol is HTTP
    if protocol in {"HTTPS", "TLS"}:
        allowed = [str(p) for p in ctx.settings["allowedSslPolicies"]]
        policy = resource.props.get("sslPolicy")
        if isinstance(policy, Unknown):
            ctx.defer(f".sslPolicy of {resource.subject}", "judged on `pulumi up`, when known")
        elif policy not in allowed:
            shown = repr(policy) if policy else "unset (AWS then uses ELBSecurityPolicy-2016-08, TLS 1.0)"
            ctx.violation(
                f"{resource.subject} uses TLS policy {shown}: use {allowed[0]} or another TLS 1.2+ policy. {HINT}"
            )
    elif protocol == "HTTP":
        actions = as_list(resource.props.get("defaultActions"))
        verdicts = [_redirects_to_https(a) for a in actions] if isinstance(actions, list) else [actions]
        if any(isinstance(v, Unknown) for v in verdicts):
            ctx.defer(f".defaultActions of {resource.subject}", "judged on `pulumi up`, when known")
        elif not verdicts or not all(verdicts):
            ctx.violation(
                f"{resource.subject} serves plain HTTP: its default action must be a redirect to "
                f"HTTPS (type redirect, protocol HTTPS, status HTTP_301). {HINT}"
            )


def check_load_balancer(resource: Resource, ctx: Context) -> None:
    kind = resource.props.get("loadBalancerType")
    if isinstance(kind, Unknown):
        ctx.defer(f".loadBalancerType of {resource.subject}", "judged on `pulumi up`, when known")
        return
    if kind not in (None, "application"):
        return  # network/gateway load balancers do not parse HTTP headers
    drop = resource.props.get("dropInvalidHeaderFields")
    if isinstance(drop, Unknown):
        ctx.defer(f".dropInvalidHeaderFields of {resource.subject}", "judged on `pulumi up`, when known")
    elif not is_true(drop):
        ctx.violation(
            f"{resource.subject} forwards invalid HTTP headers to its targets: set "
            f"drop_invalid_header_fields=true (request-smuggling defence). {HINT}"
        )


def check_alb(resource: Resource, ctx: Context) -> None:
    if resource.type in LISTENERS:
        check_listener(resource, ctx)
    else:
        check_load_balancer(resource, ctx)


ALB_TLS_AND_HEADERS = resource_policy(
    name="alb-tls-and-headers",
    description="Load balancer listeners use HTTPS with a TLS 1.2+ policy, HTTP listeners only redirect to "
    "HTTPS, and application load balancers drop invalid header fields.",
    types=[*LISTENERS, *LOAD_BALANCERS],
    check=check_alb,
    settings=SETTINGS,
    severity=Severity.HIGH,
    remediation="HTTPS listener with ssl_policy ELBSecurityPolicy-TLS13-1-2-2021-06 (needs a certificate); HTTP "
    "listener default action redirect to HTTPS; drop_invalid_header_fields=true on the ALB.",
)

POLICIES = [ALB_TLS_AND_HEADERS]
