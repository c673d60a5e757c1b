"""Account, region and partition of the deployment, looked up once (never hard-coded)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    """Where the stack deploys. ARNs the platform builds itself use these, so no account or region is
    ever written into the code."""

    account_id: str
    region: str
    partition: str
    dns_suffix: str

    @staticmethod
    def lookup() -> AwsContext:
        identity = aws.get_caller_identity()
        region = aws.get_region()
        partition = aws.get_partition()
        return AwsContext(
            account_id=identity.account_id,
            region=region.region,
            partition=partition.partition,
            dns_suffix=partition.dns_suffix,
        )

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """`arn("logs", "log-group:/x")` -> `arn:aws:logs:us-east-1:123456789012:log-group:/x`."""
        return f"arn:{self.partition}:{service}:{self.region if regional else ''}:{self.account_id}:{resource}"

    def service_principal(self, service: str) -> str:
        """`ecs-tasks` -> `ecs-tasks.amazonaws.com` (the partition's suffix)."""
        return f"{service}.{self.dns_suffix}"

    def endpoint_service(self, service: str) -> str:
        """`s3` -> `com.amazonaws.us-east-1.s3`, the VPC endpoint service name."""
        reverse = ".".join(reversed(self.dns_suffix.split(".")))
        return f"{reverse}.{self.region}.{service}"
