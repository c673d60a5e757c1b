"""API Gateway to an internal ALB without the internet: a VPC link (v1) and an internal NLB (`integration: vpcLink`).

    API Gateway --VPC link (PrivateLink)--> NLB (private subnets, TCP 443) --ALB-type target group--> internal ALB

- The NLB is internal, in the private subnets, cross-zone, with deletion protection from `loadBalancer`
  (prod preset: on). Its listener is TCP 443 to a target group of type `alb`: TLS passes through untouched and
  the ALB terminates it with its own certificate (an ALB-type target group only takes TCP, so the NLB cannot
  terminate TLS here). API Gateway verifies that certificate against the integration URI
  (`https://<loadBalancer.domain>`), which also sets the Host header; the VPC link decides where packets go.
- Its security group has no ingress rule: VPC link traffic arrives over PrivateLink, and
  `enforce_security_group_inbound_rules_on_private_link_traffic = off` lets only that traffic through (nothing
  else in the VPC can reach the NLB). Its only egress is the ALB's group on 443, and the ALB's group admits
  only the NLB's group on 443: no CIDR anywhere, and no 0.0.0.0/0 (the ALB is internal, in the private subnets).
- Health: the NLB checks the ALB over HTTPS on `/` and counts 200-499 as healthy: it asks "does the ALB
  answer", not "is the service up" (the ALB's own target groups judge the tasks; the ALB's listener rules
  refuse a request without the origin-verify header, so the check sees a 4xx from a healthy ALB).
- Access logs: NLB access logs record TLS listeners only, so a TCP passthrough NLB would log nothing; the VPC
  flow logs (network) record its connections, and the ALB logs every request.
- Alarms: the ALB target unhealthy (UnHealthyHostCount > 0 for 2 minutes) and TCP resets sent by the NLB
  (TCP_ELB_Reset_Count > 100 in 5 minutes: clients cut off, often a target draining or a security group).

Why v1 (VPC link + NLB) and not the newer VPC link v2 straight to the ALB (REST APIs since November 2025,
`integrationTarget`): the REST API here is imported from an OpenAPI body, and the `x-amazon-apigateway-
integration` extension's support for `integrationTarget` could not be verified offline; v1 is the documented
OpenAPI path (`connectionType: VPC_LINK`, `connectionId`). Moving to v2 drops the NLB and its cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from .config.apis import alb_behind_vpc_link
from .naming import physical_name

if TYPE_CHECKING:
    from .config.stack import StackConfig
    from .layers.network import NetworkLayer
    from .load_balancer import LoadBalancer

ALB_PORT = 443
HEALTHY_CODES = "200-499"
"""NLB health check of the ALB target: any answer but a 5xx means the ALB is serving."""


@dataclass(frozen=True, kw_only=True)
class PrivateLinkArgs:
    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """The NLB's subnets: the private tier, one per AZ (the internal ALB's too)."""
    alb_arn: pulumi.Input[str]
    alb_security_group_id: pulumi.Input[str]
    alb_listener_arn: pulumi.Input[str]
    """The ALB's HTTPS listener: AWS registers an ALB target only when it has a listener on the target group's
    port, so the attachment waits for it."""
    deletion_protection: bool = False
    """AWS deletion protection on the NLB (the ALB's setting: prod preset on)."""


class PrivateLink(pulumi.ComponentResource):
    """The NLB, its ALB-type target group and the VPC link (see the module docstring)."""

    vpc_link_id: pulumi.Output[str]
    nlb_arn: pulumi.Output[str]
    nlb_arn_suffix: pulumi.Output[str]
    """`net/<name>/<id>`: the `LoadBalancer` dimension of AWS/NetworkELB metrics."""
    target_group_arn_suffix: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: PrivateLinkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:private_link:PrivateLink", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            name=physical_name("nlb"),
            description="VPC link NLB: PrivateLink traffic only (no ingress rule), out to the internal ALB on 443",
            tags={"Name": physical_name("nlb")},
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out-alb",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=ALB_PORT,
            to_port=ALB_PORT,
            referenced_security_group_id=args.alb_security_group_id,
            description="To the internal ALB on 443 (TLS passthrough)",
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-in-nlb",
            security_group_id=args.alb_security_group_id,
            ip_protocol="tcp",
            from_port=ALB_PORT,
            to_port=ALB_PORT,
            referenced_security_group_id=group.id,
            description="HTTPS from the VPC link NLB (API Gateway) only",
            opts=child,
        )
        nlb = aws.lb.LoadBalancer(
            f"{name}-nlb",
            name=physical_name("nlb", max_length=32),
            load_balancer_type="network",
            internal=True,
            subnets=list(args.private_subnet_ids),
            security_groups=[group.id],
            enforce_security_group_inbound_rules_on_private_link_traffic="off",
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=args.deletion_protection,
            tags={"Name": physical_name("nlb")},
            opts=child,
        )
        target_group = aws.lb.TargetGroup(
            f"{name}-alb-target",
            name=physical_name("nlb-alb", max_length=32),
            target_type="alb",
            protocol="TCP",
            port=ALB_PORT,
            vpc_id=args.vpc_id,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="HTTPS",
                port="traffic-port",
                path="/",
                matcher=HEALTHY_CODES,
                interval=30,
                healthy_threshold=3,
                unhealthy_threshold=3,
            ),
            tags={"Name": physical_name("nlb-alb")},
            opts=child,
        )
        # Registering an ALB target needs the ALB's listener on 443: the target id carries that dependency.
        aws.lb.TargetGroupAttachment(
            f"{name}-alb-attachment",
            target_group_arn=target_group.arn,
            target_id=pulumi.Output.all(args.alb_arn, args.alb_listener_arn).apply(lambda v: str(v[0])),
            port=ALB_PORT,
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-tcp",
            load_balancer_arn=nlb.arn,
            port=ALB_PORT,
            protocol="TCP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags={"Name": physical_name("nlb", "443")},
            opts=child,
        )
        link = aws.apigateway.VpcLink(
            f"{name}-vpc-link",
            name=physical_name("vpc-link"),
            description="API Gateway to the internal NLB in front of the internal ALB",
            target_arn=nlb.arn,
            tags={"Name": physical_name("vpc-link")},
            opts=child,
        )
        self.vpc_link_id = link.id
        self.nlb_arn = nlb.arn
        self.nlb_arn_suffix = nlb.arn_suffix
        self.target_group_arn_suffix = target_group.arn_suffix
        self.security_group_id = group.id
        self.register_outputs({"vpcLinkId": self.vpc_link_id, "nlbArn": self.nlb_arn})


def private_link_alarms(link: PrivateLink, topic_arn: pulumi.Input[str], opts: pulumi.ResourceOptions) -> None:
    """ALB target unhealthy for 2 minutes; more than 100 TCP resets sent by the NLB in 5 minutes."""
    specs = (
        ("alb-unhealthy", "UnHealthyHostCount", "Maximum", 0.0, 2, True, "the internal ALB fails the NLB's check"),
        ("tcp-resets", "TCP_ELB_Reset_Count", "Sum", 100.0, 5, False, "the NLB resets client connections"),
    )
    for what, metric, stat, threshold, minutes, per_target, why in specs:
        dimensions: dict[str, pulumi.Input[str]] = {"LoadBalancer": link.nlb_arn_suffix}
        if per_target:
            dimensions["TargetGroup"] = link.target_group_arn_suffix
        aws.cloudwatch.MetricAlarm(
            f"nlb-{what}",
            name=physical_name("nlb", what),
            namespace="AWS/NetworkELB",
            metric_name=metric,
            dimensions=dimensions,
            statistic=stat,
            period=60,
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
            threshold=threshold,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            alarm_description=f"VPC link NLB: {why} ({metric} {stat} above {threshold:g} for {minutes} minutes)",
            opts=opts,
        )


def nlb_widgets(nlb: str, target_group: str, region: str) -> list[tuple[str, list[list[object]], str, str]]:
    """Edge dashboard: the NLB's healthy/unhealthy ALB target, and its flows and resets."""
    both = ["LoadBalancer", nlb, "TargetGroup", target_group]
    return [
        (
            "VPC link NLB: ALB target health",
            [["AWS/NetworkELB", "HealthyHostCount", *both], ["AWS/NetworkELB", "UnHealthyHostCount", *both]],
            region,
            "Maximum",
        ),
        (
            "VPC link NLB: new flows and TCP resets",
            [
                ["AWS/NetworkELB", "NewFlowCount", "LoadBalancer", nlb],
                ["AWS/NetworkELB", "TCP_ELB_Reset_Count", "LoadBalancer", nlb],
                ["AWS/NetworkELB", "TCP_Target_Reset_Count", "LoadBalancer", nlb],
                ["AWS/NetworkELB", "TCP_Client_Reset_Count", "LoadBalancer", nlb],
            ],
            region,
            "Sum",
        ),
    ]


def build_private_link(
    config: StackConfig, network: NetworkLayer, load_balancer: LoadBalancer | None, opts: pulumi.ResourceOptions
) -> PrivateLink | None:
    """The stack's VPC link when an API uses `integration: vpcLink` (config makes the ALB internal then)."""
    if load_balancer is None or not alb_behind_vpc_link(config):
        return None
    return PrivateLink(
        "private-link",
        PrivateLinkArgs(
            vpc_id=network.vpc_id,
            private_subnet_ids=network.private_subnet_ids,
            alb_arn=load_balancer.arn,
            alb_security_group_id=load_balancer.security_group_id,
            alb_listener_arn=load_balancer.listener_arn,
            deletion_protection=config.load_balancer.deletion_protection,
        ),
        opts,
    )
