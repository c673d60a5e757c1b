"""`platform:network`: the VPC, its three subnet tiers, NAT, endpoints and flow logs."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import ConfigModel, LogRetentionDays, unique_items

NatStrategy = Literal["none", "single", "per-az"]
"""`none`: no NAT (private subnets reach AWS only through endpoints); `single`: one NAT in the first AZ,
cheap, one AZ's outage cuts egress; `per-az`: one NAT and route table per AZ, the HA choice."""

InterfaceEndpoint = Literal[
    "ecr.api",
    "ecr.dkr",
    "logs",
    "secretsmanager",
    "sts",
    "ssm",
    "ssmmessages",
    "ec2messages",
    "kms",
    "sqs",
    "sns",
    "events",
    "monitoring",
    "ecs",
    "ecs-agent",
    "ecs-telemetry",
    "rds",
]
"""Interface endpoints the network can create, named by their service suffix."""

ENDPOINTS_FARGATE_NEEDS_WITHOUT_NAT = ("ecr.api", "ecr.dkr", "logs")
"""Without NAT a Fargate task in a private subnet pulls images and ships logs only through these
(plus the S3 gateway endpoint, which is always created)."""

Cidr = Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")]


class SubnetCidrs(ConfigModel):
    """Explicit subnet CIDRs per tier, one per AZ in AZ order. Omit to carve them from the VPC CIDR."""

    public: list[Cidr]
    private: list[Cidr]
    data: list[Cidr]


class FlowLogConfig(ConfigModel):
    """VPC flow logs: always on, traffic type ALL, to a KMS-encrypted log group."""

    retention_days: LogRetentionDays = 90
    """Days the flow log group keeps records. Preset: 90, 365 in prod. The floor is the pack's
    vpc-flow-logs `minimumRetentionDays` for the stack (90 by default: incident response needs the records),
    checked against the stack's pack config (components/config/thresholds.py)."""


class NetworkConfig(ConfigModel):
    """The VPC: public / private / isolated data subnets across `azCount` availability zones."""

    cidr: Cidr
    """The VPC's IPv4 CIDR, /16 to /24. Required: it must not overlap the organisation's other networks."""
    az_count: int = Field(ge=1, le=6)
    """How many availability zones to spread over (looked up in the region, never hard-coded).
    Preset: 2 in dev and staging, 3 in prod; prod needs at least 2."""
    nat_strategy: NatStrategy
    """Preset: `single` in dev and staging, `per-az` in prod."""
    subnet_newbits: int = Field(default=4, ge=2, le=8)
    """Bits added to the VPC prefix for each carved subnet: 4 turns a /16 into /20s. Tier t, AZ i gets
    subnet number t * 2^(newbits-2) + i, so adding an AZ never moves an existing subnet."""
    subnets: SubnetCidrs | None = None
    """Explicit subnet CIDRs, when the carved layout does not fit an existing IP plan."""
    interface_endpoints: list[InterfaceEndpoint] = []
    """Interface endpoints to create in the private subnets (S3 and DynamoDB gateway endpoints are always
    created: they are free). Preset: none in dev, ECR, logs, Secrets Manager and STS in staging and prod."""
    flow_logs: FlowLogConfig = FlowLogConfig()

    @field_validator("cidr")
    @classmethod
    def _valid_vpc_cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value, strict=True)
        except ValueError as error:
            raise ValueError(f"not a valid IPv4 network CIDR ({error}); e.g. 10.20.0.0/16") from None
        if not 16 <= network.prefixlen <= 24:
            raise ValueError("the VPC CIDR must be /16 to /24 (AWS's limits for a VPC)")
        if not network.is_private:
            raise ValueError("the VPC CIDR must be a private (RFC 1918) range, e.g. 10.20.0.0/16")
        return value

    _unique_endpoints = field_validator("interface_endpoints")(unique_items)

    @model_validator(mode="after")
    def _fits_the_vpc(self) -> NetworkConfig:
        if self.subnets is None:
            vpc = ipaddress.IPv4Network(self.cidr)
            stride = 2 ** (self.subnet_newbits - 2)
            if self.az_count > stride:
                raise ValueError(
                    f"azCount {self.az_count} does not fit subnetNewbits {self.subnet_newbits} "
                    f"(at most {stride} AZs per tier); raise subnetNewbits or give explicit subnets"
                )
            if vpc.prefixlen + self.subnet_newbits > 28:
                raise ValueError(
                    f"subnetNewbits {self.subnet_newbits} on a /{vpc.prefixlen} makes subnets smaller than /28, "
                    "the smallest AWS allows"
                )
        if self.nat_strategy == "none":
            missing = [e for e in ENDPOINTS_FARGATE_NEEDS_WITHOUT_NAT if e not in self.interface_endpoints]
            if missing:
                raise ValueError(
                    "natStrategy none leaves private subnets without internet egress, so Fargate needs the "
                    f"interface endpoints {', '.join(ENDPOINTS_FARGATE_NEEDS_WITHOUT_NAT)}; missing: "
                    f"{', '.join(missing)} (add them to interfaceEndpoints, or choose natStrategy single)"
                )
        return self

    def subnet_cidrs(self) -> dict[str, list[str]]:
        """The CIDRs of each tier (`public`, `private`, `data`), one per AZ in AZ order."""
        if self.subnets is not None:
            return {"public": self.subnets.public, "private": self.subnets.private, "data": self.subnets.data}
        vpc = ipaddress.IPv4Network(self.cidr)
        carved = list(vpc.subnets(new_prefix=vpc.prefixlen + self.subnet_newbits))
        stride = 2 ** (self.subnet_newbits - 2)
        return {
            tier: [str(carved[t * stride + i]) for i in range(self.az_count)]
            for t, tier in enumerate(("public", "private", "data"))
        }


def check_subnets(network: NetworkConfig, environment: str) -> list[tuple[str, object, str]]:
    """Cross-field checks on the subnet layout, as (key path below `network`, value, message)."""
    found: list[tuple[str, object, str]] = []
    if environment == "prod" and network.az_count < 2:
        found.append(("azCount", network.az_count, "prod needs at least 2 availability zones (allowed: 2 to 6)"))
    vpc = ipaddress.IPv4Network(network.cidr)
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for tier, cidrs in network.subnet_cidrs().items():
        if network.subnets is not None and len(cidrs) != network.az_count:
            found.append(
                (
                    f"subnets.{tier}",
                    len(cidrs),
                    f"needs exactly one CIDR per AZ: azCount is {network.az_count}, {len(cidrs)} given",
                )
            )
        for index, text in enumerate(cidrs):
            where = f"subnets.{tier}[{index}]"
            try:
                subnet = ipaddress.IPv4Network(text, strict=True)
            except ValueError as error:
                found.append((where, text, f"not a valid network CIDR ({error})"))
                continue
            if not subnet.subnet_of(vpc):
                found.append((where, text, f"outside the VPC CIDR {network.cidr}"))
            if not 16 <= subnet.prefixlen <= 28:
                found.append((where, text, "a subnet must be /16 to /28"))
            for other_where, other in seen:
                if subnet.overlaps(other):
                    found.append((where, text, f"overlaps {other_where} ({other})"))
            seen.append((where, subnet))
    return found
