"""alb-tls-and-headers: HTTPS with a TLS 1.2+ policy, HTTP only as a redirect, invalid headers dropped."""

from __future__ import annotations

from policies.guardrails.load_balancing import ALB_TLS_AND_HEADERS, HINT

from .helpers import UNKNOWN, check

LISTENER = "aws:lb/listener:Listener"
REDIRECT = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
FORWARD = {"type": "forward", "targetGroupArn": "arn:aws:elasticloadbalancing:..."}


def test_https_with_a_modern_policy_and_an_http_redirect_pass() -> None:
    https = {
        "protocol": "HTTPS",
        "port": 443,
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "certificateArn": UNKNOWN,
        "defaultActions": [FORWARD],
    }
    assert check(ALB_TLS_AND_HEADERS, LISTENER, https).passed
    assert check(
        ALB_TLS_AND_HEADERS, "aws:alb/listener:Listener", {"protocol": "HTTP", "port": 80, "defaultActions": [REDIRECT]}
    ).passed


def test_an_old_or_missing_tls_policy_is_rejected() -> None:
    old = {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08", "defaultActions": [FORWARD]}
    assert check(ALB_TLS_AND_HEADERS, LISTENER, old).violations == [
        "aws:lb/listener:Listener 'r' uses TLS policy 'ELBSecurityPolicy-2016-08': use "
        f"ELBSecurityPolicy-TLS13-1-2-2021-06 or another TLS 1.2+ policy. {HINT}"
    ]
    unset = check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "HTTPS", "defaultActions": [FORWARD]}).violations
    assert "uses TLS policy unset (AWS then uses ELBSecurityPolicy-2016-08, TLS 1.0)" in unset[0]


def test_the_tls_policy_list_is_configurable() -> None:
    listener = {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "defaultActions": [FORWARD]}
    assert check(
        ALB_TLS_AND_HEADERS, LISTENER, listener, config={"allowedSslPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]}
    ).violations


def test_http_may_only_redirect_to_https() -> None:
    for listener in (
        {"protocol": "HTTP", "defaultActions": [FORWARD]},
        {"port": 80, "defaultActions": [FORWARD]},
        {"protocol": "HTTP", "defaultActions": [{**REDIRECT, "redirect": {"protocol": "HTTP"}}]},
    ):
        assert check(ALB_TLS_AND_HEADERS, LISTENER, listener).violations == [
            "aws:lb/listener:Listener 'r' serves plain HTTP: its default action must be a redirect to HTTPS (type "
            f"redirect, protocol HTTPS, status HTTP_301). {HINT}"
        ]


def test_application_load_balancers_drop_invalid_headers() -> None:
    lb = "aws:lb/loadBalancer:LoadBalancer"
    assert check(ALB_TLS_AND_HEADERS, lb, {"loadBalancerType": "application", "dropInvalidHeaderFields": True}).passed
    assert check(ALB_TLS_AND_HEADERS, lb, {"internal": False}).violations == [
        "aws:lb/loadBalancer:LoadBalancer 'r' forwards invalid HTTP headers to its targets: set "
        f"drop_invalid_header_fields=true (request-smuggling defence). {HINT}"
    ]
    assert check(ALB_TLS_AND_HEADERS, lb, {"loadBalancerType": "network"}).passed


def test_unknown_listener_settings_are_deferred() -> None:
    result = check(ALB_TLS_AND_HEADERS, LISTENER, {"protocol": "HTTPS", "sslPolicy": UNKNOWN})
    assert result.violations == [] and len(result.deferred) == 1
