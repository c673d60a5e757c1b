"""Cluster: the ECS cluster the services run in, with Fargate capacity providers and ECS Exec logging."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .config.base import LogRetentionDays
from .config.compute import ClusterConfig
from .naming import path_name, physical_name

CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


@dataclass(frozen=True, kw_only=True)
class ClusterArgs:
    config: ClusterConfig
    """The validated `platform:cluster` section (presets applied)."""
    log_retention_days: LogRetentionDays
    """Retention of the ECS Exec session log group (the stack's `logRetentionDays`)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The stack key: encrypts the ECS Exec session log group and the Exec data channel. None leaves
    CloudWatch's own encryption (only until the stack key exists)."""


class Cluster(pulumi.ComponentResource):
    """ECS cluster with Container Insights; FARGATE and FARGATE_SPOT capacity providers with an
    on-demand default strategy (each service states its own split); when ECS Exec is allowed (never in
    prod), sessions are encrypted with the stack key and logged to a KMS-encrypted log group."""

    name: pulumi.Output[str]
    """Cluster name (the `ClusterName` metric dimension)."""
    arn: pulumi.Output[str]
    """Cluster ARN, for services."""
    execute_command: bool
    """Whether services in this cluster enable ECS Exec."""
    exec_log_group_arn: pulumi.Output[str] | None
    """The ECS Exec session log group (task roles may write there), or None when Exec is off."""
    exec_kms_key_arn: pulumi.Input[str] | None
    """The key that encrypts Exec sessions (task roles may decrypt with it), or None."""
    capacity_providers: aws.ecs.ClusterCapacityProviders
    """Services using a capacity provider strategy depend on this association."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:cluster:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        config = args.config
        self.execute_command = config.execute_command
        self.exec_log_group_arn = None
        self.exec_kms_key_arn = None

        configuration = None
        if config.execute_command:
            log_group = aws.cloudwatch.LogGroup(
                f"{name}-exec-logs",
                name=path_name("ecs", "exec"),
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                opts=child,
            )
            self.exec_log_group_arn = log_group.arn
            self.exec_kms_key_arn = args.kms_key_arn
            configuration = aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    kms_key_id=args.kms_key_arn,
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=log_group.name,
                        cloud_watch_encryption_enabled=True,
                    ),
                ),
            )

        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            name=physical_name("cluster", max_length=255),
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value=config.container_insights)],
            configuration=configuration,
            opts=child,
        )
        self.name = cluster.name
        self.arn = cluster.arn
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity-providers",
            cluster_name=cluster.name,
            capacity_providers=list(CAPACITY_PROVIDERS),
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider="FARGATE", base=1, weight=1
                ),
            ],
            opts=child,
        )
        self.register_outputs({"name": self.name, "arn": self.arn})
