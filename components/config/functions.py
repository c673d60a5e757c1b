"""`platform:functions` and `platform:canaries`: Lambda functions with their triggers, and Synthetics canaries.

Defaults (seed 000's rules for functions): arm64 (Graviton, ~20 % cheaper per GB-second), a real timeout of
30 s (not Lambda's 3 s default, not the 900 s maximum), 256 MiB, X-Ray tracing always on, a log group of the
stack's retention encrypted with the stack key. Secrets never travel as environment values: a function gets
`<NAME>_SECRET_ARN` and the right to read exactly that secret at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from .base import ConfigModel, ResourceKey, unique_items
from .compute import (
    EnvName,
    GrantsConfig,
    PathPattern,
    RoutingConfig,
    parse_image,
    refuse_plain_secrets,
)
from .problems import MISSING, Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig

PROJECT_DIR = Path(__file__).resolve().parents[2]
"""Where `code` directories are looked up (the directory of Pulumi.yaml, where `pulumi` runs the program)."""

# -- runtimes ----------------------------------------------------------------------------------------------
RUNTIME_DEPRECATION: dict[str, str] = {
    "nodejs24.x": "2028-04-30",
    "nodejs22.x": "2027-04-30",
    "python3.14": "2029-06-30",
    "python3.13": "2029-06-30",
    "python3.12": "2028-10-31",
    "java25": "2029-06-30",
    "java21": "2029-06-30",
    "ruby3.4": "2028-03-31",
    "ruby3.3": "2027-03-31",
    "dotnet10": "2028-11-14",
    "provided.al2023": "2029-06-30",
}
"""The Lambda runtimes the platform accepts, with AWS's projected deprecation date (AWS Lambda Developer Guide,
"Lambda runtimes", as of 2026-12). Maintained by hand: a runtime leaves this list when AWS deprecates it
(after which AWS blocks creating functions on it), so a stack cannot start on a runtime with no security
patches. Already deprecated and refused: nodejs20.x (2026-04-30), python3.11 and python3.10 (2026-06-30),
java17/java11/java8.al2 and provided.al2 (2026-06-30), dotnet8 (2026-11-10), ruby3.2 (2026-03-31) and older.
The policy pack keeps its own copy (policies/guardrails/functions.py); a test holds the two together."""

Runtime = Literal[
    "nodejs24.x",
    "nodejs22.x",
    "python3.14",
    "python3.13",
    "python3.12",
    "java25",
    "java21",
    "ruby3.4",
    "ruby3.3",
    "dotnet10",
    "provided.al2023",
]

CANARY_RUNTIMES = ("syn-nodejs-puppeteer-15.0",)
"""CloudWatch Synthetics runtimes the platform accepts (CloudWatch User Guide, "Synthetics runtime versions"
and "Runtime versions support policy", as of 2026-12: puppeteer 15.0 is the newest Node.js runtime;
puppeteer <= 7.0 and selenium <= 5.1 are deprecated). The platform's scripts (components/canary_scripts) are
Node.js with the 13.1+ `@aws/synthetics-*` namespaces, so only puppeteer runtimes from 13.1 fit them."""

CanaryRuntime = Literal["syn-nodejs-puppeteer-15.0"]

_HANDLER = re.compile(r"^[A-Za-z0-9_.$:/-]{1,128}$")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_REFERENCE_SHAPE = re.compile(r"^[a-z]+(\.[a-z0-9][a-z0-9-]*)?\.[A-Za-z]+$")
_SCHEDULE = re.compile(r"^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\S+\))$")


# -- triggers ----------------------------------------------------------------------------------------------
class QueueTriggerConfig(ConfigModel):
    """An SQS event source mapping: Lambda polls the queue and invokes the function with batches. Partial
    batch failures are always reported (`ReportBatchItemFailures`): only the failed messages return to the
    queue (and after its `maxReceiveCount`, to its dead-letter queue), not the whole batch."""

    batch_size: int = Field(default=10, ge=1, le=10_000)
    """Messages per invocation. Default 10; above 10 needs `batchingWindowSeconds` of at least 1."""
    batching_window_seconds: int = Field(default=0, ge=0, le=300)
    """Seconds Lambda may wait to fill a batch. Default 0 (invoke at once). Not with FIFO queues."""
    maximum_concurrency: int | None = Field(default=None, ge=2, le=1000)
    """Most concurrent invocations this queue may drive (2 to 1000). Default: no limit beyond the function's
    reserved concurrency."""


class EventTriggerConfig(ConfigModel):
    """An EventBridge rule on the stack's bus whose target is the function (invoked asynchronously)."""

    event_pattern: dict[str, Any]
    """The rule's event pattern, e.g. `{source: [app.github], detail-type: [push]}`. Required."""
    description: str = ""
    enabled: bool = True


class ScheduleTriggerConfig(ConfigModel):
    """An EventBridge Scheduler schedule invoking the function, with its own role (lambda:InvokeFunction on
    this function only), retries and a dead-letter queue (the function's failure queue)."""

    expression: str
    """`cron(0 9 ? * MON-FRI *)`, `rate(1 day)` or `at(2026-01-01T00:00:00)`. Required."""
    timezone: str = "UTC"
    """IANA time zone of a cron or at expression, e.g. `Europe/Berlin`."""
    flexible_window_minutes: int | None = Field(default=None, ge=1, le=1440)
    """Run within this many minutes after the scheduled time (spreads load). Default: exactly on time."""
    retry_attempts: int = Field(default=3, ge=0, le=185)
    """Retries of a failed invocation before the event goes to the dead-letter queue. Default 3."""
    maximum_event_age_seconds: int = Field(default=3600, ge=60, le=86_400)
    """How long an undelivered invocation is retried. Default 1 hour."""
    input: dict[str, Any] | None = None
    """The event the function receives (JSON). Default: Scheduler's empty payload."""
    enabled: bool = True

    @field_validator("expression")
    @classmethod
    def _expression(cls, value: str) -> str:
        if not _SCHEDULE.match(value):
            raise ValueError(
                "not a schedule expression; e.g. cron(0 9 ? * MON-FRI *), rate(1 day), at(2026-01-01T00:00:00)"
            )
        return value


class UrlTriggerConfig(ConfigModel):
    """A function URL. Only `AWS_IAM` auth: callers sign their requests; a URL anyone can call is refused."""

    auth: Literal["AWS_IAM"] = "AWS_IAM"
    """`AWS_IAM` only (`NONE` would make the function a public endpoint with no WAF in front)."""


class TriggersConfig(ConfigModel):
    """What invokes the function. Synchronous: queues (polled), http (ALB), url. Asynchronous: events,
    schedules; their failed invocations go to the function's failure queue."""

    queues: dict[ResourceKey, QueueTriggerConfig] = {}
    """Stack queues (`platform:queues`) the function consumes; implies a `consume` grant on each."""
    events: dict[ResourceKey, EventTriggerConfig] = {}
    """EventBridge rules on the stack's bus, by rule name."""
    schedules: dict[ResourceKey, ScheduleTriggerConfig] = {}
    """EventBridge Scheduler schedules, by name."""
    http: RoutingConfig | None = None
    """An ALB listener rule forwarding to a Lambda target group (a webhook): priority, paths and/or hosts."""
    url: UrlTriggerConfig | None = None

    @property
    def asynchronous(self) -> bool:
        return bool(self.events or self.schedules)


class RunOnDeployConfig(ConfigModel):
    """Invoke the function once when it is created (and again when `input` changes): a one-off job such as a
    database initialisation."""

    input: dict[str, Any] = {}
    """The event the function receives."""


# -- the function ------------------------------------------------------------------------------------------
class FunctionConfig(ConfigModel):
    """One Lambda function: code from a directory of the repository (zipped by Pulumi) or a pinned container
    image; a supported runtime; its triggers; grants exactly as services have them."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_./-]+$")] | None = None
    """Directory of the handler's code, relative to the project directory (e.g. `functions/db-init`).
    Exactly one of `code` and `image`."""
    handler: Annotated[str, StringConstraints(pattern=_HANDLER.pattern)] | None = None
    """Entry point, e.g. `handler.main`. Required with `code`."""
    runtime: Runtime | None = None
    """A supported, non-deprecated runtime (`python3.13`, `nodejs22.x`, `java21`, `provided.al2023`...).
    Required with `code`."""
    image: str | None = None
    """A container image pinned by tag or digest in ECR (`<account>.dkr.ecr.<region>.amazonaws.com/repo@sha256:...`);
    never `latest` or untagged."""
    architecture: Literal["arm64", "x86_64"] = "arm64"
    """Graviton (arm64) by default: about 20 % cheaper per GB-second. The code (or image) must support it."""
    memory: int = Field(default=256, ge=128, le=10_240)
    """MiB (128 to 10240); CPU grows with it. Default 256."""
    timeout_seconds: int = Field(default=30, ge=1, le=900)
    """Seconds an invocation may run (1 to 900). Default 30: long enough for real work, short enough that a
    hung call is noticed (the duration alarm fires at 80 % of it)."""
    environment: dict[EnvName, str] = {}
    """Plain environment values. Names or values that look like secrets are refused: use `secrets`.
    `${kind.name.attr}` references (`${queues.jobs.url}`) follow the services' syntax."""
    secrets: list[ResourceKey] = []
    """Stack secrets (`platform:secrets`) the function reads at run time: it gets `<NAME>_SECRET_ARN`
    (`github-token` -> `GITHUB_TOKEN_SECRET_ARN`) and GetSecretValue on that secret, never the value."""
    grants: GrantsConfig = GrantsConfig()
    """As a service's grants. A `database` grant places the function in the private subnets with its own
    security group, admitted by the database on 5432."""
    reserved_concurrency: int | None = Field(default=None, ge=1, le=1000)
    """Concurrent executions reserved for (and capping) this function. Default: the account's pool."""
    provisioned_concurrency: int | None = Field(default=None, ge=1, le=1000)
    """Pre-initialised environments on the `live` alias (no cold starts), for latency-sensitive prod
    functions. Default none (it is billed while idle)."""
    triggers: TriggersConfig = TriggersConfig()
    run_on_deploy: RunOnDeployConfig | None = None
    """Invoke once on creation (db-init)."""
    async_retry_attempts: int = Field(default=2, ge=0, le=2)
    """Retries of a failed asynchronous invocation (events, schedules) before it goes to the failure queue."""
    maximum_event_age_seconds: int = Field(default=21_600, ge=60, le=21_600)
    """How long Lambda keeps an asynchronous event before giving up (to the failure queue). Default 6 hours."""

    _unique = field_validator("secrets")(unique_items)

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str | None) -> str | None:
        if value is not None:
            parse_image(value)
        return value

    @field_validator("environment")
    @classmethod
    def _no_plain_secrets(cls, value: dict[str, str]) -> dict[str, str]:
        refuse_plain_secrets(
            value,
            named_why="an environment value lands in the function's configuration and the state: declare the "
            "secret in platform:secrets and list it under the function's secrets",
            valued_fix="move it to a stack secret listed under the function's secrets",
        )
        for name, text in value.items():
            for reference in _REFERENCE.findall(text):
                if not _REFERENCE_SHAPE.match(reference):
                    raise ValueError(
                        f"{name}: ${{{reference}}} is not a reference; write ${{<kind>.<name>.<attr>}}, "
                        "e.g. ${queues.jobs.url}"
                    )
        return value


def secret_arn_variable(secret: str) -> str:
    """`github-token` -> `GITHUB_TOKEN_SECRET_ARN`: where a function finds the ARN of a secret it reads."""
    return re.sub(r"[^A-Za-z0-9]+", "_", secret).upper() + "_SECRET_ARN"


# -- tasks ---------------------------------------------------------------------------------------------------
class TaskConfig(ConfigModel):
    """A one-off ECS task run by EventBridge rules on the stack's bus: the task definition of one of the stack's
    services (its image, roles, secrets, network), optionally with another command."""

    service: ResourceKey
    """The `platform:services` entry whose task definition runs. Required."""
    command: list[str] | None = None
    """Overrides the container's command (e.g. `[python, -m, app.report]`). Default: the service's own."""
    events: dict[ResourceKey, EventTriggerConfig]
    """EventBridge rules on the stack's bus that start the task, by rule name. Required (at least one)."""
    maximum_retry_attempts: int = Field(default=185, ge=0, le=185)
    """Retries of a failed RunTask before the event goes to the task's failure queue. Default 185."""


# -- canaries ----------------------------------------------------------------------------------------------
class CanaryConfig(ConfigModel):
    """A CloudWatch Synthetics canary probing the stack's own URL (the ALB's) on a path: `heartbeat` loads
    the page; `api` sends a request and checks the status code."""

    kind: Literal["heartbeat", "api"] = "heartbeat"
    path: PathPattern = "/health"
    """Path on the stack's URL. Default `/health`."""
    method: Literal["GET", "HEAD", "POST"] = "GET"
    """`api`: the HTTP method."""
    expected_status: int = Field(default=200, ge=100, le=599)
    """`api`: the status a healthy endpoint answers."""
    every_minutes: int = Field(default=5, ge=1, le=60)
    """Run every N minutes. Default 5."""
    runtime: CanaryRuntime = "syn-nodejs-puppeteer-15.0"
    """A current Synthetics runtime (deprecated ones cannot create canaries)."""
    timeout_seconds: int = Field(default=60, ge=15, le=840)
    """Per run; at least 15 s (Lambda cold start plus the canary's own boot)."""
    artifact_retention_days: int = Field(default=30, ge=1, le=455)
    """Screenshots, HAR files and logs expire from the artifact bucket after this many days. Default 30."""
    success_percent: float = Field(default=90, gt=0, le=100)
    """The alarm fires when fewer runs than this (%) succeed over `alarmMinutes`. Default 90."""
    alarm_minutes: int = Field(default=15, ge=1, le=1440)
    """Window of the success alarm. Default 15 minutes (three runs at the default rate)."""


# -- cross-checks ----------------------------------------------------------------------------------------------
def check(config: StackConfig) -> list[Problem]:
    """Functions name stores, queues and secrets that exist; triggers fit what they consume; canaries have a URL."""
    problems: list[Problem] = []
    for name, function in config.functions.items():
        problems.extend(_check_function(config, name, function))
    problems.extend(_check_http(config))
    for name, task in config.tasks.items():
        where = ("tasks", name)
        if task.service not in config.services:
            problems.append(
                Problem(
                    key_path((*where, "service")),
                    _unknown("service", task.service, "services", config.services),
                    task.service,
                )
            )
        if not task.events:
            problems.append(Problem(key_path((*where, "events")), "give at least one rule that starts the task"))
        elif not config.events.creates_bus:
            problems.append(
                Problem(key_path((*where, "events")), "the stack has no event bus; set platform:events.enabled: true")
            )
    for key, secret in config.secrets.items():
        rotation = secret.rotation
        if rotation is None:
            continue
        if (rotation.function is None) == (rotation.external is None):
            problems.append(
                Problem(
                    key_path(("secrets", key, "rotation")),
                    "give exactly one of function (a stack "
                    "function rotating it every `days`) and external (who rotates it where it is "
                    "issued)",
                )
            )
        elif rotation.function is not None and rotation.function not in config.functions:
            problems.append(
                Problem(
                    key_path(("secrets", key, "rotation", "function")),
                    _unknown("function", rotation.function, "functions", config.functions),
                    rotation.function,
                )
            )
    if config.canaries and not _has_url(config):
        problems.append(
            Problem(
                key_path(("canaries",)),
                "canaries probe the stack's own URL, and this stack has "
                "no load balancer (no web service and no function with triggers.http)",
            )
        )
    return problems


def _has_url(config: StackConfig) -> bool:
    return any(s.kind == "web" for s in config.services.values()) or any(
        f.triggers.http is not None for f in config.functions.values()
    )


def _check_function(config: StackConfig, name: str, function: FunctionConfig) -> Iterator[Problem]:
    from .compute import _check_grants  # the services' own grant check: same messages for functions

    def at(*path: str | int) -> str:
        return key_path(("functions", name, *path))

    if (function.code is None) == (function.image is None):
        yield Problem(
            at("code"),
            "give exactly one of code (a directory of the repository) and image (a pinned container image)",
            function.code or MISSING,
        )
    if function.code is not None:
        if not (PROJECT_DIR / function.code).is_dir():
            yield Problem(at("code"), "no such directory under the project directory", function.code)
        for key in ("handler", "runtime"):
            if getattr(function, key) is None:
                example = "handler.main" if key == "handler" else "python3.13"
                yield Problem(at(key), f"required with code (e.g. {example})")
    elif function.image is not None:
        for key in ("handler", "runtime"):
            if getattr(function, key) is not None:
                yield Problem(at(key), "not with image: the image's own entry point and runtime apply")
        reference = parse_image(function.image)
        if reference.ecr_account is None:
            yield Problem(
                at("image"),
                "Lambda runs images from Amazon ECR only (<account>.dkr.ecr.<region>.amazonaws.com/<repository>)",
                function.image,
            )
    for index, secret in enumerate(function.secrets):
        if secret not in config.secrets:
            yield Problem(at("secrets", index), _unknown("secret", secret, "secrets", config.secrets), secret)
    clash = sorted({secret_arn_variable(s) for s in function.secrets} & set(function.environment))
    for variable in clash:
        yield Problem(at("environment", variable), "set by the platform for a secret in secrets; rename it")
    for problem in _check_grants(config, name, function.grants):
        yield Problem(
            problem.path.replace("platform:services.", "platform:functions.", 1), problem.message, problem.value
        )
    if (
        function.provisioned_concurrency is not None
        and function.reserved_concurrency is not None
        and function.provisioned_concurrency > function.reserved_concurrency
    ):
        yield Problem(
            at("provisionedConcurrency"),
            f"above reservedConcurrency ({function.reserved_concurrency}):"
            " Lambda cannot keep more environments ready than the function may run",
            function.provisioned_concurrency,
        )
    yield from _check_queue_triggers(config, at, function)
    if function.triggers.events and not config.events.creates_bus:
        yield Problem(at("triggers", "events"), "the stack has no event bus; set platform:events.enabled: true")
    for rule in function.triggers.events:
        if rule in config.events.rules:
            yield Problem(
                at("triggers", "events", rule),
                "platform:events.rules already has a rule of this name (rule names are shared on the bus); rename one",
                rule,
            )


def _check_queue_triggers(config: StackConfig, at: Callable[..., str], function: FunctionConfig) -> Iterator[Problem]:
    for queue_name, trigger in function.triggers.queues.items():
        queue = config.queues.get(queue_name)
        if queue is None:
            yield Problem(at("triggers", "queues", queue_name), _unknown("queue", queue_name, "queues", config.queues))
            continue
        if function.grants.queues.get(queue_name) == "send":
            yield Problem(
                at("grants", "queues", queue_name),
                "the function consumes this queue (a trigger); the trigger grants consume, remove the send grant",
                "send",
            )
        if queue.visibility_timeout_seconds < function.timeout_seconds:
            yield Problem(
                at("triggers", "queues", queue_name),
                f"queue {queue_name}'s visibilityTimeoutSeconds ({queue.visibility_timeout_seconds}) is "
                f"shorter than the function's timeoutSeconds ({function.timeout_seconds}); Lambda "
                "refuses the mapping (a message would reappear while still being processed): raise it "
                "to at least 6 x the timeout",
            )
        if queue.fifo and trigger.batching_window_seconds:
            yield Problem(
                at("triggers", "queues", queue_name, "batchingWindowSeconds"),
                "FIFO queues take no batching window (allowed: 0)",
                trigger.batching_window_seconds,
            )
        if trigger.batch_size > 10 and (queue.fifo or trigger.batching_window_seconds < 1):
            yield Problem(
                at("triggers", "queues", queue_name, "batchSize"),
                "above 10 needs a standard queue and batchingWindowSeconds of at least 1",
                trigger.batch_size,
            )


def _check_http(config: StackConfig) -> Iterator[Problem]:
    """Function routes share the listener with the web services: priorities and matches must not collide."""
    priorities = {
        s.routing.priority: f"services.{n}"
        for n, s in config.services.items()
        if s.kind == "web" and s.routing is not None
    }
    for name, function in config.functions.items():
        routing = function.triggers.http
        if routing is None:
            continue
        where = ("functions", name, "triggers", "http")
        if not routing.paths and not routing.hosts:
            yield Problem(key_path(where), "give paths and/or hosts to match (e.g. paths: ['/webhooks/github'])")
        owner = priorities.setdefault(routing.priority, f"functions.{name}")
        if owner != f"functions.{name}":
            yield Problem(
                key_path((*where, "priority")),
                f"already used by {owner}; each listener rule needs its own priority (1 to 50000)",
                routing.priority,
            )


def _unknown(kind: str, name: str, section: str, defined: object) -> str:
    names = sorted(defined) if isinstance(defined, dict) else []
    listed = f"defined: {', '.join(names)}" if names else "none are defined"
    return f"no {kind} {name!r} in platform:{section} ({listed})"
