"""alb-tls-and-headers defers, rather than passes or fails, when the value it judges is unknown at preview;
and it judges both the `aws:lb` and the `aws:alb` tokens, TLS listeners and every spelling of a protocol."""

from __future__ import annotations

import pytest

from policies.guardrails.load_balancing import ALB_TLS_AND_HEADERS, HINT

from .helpers import UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_BOOL, UNKNOWN_OBJECT, check
from .helpers import deferred as deferred_advisory

LISTENER = "aws:lb/listener:Listener"
LB = "aws:lb/loadBalancer:LoadBalancer"
WHEN_KNOWN = "judged on `pulumi up`, when known"
REDIRECT = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
PLAIN_HTTP = (
    "serves plain HTTP: its default action must be a redirect to HTTPS (type redirect, protocol HTTPS, status "
    f"HTTP_301). {HINT}"
)


def deferred(what: str) -> list[str]:
    return deferred_advisory("alb-tls-and-headers", (what, WHEN_KNOWN))


def test_an_unknown_listener_protocol_defers() -> None:
    result = check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": UNKNOWN, "defaultActions": [{"type": "forward"}]})
    assert result.violations == []
    assert result.deferred == deferred(f".protocol of {LISTENER} 'r'")


def test_an_unknown_tls_policy_defers() -> None:
    result = check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "HTTPS", "sslPolicy": UNKNOWN})
    assert result.deferred == deferred(f".sslPolicy of {LISTENER} 'r'")


@pytest.mark.parametrize(
    "actions",
    [
        UNKNOWN_ARRAY,
        [UNKNOWN_OBJECT],
        [{"type": UNKNOWN, "redirect": {"protocol": "HTTPS"}}],
        [{"type": "redirect", "redirect": {"protocol": UNKNOWN}}],
        [{"type": "redirect", "redirect": UNKNOWN_OBJECT}],
    ],
    ids=["list", "action", "type", "protocol", "redirect"],
)
def test_an_unknown_default_action_of_an_http_listener_defers(actions: object) -> None:
    result = check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "HTTP", "defaultActions": actions})
    assert result.violations == []
    assert result.deferred == deferred(f".defaultActions of {LISTENER} 'r'")


def test_an_http_listener_without_any_default_action_serves_plain_http() -> None:
    assert check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "HTTP"}).violations == [f"{LISTENER} 'r' {PLAIN_HTTP}"]


def test_every_default_action_must_redirect() -> None:
    actions = [REDIRECT, {"type": "forward"}]
    assert check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "http", "defaultActions": actions}).violations == [
        f"{LISTENER} 'r' {PLAIN_HTTP}"
    ]


@pytest.mark.parametrize("protocol", ["TLS", "tls", "https"])
def test_tls_and_lowercase_https_listeners_need_a_modern_policy(protocol: str) -> None:
    listener = "aws:alb/listener:Listener"
    assert check(
        ALB_TLS_AND_HEADERS, listener, {"protocol": protocol, "sslPolicy": "ELBSecurityPolicy-2016-08"}
    ).violations == [
        f"{listener} 'r' uses TLS policy 'ELBSecurityPolicy-2016-08': use ELBSecurityPolicy-TLS13-1-2-2021-06 or "
        f"another TLS 1.2+ policy. {HINT}"
    ]
    assert check(
        ALB_TLS_AND_HEADERS, listener, {"protocol": protocol, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}
    ).passed


def test_tcp_and_udp_listeners_carry_no_http_to_judge() -> None:
    assert check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "TCP", "defaultActions": [{"type": "forward"}]}).passed
    assert check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "UDP"}).passed


def test_an_alb_token_load_balancer_must_drop_invalid_headers() -> None:
    alb = "aws:alb/loadBalancer:LoadBalancer"
    assert check(ALB_TLS_AND_HEADERS, alb, {"loadBalancerType": "application"}).violations == [
        f"{alb} 'r' forwards invalid HTTP headers to its targets: set drop_invalid_header_fields=true "
        f"(request-smuggling defence). {HINT}"
    ]
    assert check(ALB_TLS_AND_HEADERS, alb, {"dropInvalidHeaderFields": "true"}).passed
    assert check(ALB_TLS_AND_HEADERS, alb, {"loadBalancerType": "gateway"}).passed


@pytest.mark.parametrize(
    ("props", "what"),
    [
        ({"loadBalancerType": UNKNOWN, "dropInvalidHeaderFields": False}, ".loadBalancerType"),
        ({"loadBalancerType": "application", "dropInvalidHeaderFields": UNKNOWN_BOOL}, ".dropInvalidHeaderFields"),
    ],
)
def test_unknown_load_balancer_settings_defer(props: dict, what: str) -> None:
    result = check(ALB_TLS_AND_HEADERS, LB, props)
    assert result.violations == []
    assert result.deferred == deferred(f"{what} of {LB} 'r'")


@pytest.mark.parametrize(
    "policy",
    [
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
    ],
)
def test_every_tls_1_2_and_newer_policy_is_accepted_by_default(policy: str) -> None:
    assert check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "HTTPS", "sslPolicy": policy}).passed


@pytest.mark.parametrize(
    "policy",
    ["ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-2016-08"],
)
def test_extended_and_legacy_policies_are_refused(policy: str) -> None:
    assert check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "HTTPS", "sslPolicy": policy}).violations == [
        f"{LISTENER} 'r' uses TLS policy {policy!r}: use ELBSecurityPolicy-TLS13-1-2-2021-06 or another TLS 1.2+ "
        f"policy. {HINT}"
    ]
