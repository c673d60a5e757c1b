"""`platform:repositories`, and the parts of a `platform:services.<name>` entry that issue 11 added: images
named by repository (no account id), scheduled tasks, and named egress rules.

- `image: {repository: app, tag: 1.4.2}` (or `digest: sha256:...`): `app` is a `platform:repositories` key
  (the stack's own repository) or the name of a repository that already exists in this account; either way
  the registry is this account's and region's ECR, so the stack file never carries an account id or region.
- `kind: task` with `schedule: {expression: cron(0 3 * * ? *)}`: EventBridge Scheduler runs it; without a
  schedule it runs on demand (`make task STACK=dev TASK=migrate`).
- `egress: {smtp: {cidr: 203.0.113.0/24, port: 587}}`: one more outbound rule; HTTPS (443) to anywhere is
  the only default, and "all traffic" is never accepted.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from .base import ConfigModel
from .problems import Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig

ECR_REPOSITORY_NAME = re.compile(r"^[a-z0-9]+([._-]{1,2}[a-z0-9]+)*(/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*$")
"""ECR's repository name rule (2 to 256 characters, lower case, `/` separates namespaces)."""

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_SCHEDULE = re.compile(r"^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\S+\))$")


# -- repositories ------------------------------------------------------------------------------------
class RepositoryConfig(ConfigModel):
    """An ECR repository of this stack (`<project>-<stack>-<key>`): immutable tags, scan on push, encrypted
    with the stack key, a lifecycle policy, pull only by this stack's task execution roles that use it, and
    `protect` in prod (its images are what prod runs)."""

    keep_tagged_images: int = Field(default=50, ge=1, le=10000)
    """Tagged images kept (the newest by push time); older ones expire. Preset: 30 dev, 50 staging, 200 prod:
    enough releases to roll back to."""
    untagged_expiry_days: int = Field(default=7, ge=1, le=3650)
    """Days an untagged image (a layer set left behind by a failed or superseded push) is kept. Preset: 3 dev,
    7 staging, 14 prod."""


# -- images --------------------------------------------------------------------------------------------
class ImageSpec(ConfigModel):
    """An image in this account's ECR, by repository and tag or digest: `{repository: app, tag: 1.4.2}`.
    The registry (`<account>.dkr.ecr.<region>.amazonaws.com`) comes from the deployment's AWS context."""

    repository: Annotated[str, StringConstraints(min_length=2, max_length=256)]
    """A `platform:repositories` key (the stack's own repository), or the name of a repository that already
    exists in this account and region (`openclaw/app`)."""
    tag: str | None = None
    """A version tag (`1.4.2`, a commit id); never `latest`. Exactly one of tag and digest."""
    digest: str | None = None
    """`sha256:<64 hex>`: the exact image whatever its tags say."""

    @field_validator("repository")
    @classmethod
    def _repository_name(cls, value: str) -> str:
        if not ECR_REPOSITORY_NAME.match(value):
            raise ValueError(
                "not an ECR repository name: lower-case letters, digits, `.`, `_`, `-` and `/` "
                "(e.g. app or openclaw/app)"
            )
        return value

    @field_validator("tag")
    @classmethod
    def _pinned_tag(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _TAG.match(value):
            raise ValueError(f"{value!r} is not a valid image tag")
        if value.lower() == "latest":
            raise ValueError(
                "`latest` is not a version: it moves under a running service, so a redeploy or a "
                "scale-out can start different code; pin a version tag (1.4.2) or a digest"
            )
        return value

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None and not _DIGEST.match(value):
            raise ValueError("the digest must be sha256: followed by 64 lower-case hex digits")
        return value

    @model_validator(mode="after")
    def _one_pin(self) -> ImageSpec:
        if (self.tag is None) == (self.digest is None):
            raise ValueError("give exactly one of tag (a version, e.g. 1.4.2) and digest (sha256:...)")
        return self

    @property
    def suffix(self) -> str:
        """`:1.4.2` or `@sha256:...`: what follows the repository URL."""
        return f"@{self.digest}" if self.digest is not None else f":{self.tag}"


# -- egress ----------------------------------------------------------------------------------------------
ALL_TRAFFIC = ("-1", "all", "any")


class EgressRuleConfig(ConfigModel):
    """One more outbound rule of a service's security group: a protocol, a port (or range) and a CIDR."""

    cidr: str
    """Destination network, IPv4 or IPv6 CIDR (`203.0.113.0/24`, `0.0.0.0/0` for a public API)."""
    port: int = Field(ge=1, le=65535)
    """Destination port (the first of the range when `toPort` is given). Required: no rule opens every port."""
    to_port: int | None = Field(default=None, ge=1, le=65535)
    """Last port of a range; default: `port` only."""
    protocol: Literal["tcp", "udp"] = "tcp"
    """`tcp` or `udp`. "All traffic" (`-1`) is refused: name the protocol and port the service needs."""

    @field_validator("protocol", mode="before")
    @classmethod
    def _not_all_traffic(cls, value: Any) -> Any:
        if str(value).lower() in ALL_TRAFFIC:
            raise ValueError(
                "all traffic is never allowed out of a task: name the protocol (tcp or udp) and "
                "the port the service needs"
            )
        return value

    @field_validator("cidr")
    @classmethod
    def _network(cls, value: str) -> str:
        try:
            ipaddress.ip_network(value, strict=True)
        except ValueError as error:
            raise ValueError(f"not a network CIDR ({error}); e.g. 203.0.113.0/24") from None
        return value

    @model_validator(mode="after")
    def _range(self) -> EgressRuleConfig:
        last = self.to_port if self.to_port is not None else self.port
        if last < self.port:
            raise ValueError(f"toPort ({last}) is below port ({self.port})")
        if self.port == 1 and last == 65535:
            raise ValueError(
                "every port is all traffic, which is never allowed out of a task: name the port range the service needs"
            )
        return self

    @property
    def last_port(self) -> int:
        return self.to_port if self.to_port is not None else self.port

    @property
    def ip_version(self) -> int:
        return ipaddress.ip_network(self.cidr).version


# -- scheduled tasks -----------------------------------------------------------------------------------
class TaskScheduleConfig(ConfigModel):
    """When EventBridge Scheduler runs a `kind: task` (an ECS RunTask with the task's network and roles)."""

    expression: str
    """`cron(0 3 * * ? *)` (six fields), `rate(1 hour)` or `at(2026-01-01T00:00:00)`. Required."""
    timezone: str = "UTC"
    """IANA time zone the expression is read in, e.g. `Europe/Berlin` (daylight saving followed)."""
    flexible_window_minutes: int | None = Field(default=None, ge=1, le=1440)
    """Let the scheduler start the run up to this many minutes late, to spread load. Default: off (on time)."""
    retry_attempts: int = Field(default=2, ge=0, le=185)
    """Retries when RunTask fails (no capacity, throttling) before the run is given up and sent to the task's
    failure queue. Default 2."""
    maximum_event_age_seconds: int = Field(default=3600, ge=60, le=86400)
    """How long the scheduler keeps retrying one run. Default one hour."""
    enabled: bool = True
    """False pauses the schedule (the task stays runnable on demand)."""

    @field_validator("expression")
    @classmethod
    def _expression(cls, value: str) -> str:
        if not _SCHEDULE.match(value):
            raise ValueError("not a schedule expression; e.g. cron(0 3 * * ? *), rate(1 hour), at(2026-01-01T00:00:00)")
        return value


# -- cross-checks ----------------------------------------------------------------------------------------
def check(config: StackConfig) -> list[Problem]:
    """Repositories named by a service exist; a task has no service-only settings; schedules only on tasks;
    egress rules add to the default rather than repeat it."""
    problems: list[Problem] = []
    for name, service in config.services.items():

        def at(*path: str | int, _name: str = name) -> str:
            return key_path(("services", _name, *path))

        build_repository = service.build.repository if service.build is not None else None
        if build_repository is not None and build_repository not in config.repositories:
            problems.append(
                Problem(at("build", "repository"), _unknown_repository(config, build_repository), build_repository)
            )
        if service.schedule is not None and service.kind != "task":
            problems.append(
                Problem(
                    at("schedule"),
                    f"only a `kind: task` runs on a schedule (this is a "
                    f"{service.kind}); remove schedule or set kind: task",
                )
            )
        if service.kind == "task":
            problems.extend(_check_task(at, service))
        for rule_name, rule in service.egress.items():
            if (
                rule.protocol == "tcp"
                and rule.port <= 443 <= rule.last_port
                and rule.cidr in ("0.0.0.0/0", "::/0")
                and rule.ip_version == 4
            ):
                problems.append(
                    Problem(
                        at("egress", rule_name),
                        "HTTPS (443) to anywhere is already allowed by default; remove the rule",
                    )
                )
    return problems


def _check_task(at: Any, service: Any) -> list[Problem]:
    """A task runs to completion: no traffic, no task count, no rolling deployment, no autoscaling."""
    problems: list[Problem] = []
    for key, present in (("port", service.port is not None), ("routing", service.routing is not None)):
        if present:
            problems.append(Problem(at(key), f"a task takes no traffic; remove {key}"))
    for key in ("desired_count", "deployment"):
        if key in service.model_fields_set:
            problems.append(
                Problem(
                    at(_camel(key)),
                    "a task is not a long-running service: it has no task count or rolling deployment; remove it",
                )
            )
    # The dev preset gives every entry a scale-down schedule: only keys the stack file sets count.
    scaling = service.autoscaling.model_fields_set - {"schedule"}
    if scaling:
        problems.append(
            Problem(
                at("autoscaling"),
                "a task does not autoscale (each run is one task); remove "
                f"autoscaling ({', '.join(sorted(_camel(k) for k in scaling))})",
            )
        )
    return problems


def _unknown_repository(config: StackConfig, name: str) -> str:
    names = sorted(config.repositories)
    listed = f"defined: {', '.join(names)}" if names else "none are defined"
    return f"no repository {name!r} in platform:repositories ({listed})"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)
