"""Network: a VPC with public / private / isolated data subnets across N AZs, NAT, endpoints, flow logs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.network import NetworkConfig
from .iam import Statement, policy_document, service_trust_policy
from .naming import path_name, physical_name

TIERS = ("public", "private", "data")


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    config: NetworkConfig
    """The validated `platform:network` section (presets applied)."""
    aws_context: AwsContext
    log_kms_key_arn: pulumi.Input[str] | None = None
    """Key that encrypts the flow log group; the stack key. None leaves CloudWatch's own encryption."""
    protect_flow_logs: bool = False
    """Pulumi `protect` on the flow log group (prod): its records are security evidence, kept for their
    whole retention even if the network is rebuilt."""


class Network(pulumi.ComponentResource):
    """VPC with DNS; public subnets (ALB, NAT) route to an IGW; private subnets (tasks) route to a NAT in
    their own AZ when `per-az`; data subnets have no route out at all. S3 and DynamoDB gateway endpoints on
    the private and data route tables; optional interface endpoints admitting 443 from the VPC only;
    flow logs (ALL) to a retained log group through a role that can write only there; the default
    security group taken over with no rules, so nothing can fall back to it."""

    vpc_id: pulumi.Output[str]
    """VPC id."""
    vpc_cidr: str
    """VPC IPv4 CIDR."""
    availability_zones: list[str]
    """The AZs used, in subnet order."""
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    data_subnet_ids: list[pulumi.Output[str]]
    internet_ready: list[pulumi.Resource]
    """What an internet-facing load balancer must wait for: the internet gateway, the public default route
    and the public subnets' route table associations. Without this edge AWS can answer `InvalidSubnet: VPC
    ... has no internet gateway` when the ALB is created in the same `up` as the network."""
    egress_ready: list[pulumi.Resource]
    """What tasks in the private subnets must wait for before their first start: the private subnets'
    associations and default routes to the NAT gateways, the gateway endpoints and the interface endpoints.
    Without these edges the first tasks can start before they can reach ECR, Logs or Secrets Manager, fail
    to pull, and count against the deployment circuit breaker."""
    nat_public_ips: list[pulumi.Output[str]]
    """The NAT gateways' public IPs: the source address of in-VPC clients calling public endpoints."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:network:Network", name, None, opts)
        config = args.config
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        self._associations: dict[str, list[aws.ec2.RouteTableAssociation]] = {}
        zones = aws.get_availability_zones(
            state="available",
            filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
        ).names
        if len(zones) < config.az_count:
            raise ValueError(f"network.azCount is {config.az_count} but the region offers {len(zones)} AZs")
        self.availability_zones = list(zones[: config.az_count])
        self.vpc_cidr = config.cidr

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=config.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": physical_name("vpc")},
            opts=self._child,
        )
        self.vpc_id = vpc.id
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": physical_name("default-unused")},
            opts=self._child,
        )

        cidrs = config.subnet_cidrs()
        subnets = {tier: self._subnets(vpc, tier, cidrs[tier]) for tier in TIERS}
        self.public_subnet_ids = [s.id for s in subnets["public"]]
        self.private_subnet_ids = [s.id for s in subnets["private"]]
        self.data_subnet_ids = [s.id for s in subnets["data"]]

        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={"Name": physical_name("igw")}, opts=self._child
        )
        public_table = self._route_table(vpc, "public", subnets["public"])
        public_default = aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=self._child,
        )
        self.internet_ready = [igw, public_default, *self._associations["public"]]
        self.egress_ready = []

        nats = self._nat_gateways(config, subnets["public"], igw)
        self.nat_public_ips = [nat.public_ip for nat in nats]
        private_tables = []
        for index, subnet in enumerate(subnets["private"]):
            table = self._route_table(vpc, f"private-{self._zone_suffix(index)}", [subnet])
            private_tables.append(table)
            self.egress_ready.extend(self._associations[f"private-{self._zone_suffix(index)}"])
            if nats:
                nat = nats[index] if len(nats) > 1 else nats[0]
                self.egress_ready.append(
                    aws.ec2.Route(
                        f"{name}-private-{self._zone_suffix(index)}-default",
                        route_table_id=table.id,
                        destination_cidr_block="0.0.0.0/0",
                        nat_gateway_id=nat.id,
                        opts=self._child,
                    )
                )
        data_table = self._route_table(vpc, "data", subnets["data"])
        self.private_route_table_ids = [t.id for t in private_tables]
        self.data_route_table_id = data_table.id

        gateway_tables = [*[t.id for t in private_tables], data_table.id]
        for service in ("s3", "dynamodb"):
            self.egress_ready.append(
                aws.ec2.VpcEndpoint(
                    f"{name}-{service}-endpoint",
                    vpc_id=vpc.id,
                    service_name=args.aws_context.endpoint_service(service),
                    vpc_endpoint_type="Gateway",
                    route_table_ids=gateway_tables,
                    tags={"Name": physical_name(service, "gateway")},
                    opts=self._child,
                )
            )
        self.endpoint_security_group_id: pulumi.Output[str] | None = None
        if config.interface_endpoints:
            self.endpoint_security_group_id = self._interface_endpoints(
                vpc, config, self.private_subnet_ids, args.aws_context
            )

        self._flow_logs(vpc, config, args)
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "vpcCidr": self.vpc_cidr,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "dataSubnetIds": self.data_subnet_ids,
            }
        )

    def _zone_suffix(self, index: int) -> str:
        """`us-east-1a` -> `a`: readable, stable logical names per AZ."""
        return self.availability_zones[index].rsplit("-", 1)[-1].lstrip("0123456789") or str(index)

    def _subnets(self, vpc: aws.ec2.Vpc, tier: str, cidrs: list[str]) -> list[aws.ec2.Subnet]:
        return [
            aws.ec2.Subnet(
                f"{self._name}-{tier}-{self._zone_suffix(i)}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=self.availability_zones[i],
                map_public_ip_on_launch=False,  # nothing gets a public IP unless it asks for one explicitly
                tags={"Name": physical_name(tier, self._zone_suffix(i)), "Tier": tier},
                opts=self._child,
            )
            for i, cidr in enumerate(cidrs)
        ]

    def _route_table(self, vpc: aws.ec2.Vpc, label: str, subnets: list[aws.ec2.Subnet]) -> aws.ec2.RouteTable:
        table = aws.ec2.RouteTable(
            f"{self._name}-{label}-rt", vpc_id=vpc.id, tags={"Name": physical_name(label)}, opts=self._child
        )
        self._associations[label] = [
            aws.ec2.RouteTableAssociation(
                f"{subnet._name}-rta", subnet_id=subnet.id, route_table_id=table.id, opts=self._child
            )
            for subnet in subnets
        ]
        return table

    def _nat_gateways(
        self, config: NetworkConfig, public: list[aws.ec2.Subnet], igw: aws.ec2.InternetGateway
    ) -> list[aws.ec2.NatGateway]:
        count = {"none": 0, "single": 1, "per-az": config.az_count}[config.nat_strategy]
        nats = []
        for index in range(count):
            suffix = self._zone_suffix(index)
            eip = aws.ec2.Eip(
                f"{self._name}-nat-{suffix}-eip",
                domain="vpc",
                tags={"Name": physical_name("nat", suffix)},
                opts=self._child,
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{self._name}-nat-{suffix}",
                    allocation_id=eip.id,
                    subnet_id=public[index].id,
                    connectivity_type="public",
                    tags={"Name": physical_name("nat", suffix)},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )
        return nats

    def _interface_endpoints(
        self, vpc: aws.ec2.Vpc, config: NetworkConfig, subnet_ids: list[pulumi.Output[str]], context: AwsContext
    ) -> pulumi.Output[str]:
        group = aws.ec2.SecurityGroup(
            f"{self._name}-endpoints-sg",
            vpc_id=vpc.id,
            name=physical_name("endpoints"),
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            tags={"Name": physical_name("endpoints")},
            opts=self._child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-endpoints-https",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=config.cidr,
            description="HTTPS from the VPC",
            opts=self._child,
        )
        for service in config.interface_endpoints:
            self.egress_ready.append(
                aws.ec2.VpcEndpoint(
                    f"{self._name}-{service.replace('.', '-')}-endpoint",
                    vpc_id=vpc.id,
                    service_name=context.endpoint_service(service),
                    vpc_endpoint_type="Interface",
                    private_dns_enabled=True,
                    subnet_ids=subnet_ids,
                    security_group_ids=[group.id],
                    tags={"Name": physical_name(service.replace(".", "-"), "endpoint")},
                    opts=self._child,
                )
            )
        return group.id

    def _flow_logs(self, vpc: aws.ec2.Vpc, config: NetworkConfig, args: NetworkArgs) -> None:
        context = args.aws_context
        log_group_name = path_name("vpc", "flow-logs")
        log_group_arn = context.arn("logs", f"log-group:{log_group_name}")  # known before create: judged at preview
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-flow-logs",
            name=log_group_name,
            retention_in_days=config.flow_logs.retention_days,
            kms_key_id=args.log_kms_key_arn,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_flow_logs),
        )
        role = aws.iam.Role(
            f"{self._name}-flow-logs-role",
            name=physical_name("vpc-flow-logs"),
            assume_role_policy=service_trust_policy(
                context.service_principal("vpc-flow-logs"), context.account_id, context.arn("ec2", "vpc-flow-log/*")
            ),
            opts=self._child,
        )
        write = aws.iam.RolePolicy(
            f"{self._name}-flow-logs-write",
            role=role.id,
            policy=policy_document(
                [
                    Statement(
                        sid="WriteFlowLogs",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        resources=[log_group_arn, f"{log_group_arn}:*"],
                    )
                ]
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )
        aws.ec2.FlowLog(
            f"{self._name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": physical_name("vpc-flow-log")},
            # The flow log service checks the role's permissions when the flow log is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[write]),
        )
