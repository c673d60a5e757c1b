"""no-public-app-ingress (resource), public-ingress-only-on-internet-facing-lb (stack), vpc-flow-logs (stack)."""

from __future__ import annotations

import pytest

from policies.guardrails.network import NO_PUBLIC_APP_INGRESS, PUBLIC_INGRESS_ONLY_ON_LB, VPC_FLOW_LOGS

from .helpers import UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_BOOL, UNKNOWN_NUMBER, R, check, check_stack

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LB = "aws:lb/loadBalancer:LoadBalancer"
FIX = (
    "Only an internet-facing load balancer's security group may accept the internet, on TCP 80/443: admit the "
    "load balancer's security group (referenced_security_group_id) instead of a CIDR."
)


def inline(
    cidrs: list[str] | None = None,
    ipv6: list[str] | None = None,
    port: int = 22,
    to: int | None = None,
    protocol: str = "tcp",
) -> dict:
    return {
        "description": "Managed by Pulumi",
        "ingress": [
            {
                "protocol": protocol,
                "fromPort": port,
                "toPort": to if to is not None else port,
                "cidrBlocks": cidrs or [],
                "ipv6CidrBlocks": ipv6 or [],
            }
        ],
    }


def test_inline_ssh_from_the_internet_is_rejected() -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG, inline(["0.0.0.0/0"]), name="api-sg")
    assert result.violations == [
        f"aws:ec2/securityGroup:SecurityGroup 'api-sg' ingress[0] allows 0.0.0.0/0 on tcp 22. {FIX}"
    ]


def test_ipv6_everywhere_is_the_internet_too() -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG, inline(ipv6=["::/0"], port=8080))
    assert result.violations == [f"aws:ec2/securityGroup:SecurityGroup 'r' ingress[0] allows ::/0 on tcp 8080. {FIX}"]


@pytest.mark.parametrize(
    ("rule", "ports"),
    [
        (inline(["0.0.0.0/0"], port=80, to=443), "tcp 80-443"),
        (inline(["0.0.0.0/0"], protocol="-1", port=0, to=0), "all traffic (every protocol and port)"),
        (inline(["0.0.0.0/0"], protocol="udp", port=443), "udp 443"),
        (inline(["0.0.0.0/0"], protocol="icmp", port=-1), "protocol icmp"),
    ],
)
def test_anything_but_tcp_80_or_443_alone_is_rejected(rule: dict, ports: str) -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG, rule).violations == [
        f"aws:ec2/securityGroup:SecurityGroup 'r' ingress[0] allows 0.0.0.0/0 on {ports}. {FIX}"
    ]


def test_https_from_the_internet_passes_the_resource_check() -> None:
    # Where the group is attached is the stack policy's question (below).
    assert check(NO_PUBLIC_APP_INGRESS, SG, inline(["0.0.0.0/0"], ipv6=["::/0"], port=443)).passed


def test_private_sources_are_fine() -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG, inline(["10.20.0.0/16"], ipv6=["fd00::/8"])).passed


def test_a_separate_rule_of_type_ingress_is_judged_and_egress_is_not() -> None:
    rule = {
        "type": "ingress",
        "securityGroupId": "sg-1",
        "protocol": "tcp",
        "fromPort": 5432,
        "toPort": 5432,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule).violations == [
        f"aws:ec2/securityGroupRule:SecurityGroupRule 'r' allows 0.0.0.0/0 on tcp 5432. {FIX}"
    ]
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, {**rule, "type": "egress"}).passed


def test_vpc_ingress_rules_ipv4_and_ipv6() -> None:
    rule = {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrIpv4": "0.0.0.0/0"}
    assert check(NO_PUBLIC_APP_INGRESS, INGRESS, rule).violations == [
        f"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'r' allows 0.0.0.0/0 on tcp 3389. {FIX}"
    ]
    assert check(
        NO_PUBLIC_APP_INGRESS, INGRESS, {**rule, "ipProtocol": "-1", "cidrIpv4": None, "cidrIpv6": "::/0"}
    ).violations
    assert check(
        NO_PUBLIC_APP_INGRESS, INGRESS, {**rule, "fromPort": 443, "toPort": 443, "cidrIpv4": None, "cidrIpv6": "::/0"}
    ).passed


def test_the_allowed_ports_are_configurable() -> None:
    rule = inline(["0.0.0.0/0"], port=80)
    assert check(NO_PUBLIC_APP_INGRESS, SG, rule).passed
    assert len(check(NO_PUBLIC_APP_INGRESS, SG, rule, config={"allowedPublicPorts": [443]}).violations) == 1


def test_unknown_sources_and_ports_are_deferred_not_passed() -> None:
    rule = {"securityGroupId": UNKNOWN, "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": UNKNOWN}
    result = check(NO_PUBLIC_APP_INGRESS, INGRESS, rule)
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'no-public-app-ingress' from policy pack 'test-pack@v0.0.1' during preview: a rule "
        "source CIDR of aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'r' can't be known during "
        "preview: judged on `pulumi up`, when known"
    ]
    ports = check(NO_PUBLIC_APP_INGRESS, INGRESS, {**rule, "cidrIpv4": "0.0.0.0/0", "toPort": UNKNOWN_NUMBER})
    assert ports.violations == [] and len(ports.deferred) == 1
    listed = check(NO_PUBLIC_APP_INGRESS, SG, {"ingress": UNKNOWN_ARRAY})
    assert listed.violations == [] and len(listed.deferred) == 1


def test_a_known_violation_is_reported_next_to_an_unknown_rule() -> None:
    props = {
        "ingress": [
            inline(["0.0.0.0/0"])["ingress"][0],
            {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": [UNKNOWN]},
        ]
    }
    result = check(NO_PUBLIC_APP_INGRESS, SG, props)
    assert len(result.violations) == 1 and len(result.deferred) == 1


# -- stack: attachment --------------------------------------------------------------------------------
def alb_stack(lb_props: dict | None = None, extra: list[R] | None = None, lb_type: str = LB) -> list[R]:
    alb_sg = R(SG, "alb-sg", {"vpcId": "vpc-1"})
    https = R(
        INGRESS,
        "alb-https",
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
        deps={"securityGroupId": [alb_sg]},
    )
    https6 = R(
        INGRESS,
        "alb-https6",
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv6": "::/0"},
        deps={"securityGroupId": [alb_sg]},
    )
    lb = R(
        lb_type,
        "alb",
        {"internal": False, "loadBalancerType": "application", **(lb_props or {})},
        deps={"securityGroups": [alb_sg]},
    )
    app_sg = R(SG, "app-sg", {"vpcId": "vpc-1"})
    from_alb = R(
        INGRESS,
        "app-from-alb",
        {"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080},
        deps={"securityGroupId": [app_sg], "referencedSecurityGroupId": [alb_sg]},
    )
    return [alb_sg, https, https6, lb, app_sg, from_alb, *(extra or [])]


def test_https_open_on_the_internet_facing_alb_group_only_passes() -> None:
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, alb_stack()).passed
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, alb_stack(lb_type="aws:alb/loadBalancer:LoadBalancer")).passed


def test_the_open_group_may_not_also_serve_a_service() -> None:
    resources = alb_stack()
    service = R(
        "aws:ecs/service:Service",
        "api",
        {"networkConfiguration": {"assignPublicIp": False}},
        deps={"networkConfiguration": [resources[0]]},
    )
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [*resources, service])
    assert result.violations[0] == (
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'alb-https' allows 0.0.0.0/0 on tcp 443, and the "
        "group is also attached to aws:ecs/service:Service 'api' (via networkConfiguration). Only an internet-facing "
        "application load balancer's own security group may accept the internet: give the load balancer a group of "
        "its own and admit that group from everything behind it."
    )
    assert len(result.violations) == 2  # the IPv4 and the IPv6 rule
    assert result.urns[0].endswith("::alb-https")


def test_an_internal_load_balancer_may_not_take_internet_traffic() -> None:
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, alb_stack({"internal": True}))
    assert len(result.violations) == 2
    assert "the group is attached to aws:lb/loadBalancer:LoadBalancer 'alb', which is internal." in result.violations[0]


def test_a_network_load_balancer_is_not_an_application_load_balancer() -> None:
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, alb_stack({"loadBalancerType": "network"}))
    assert "'alb', a network load balancer." in result.violations[0]


def test_an_open_group_attached_to_nothing_is_rejected() -> None:
    group = R(SG, "stray", inline(["0.0.0.0/0"], port=80))
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [group])
    assert result.violations == [
        "aws:ec2/securityGroup:SecurityGroup 'stray' ingress[0] allows 0.0.0.0/0 on tcp 80, but the group is attached "
        "to no internet-facing load balancer. Only an internet-facing application load balancer's own security group "
        "may accept the internet: give the load balancer a group of its own and admit that group from everything "
        "behind it."
    ]


def test_a_rule_on_a_group_outside_the_stack_cannot_be_vouched_for() -> None:
    rule = R(
        INGRESS,
        "foreign",
        {"securityGroupId": "sg-0123", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
    )
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [rule])
    assert "on a security group that is not in this stack" in result.violations[0]


def test_preview_unknown_ids_still_resolve_through_property_dependencies() -> None:
    resources = alb_stack({"arn": UNKNOWN, "dnsName": UNKNOWN})
    for r in resources:
        if r.type == INGRESS:
            r.props["securityGroupId"] = UNKNOWN
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, resources).passed


def test_an_unknown_internal_flag_is_deferred() -> None:
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, alb_stack({"internal": UNKNOWN_BOOL}))
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'public-ingress-only-on-internet-facing-lb' from policy pack 'test-pack@v0.0.1' during "
        "preview: internal/loadBalancerType of aws:lb/loadBalancer:LoadBalancer 'alb' can't be known during "
        "preview: judged on `pulumi up`, when known"
    ]


# -- flow logs ---------------------------------------------------------------------------------------------
def flow_stack(traffic: str = "ALL", days: int | None = 90) -> list[R]:
    vpc = R("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})
    group = R("aws:cloudwatch/logGroup:LogGroup", "flow-logs", {"retentionInDays": days} if days else {})
    log = R(
        "aws:ec2/flowLog:FlowLog",
        "flow",
        {"vpcId": UNKNOWN, "trafficType": traffic, "logDestination": UNKNOWN},
        deps={"vpcId": [vpc], "logDestination": [group]},
    )
    return [vpc, group, log]


def test_a_vpc_with_a_retained_all_traffic_flow_log_passes() -> None:
    assert check_stack(VPC_FLOW_LOGS, flow_stack()).passed
    assert check_stack(VPC_FLOW_LOGS, flow_stack(days=None)).passed  # never expires


def test_a_vpc_without_flow_logs_is_rejected() -> None:
    result = check_stack(VPC_FLOW_LOGS, flow_stack()[:2])
    assert result.violations == [
        "aws:ec2/vpc:Vpc 'vpc' has no flow log. Add an aws.ec2.FlowLog with vpc_id=<the VPC>, traffic_type ALL, to a "
        "log group kept >= 90 days (the platform's Network component does)."
    ]


def test_flow_logs_capture_all_traffic_for_ninety_days() -> None:
    assert "captures 'REJECT' traffic" in check_stack(VPC_FLOW_LOGS, flow_stack(traffic="REJECT")).violations[0]
    assert (
        "keeps the flow logs of aws:ec2/vpc:Vpc 'vpc' 30 days; keep them at least 90"
        in check_stack(VPC_FLOW_LOGS, flow_stack(days=30)).violations[0]
    )
