"""`platform:dr`: the stack's part in an active-passive pair across regions (README "Disaster recovery").

A primary stack declares `{role: primary, standbyRegion: us-west-2}`; its standby, a stack of its own in that
region, declares `{role: standby, primaryStack: <the primary's stack name>}` and reads the primary's outputs
through a StackReference. Stacks that declare nothing are untouched (no multi-region key, no global cluster)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from .base import ConfigModel
from .data import Region
from .problems import NAMESPACE, Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig

_STACK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _stack_name(value: str) -> str:
    if not _STACK.match(value):
        raise ValueError("expected a stack name of this project such as prod")
    return value


StackName = Annotated[str, AfterValidator(_stack_name)]


class HealthCheckConfig(ConfigModel):
    """The Route53 health check of this stack's failover record: HTTPS on the load balancer's DNS name."""

    path: str = Field(default="/health", pattern=r"^/")
    """The path probed over HTTPS on 443. Default `/health` (the services' deep health endpoint)."""
    failure_threshold: int = Field(default=3, ge=1, le=10)
    """Consecutive failures before Route53 calls the endpoint unhealthy and answers with the other record. Default 3."""
    request_interval_seconds: Literal[10, 30] = 30
    """Seconds between probes from each checker (Route53 offers 10 or 30). Default 30: failover after ~90 s."""


class DrConfig(ConfigModel):
    """One side of an active-passive pair.

    - `primary`: the stack gets a multi-region DR key (a new key: the stack key is never replaced), its Aurora
      cluster joins a global cluster (an RDS instance instead is the source of the standby's replica), and its
      load balancer's domain becomes a PRIMARY failover alias with a health check.
    - `standby`: the stack reads `primaryStack`'s outputs; its database is the Aurora secondary cluster (or a
      cross-region read replica of the RDS instance) encrypted with a replica of the DR key; its services may run
      0 tasks, their autoscaling ready to be raised; its domain record is the SECONDARY alias.

    Both sides need `loadBalancer.domain` (the one name clients use) when they have web services."""

    role: Literal["primary", "standby"]
    """Which side this stack is. Required."""
    standby_region: Region | None = None
    """`primary` only, required: the standby's region (e.g. us-west-2): the DR key's replica lives there."""
    primary_stack: StackName | None = None
    """`standby` only, required: the primary's stack name in this project (e.g. prod). Read as
    `organization/<project>/<stack>`, the fully qualified name a self-managed (S3) backend resolves."""
    health_check: HealthCheckConfig = HealthCheckConfig()
    rto_minutes: int = Field(default=16, ge=1, le=1440)
    """The recovery time the runbook is held to (README "Disaster recovery"), exported for the operators. Default
    16 (promote 5, scale 2, verify 5, DNS and notify 4)."""
    rpo_seconds: int = Field(default=300, ge=1, le=86_400)
    """The data loss tolerated: the replica's lag the alarm watches. Default 300 (warm standby)."""

    @model_validator(mode="after")
    def _role_keys(self) -> DrConfig:
        if self.role == "primary" and self.primary_stack is not None:
            raise ValueError("primaryStack is for role: standby; a primary names its standbyRegion")
        if self.role == "standby" and self.standby_region is not None:
            raise ValueError("standbyRegion is for role: primary; a standby names its primaryStack")
        return self


def check(config: StackConfig) -> list[Problem]:
    """Cross-key checks: each role's required key, and a domain for the failover records."""
    dr = config.dr
    if dr is None:
        return []
    problems: list[Problem] = []
    if dr.role == "primary" and dr.standby_region is None:
        problems.append(Problem(key_path(("dr", "standbyRegion")), "required for role: primary, e.g. us-west-2"))
    if dr.role == "standby" and dr.primary_stack is None:
        problems.append(
            Problem(key_path(("dr", "primaryStack")), "required for role: standby: the primary's stack name, e.g. prod")
        )
    web = any(s.kind == "web" for s in config.services.values())
    if web and config.load_balancer.domain is None:
        problems.append(
            Problem(
                key_path(("loadBalancer", "domain")),
                "a DR stack with web services needs the domain its failover record answers for "
                "(the same name in the primary and the standby)",
            )
        )
    return problems


def check_regions(config: StackConfig, region: str) -> list[Problem]:
    """Checks that need the stack's own `aws:region`: a backup copy and a DR standby are somewhere else."""
    problems: list[Problem] = []
    if config.backup is not None and config.backup.copy_region == region:
        problems.append(
            Problem(
                key_path(("backup", "copyRegion")),
                f"is the stack's own region (aws:region); allowed: any other region, e.g. "
                f"{'us-west-2' if region != 'us-west-2' else 'us-east-1'}",
                config.backup.copy_region,
            )
        )
    for name, bucket in config.buckets.items():
        if bucket.replication is not None and bucket.replication.region == region:
            problems.append(
                Problem(
                    key_path(("buckets", name, "replication", "region")),
                    "is the stack's own region (aws:region); allowed: any other region",
                    bucket.replication.region,
                )
            )
    if config.dr is not None and config.dr.standby_region == region:
        problems.append(
            Problem(
                key_path(("dr", "standbyRegion")),
                "is the stack's own region (aws:region); allowed: the standby's region, another one",
                config.dr.standby_region,
            )
        )
    return problems


def is_standby(config: StackConfig) -> bool:
    """The stack is a DR standby: its services may be held at 0 tasks."""
    return config.dr is not None and config.dr.role == "standby"


def referenced_stacks(flat: Mapping[str, Any]) -> list[str]:
    """The stacks a stack's raw config (`ns:key` -> string, as the engine receives it) reads through a
    StackReference: a standby's `primaryStack`. Read without validating (the in-process engine runs the
    referenced stacks first); a malformed value is left to the program's own validation."""
    raw = flat.get(f"{NAMESPACE}:dr")
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return []
    if isinstance(value, dict) and value.get("role") == "standby" and isinstance(value.get("primaryStack"), str):
        return [value["primaryStack"]]
    return []
