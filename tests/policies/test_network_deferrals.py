"""The network policies defer, rather than pass or fail, when the value they judge is unknown at preview; and
every spelling of a rule (protocol numbers, string ports, odd CIDRs) is judged as AWS reads it.

A deferral is the SDK's advisory "can't run policy ... during preview: <what> can't be known during preview:
<when>": the verdict comes on `pulumi up`.
"""

from __future__ import annotations

import pytest

from policies.guardrails.network import NO_PUBLIC_APP_INGRESS, PUBLIC_INGRESS_ONLY_ON_LB, VPC_FLOW_LOGS

from .helpers import UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_NUMBER, UNKNOWN_OBJECT, R, check, check_stack, deferred

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LB = "aws:lb/loadBalancer:LoadBalancer"
WHEN_KNOWN = "judged on `pulumi up`, when known"
FIX = (
    "Only an internet-facing load balancer's security group may accept the internet, on TCP 80/443: admit the "
    "load balancer's security group (referenced_security_group_id) instead of a CIDR."
)


def rule(**props: object) -> dict:
    """A separate ingress rule resource (aws.ec2.SecurityGroupRule), open to the internet on tcp 22."""
    return {
        "type": "ingress",
        "protocol": "tcp",
        "fromPort": 22,
        "toPort": 22,
        "cidrBlocks": ["0.0.0.0/0"],
        **props,
    }


# -- no-public-app-ingress: deferrals --------------------------------------------------------------------------
def test_an_unknown_inline_rule_list_defers_the_group() -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG, {"ingress": UNKNOWN_ARRAY})
    assert result.violations == []
    assert result.deferred == deferred("no-public-app-ingress", (f"the ingress rules of {SG} 'r'", WHEN_KNOWN))


def test_one_unknown_inline_rule_defers_the_group() -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG, {"ingress": [UNKNOWN_OBJECT]})
    assert result.violations == []
    assert result.deferred == deferred("no-public-app-ingress", (f"the ingress rules of {SG} 'r'", WHEN_KNOWN))


def test_an_unknown_rule_type_defers_instead_of_reading_as_egress() -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(type=UNKNOWN))
    assert result.violations == []
    assert result.deferred == deferred("no-public-app-ingress", (f"the ingress rules of {SG_RULE} 'r'", WHEN_KNOWN))


def test_an_unknown_ipv6_source_list_defers_next_to_a_known_ipv4_one() -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(cidrBlocks=["10.0.0.0/8"], ipv6CidrBlocks=UNKNOWN_ARRAY))
    assert result.violations == []
    assert result.deferred == deferred("no-public-app-ingress", (f"a rule source CIDR of {SG_RULE} 'r'", WHEN_KNOWN))


def test_an_unknown_inline_source_names_its_rule() -> None:
    props = {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [UNKNOWN]}]}
    result = check(NO_PUBLIC_APP_INGRESS, SG, props)
    assert result.deferred == deferred("no-public-app-ingress", (f"a ingress[0] source CIDR of {SG} 'r'", WHEN_KNOWN))


@pytest.mark.parametrize(
    "props", [{"protocol": UNKNOWN}, {"fromPort": UNKNOWN_NUMBER}, {"toPort": UNKNOWN_NUMBER}], ids=str
)
def test_unknown_ports_of_an_open_rule_defer(props: dict) -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(**props))
    assert result.violations == []
    assert result.deferred == deferred("no-public-app-ingress", (f"the ports of {SG_RULE} 'r' ", WHEN_KNOWN))


def test_unknown_ports_of_an_inline_rule_name_the_rule() -> None:
    props = {"ingress": [{"protocol": "tcp", "fromPort": UNKNOWN_NUMBER, "toPort": 22, "cidrBlocks": ["::/0"]}]}
    result = check(NO_PUBLIC_APP_INGRESS, SG, props)
    assert result.deferred == deferred("no-public-app-ingress", (f"the ports of {SG} 'r' ingress[0]", WHEN_KNOWN))


def test_a_known_bad_rule_after_an_unknown_one_is_still_reported() -> None:
    props = {
        "ingress": [
            {"protocol": "tcp", "fromPort": UNKNOWN_NUMBER, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]},
            {"protocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrBlocks": ["0.0.0.0/0"]},
        ]
    }
    result = check(NO_PUBLIC_APP_INGRESS, SG, props)
    assert result.violations == [f"{SG} 'r' ingress[1] allows 0.0.0.0/0 on tcp 3389. {FIX}"]
    assert len(result.deferred) == 1


def test_unknown_ports_of_a_private_rule_need_no_verdict() -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(cidrBlocks=["10.0.0.0/8"], fromPort=UNKNOWN_NUMBER)).passed


# -- no-public-app-ingress: how AWS spells a rule ------------------------------------------------------------
@pytest.mark.parametrize(
    ("props", "ports"),
    [
        ({"protocol": "6", "fromPort": 22, "toPort": 22}, "tcp 22"),
        ({"protocol": 6, "fromPort": 22, "toPort": 22}, "tcp 22"),
        ({"protocol": "17", "fromPort": 53, "toPort": 53}, "udp 53"),
        ({"protocol": "TCP", "fromPort": 22.0, "toPort": "22"}, "tcp 22"),
        ({"protocol": "all", "fromPort": 0, "toPort": 0}, "all traffic (every protocol and port)"),
        ({"protocol": "-1", "fromPort": 0, "toPort": 0}, "all traffic (every protocol and port)"),
        ({"protocol": "58", "fromPort": -1, "toPort": -1}, "protocol icmpv6"),
        ({"protocol": "tcp", "fromPort": None, "toPort": None}, "tcp (every port)"),
        ({"protocol": "tcp", "fromPort": 443, "toPort": 444}, "tcp 443-444"),
        ({"protocol": "tcp", "fromPort": 442, "toPort": 443}, "tcp 442-443"),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else None,
)
def test_every_spelling_of_a_protocol_and_port_range_is_judged(props: dict, ports: str) -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(**props)).violations == [
        f"{SG_RULE} 'r' allows 0.0.0.0/0 on {ports}. {FIX}"
    ]


@pytest.mark.parametrize(
    "props",
    [{"protocol": "6", "fromPort": 443, "toPort": 443}, {"protocol": 6, "fromPort": 80.0, "toPort": "80"}],
    ids=["tcp-number-443", "tcp-number-80"],
)
def test_tcp_on_an_allowed_port_by_any_spelling_passes(props: dict) -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(**props)).passed


@pytest.mark.parametrize("cidr", [" 0.0.0.0/0 ", "0.0.0.0/0", "10.1.2.3/0", "::/0", "2001:db8::/0"])
def test_any_slash_zero_is_the_internet(cidr: str) -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(cidrBlocks=[cidr])).violations == [
        f"{SG_RULE} 'r' allows {cidr} on tcp 22. {FIX}"
    ]


@pytest.mark.parametrize("cidr", ["0.0.0.0/1", "not-a-cidr", "", "10.0.0.0/8"])
def test_narrower_or_unparseable_sources_are_not_the_internet(cidr: str) -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(cidrBlocks=[cidr])).passed


def test_a_vpc_egress_rule_and_a_non_dict_inline_item_are_not_ingress() -> None:
    egress = {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"}
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(type="egress")).passed
    out = R("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "out", egress)
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [out]).passed
    assert check(NO_PUBLIC_APP_INGRESS, SG, {"ingress": ["tcp/22"]}).passed


def test_no_allowed_port_at_all_is_said_plainly() -> None:
    result = check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(fromPort=443, toPort=443), config={"allowedPublicPorts": []})
    assert result.violations == [
        f"{SG_RULE} 'r' allows 0.0.0.0/0 on tcp 443. Only an internet-facing load balancer's security group may "
        "accept the internet, on TCP no port: admit the load balancer's security group "
        "(referenced_security_group_id) instead of a CIDR."
    ]


# -- public-ingress-only-on-internet-facing-lb -----------------------------------------------------------------
def _open_group(lb_props: dict) -> list[R]:
    group = R(
        SG, "alb-sg", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]}
    )
    lb = R(LB, "alb", lb_props, deps={"securityGroups": [group]})
    return [group, lb]


def test_an_unknown_load_balancer_type_defers() -> None:
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, _open_group({"internal": False, "loadBalancerType": UNKNOWN}))
    assert result.violations == []
    assert result.deferred == deferred(
        "public-ingress-only-on-internet-facing-lb", (f"internal/loadBalancerType of {LB} 'alb'", WHEN_KNOWN)
    )


def test_unknown_ingress_rules_defer_the_attachment_check() -> None:
    group = R(SG, "sg", {"ingress": UNKNOWN_ARRAY})
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [group])
    assert result.violations == []
    assert result.deferred == deferred(
        "public-ingress-only-on-internet-facing-lb", (f"the ingress rules of {SG} 'sg'", WHEN_KNOWN)
    )


def test_an_internal_flag_spelled_as_a_string_is_internal() -> None:
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, _open_group({"internal": "True"}))
    assert len(result.violations) == 1
    assert f"the group is attached to {LB} 'alb', which is internal." in result.violations[0]


def test_an_unset_load_balancer_type_is_an_application_load_balancer() -> None:
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, _open_group({"internal": "false"})).passed


def test_a_gateway_load_balancer_is_named_by_its_type() -> None:
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, _open_group({"loadBalancerType": "gateway"}))
    assert f"the group is attached to {LB} 'alb', a gateway load balancer." in result.violations[0]


def test_open_ports_the_resource_policy_rejects_are_not_judged_again_by_the_stack_policy() -> None:
    group = R(SG, "sg", {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]})
    private = R(
        SG, "private", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/8"]}]}
    )
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [group, private]).passed


def test_only_aws_resources_other_than_groups_and_rules_count_as_users_of_a_group() -> None:
    group, lb = _open_group({"internal": False})
    rule_on_it = R(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "from-alb",
        {"type": "ingress", "protocol": "tcp", "fromPort": 8080, "toPort": 8080},
        deps={"sourceSecurityGroupId": [group]},
    )
    component = R("platform:index:Service", "svc", deps={"securityGroup": [group]})
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [group, lb, rule_on_it, component]).passed


# -- vpc-flow-logs ------------------------------------------------------------------------------------------------
def _flow(traffic: object = "ALL", days: object = 90, destination: str = "aws:cloudwatch/logGroup:LogGroup") -> list[R]:
    vpc = R("aws:ec2/vpc:Vpc", "vpc")
    group = R(destination, "flow-logs", {"retentionInDays": days})
    log = R(
        "aws:ec2/flowLog:FlowLog",
        "flow",
        {"trafficType": traffic},
        deps={"vpcId": [vpc], "logDestination": [group]},
    )
    return [vpc, group, log]


def test_an_unknown_traffic_type_defers() -> None:
    result = check_stack(VPC_FLOW_LOGS, _flow(traffic=UNKNOWN))
    assert result.violations == []
    assert result.deferred == deferred("vpc-flow-logs", (".trafficType of aws:ec2/flowLog:FlowLog 'flow'", WHEN_KNOWN))


def test_an_unknown_retention_defers() -> None:
    result = check_stack(VPC_FLOW_LOGS, _flow(days=UNKNOWN_NUMBER))
    assert result.violations == []
    assert result.deferred == deferred(
        "vpc-flow-logs", (".retentionInDays of aws:cloudwatch/logGroup:LogGroup 'flow-logs'", WHEN_KNOWN)
    )


def test_retention_at_the_minimum_passes_and_one_day_less_fails() -> None:
    assert check_stack(VPC_FLOW_LOGS, _flow(days=90)).passed
    assert check_stack(VPC_FLOW_LOGS, _flow(days=0)).passed  # never expires
    assert check_stack(VPC_FLOW_LOGS, _flow(days=89)).violations == [
        "aws:cloudwatch/logGroup:LogGroup 'flow-logs' keeps the flow logs of aws:ec2/vpc:Vpc 'vpc' 89 days; keep "
        "them at least 90. Add an aws.ec2.FlowLog with vpc_id=<the VPC>, traffic_type ALL, to a log group kept "
        ">= 90 days (the platform's Network component does)."
    ]
    assert check_stack(VPC_FLOW_LOGS, _flow(days=29), config={"minimumRetentionDays": 30}).violations
    assert check_stack(VPC_FLOW_LOGS, _flow(days=30), config={"minimumRetentionDays": 30}).passed


def test_a_flow_log_to_a_bucket_has_no_retention_to_judge() -> None:
    # A bucket has no retentionInDays; the 1 here proves only a log group destination's retention is read.
    assert check_stack(VPC_FLOW_LOGS, _flow(days=1, destination="aws:s3/bucket:Bucket")).passed


def test_the_traffic_a_flow_log_must_capture_is_configurable_and_the_message_exact() -> None:
    assert check_stack(VPC_FLOW_LOGS, _flow(traffic="REJECT"), config={"trafficType": "REJECT"}).passed
    assert check_stack(VPC_FLOW_LOGS, _flow(traffic="ACCEPT")).violations == [
        "aws:ec2/flowLog:FlowLog 'flow' captures 'ACCEPT' traffic of aws:ec2/vpc:Vpc 'vpc'; it must capture 'ALL'. "
        "Add an aws.ec2.FlowLog with vpc_id=<the VPC>, traffic_type ALL, to a log group kept >= 90 days (the "
        "platform's Network component does)."
    ]


def test_only_a_flow_log_counts_as_the_vpc_s_flow_log() -> None:
    vpc = R("aws:ec2/vpc:Vpc", "vpc")
    subnet = R("aws:ec2/subnet:Subnet", "subnet", deps={"vpcId": [vpc]})
    assert check_stack(VPC_FLOW_LOGS, [vpc, subnet]).violations[0].startswith("aws:ec2/vpc:Vpc 'vpc' has no flow log.")


def test_the_default_security_group_is_judged_like_any_other() -> None:
    default = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
    props = {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}
    assert check(NO_PUBLIC_APP_INGRESS, default, props).violations == [
        f"{default} 'r' ingress[0] allows 0.0.0.0/0 on all traffic (every protocol and port). {FIX}"
    ]
    https = {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]}
    result = check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [R(default, "default", https)])
    assert result.violations[0].startswith(f"{default} 'default' ingress[0] allows 0.0.0.0/0 on tcp 443, but the")


def test_an_unset_ipv6_source_beside_a_private_ipv4_one_is_not_the_internet() -> None:
    private = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "10.0.0.0/8", "cidrIpv6": None}
    assert check(NO_PUBLIC_APP_INGRESS, INGRESS, private).passed
    assert check(NO_PUBLIC_APP_INGRESS, INGRESS, {**private, "cidrIpv4": None}).passed


@pytest.mark.parametrize(("low", "high"), [(None, 22), (22, None)], ids=["no-from", "no-to"])
def test_a_half_open_port_range_is_every_port(low: object, high: object) -> None:
    assert check(NO_PUBLIC_APP_INGRESS, SG_RULE, rule(fromPort=low, toPort=high)).violations == [
        f"{SG_RULE} 'r' allows 0.0.0.0/0 on tcp (every port). {FIX}"
    ]


def test_a_group_on_a_classic_load_balancer_is_reported_once_as_not_an_application_load_balancer() -> None:
    group, _ = _open_group({})
    classic = R("aws:elb/loadBalancer:LoadBalancer", "classic", {"internal": True}, deps={"securityGroups": [group]})
    assert check_stack(PUBLIC_INGRESS_ONLY_ON_LB, [group, classic]).violations == [
        f"{SG} 'alb-sg' ingress[0] allows 0.0.0.0/0 on tcp 443, and the group is also attached to "
        "aws:elb/loadBalancer:LoadBalancer 'classic' (via securityGroups). Only an internet-facing application load "
        "balancer's own security group may accept the internet: give the load balancer a group of its own and admit "
        "that group from everything behind it."
    ]
