"""The network layer: the VPC of the stack (components/network.py), reduced to what the other layers use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from ..aws_context import AwsContext
from ..config import StackConfig
from ..network import Network, NetworkArgs


@dataclass(frozen=True)
class NetworkLayer:
    """The network's ids, and the resources that must exist before what runs in it."""

    vpc_id: pulumi.Output[str]
    vpc_cidr: str
    availability_zones: Sequence[str]
    public_subnet_ids: Sequence[pulumi.Output[str]]
    private_subnet_ids: Sequence[pulumi.Output[str]]
    data_subnet_ids: Sequence[pulumi.Output[str]]
    nat_public_ips: Sequence[pulumi.Output[str]]
    internet_ready: Sequence[pulumi.Resource]
    """The internet gateway and public routes: before the internet-facing load balancer."""
    egress_ready: Sequence[pulumi.Resource]
    """The private routes and gateway endpoints: before the ECS services."""

    def outputs(self) -> dict[str, pulumi.Input[object]]:
        return {
            "vpcId": self.vpc_id,
            "vpcCidr": self.vpc_cidr,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
            "dataSubnetIds": self.data_subnet_ids,
        }


def build_network(
    config: StackConfig, context: AwsContext, opts: pulumi.ResourceOptions, *, key_arn: pulumi.Input[str]
) -> NetworkLayer:
    """`platform:network`; its flow log group is encrypted with the stack key (`key_arn`)."""
    network = Network(
        "network",
        NetworkArgs(
            config=config.network,
            aws_context=context,
            log_kms_key_arn=key_arn,
            protect_flow_logs=config.protect_stateful_resources,
        ),
        opts,
    )
    return NetworkLayer(
        vpc_id=network.vpc_id,
        vpc_cidr=network.vpc_cidr,
        availability_zones=network.availability_zones,
        public_subnet_ids=network.public_subnet_ids,
        private_subnet_ids=network.private_subnet_ids,
        data_subnet_ids=network.data_subnet_ids,
        nat_public_ips=network.nat_public_ips,
        internet_ready=network.internet_ready,
        egress_ready=network.egress_ready,
    )
