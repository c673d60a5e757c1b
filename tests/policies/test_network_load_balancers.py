"""nlb-hardening and nlb-listeners: passing and failing resources with the exact messages."""

from __future__ import annotations

from typing import Any

from policies.guardrails.network_load_balancers import HINT, NLB_HARDENING, NLB_LISTENERS

from .helpers import UNKNOWN, R, check, check_stack

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
GOOD_NLB: dict[str, Any] = {
    "loadBalancerType": "network",
    "internal": True,
    "securityGroups": ["sg-1"],
    "enableCrossZoneLoadBalancing": True,
    "enableDeletionProtection": True,
    "tags": {"Environment": "prod"},
}
SUBJECT = f"{LB} 'r'"


def test_the_platforms_nlb_passes() -> None:
    assert check(NLB_HARDENING, LB, GOOD_NLB).passed


def test_application_load_balancers_are_not_judged_here() -> None:
    assert check(NLB_HARDENING, LB, {"loadBalancerType": "application", "internal": False}).passed


def test_each_missing_hardening_is_named() -> None:
    result = check(
        NLB_HARDENING,
        LB,
        {**GOOD_NLB, "internal": False, "securityGroups": [], "enableCrossZoneLoadBalancing": False},
    )
    assert result.violations == [
        f"{SUBJECT} is an internet-facing network load balancer: NLBs stay internal (API Gateway reaches them through "
        f"a VPC link); the internet enters through the ALB and its web ACL. {HINT}",
        f"{SUBJECT} has no security group: its targets cannot admit it by reference, and AWS adds none to an NLB "
        f"created without one. {HINT}",
        f"{SUBJECT} does not balance across zones (enableCrossZoneLoadBalancing): a zone whose target is unhealthy "
        f"drops its share of the connections. {HINT}",
    ]


def test_a_production_nlb_needs_deletion_protection_and_a_dev_one_does_not() -> None:
    unprotected = {**GOOD_NLB, "enableDeletionProtection": False}
    assert check(NLB_HARDENING, LB, unprotected).violations == [
        f"{SUBJECT} is a production load balancer without deletion protection (enableDeletionProtection: true; the "
        f"prod preset sets it). {HINT}"
    ]
    assert check(NLB_HARDENING, LB, {**unprotected, "tags": {"Environment": "dev"}}).passed


def test_an_unknown_type_is_deferred_not_passed() -> None:
    result = check(NLB_HARDENING, LB, {**GOOD_NLB, "loadBalancerType": UNKNOWN})
    assert result.violations == [] and len(result.deferred) == 1


def _listener_stack(protocol: str, target_type: str = "alb", **extra: Any) -> list[R]:
    nlb = R(LB, "nlb", {**GOOD_NLB, **extra.pop("nlb", {})})
    group = R(TARGET_GROUP, "tg", {"targetType": target_type, "protocol": "TCP"})
    listener = R(
        LISTENER,
        "listener",
        {"protocol": protocol, "loadBalancerArn": UNKNOWN, "defaultActions": [{"type": "forward"}], **extra},
        deps={"loadBalancerArn": [nlb], "defaultActions": [group]},
    )
    return [nlb, group, listener]


def test_tcp_passed_through_to_an_alb_target_group_passes_even_while_arns_are_unknown() -> None:
    assert check_stack(NLB_LISTENERS, _listener_stack("TCP")).passed


def test_plain_tcp_to_instances_or_ips_fails() -> None:
    assert check_stack(NLB_LISTENERS, _listener_stack("TCP", target_type="ip")).violations == [
        f"{LISTENER} 'listener' forwards plain TCP to targets that do not terminate TLS: terminate it on a TLS "
        f"listener, or pass it through to an ALB (a target group of type alb). {HINT}"
    ]


def test_udp_fails() -> None:
    assert check_stack(NLB_LISTENERS, _listener_stack("UDP")).violations == [
        f"{LISTENER} 'listener' uses UDP: a network load balancer of the platform carries TLS (TLS, or TCP passed "
        f"through to an ALB). {HINT}"
    ]


def test_a_tls_listener_needs_a_modern_policy_and_access_logs() -> None:
    good = _listener_stack(
        "TLS", sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", nlb={"accessLogs": {"enabled": True}}
    )
    assert check_stack(NLB_LISTENERS, good).passed
    bad = _listener_stack("TLS", sslPolicy="ELBSecurityPolicy-2016-08")
    assert check_stack(NLB_LISTENERS, bad).violations == [
        f"{LISTENER} 'listener' uses TLS policy 'ELBSecurityPolicy-2016-08': use ELBSecurityPolicy-TLS13-1-2-2021-06. "
        f"{HINT}",
        f"{LB} 'nlb' terminates TLS ({LISTENER} 'listener') without access logs (accessLogs.enabled): its TLS "
        f"requests leave no record. {HINT}",
    ]


def test_listeners_of_application_load_balancers_are_not_judged_here() -> None:
    alb = R(LB, "alb", {"loadBalancerType": "application"})
    listener = R(LISTENER, "http", {"protocol": "HTTP"}, deps={"loadBalancerArn": [alb]})
    assert check_stack(NLB_LISTENERS, [alb, listener]).passed
