"""`platform:cluster`, `platform:loadBalancer`, `platform:services`: the ECS side of the stack config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import ConfigModel

if TYPE_CHECKING:
    from .problems import Problem
    from .stack import StackConfig


class ClusterConfig(ConfigModel):
    """The ECS cluster."""


class LoadBalancerConfig(ConfigModel):
    """The internet-facing ALB."""


class ServiceConfig(ConfigModel):
    """One Fargate service."""


def check(config: StackConfig) -> list[Problem]:
    """Cross-section checks of the compute config (grants name things that exist, unique priorities...)."""
    return []
