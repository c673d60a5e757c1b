"""no-public-app-ingress, public-ingress-only-on-internet-facing-lb, vpc-flow-logs.

Internet ingress is split deliberately between a resource policy and a stack policy:

- `no-public-app-ingress` (resource, runs in `Analyze`, so on `pulumi up` it blocks the resource before it is
  created) rejects any 0.0.0.0/0 or ::/0 ingress (any /0) that is not TCP on an allowed public port (80/443):
  inline `ingress` of a security group, `aws:ec2/securityGroupRule` of type ingress, and
  `aws:vpc/securityGroupIngressRule`.
- `public-ingress-only-on-internet-facing-lb` (stack) takes the open ingress that passed (80/443) and checks
  where its group is attached, from the property dependencies the engine gives even when ids are unknown:
  the rule's `securityGroupId` leads to its group, the load balancer's `securityGroups` (or any other
  resource's property) to what uses the group. Every user of the group must be an internet-facing
  application load balancer (`aws:lb` or `aws:alb`, `internal` false).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from pulumi_policy import Severity

from .base import Context, Resource, Stack, StackResource, Unknown, as_int, as_list, resource_policy, stack_policy

SECURITY_GROUPS = {"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
RULE_TYPES = {SG_RULE, VPC_INGRESS_RULE, VPC_EGRESS_RULE}
LOAD_BALANCERS = {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

PORTS_SETTING: dict[str, dict[str, Any]] = {
    "allowedPublicPorts": {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 65535},
        "default": [80, 443],
        "description": "TCP ports on which an internet-facing load balancer's group may accept 0.0.0.0/0 or ::/0.",
    },
}

ALL_TRAFFIC = {"-1", "all"}
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


@dataclass(frozen=True)
class Ingress:
    """One ingress rule, wherever it was written."""

    label: str
    """"ingress[0] " for an inline rule, "" for a rule resource."""
    protocol: Any
    from_port: Any
    to_port: Any
    sources: list[Any]


def _open(cidr: Any) -> bool:
    """0.0.0.0/0, ::/0, or any other spelling of "the whole internet" (a /0)."""
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def ingress_rules(resource_type: str, props: dict[str, Any]) -> list[Ingress] | Unknown:
    """The ingress rules a resource declares (inputs or outputs); `Unknown` when they can't be listed."""
    if resource_type in SECURITY_GROUPS:
        items = as_list(props.get("ingress"))
        if isinstance(items, Unknown):
            return items
        rules = []
        for index, item in enumerate(items):
            if isinstance(item, Unknown):
                return item
            if not isinstance(item, dict):
                continue
            sources = _sources(item.get("cidrBlocks"), item.get("ipv6CidrBlocks"))
            rules.append(
                Ingress(f"ingress[{index}] ", item.get("protocol"), item.get("fromPort"), item.get("toPort"), sources)
            )
        return rules
    if resource_type == SG_RULE:
        kind = props.get("type")
        if isinstance(kind, Unknown):
            return kind
        if kind != "ingress":
            return []
        return [
            Ingress(
                "",
                props.get("protocol"),
                props.get("fromPort"),
                props.get("toPort"),
                _sources(props.get("cidrBlocks"), props.get("ipv6CidrBlocks")),
            )
        ]
    if resource_type == VPC_INGRESS_RULE:
        return [
            Ingress(
                "",
                props.get("ipProtocol"),
                props.get("fromPort"),
                props.get("toPort"),
                [props.get("cidrIpv4"), props.get("cidrIpv6")],
            )
        ]
    return []


def _sources(ipv4: Any, ipv6: Any) -> list[Any]:
    sources: list[Any] = []
    for value in (ipv4, ipv6):
        items = as_list(value)
        sources += [items] if isinstance(items, Unknown) else items
    return sources


def open_sources(rule: Ingress) -> tuple[list[str], bool]:
    """(the /0 sources of the rule, whether some source is unknown)."""
    opened = [s for s in rule.sources if _open(s)]
    return opened, any(isinstance(s, Unknown) for s in rule.sources)


def describe_ports(rule: Ingress, allowed: set[int]) -> tuple[str, bool] | Unknown:
    """("tcp 22", allowed?) for the rule's protocol and port range."""
    if isinstance(rule.protocol, Unknown):
        return rule.protocol
    protocol = str(as_int(rule.protocol) if as_int(rule.protocol) is not None else rule.protocol).lower()
    protocol = PROTOCOL_NAMES.get(protocol, protocol)
    if protocol in ALL_TRAFFIC:
        return "all traffic (every protocol and port)", False
    if protocol not in {"tcp", "udp"}:
        return f"protocol {protocol}", False
    if isinstance(rule.from_port, Unknown) or isinstance(rule.to_port, Unknown):
        return Unknown("number")
    low, high = as_int(rule.from_port), as_int(rule.to_port)
    if low is None or high is None:
        return f"{protocol} (every port)", False
    text = f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"
    return text, protocol == "tcp" and low == high and low in allowed


def _allowed_ports(ctx: Context) -> set[int]:
    return {p for p in (as_int(v) for v in ctx.settings["allowedPublicPorts"]) if p is not None}


def _ports_text(allowed: set[int]) -> str:
    return "/".join(str(p) for p in sorted(allowed)) or "no port"


def check_public_ingress(resource: Resource, ctx: Context) -> None:
    allowed = _allowed_ports(ctx)
    rules = ingress_rules(resource.type, resource.props)
    if isinstance(rules, Unknown):
        ctx.defer(f"the ingress rules of {resource.subject}", "judged on `pulumi up`, when known")
        return
    for rule in rules:
        opened, some_unknown = open_sources(rule)
        if some_unknown:
            ctx.defer(
                f"a {rule.label.strip() or 'rule'} source CIDR of {resource.subject}",
                "judged on `pulumi up`, when known",
            )
        if not opened:
            continue
        verdict = describe_ports(rule, allowed)
        if isinstance(verdict, Unknown):
            ctx.defer(f"the ports of {resource.subject} {rule.label.strip()}", "judged on `pulumi up`, when known")
            continue
        ports, ok = verdict
        if not ok:
            ctx.violation(
                f"{resource.subject} {rule.label}allows {', '.join(opened)} on {ports}. Only an internet-facing "
                f"load balancer's security group may accept the internet, on TCP {_ports_text(allowed)}: admit "
                f"the load balancer's security group (referenced_security_group_id) instead of a CIDR."
            )


NO_PUBLIC_APP_INGRESS = resource_policy(
    name="no-public-app-ingress",
    description="No 0.0.0.0/0 or ::/0 ingress except TCP 80/443 (for an internet-facing load balancer's "
    "security group, which public-ingress-only-on-internet-facing-lb verifies).",
    types=[*SECURITY_GROUPS, SG_RULE, VPC_INGRESS_RULE],
    check=check_public_ingress,
    settings=PORTS_SETTING,
    severity=Severity.CRITICAL,
    remediation="Admit the load balancer's security group (referenced_security_group_id) instead of a CIDR; "
    "only the internet-facing ALB's group takes 0.0.0.0/0, on 80/443.",
)


# -- stack: where open groups are attached -----------------------------------------------------------
def _group_of(resource: StackResource) -> list[str]:
    if resource.type in SECURITY_GROUPS:
        return [resource.urn]
    return list(resource.property_dependencies.get("securityGroupId", []))


def _lb_problem(lb: StackResource) -> str | Unknown | None:
    internal = lb.get("internal")
    kind = lb.get("loadBalancerType")
    if isinstance(internal, Unknown):
        return internal
    if isinstance(kind, Unknown):
        return kind
    if internal is True or (isinstance(internal, str) and internal.lower() == "true"):
        return f"{lb.subject}, which is internal"
    if kind not in (None, "application"):
        return f"{lb.subject}, a {kind} load balancer"
    return None


def check_public_ingress_attachment(stack: Stack, ctx: Context) -> None:
    allowed = _allowed_ports(ctx)
    for resource in stack.of_type(*SECURITY_GROUPS, SG_RULE, VPC_INGRESS_RULE):
        rules = ingress_rules(resource.type, resource.props)
        if isinstance(rules, Unknown):
            ctx.defer(f"the ingress rules of {resource.subject}", "judged on `pulumi up`, when known")
            continue
        for rule in rules:
            opened, _ = open_sources(rule)
            verdict = describe_ports(rule, allowed) if opened else None
            if verdict is None or isinstance(verdict, Unknown) or not verdict[1]:
                continue  # not open, or judged by no-public-app-ingress (ports)
            what = f"{resource.subject} {rule.label}allows {', '.join(opened)} on {verdict[0]}"
            _check_attachments(stack, ctx, resource, what)


def _check_attachments(stack: Stack, ctx: Context, resource: StackResource, what: str) -> None:
    hint = (
        "Only an internet-facing application load balancer's own security group may accept the internet: "
        "give the load balancer a group of its own and admit that group from everything behind it."
    )
    groups = _group_of(resource)
    if not groups:
        ctx.violation(
            f"{what}, on a security group that is not in this stack, so nothing shows it belongs "
            f"to an internet-facing load balancer. {hint}",
            resource.urn,
        )
        return
    for group_urn in groups:
        users = [
            (r, key)
            for r, key in stack.referrers(group_urn)
            if r.type.startswith("aws:") and r.type not in SECURITY_GROUPS | RULE_TYPES
        ]
        if not users:
            ctx.violation(
                f"{what}, but the group is attached to no internet-facing load balancer. {hint}", resource.urn
            )
            continue
        for user, key in users:
            if user.type not in LOAD_BALANCERS:
                ctx.violation(
                    f"{what}, and the group is also attached to {user.subject} (via {key}). {hint}", resource.urn
                )
                continue
            problem = _lb_problem(user)
            if isinstance(problem, Unknown):
                ctx.defer(f"internal/loadBalancerType of {user.subject}", "judged on `pulumi up`, when known")
            elif problem:
                ctx.violation(f"{what}, and the group is attached to {problem}. {hint}", resource.urn)


PUBLIC_INGRESS_ONLY_ON_LB = stack_policy(
    name="public-ingress-only-on-internet-facing-lb",
    description="A security group open to 0.0.0.0/0 or ::/0 (on 80/443) is attached only to internet-facing "
    "application load balancers.",
    check=check_public_ingress_attachment,
    settings=PORTS_SETTING,
    severity=Severity.CRITICAL,
    remediation="Give the internet-facing ALB a security group of its own; services, databases and endpoints "
    "admit that group, never a CIDR from the internet.",
)


# -- flow logs --------------------------------------------------------------------------------------
FLOW_SETTINGS: dict[str, dict[str, Any]] = {
    "minimumRetentionDays": {
        "type": "integer",
        "minimum": 1,
        "default": 90,
        "description": "Days a CloudWatch flow-log group must keep records (0 / unset = never expire is fine).",
    },
    "trafficType": {
        "type": "string",
        "enum": ["ALL", "ACCEPT", "REJECT"],
        "default": "ALL",
        "description": "The traffic the flow log must capture.",
    },
}


def check_flow_logs(stack: Stack, ctx: Context) -> None:
    minimum = int(ctx.settings["minimumRetentionDays"])
    traffic = str(ctx.settings["trafficType"])
    hint = (
        "Add an aws.ec2.FlowLog with vpc_id=<the VPC>, traffic_type ALL, to a log group kept "
        f">= {minimum} days (the platform's Network component does)."
    )
    for vpc in stack.of_type(VPC):
        logs = [r for r, _ in stack.referrers(vpc.urn, key="vpcId") if r.type == FLOW_LOG]
        if not logs:
            ctx.violation(f"{vpc.subject} has no flow log. {hint}", vpc.urn)
            continue
        for log in logs:
            kind = log.get("trafficType")
            if isinstance(kind, Unknown):
                ctx.defer(f".trafficType of {log.subject}", "judged on `pulumi up`, when known")
            elif kind != traffic:
                ctx.violation(
                    f"{log.subject} captures {kind!r} traffic of {vpc.subject}; it must capture {traffic!r}. {hint}",
                    log.urn,
                )
            for destination_urn in log.property_dependencies.get("logDestination", []):
                group = stack.by_urn.get(destination_urn)
                if group is None or group.type != LOG_GROUP:
                    continue
                value = group.get("retentionInDays")
                if isinstance(value, Unknown):
                    ctx.defer(f".retentionInDays of {group.subject}", "judged on `pulumi up`, when known")
                    continue
                days = as_int(value)
                if days and days < minimum:  # unset or 0: never expires, which keeps them long enough
                    ctx.violation(
                        f"{group.subject} keeps the flow logs of {vpc.subject} {days} days; "
                        f"keep them at least {minimum}. {hint}",
                        group.urn,
                    )


VPC_FLOW_LOGS = stack_policy(
    name="vpc-flow-logs",
    description="Every VPC has a flow log capturing ALL traffic, kept at least 90 days.",
    check=check_flow_logs,
    settings=FLOW_SETTINGS,
    severity=Severity.MEDIUM,
    remediation="Add an aws.ec2.FlowLog (traffic_type ALL) for the VPC, to a log group retained >= 90 days.",
)

POLICIES = [NO_PUBLIC_APP_INGRESS, PUBLIC_INGRESS_ONLY_ON_LB, VPC_FLOW_LOGS]
