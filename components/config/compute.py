"""`platform:cluster`, `platform:loadBalancer`, `platform:services`: the ECS side of the stack config.

Numbers are the reference's (shared/reference/seed-requirements.md): 256 CPU / 512 MiB tasks, user
`1000:1000`, container health check every 30 s (timeout 5, 3 retries, 60 s start period), target group
health check healthy 2 / unhealthy 3, deregistration delay 30 s, health check grace 120 s, autoscaling on
CPU 70 % and memory 75 % with scale-in 300 s / scale-out 60 s, rolling deploys at 100 % / 200 %.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from ..registry import is_stack_secret_reference
from .base import ConfigModel, ResourceKey, unique_items
from .dr import is_standby
from .problems import MISSING, Problem, key_path
from .workloads import EgressRuleConfig, ImageSpec, TaskScheduleConfig

if TYPE_CHECKING:
    from .stack import StackConfig

# -- shared types ----------------------------------------------------------------------------------

TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
)
"""HTTPS listener policies the platform accepts: TLS 1.3 with 1.2 as the floor (or 1.3 only)."""

TlsPolicy = Literal[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
]

FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
"""Fargate's task sizes: CPU units -> the memory values (MiB) allowed with it (Linux, platform 1.4.0)."""

DnsName = Annotated[
    str, StringConstraints(max_length=253, pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
]
"""A lower-case fully qualified domain name, without the trailing dot."""

HostPattern = Annotated[str, StringConstraints(pattern=r"^[a-z0-9*?.-]{1,128}$")]
"""An ALB host-header condition value: letters, digits, `-`, `.`, and the wildcards `*` `?`."""

PathPattern = Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_\-.$/~\"'@:+*?&=]{0,127}$")]
"""An ALB path-pattern condition value, starting with `/` (case-sensitive, `*` and `?` wildcards)."""

EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")]

SECRET_LOOKING_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY"
    r"|SIGNING_?KEY|ENCRYPTION_?KEY|CLIENT_?KEY",
    re.IGNORECASE,
)
"""Environment variable names that say they hold a secret: such values belong in `secrets` (valueFrom)."""

SECRET_LOOKING_VALUE = re.compile(
    r"://[^/\s:@]+:[^/\s@]+@"  # credentials in a URL: postgres://user:pass@host
    r"|\b(AKIA|ASIA)[0-9A-Z]{16}\b"  # an AWS access key id
    r"|-----BEGIN [A-Z ]*PRIVATE KEY"  # a PEM private key
)
"""Values that are secrets whatever their variable is called."""


def refuse_plain_secrets(environment: dict[str, str], *, named_why: str, valued_fix: str) -> None:
    """Raise when a plain environment variable is named like a secret (`named_why`: where such a value would
    land and what to do instead) or its value is a credential whatever its name (`valued_fix`)."""
    named = sorted(k for k in environment if SECRET_LOOKING_NAME.search(k))
    if named:
        raise ValueError(f"{', '.join(named)} look{'s' if len(named) == 1 else ''} like a secret; {named_why}")
    valued = sorted(k for k, v in environment.items() if SECRET_LOOKING_VALUE.search(v))
    if valued:
        raise ValueError(
            f"the value of {', '.join(valued)} contains a credential (URL password, AWS key or private key); "
            + valued_fix
        )


_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_REPOSITORY = re.compile(r"^[a-z0-9]+([._-]{1,2}[a-z0-9]+)*(/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*$")
_ECR_REGISTRY = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr(-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
_SECRETS_MANAGER_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*:[^:]*:[^:]*)?$"
)
_SSM_PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+$")
_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")


@dataclass(frozen=True)
class ImageReference:
    """A parsed container image reference: `[registry/]repository[:tag][@sha256:digest]`."""

    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def ecr_account(self) -> str | None:
        """The account of a private ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`), else None."""
        match = _ECR_REGISTRY.match(self.registry or "")
        return match["account"] if match else None

    @property
    def ecr_region(self) -> str | None:
        match = _ECR_REGISTRY.match(self.registry or "")
        return match["region"] if match else None


def parse_image(reference: str) -> ImageReference:
    """Parse an image reference, or raise ValueError saying why it is not pinned or not valid."""
    name, _, digest = reference.partition("@")
    if digest and not _DIGEST.match(digest):
        raise ValueError("the digest must be sha256: followed by 64 lower-case hex digits")
    registry: str | None = None
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, name = first, rest
    repository, colon, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    if not _REPOSITORY.match(repository):
        raise ValueError(
            "not a valid image reference; expected [registry/]repository:tag or [registry/]repository@sha256:<digest>"
        )
    if colon and not _TAG.match(tag):
        raise ValueError(f"{tag!r} is not a valid image tag")
    if colon and tag.lower() == "latest":
        raise ValueError(
            "`latest` is not a version: it moves under a running service, so a redeploy or a "
            "scale-out can start different code; pin a version tag (repo:1.4.2) or a digest "
            "(repo@sha256:...)"
        )
    if not colon and not digest:
        raise ValueError(
            "untagged image (that means `latest`); pin a version tag (repo:1.4.2) or a digest (repo@sha256:...)"
        )
    return ImageReference(registry=registry, repository=repository, tag=tag or None, digest=digest or None)


def is_secret_arn(reference: str) -> bool:
    """A Secrets Manager secret ARN (optionally with `:json-key:stage:version`) or an SSM parameter ARN."""
    return bool(_SECRETS_MANAGER_ARN.match(reference) or _SSM_PARAMETER_ARN.match(reference))


# -- cluster ---------------------------------------------------------------------------------------


class ClusterConfig(ConfigModel):
    """The ECS cluster: FARGATE and FARGATE_SPOT capacity providers, Container Insights on."""

    container_insights: Literal["enabled", "enhanced"] = "enabled"
    """CloudWatch Container Insights (task/service CPU, memory, RunningTaskCount, which the worker
    backlog-per-task scaling divides by). `enhanced` adds per-container metrics at extra cost.
    It cannot be turned off: the alarms and autoscaling depend on its metrics."""
    execute_command: bool = False
    """ECS Exec (`aws ecs execute-command`): a shell inside running tasks, sessions logged to a
    KMS-encrypted log group. Preset: on in dev and staging; prod refuses it (the reference: only
    outside prod)."""


# -- load balancer ---------------------------------------------------------------------------------


class DomainConfig(ConfigModel):
    """A public DNS name for the ALB in a Route53 hosted zone of this account."""

    name: DnsName
    """The name clients use, e.g. `api.example.com`. An ACM certificate for it is created and validated
    by DNS in the zone (unless `certificateArn` is given), and an alias A record points it at the ALB."""
    hosted_zone: DnsName
    """The public hosted zone that holds `name`, e.g. `example.com` (looked up by name)."""

    @field_validator("hosted_zone")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.rstrip(".")


class WafConfig(ConfigModel):
    """A WAFv2 web ACL on the ALB: AWS managed common and known-bad-inputs rules, and a rate limit."""

    enabled: bool = False
    """Preset: on in prod (the reference: `enable_waf = true` in prod), off in dev and staging
    (a web ACL costs a monthly fee plus per-request charges)."""
    rate_limit: int = Field(default=2000, ge=100, le=2_000_000_000)
    """Requests one client IP may send in 5 minutes before it is blocked (the reference's 2000)."""
    forwarded_ip_header: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")] | None = None
    """Key the rate limit on the first address of this header (`X-Forwarded-For`) instead of the source IP:
    behind CloudFront or API Gateway every request comes from the proxy's addresses. Default: the source IP."""


class TrafficTestListenerConfig(ConfigModel):
    """The test listener: a second listener of the ALB, on its own port, where ECS routes test traffic to a new
    revision before production traffic moves (progressive strategies). Created only when a web service deploys
    by blue-green, canary or linear. It never admits the internet: only the VPC, the NAT gateways' public
    addresses (in-VPC clients, such as a smoke-test function, reach the internet-facing ALB through them) and
    the networks named in `cidrs`."""

    port: int = Field(default=8443, ge=1, le=65535)
    """Listener port. Default 8443 (HTTPS with the ALB's certificate; plain HTTP when it has none, dev only).
    Not 80 or 443: those are the production listeners, open to `ingressCidrs`."""
    cidrs: list[str] = []
    """Further networks admitted on the port, e.g. the office VPN `198.51.100.0/24`. A /0 (the internet) is
    refused. Default none: the VPC and its NAT addresses only."""

    @field_validator("port")
    @classmethod
    def _not_production(cls, value: int) -> int:
        if value in (80, 443):
            raise ValueError(
                "80 and 443 are the production listeners, open to loadBalancer.ingressCidrs; give "
                "the test listener its own port, e.g. 8443"
            )
        return value

    @field_validator("cidrs")
    @classmethod
    def _not_internet(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                network = ipaddress.ip_network(cidr, strict=True)
            except ValueError as error:
                raise ValueError(f"{cidr!r} is not a network CIDR ({error}); e.g. 198.51.100.0/24") from None
            if network.prefixlen == 0:
                raise ValueError(
                    f"{cidr} is the whole internet; the test listener serves a revision no one has "
                    "checked yet: name the networks that may test it (office, VPN)"
                )
        return unique_items(cls, value)


class EdgeWafConfig(ConfigModel):
    """The web ACL of an entry point that is not the ALB: a CloudFront distribution (a site's, the ALB's) or an
    API stage (components/waf.py; CLOUDFRONT scope in us-east-1, or REGIONAL on a stage)."""

    enabled: bool = True
    """On by default: it is an entry point from the internet, and production requires a web ACL on every one
    (pack: internet-entry-points-have-waf)."""
    rate_limit: int = Field(default=2000, ge=100, le=2_000_000_000)
    """Requests one client IP may send in 5 minutes before it is blocked."""


class LoadBalancerCdnConfig(ConfigModel):
    """CloudFront in front of the ALB (components/alb_cdn.py): viewers reach `domain`; the ALB's security group
    admits only CloudFront's origin-facing managed prefix list on 443, and its service rules refuse requests
    without the origin-verify header CloudFront adds. `loadBalancer.ingressCidrs` is then not used."""

    domain: DomainConfig
    """The viewers' name (`www.example.com`), different from `loadBalancer.domain` (the origin's name, which
    CloudFront calls over HTTPS and whose certificate it verifies). An ACM certificate in us-east-1, alias A/AAAA."""
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_100"
    """Edge locations used: 100 (North America, Europe; cheapest), 200, All."""
    waf: EdgeWafConfig = EdgeWafConfig()
    content_security_policy: str | None = None
    """The Content-Security-Policy header CloudFront sets on every response. Default none: an application
    usually sends its own (the other security headers are always set)."""


class LoadBalancerConfig(ConfigModel):
    """The internet-facing ALB: the platform's only entry from the internet. Created when at least one
    service has `kind: web`."""

    ingress_cidrs: list[str] = ["0.0.0.0/0", "::/0"]
    """Client networks admitted on 443 (and on 80, which only redirects to 443 when HTTPS is on).
    Default: the whole internet, IPv4 and IPv6. Narrow it for an internal-only or partner-only entry."""
    certificate_arn: str | None = None
    """An existing ACM certificate (same region) for the HTTPS listener."""
    domain: DomainConfig | None = None
    """A Route53 name for the ALB: creates the alias record, and the certificate when `certificateArn`
    is not given. Every environment with a web service needs one of the two (HTTPS everywhere)."""
    allow_plain_http: bool = False
    """Serve plain HTTP on 80 with no certificate. Off by default: every environment serves HTTPS. Only a
    dev stack may turn it on, and only where its pack config makes `alb-tls-and-headers` advisory (the pack
    would fail the plain listener otherwise): a visible relaxation in two reviewed files."""
    ssl_policy: TlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    """The HTTPS listener's TLS policy: TLS 1.3 with TLS 1.2 as the floor, forward-secret ciphers."""
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    """Seconds a client connection may sit idle."""
    deletion_protection: bool = False
    """AWS deletion protection on the ALB. Preset: on in prod."""
    access_log_expiration_days: int = Field(default=90, ge=1, le=3650)
    """Days the access log bucket keeps log objects (older versions expire 30 days later).
    Preset: 30 in dev, 90 in staging, 365 in prod."""
    waf: WafConfig = WafConfig()
    test_listener: TrafficTestListenerConfig = TrafficTestListenerConfig()
    """Where test traffic reaches a new revision during a progressive deployment (see TrafficTestListenerConfig)."""
    cloud_front: LoadBalancerCdnConfig | None = None
    """CloudFront in front of the ALB (see LoadBalancerCdnConfig). Default none: clients reach the ALB directly."""

    @field_validator("ingress_cidrs")
    @classmethod
    def _valid_cidrs(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one CIDR is needed; the ALB would be unreachable (e.g. 0.0.0.0/0)")
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError as error:
                raise ValueError(
                    f"{cidr!r} is not a network CIDR ({error}); e.g. 0.0.0.0/0 or 203.0.113.0/24"
                ) from None
        duplicates = sorted({c for c in value if value.count(c) > 1})
        if duplicates:
            raise ValueError(f"listed more than once: {', '.join(duplicates)}")
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _valid_certificate(cls, value: str | None) -> str | None:
        if value is not None and not _CERTIFICATE_ARN.match(value):
            raise ValueError("not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)")
        return value

    @property
    def https(self) -> bool:
        """True when the ALB terminates TLS (a certificate is given or created for the domain)."""
        return self.certificate_arn is not None or self.domain is not None


# -- services --------------------------------------------------------------------------------------


class HealthCheckConfig(ConfigModel):
    """The container health check (both kinds) and the target group health check (`web`)."""

    path: PathPattern = "/health"
    """HTTP path the target group (and the default container check) probes on the container port."""
    command: list[str] | None = None
    """The container check, in ECS form: `["CMD-SHELL", "..."]` or `["CMD", "exe", ...]`. Default for
    `web`: `curl -sf http://localhost:<port><path> || exit 1` (the image must have curl; give a `wget`
    command for an alpine image without it). A `worker` has no port to probe, so it must give one."""
    interval_seconds: int = Field(default=30, ge=5, le=300)
    timeout_seconds: int = Field(default=5, ge=2, le=60)
    retries: int = Field(default=3, ge=1, le=10)
    start_period_seconds: int = Field(default=60, ge=0, le=300)
    """Seconds after start during which failed checks do not count."""
    healthy_threshold: int = Field(default=2, ge=2, le=10)
    """Target group: consecutive successes before a target takes traffic."""
    unhealthy_threshold: int = Field(default=3, ge=2, le=10)
    """Target group: consecutive failures before a target is taken out."""
    matcher: Annotated[str, StringConstraints(pattern=r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")] = "200"
    """HTTP codes that count as healthy, e.g. `200` or `200-299`."""

    @field_validator("command")
    @classmethod
    def _ecs_form(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (len(value) < 2 or value[0] not in ("CMD", "CMD-SHELL")):
            raise ValueError(
                'a container health check is ["CMD-SHELL", "<shell command>"] or ["CMD", "<executable>", "<arg>"...]'
            )
        return value


class RoutingConfig(ConfigModel):
    """Which requests the ALB sends to a `web` service: a listener rule matching hosts and/or paths."""

    priority: int = Field(ge=1, le=50000)
    """Listener rule priority, unique on the listener; lower is evaluated first. Required."""
    paths: list[PathPattern] = []
    """Path patterns, e.g. `/api/*`. At most 5 values across paths and hosts (an ALB rule's limit)."""
    hosts: list[HostPattern] = []
    """Host headers, e.g. `api.example.com`."""

    _unique = field_validator("paths", "hosts")(unique_items)


class ScheduleConfig(ConfigModel):
    """Scheduled scale-down (the reference's dev auto-shutdown): min and max go to 0 at `stop`, and back
    to the configured values at `start`."""

    stop: str = "cron(0 20 ? * MON-FRI *)"
    """When to scale to zero (Application Auto Scaling schedule expression). Default: 20:00 on weekdays,
    so nights and weekends cost nothing."""
    start: str = "cron(0 7 ? * MON-FRI *)"
    """When to restore min/max. Default: 07:00 on weekdays."""
    timezone: str = "UTC"
    """IANA time zone of the expressions, e.g. `Europe/Berlin`."""

    @field_validator("stop", "start")
    @classmethod
    def _expression(cls, value: str) -> str:
        if not re.match(r"^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\S+\))$", value):
            raise ValueError(
                "not a schedule expression; e.g. cron(0 20 ? * MON-FRI *), rate(1 day), at(2026-01-01T00:00:00)"
            )
        return value


class AutoscalingConfig(ConfigModel):
    """Application Auto Scaling of the task count: target tracking, cooldowns, optional schedule."""

    min_count: int = Field(default=1, ge=0, le=1000)
    """Fewest tasks. A worker may use 0: it scales from zero to one when messages arrive."""
    max_count: int = Field(default=4, ge=1, le=1000)
    """Most tasks."""
    cpu_target: float = Field(default=70, gt=0, le=100)
    """Average CPU utilisation (%) to hold (the reference's 70)."""
    memory_target: float = Field(default=75, gt=0, le=100)
    """Average memory utilisation (%) to hold (the reference's 75)."""
    requests_per_target: int | None = Field(default=1000, ge=1)
    """`web`: ALB requests per task per minute to hold (ALBRequestCountPerTarget). null turns it off."""
    backlog_per_task: int = Field(default=100, ge=1)
    """`worker`: visible queue messages per running task to hold (metric math: visible / running)."""
    scale_in_cooldown_seconds: int = Field(default=300, ge=0, le=3600)
    """Wait after a scale-in before the next (the reference's 300 s)."""
    scale_out_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    """Wait after a scale-out before the next (the reference's 60 s)."""
    schedule: ScheduleConfig | None = None
    """Scheduled scale-down. Preset: on in dev (nights and weekends), off elsewhere."""


DeploymentStrategy = Literal["rolling", "blue-green", "canary", "linear"]
"""How ECS replaces a service's tasks (`deploymentConfiguration.strategy`, ECS deployment controller)."""

PROGRESSIVE_STRATEGIES: tuple[str, ...] = ("blue-green", "canary", "linear")
"""Strategies that run the new revision beside the old one, shift traffic, bake, and can flip back at once."""

TRAFFIC_SHIFTING_STRATEGIES: tuple[str, ...] = ("canary", "linear")
"""Strategies that shift production traffic in steps: ECS needs a load balancer (or Service Connect, which the
platform does not use) to split traffic, so a service without one cannot use them. Blue/green without a load
balancer is allowed (AWS: no managed traffic shift, but bake time and hooks still apply)."""

ECS_STRATEGY: dict[str, str] = {
    "rolling": "ROLLING",
    "blue-green": "BLUE_GREEN",
    "canary": "CANARY",
    "linear": "LINEAR",
}
"""Config spelling -> the ECS API's `deploymentConfiguration.strategy`."""

LifecycleStage = Literal[
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
]
"""The deployment stages at which ECS can invoke a lifecycle hook (pulumi-aws 7.x
`ServiceDeploymentConfigurationLifecycleHookArgs.lifecycle_stages`)."""

TRAFFIC_STAGES: tuple[str, ...] = (
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
)
"""Stages that exist only when ECS shifts traffic through a load balancer's listener rules."""

LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$"
)
FUNCTION_REFERENCE = re.compile(r"^\$\{functions\.(?P<name>[a-z][a-z0-9-]{0,22}[a-z0-9])\.arn\}$")
"""`${functions.<name>.arn}`: a function of the stack's `platform:functions` section, by name."""


def _tenths(value: float) -> float:
    """ECS takes traffic percentages in steps of 0.1 (5, 12.5, 0.1 are fine; 5.05 is not)."""
    if abs(round(value * 10) - value * 10) > 1e-6:
        raise ValueError("must be a multiple of 0.1 (e.g. 5 or 12.5)")
    return value


class CanaryConfig(ConfigModel):
    """`strategy: canary`: a share of production traffic goes to the new revision first; after the canary
    bake time without a rollback alarm, the rest follows at once."""

    percent: float = Field(default=5.0, ge=0.1, le=100)
    """Share of production traffic (%) the new revision gets during the canary phase, in steps of 0.1.
    Default 5 (the reference's canary 5 % -> 100 %; also AWS's default)."""
    bake_time_minutes: int = Field(default=10, ge=0, le=1440)
    """Minutes the canary takes its share before the rest of the traffic shifts. Default 10 (AWS's
    default): two windows of the 5-minute 5xx-rate rollback alarm."""

    @field_validator("percent")
    @classmethod
    def _step(cls, value: float) -> float:
        return _tenths(value)


class LinearConfig(ConfigModel):
    """`strategy: linear`: production traffic moves in equal steps, with a wait after each."""

    step_percent: float = Field(default=10.0, ge=3.0, le=100)
    """Share of production traffic (%) moved per step, in steps of 0.1, 3 to 100. Default 10 (AWS's)."""
    step_bake_time_minutes: int = Field(default=6, ge=0, le=1440)
    """Minutes between steps (not after the last). Default 6 (AWS's)."""

    @field_validator("step_percent")
    @classmethod
    def _step(cls, value: float) -> float:
        return _tenths(value)


class LifecycleHookConfig(ConfigModel):
    """A Lambda function ECS invokes at deployment stages, e.g. a smoke test against the test listener at
    `POST_TEST_TRAFFIC_SHIFT`; its answer (SUCCEEDED / FAILED / IN_PROGRESS) lets the deployment go on or
    rolls it back."""

    function: Annotated[str, StringConstraints(min_length=1)]
    """The function: a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]`), or
    `${functions.<name>.arn}` for a function of the stack's `platform:functions` (resolved when that
    section exists; until then the stack must give the ARN)."""
    stages: list[LifecycleStage] = Field(min_length=1)
    """When ECS invokes it. The `*_TRAFFIC_SHIFT` stages need a load balancer (web services)."""
    details: dict[str, str | int | float | bool] = {}
    """Parameters ECS passes to the function (`hookDetails`), e.g. `{path: /health}`."""

    _unique = field_validator("stages")(unique_items)

    @field_validator("function")
    @classmethod
    def _function(cls, value: str) -> str:
        if not (LAMBDA_ARN.match(value) or FUNCTION_REFERENCE.match(value)):
            raise ValueError(
                "not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>) or a "
                "reference ${functions.<name>.arn}"
            )
        return value


class DeploymentConfig(ConfigModel):
    """How a deploy replaces the tasks: `rolling` (default outside prod web services) or a progressive
    strategy (`blue-green`, `canary`, `linear`) where ECS starts the new revision beside the old one, shifts
    traffic through the load balancer's production listener rule, bakes, and rolls back at once when a
    rollback alarm fires. The circuit breaker with rollback and the deployment alarms are always on.
    Preset: prod web services deploy by `canary` (5 % for 10 minutes, then all; the reference's checklist
    asks for blue-green or canary with rollback in under 5 minutes)."""

    strategy: DeploymentStrategy = "rolling"
    """`rolling`, `blue-green`, `canary` or `linear`. A service without a load balancer (a worker) may use
    `rolling` or `blue-green` only: canary and linear split traffic through the ALB."""
    bake_time_minutes: int | None = Field(default=None, ge=0, le=1440)
    """Progressive strategies: minutes the old revision keeps running after all traffic has moved, so a
    rollback alarm flips traffic back at once (no new tasks to start). Default 10. Not allowed with
    `rolling`, which has no old revision to keep."""
    canary: CanaryConfig | None = None
    """`strategy: canary` only: percent and bake time of the canary phase (defaults 5 % and 10 minutes)."""
    linear: LinearConfig | None = None
    """`strategy: linear` only: step percent and the wait between steps (defaults 10 % and 6 minutes)."""
    lifecycle_hooks: list[LifecycleHookConfig] = []
    """Progressive strategies only: functions ECS invokes at deployment stages (smoke tests on test traffic).
    Default none."""

    minimum_healthy_percent: int = Field(default=100, ge=0, le=100)
    """Running tasks kept during a deploy, as % of desired (100: never below capacity)."""
    maximum_percent: int = Field(default=200, ge=100, le=200)
    """Tasks allowed during a deploy, as % of desired (200: a full new set starts before the old stops)."""
    health_check_grace_seconds: int = Field(default=120, ge=0, le=2_147_483_647)
    """`web`: seconds ECS ignores failing ALB health checks of a new task (the reference's 120)."""
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    """`web`: seconds the ALB drains a stopping target (the reference's 30)."""

    @property
    def progressive(self) -> bool:
        """True for blue-green, canary and linear: two target groups, listener rules ECS manages, a bake."""
        return self.strategy in PROGRESSIVE_STRATEGIES

    @property
    def effective_bake_time_minutes(self) -> int:
        """The bake time ECS gets: the configured one, or 10 minutes."""
        return 10 if self.bake_time_minutes is None else self.bake_time_minutes


class CapacityConfig(ConfigModel):
    """How tasks split between on-demand FARGATE and FARGATE_SPOT (the service's capacity strategy)."""

    on_demand_base: int = Field(default=1, ge=0, le=100000)
    """Tasks always on on-demand FARGATE before the weights apply. Preset: 0 in dev, 1 elsewhere; prod
    needs at least 1 (Spot can be reclaimed with two minutes' notice)."""
    on_demand_weight: int = Field(default=1, ge=0, le=1000)
    """Share of tasks beyond the base on FARGATE."""
    spot_weight: int = Field(default=0, ge=0, le=1000)
    """Share of tasks beyond the base on FARGATE_SPOT (up to 70 % cheaper, interruptible). Preset: dev
    all Spot, staging 1:1, prod none (a prod worker may opt in: SQS redelivers an interrupted message)."""


class ImageBuildConfig(ConfigModel):
    """Build the image from a local Dockerfile and push it to a new ECR repository (scan on push,
    immutable tags) instead of naming an existing image."""

    context: Annotated[str, StringConstraints(min_length=1)]
    """Build context directory, relative to the project directory, e.g. `./app`."""
    dockerfile: str | None = None
    """Dockerfile path, relative to the project directory. Default: `Dockerfile` in the context."""
    tag: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    """The tag to push, e.g. a release or commit id. Required: the repository's tags are immutable, so
    each build needs a new one; `latest` is refused."""
    platform: Literal["linux/amd64", "linux/arm64"] = "linux/amd64"
    """Target platform; must match the service's `architecture`."""
    repository: ResourceKey | None = None
    """A `platform:repositories` key: push there (several services can share one repository). Default: a
    repository of the service's own, made for the build."""

    @field_validator("tag")
    @classmethod
    def _not_latest(cls, value: str) -> str:
        if value.lower() == "latest":
            raise ValueError(
                "`latest` is not a version and the repository's tags are immutable; use a release or commit id"
            )
        return value


TableAccess = Literal["read", "readwrite"]
QueueAccess = Literal["consume", "send"]
BucketAccess = Literal["read", "readwrite"]
CacheAccess = Literal["connect"]


def _bedrock_model_id(value: str) -> str:
    """A Bedrock foundation model or cross-Region inference profile id (components/models.py)."""
    from ..models import parse_model_id

    parse_model_id(value)
    return value


class GrantsConfig(ConfigModel):
    """What a service may use; each grant becomes exact IAM actions on that store's own ARNs (and the
    database's security group rule). Names refer to the stack's `tables`, `queues`, `buckets`, `secrets`."""

    tables: dict[ResourceKey, TableAccess] = {}
    """`{sessions: readwrite}`."""
    queues: dict[ResourceKey, QueueAccess] = {}
    """`{jobs: consume}`: a worker consumes exactly one queue; any service may `send`."""
    buckets: dict[ResourceKey, BucketAccess] = {}
    """`{uploads: read}`."""
    database: Annotated[str, StringConstraints(pattern=r"^connect(:[a-z][a-z0-9_]{0,62})?$")] | None = None
    """`connect`: IAM database authentication as the database's `iamUser` (`connect:<user>` for another
    user), and 5432 open from this service to the database."""
    secrets: list[ResourceKey] = []
    """Stack secrets the application reads at runtime (the task role). Secrets injected as environment
    variables go in the service's `secrets` instead (the execution role reads those)."""
    events: Literal["publish"] | None = None
    """`publish`: put events on the stack's event bus."""
    caches: dict[ResourceKey, CacheAccess] = {}
    """`{sessions: connect}`: IAM authentication to the cache as its user (`elasticache:Connect`), and the
    cache port open from this service to the cache."""
    models: list[Annotated[str, AfterValidator(_bedrock_model_id)]] = []
    """Bedrock models the service may invoke (`bedrock:InvokeModel`, `...WithResponseStream`) by id:
    foundation models (`anthropic.claude-3-haiku-20240307-v1:0`) or cross-Region inference profiles
    (`us.anthropic.claude-3-5-haiku-20241022-v1:0`: the profile and the model in its Regions). Exactly these
    ARNs, never `foundation-model/*` (components/models.py)."""

    collections: dict[ResourceKey, Literal["read", "readwrite"]] = {}
    """OpenSearch Serverless collections: `{cache: readwrite}` (IAM `aoss:APIAccessAll` on the collection and
    the task role in its data access policy with the level's permissions)."""

    _unique_secrets = field_validator("secrets")(unique_items)
    _unique_models = field_validator("models")(unique_items)


class ServiceConfig(ConfigModel):
    """One Fargate service: `web` (behind the ALB) or `worker` (consumes a queue)."""

    kind: Literal["web", "worker", "service", "task"]
    """`web` gets a target group and a listener rule; `worker` takes no traffic and consumes a queue;
    `service` runs continuously with no load balancer and no queue (scales on CPU and memory); `task` is a
    task definition run to completion, on a `schedule` or on demand (`make task`)."""
    image: str | ImageSpec | None = None
    """Image pinned by tag or digest: `{repository: app, tag: 1.4.2}` in this account's ECR (a
    `platform:repositories` key or an existing repository's name; no account id or region), or a full
    reference for another registry (`registry.example.com/app:1.4.2`, `repo@sha256:...`); never `latest`
    or untagged. Exactly one of `image` and `build`."""
    build: ImageBuildConfig | None = None
    """Build the image from a Dockerfile into a new ECR repository instead."""
    architecture: Literal["X86_64", "ARM64"] = "X86_64"
    """CPU architecture of the task (ARM64: Graviton, about 20 % cheaper; the image must support it)."""
    cpu: int = 256
    """CPU units (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384."""
    memory: int = 512
    """MiB; must be a size Fargate offers with `cpu` (256 CPU: 512, 1024 or 2048; ...)."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """`web`: the container port the ALB forwards to. Required for web, not allowed for worker."""
    command: list[str] | None = None
    """Overrides the image's CMD (e.g. the worker's entry point when it shares the web image)."""
    user: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$")] = (
        "1000:1000"
    )
    """User (and group) the container runs as. Never root: `root` and uid 0 however written (`0`, `00:1000`) are
    refused."""
    writable_paths: list[Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_./-]*$")]] = ["/tmp"]
    """The root filesystem is read-only; these paths get task-scoped ephemeral volumes."""
    environment: dict[EnvName, str] = {}
    """Plain environment variables. Names or values that look like secrets are refused: use `secrets`.
    A value may reference what the stack builds, Pulumi YAML style, with literal text around it:
    `${buckets.uploads.name}`, `postgresql://${database.endpoint}:${database.port}/${database.name}` (what
    exists: components/registry.py). A reference grants nothing; access is a `grants` entry."""
    secrets: dict[EnvName, str] = {}
    """Environment variables injected from secrets by `valueFrom`: a stack secret name (`stripe-key`,
    or `stripe-key:json-key` for one JSON field), a field of a secret the stack built
    (`database.masterSecret:password`: the RDS-managed master secret), or a Secrets Manager / SSM parameter
    ARN. The execution role may read exactly these (and decrypt with their key)."""
    health_check: HealthCheckConfig = HealthCheckConfig()
    routing: RoutingConfig | None = None
    """`web`: the listener rule. Required for web, not allowed for worker."""
    desired_count: int = Field(default=1, ge=0, le=1000)
    """Tasks at creation; afterwards autoscaling owns the count (changes to it are ignored)."""
    autoscaling: AutoscalingConfig = AutoscalingConfig()
    deployment: DeploymentConfig = DeploymentConfig()
    capacity: CapacityConfig = CapacityConfig()
    grants: GrantsConfig = GrantsConfig()
    schedule: TaskScheduleConfig | None = None
    """`task` only: run it on this schedule (EventBridge Scheduler). None: on demand only."""
    egress: dict[ResourceKey, EgressRuleConfig] = {}
    """Named outbound rules beside the defaults (HTTPS to anywhere, and each granted network store's own
    port to that store only): `{smtp: {cidr: 203.0.113.0/24, port: 587}}`. All traffic is never allowed."""

    @field_validator("image", mode="before")
    @classmethod
    def _spec(cls, value: object) -> object:
        """A mapping is an `ImageSpec`: validated as one here, so its errors name `image.tag`... rather than
        one error per member of the `str | ImageSpec` union."""
        return ImageSpec.model_validate(value) if isinstance(value, dict) else value

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str | ImageSpec | None) -> str | ImageSpec | None:
        if isinstance(value, str):
            parse_image(value)
        return value

    @field_validator("user")
    @classmethod
    def _not_root(cls, value: str) -> str:
        user = value.split(":", 1)[0]
        # uid 0 however written: Docker reads a numeric user as a number, so `00` and `000:1000` are root too
        if user == "root" or (user.isdigit() and int(user) == 0):
            raise ValueError("containers never run as root; use an unprivileged uid:gid such as 1000:1000")
        return value

    @field_validator("environment")
    @classmethod
    def _no_plain_secrets(cls, value: dict[str, str]) -> dict[str, str]:
        move = "move it to secrets (valueFrom a stack secret or a Secrets Manager / SSM ARN)"
        refuse_plain_secrets(
            value,
            named_why=f"a plain environment value lands in the task definition and the state: {move}",
            valued_fix=move,
        )
        return value

    def image_reference(self) -> ImageReference | None:
        """The parsed full reference; None for an image named by repository (`ImageSpec`) or a build."""
        return parse_image(self.image) if isinstance(self.image, str) else None

    def container_health_command(self) -> list[str] | None:
        """The container health check command: configured, or the default HTTP probe for `web`."""
        if self.health_check.command is not None:
            return self.health_check.command
        if self.kind == "web" and self.port is not None:
            return ["CMD-SHELL", f"curl -sf http://localhost:{self.port}{self.health_check.path} || exit 1"]
        return None


# -- cross-checks ----------------------------------------------------------------------------------


def reads_stack_secrets(service: ServiceConfig) -> bool:
    """Whether the service injects a secret this stack creates (empty until an operator puts its value)."""
    return any(not is_secret_arn(reference) for reference in service.secrets.values())


def check(config: StackConfig) -> list[Problem]:
    """Checks across keys and sections: kinds have what they need, grants name stores that exist, counts
    are ordered, listener rules do not collide, HTTPS where the environment requires it."""
    problems: list[Problem] = []
    # ECS Exec in production: components/config/thresholds.py (the pack's ecs-service-hardening decides it)
    problems.extend(_check_load_balancer(config))
    for name, service in config.services.items():
        problems.extend(_check_service(config, name, service))
    problems.extend(_check_routing(config))
    return problems


def _check_load_balancer(config: StackConfig) -> list[Problem]:
    problems: list[Problem] = []
    lb = config.load_balancer
    web = [name for name, s in config.services.items() if s.kind == "web"]
    if lb.allow_plain_http and config.environment != "dev":
        problems.append(
            Problem(
                key_path(("loadBalancer", "allowPlainHttp")),
                f"{config.environment} serves HTTPS only (plain HTTP may only redirect); allowed only in dev: "
                "remove it and give loadBalancer.certificateArn or loadBalancer.domain {name, hostedZone}",
                True,
            )
        )
    elif lb.allow_plain_http and lb.https:
        problems.append(
            Problem(
                key_path(("loadBalancer", "allowPlainHttp")),
                "a certificate is configured, so HTTP only redirects to HTTPS; remove it",
                True,
            )
        )
    elif web and not lb.https and not lb.allow_plain_http:
        problems.append(
            Problem(
                key_path(("loadBalancer",)),
                f"web services ({', '.join(web)}) are served over HTTPS in every environment: give "
                "loadBalancer.domain {name, hostedZone} or loadBalancer.certificateArn (or, in dev only, "
                "loadBalancer.allowPlainHttp: true)",
            )
        )
    domain = lb.domain
    if domain is not None and domain.name != domain.hosted_zone and not domain.name.endswith("." + domain.hosted_zone):
        problems.append(
            Problem(
                key_path(("loadBalancer", "domain", "name")),
                f"not inside the hosted zone {domain.hosted_zone}; use a name ending in "
                f".{domain.hosted_zone} or the zone that holds it",
                domain.name,
            )
        )
    return problems


def _check_service(config: StackConfig, name: str, service: ServiceConfig) -> list[Problem]:
    problems: list[Problem] = []

    def at(*path: str | int) -> str:
        return key_path(("services", name, *path))

    if (service.image is None) == (service.build is None):
        problems.append(
            Problem(
                at("image"),
                "give exactly one of image (a pinned image reference) and build (a Dockerfile to build into ECR)",
                service.image if isinstance(service.image, str) else MISSING,
            )
        )
    if service.build is not None:
        wanted = "linux/arm64" if service.architecture == "ARM64" else "linux/amd64"
        if service.build.platform != wanted:
            problems.append(
                Problem(
                    at("build", "platform"),
                    f"must match architecture {service.architecture} ({wanted})",
                    service.build.platform,
                )
            )

    allowed = FARGATE_MEMORY.get(service.cpu)
    if allowed is None:
        problems.append(
            Problem(at("cpu"), "Fargate CPU units are 256, 512, 1024, 2048, 4096, 8192 or 16384", service.cpu)
        )
    elif service.memory not in allowed:
        problems.append(
            Problem(
                at("memory"),
                f"Fargate does not offer {service.memory} MiB with cpu {service.cpu}; allowed: {_ranges(allowed)}",
                service.memory,
            )
        )

    problems.extend(_check_kind(at, service, standby=is_standby(config)))
    check = service.health_check
    if check.timeout_seconds >= check.interval_seconds:
        problems.append(
            Problem(
                at("healthCheck", "timeoutSeconds"),
                f"must be less than healthCheck.intervalSeconds ({check.interval_seconds}): a probe "
                "has to finish before the next one starts",
                check.timeout_seconds,
            )
        )

    scaling = service.autoscaling
    if scaling.min_count > scaling.max_count:
        problems.append(
            Problem(
                at("autoscaling", "minCount"),
                f"must not exceed autoscaling.maxCount ({scaling.max_count})",
                scaling.min_count,
            )
        )
    elif not scaling.min_count <= service.desired_count <= scaling.max_count:
        problems.append(
            Problem(
                at("desiredCount"),
                f"must be between autoscaling.minCount ({scaling.min_count}) and "
                f"autoscaling.maxCount ({scaling.max_count})",
                service.desired_count,
            )
        )

    if config.environment == "prod" and service.capacity.on_demand_base < 1 and not is_standby(config):
        problems.append(
            Problem(
                at("capacity", "onDemandBase"),
                "prod services keep at least 1 task on on-demand FARGATE (Spot can be "
                "reclaimed at two minutes' notice)",
                service.capacity.on_demand_base,
            )
        )
    if service.capacity.on_demand_weight + service.capacity.spot_weight == 0:
        problems.append(
            Problem(at("capacity"), "onDemandWeight and spotWeight are both 0; at least one must be positive")
        )

    problems.extend(_check_container_secrets(config, at, service))
    problems.extend(_check_grants(config, name, service.grants))
    problems.extend(_check_deployment(config, at, service))
    return problems


def _check_kind(at: Callable[..., str], service: ServiceConfig, *, standby: bool) -> list[Problem]:
    """A web service has a port and a listener rule; a worker has neither, but a health command and a queue;
    a `service` has neither and keeps at least one task; a task is checked in workloads.check."""
    problems: list[Problem] = []
    if service.kind == "task":
        return problems
    if service.kind == "service":
        for key, present in (("port", service.port is not None), ("routing", service.routing is not None)):
            if present:
                problems.append(
                    Problem(
                        at(key),
                        f"a service (kind: service) takes no traffic from the load "
                        f"balancer; remove {key}, or use kind: web",
                    )
                )
        if service.health_check.command is None:
            problems.append(
                Problem(
                    at("healthCheck", "command"),
                    "a service (kind: service) has no port to probe: give a container health "
                    'check command, e.g. ["CMD-SHELL", "test -f /tmp/alive || exit 1"]',
                )
            )
        if service.autoscaling.min_count < 1 and not standby:
            problems.append(
                Problem(
                    at("autoscaling", "minCount"),
                    "a service (kind: service) scales on CPU and memory: with no task running "
                    "there is no metric to scale up from; keep at least 1",
                    service.autoscaling.min_count,
                )
            )
        return problems
    if service.kind == "web":
        if service.port is None:
            problems.append(Problem(at("port"), "a web service needs the container port the ALB forwards to"))
        if service.routing is None:
            problems.append(
                Problem(at("routing"), "a web service needs a listener rule: routing {priority, paths and/or hosts}")
            )
        elif not service.routing.paths and not service.routing.hosts:
            problems.append(Problem(at("routing"), "give paths and/or hosts to match (e.g. paths: ['/*'])"))
        elif len(service.routing.paths) + len(service.routing.hosts) > 5:
            problems.append(
                Problem(
                    at("routing"),
                    "an ALB rule matches at most 5 values across paths and hosts",
                    len(service.routing.paths) + len(service.routing.hosts),
                )
            )
        if service.autoscaling.min_count < 1 and not standby:  # a DR standby waits at 0 (config/dr.py)
            problems.append(
                Problem(
                    at("autoscaling", "minCount"),
                    "a web service keeps at least 1 task (with none, the ALB has no target "
                    "and no request metric to scale from)",
                    service.autoscaling.min_count,
                )
            )
    else:
        if service.port is not None:
            problems.append(Problem(at("port"), "a worker takes no traffic; remove port", service.port))
        if service.routing is not None:
            problems.append(Problem(at("routing"), "a worker takes no traffic; remove routing"))
        if service.health_check.command is None:
            problems.append(
                Problem(
                    at("healthCheck", "command"),
                    "a worker has no port to probe: give a container health check command, "
                    'e.g. ["CMD-SHELL", "test -f /tmp/alive || exit 1"]',
                )
            )
        consumed = [q for q, access in service.grants.queues.items() if access == "consume"]
        if len(consumed) != 1:
            problems.append(
                Problem(
                    at("grants", "queues"),
                    "a worker consumes exactly one queue: grant it as {<queue>: consume}; "
                    + (f"found {len(consumed)} ({', '.join(consumed)})" if consumed else "found none"),
                )
            )
    return problems


def _check_container_secrets(config: StackConfig, at: Callable[..., str], service: ServiceConfig) -> list[Problem]:
    """Injected secrets name a stack secret or a secret/parameter ARN, and no variable is set twice."""
    problems: list[Problem] = []
    clashes = sorted(set(service.environment) & set(service.secrets))
    for env in clashes:
        problems.append(Problem(at("secrets", env), "also set in environment; a variable comes from one place"))
    for env, reference in service.secrets.items():
        if is_stack_secret_reference(reference):
            continue  # `database.masterSecret:password`: checked with the other references (references.py)
        if reference.startswith("arn:"):
            if not is_secret_arn(reference):
                problems.append(
                    Problem(at("secrets", env), "not a Secrets Manager secret ARN or SSM parameter ARN", reference)
                )
            continue
        secret = reference.split(":", 1)[0]
        if secret not in config.secrets:
            problems.append(
                Problem(at("secrets", env), _unknown("secret", secret, "secrets", config.secrets), reference)
            )
    return problems


def _check_deployment(config: StackConfig, at: Callable[..., str], service: ServiceConfig) -> list[Problem]:
    """The strategy fits the service (canary and linear need the ALB), each strategy's settings appear only
    with it, and lifecycle hooks name a function the stack can resolve, at stages the service has."""
    problems: list[Problem] = []
    deployment = service.deployment
    strategy = deployment.strategy
    balanced = service.kind == "web"
    if not balanced and strategy in TRAFFIC_SHIFTING_STRATEGIES:
        problems.append(
            Problem(
                at("deployment", "strategy"),
                f"{strategy} shifts traffic through the load balancer and a {service.kind} has "
                "none; use rolling or blue-green",
                strategy,
            )
        )
    for key, owner in (("canary", "canary"), ("linear", "linear")):
        if getattr(deployment, key) is not None and strategy != owner:
            problems.append(
                Problem(
                    at("deployment", key),
                    f"settings of strategy {owner}, but the strategy is {strategy}; remove "
                    f"deployment.{key} or set deployment.strategy: {owner}",
                )
            )
    if deployment.bake_time_minutes is not None and not deployment.progressive:
        problems.append(
            Problem(
                at("deployment", "bakeTimeMinutes"),
                "rolling keeps no old revision to bake beside the new one; bake time applies to "
                "blue-green, canary and linear",
                deployment.bake_time_minutes,
            )
        )
    functions = getattr(config, "functions", None) or {}
    for index, hook in enumerate(deployment.lifecycle_hooks):
        if not deployment.progressive:
            problems.append(
                Problem(
                    at("deployment", "lifecycleHooks", index),
                    "lifecycle hooks run in blue-green, canary and linear deployments only; "
                    f"the strategy is {strategy}",
                )
            )
            continue
        shifted = sorted(s for s in hook.stages if s in TRAFFIC_STAGES)
        if shifted and not balanced:
            problems.append(
                Problem(
                    at("deployment", "lifecycleHooks", index, "stages"),
                    f"{', '.join(shifted)} {'happens' if len(shifted) == 1 else 'happen'} only "
                    "when traffic shifts through a load "
                    f"balancer, and a {service.kind} has none; use RECONCILE_SERVICE, "
                    "PRE_SCALE_UP or POST_SCALE_UP",
                )
            )
        reference = FUNCTION_REFERENCE.match(hook.function)
        if reference and reference["name"] not in functions:
            listed = f"defined: {', '.join(sorted(functions))}" if functions else "none are defined"
            problems.append(
                Problem(
                    at("deployment", "lifecycleHooks", index, "function"),
                    f"no function {reference['name']!r} in platform:functions ({listed}); "
                    "give the function's ARN (arn:aws:lambda:...)",
                    hook.function,
                )
            )
    return problems


def _check_grants(config: StackConfig, name: str, grants: GrantsConfig) -> list[Problem]:
    problems: list[Problem] = []
    for section, kind, wanted, defined in (
        ("tables", "table", grants.tables, config.tables),
        ("queues", "queue", grants.queues, config.queues),
        ("buckets", "bucket", grants.buckets, config.buckets),
        ("caches", "cache", grants.caches, config.caches),
    ):
        for store, access in wanted.items():
            if store not in defined:
                problems.append(
                    Problem(
                        key_path(("services", name, "grants", section, store)),
                        _unknown(kind, store, section, defined),
                        access,
                    )
                )
    for index, secret in enumerate(grants.secrets):
        if secret not in config.secrets:
            problems.append(
                Problem(
                    key_path(("services", name, "grants", "secrets", index)),
                    _unknown("secret", secret, "secrets", config.secrets),
                    secret,
                )
            )
    if grants.events is not None and not config.events.creates_bus:
        problems.append(
            Problem(
                key_path(("services", name, "grants", "events")),
                "the stack has no event bus (platform:events declares no rules and is not "
                "enabled); remove the grant or set events.enabled: true",
                grants.events,
            )
        )
    if grants.database is not None and config.database is None:
        problems.append(
            Problem(
                key_path(("services", name, "grants", "database")),
                "the stack has no database (platform:database); remove the grant or add one",
                grants.database,
            )
        )
    return problems


def _check_routing(config: StackConfig) -> list[Problem]:
    """Listener rule priorities are unique, and no two services match the same hosts and paths."""
    problems: list[Problem] = []
    priorities: dict[int, str] = {}
    matches: dict[tuple[frozenset[str], frozenset[str]], str] = {}
    for name, service in config.services.items():
        routing = service.routing
        if service.kind != "web" or routing is None:
            continue
        owner = priorities.setdefault(routing.priority, name)
        if owner != name:
            problems.append(
                Problem(
                    key_path(("services", name, "routing", "priority")),
                    f"already used by services.{owner}; each listener rule needs its own priority (1 to 50000)",
                    routing.priority,
                )
            )
        condition = (frozenset(routing.hosts), frozenset(routing.paths))
        if not routing.hosts and not routing.paths:
            continue
        owner = matches.setdefault(condition, name)
        if owner != name:
            problems.append(
                Problem(
                    key_path(("services", name, "routing", "paths")),
                    f"services.{owner} already routes the same hosts and paths; the "
                    "lower priority would never be reached: change paths or hosts",
                    ", ".join(sorted(routing.paths)) or MISSING,
                )
            )
    return problems


def _unknown(kind: str, name: str, section: str, defined: object) -> str:
    names = sorted(defined) if isinstance(defined, dict) else []
    listed = f"defined: {', '.join(names)}" if names else "none are defined"
    return f"no {kind} {name!r} in platform:{section} ({listed})"


def _ranges(values: tuple[int, ...]) -> str:
    if len(values) <= 3:
        return ", ".join(str(v) for v in values)
    step = values[1] - values[0]
    return f"{values[0]} to {values[-1]} in steps of {step}"
