"""The whole stack config as one model, and the loader that validates a stack file's values."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import PositiveFloat, StringConstraints, ValidationError, field_validator

from . import compute, data, dr, functions, log_queries, network, observability, references, thresholds, workloads
from .apis import ApiConfig
from .apis import check as apis_check
from .base import ConfigModel, Environment, LogRetentionDays, NonEmptyStr, ResourceKey
from .cdn import check as cdn_check
from .collections import CollectionConfig
from .collections import check as collections_check
from .compute import ClusterConfig, LoadBalancerConfig, ServiceConfig
from .data import (
    BackupConfig,
    BucketConfig,
    CacheConfig,
    DatabaseSection,
    EventsConfig,
    QueueConfig,
    SecretConfig,
    TableConfig,
)
from .dr import DrConfig
from .functions import CanaryConfig, FunctionConfig, TaskConfig
from .log_queries import LogQueryConfig
from .network import NetworkConfig
from .observability import AlarmsConfig
from .presets import PRESETS, apply_presets
from .problems import MISSING, NAMESPACE, Problem, StackConfigError, key_path, problems_from_validation_error
from .sites import SiteConfig

TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w .:/=+@-]+$")]
TagValue = Annotated[str, StringConstraints(max_length=256, pattern=r"^[\w .:/=+@-]*$")]

ProductName = Annotated[str, StringConstraints(min_length=1)]
"""`platform:name`, checked by `StackConfig._product_name`."""
_PRODUCT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")

PROJECT_FILE = Path(__file__).resolve().parents[2] / "Pulumi.yaml"

STANDARD_TAG_KEYS = ("Environment", "Project", "Owner", "CostCenter", "ManagedBy")
"""Tags every taggable resource carries; set by the platform, so `tags` may not override them."""


class StackConfig(ConfigModel):
    """Everything a stack file configures, after the environment preset is applied."""

    model_config = ConfigModel.model_config | {"coerce_numbers_to_str": True}

    name: ProductName = NAMESPACE
    """The product's name: the first word of every physical name (`<name>-<stack>-api`, `/<name>/<stack>/...`)
    and the `Project` tag. Lower-case letters, digits and hyphens, 2 to 20 characters, starting with a letter
    (it is part of S3 bucket names). Default: the Pulumi project name. Renaming changes every physical name,
    which replaces resources; protected prod resources make `pulumi up` fail instead (README "Product name")."""
    environment: Environment
    """Which preset applies: dev, staging or prod. Required. Only this key chooses it, never the stack name:
    `prod-us-west-2` or `dev-alice` are stacks of the environment their file names."""
    owner: NonEmptyStr
    """Team or person accountable for the stack (the `Owner` tag). Required."""
    cost_center: NonEmptyStr
    """Cost allocation code (the `CostCenter` tag). Required."""
    tags: dict[TagKey, TagValue] = {}
    """Extra tags on every taggable resource, beside the five standard ones."""
    log_retention_days: LogRetentionDays
    """Retention of application log groups. Preset: 14 dev, 30 staging, 90 prod."""
    protect_stateful_resources: bool
    """Pulumi `protect` (and AWS deletion protection where it exists) on databases, tables and buckets.
    Preset: on in prod, so a `pulumi up` can never delete or replace stored data there."""
    secrets_pending: bool = False
    """First deploy of a stack whose services read stack secrets: those services are created with 0 tasks and
    their autoscaling held at 0, because ECS cannot start a task whose secret has no value yet (each attempt
    fails with `ResourceInitializationError` and the circuit breaker fails the deployment, while `pulumi up`
    reports success). Put the secrets' values (README, "First deploy"), check with `run.py preflight`, then
    remove this key and `up` again. Default off."""
    network: NetworkConfig
    cluster: ClusterConfig = ClusterConfig()
    load_balancer: LoadBalancerConfig = LoadBalancerConfig()
    services: dict[ResourceKey, ServiceConfig] = {}
    database: DatabaseSection | None = None
    """Aurora PostgreSQL (default) or, with `engine: postgres`, one RDS PostgreSQL instance. Absent: no database."""
    tables: dict[ResourceKey, TableConfig] = {}
    queues: dict[ResourceKey, QueueConfig] = {}
    buckets: dict[ResourceKey, BucketConfig] = {}
    events: EventsConfig = EventsConfig()
    secrets: dict[ResourceKey, SecretConfig] = {}
    alarms: AlarmsConfig = AlarmsConfig()
    budget: PositiveFloat | None = None
    """Monthly budget of the stack in USD. The pack's advisory `stack-budget` reports when the estimate
    (`python3 run.py cost --stack <s>`: the price table and usage assumptions in policies/guardrails/costing)
    exceeds it. Unset: no budget check. The program itself never reads it."""
    repositories: dict[ResourceKey, workloads.RepositoryConfig] = {}
    """ECR repositories of the stack; services name them in `image: {repository: <key>, tag: ...}` or
    `build.repository`."""
    caches: dict[ResourceKey, CacheConfig] = {}
    """ElastiCache replication groups (Valkey or Redis OSS) by name; services reach one with a
    `grants: {caches: {<name>: connect}}`."""
    backup: BackupConfig | None = None
    """The stack's AWS Backup plan (daily, retention per environment, a copy to `copyRegion` in prod). Absent: no
    plan (the prod-backup-coverage policy requires one in production)."""
    functions: dict[ResourceKey, FunctionConfig] = {}
    """Lambda functions and their triggers (components/config/functions.py)."""
    canaries: dict[ResourceKey, CanaryConfig] = {}
    """CloudWatch Synthetics canaries on the stack's own URL."""
    tasks: dict[ResourceKey, TaskConfig] = {}
    """One-off ECS tasks (a service's task definition) started by EventBridge rules."""
    sites: dict[ResourceKey, SiteConfig] = {}
    """Static sites served by CloudFront (components/site.py)."""
    apis: dict[ResourceKey, ApiConfig] = {}
    """API Gateway REST APIs (components/api.py)."""
    collections: dict[ResourceKey, CollectionConfig] = {}
    """OpenSearch Serverless collections (components/collection.py)."""
    dr: DrConfig | None = None
    """This stack's side of an active-passive pair across regions (components/config/dr.py). Absent: none."""
    log_queries: dict[ResourceKey, LogQueryConfig] = {}
    """Saved CloudWatch Logs Insights queries over the stack's service and function logs (components/log_queries.py)."""

    @field_validator("name")
    @classmethod
    def _product_name(cls, value: str) -> str:
        if not _PRODUCT_NAME.match(value):
            raise ValueError(
                "lower-case letters, digits and hyphens, 2 to 20 characters, starting with a letter "
                "and not ending with a hyphen (it starts every physical name, S3 buckets included)"
            )
        return value

    @field_validator("tags")
    @classmethod
    def _no_standard_tags(cls, value: dict[str, str]) -> dict[str, str]:
        reserved = sorted(k for k in value if k.lower().startswith("aws:"))
        if reserved:
            raise ValueError(f"tag keys starting with aws: are reserved by AWS: {', '.join(reserved)}")
        clashes = sorted(set(value) & set(STANDARD_TAG_KEYS))
        if clashes:
            raise ValueError(
                f"{', '.join(clashes)} are set by the platform from environment/owner/costCenter; remove them from tags"
            )
        return value


CrossCheck = Callable[[StackConfig], list[Problem]]


def _network_check(config: StackConfig) -> list[Problem]:
    return [
        Problem(key_path(("network", *path.split("."))), message, value)
        for path, value, message in network.check_subnets(config.network, config.environment)
    ]


CROSS_CHECKS: tuple[CrossCheck, ...] = (
    _network_check,
    compute.check,
    data.check,
    observability.check,
    references.check,
    workloads.check,
    functions.check,
)
CROSS_CHECKS += (apis_check, collections_check)
CROSS_CHECKS += (cdn_check,)
CROSS_CHECKS += (dr.check,)
CROSS_CHECKS += (log_queries.check,)
"""Checks across keys and sections, run once the structure is valid."""

_SCALAR = re.compile(r"^(-?\d+(\.\d+)?|true|false)$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def load_stack_config(
    stack: str,
    raw: Mapping[str, Any],
    *,
    stack_file: str | None = None,
    project: str | None = None,
    guardrails: thresholds.Thresholds | None = None,
) -> StackConfig:
    """Validate a stack's config (as Pulumi hands it to the program: `ns:key` -> string) or raise
    `StackConfigError` listing every problem, before anything is registered.

    `stack_file`: the file the problems name (default `Pulumi.<stack>.yaml`; the file given with
    `--config-file` otherwise). `project`: the default of `platform:name` (default: the running Pulumi
    project). `guardrails`: the thresholds the prod rules check (default: read from the stack's policy-pack
    config, `thresholds.pack_config_path`), so the config and the pack can't disagree."""
    stack_file = stack_file or stack_file_name(stack)
    values, problems = _platform_values(raw)
    values.setdefault("name", project or _project_name())
    region = raw.get("aws:region")
    if not isinstance(region, str) or not _REGION.match(region):
        problems.append(
            Problem(
                "aws:region",
                "required: the AWS region to deploy to, e.g. us-east-1",
                region if region is not None else MISSING,
            )
        )
    environment = values.get("environment")
    if environment not in PRESETS:
        problems.append(
            Problem(
                key_path(("environment",)),
                "required: one of dev, staging, prod",
                environment if environment is not None else MISSING,
            )
        )
        raise StackConfigError(stack_file, problems)
    try:
        config = StackConfig.model_validate(apply_presets(environment, values))
    except ValidationError as error:
        problems.extend(problems_from_validation_error(error, StackConfig))
        raise StackConfigError(stack_file, problems) from None
    for cross_check in CROSS_CHECKS:
        problems.extend(cross_check(config))
    problems.extend(dr.check_regions(config, str(region)))
    limits = guardrails if guardrails is not None else thresholds.Thresholds.for_stack(stack, config.environment)
    problems.extend(thresholds.check(config, limits, stack))
    if problems:
        raise StackConfigError(stack_file, problems)
    return config


@functools.cache
def _project_name() -> str:
    """The name in the project file beside the program (`Pulumi.yaml`): the Pulumi project the program always
    runs in, read from the file so config validated outside a Pulumi run gets the same default."""
    try:
        document = yaml.safe_load(PROJECT_FILE.read_text())
    except OSError:
        return NAMESPACE
    return str(document.get("name") or NAMESPACE) if isinstance(document, dict) else NAMESPACE


def _platform_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The `platform:` keys, structured values decoded from the JSON strings Pulumi passes them as."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    prefix = f"{NAMESPACE}:"
    for key, raw_value in raw.items():
        if not key.startswith(prefix):
            continue
        value = raw_value
        if isinstance(raw_value, str) and raw_value[:1] in ("{", "["):
            try:
                value = json.loads(raw_value)
            except json.JSONDecodeError as error:
                problems.append(Problem(key, f"not valid structured config ({error.msg})"))
                continue
        elif isinstance(raw_value, str) and _SCALAR.match(raw_value):
            value = json.loads(raw_value)  # top-level numbers and booleans arrive as strings
        values[key.removeprefix(prefix)] = value
    return values, problems


def effective_config(config: StackConfig) -> dict[str, Any]:
    """The config after presets, as camelCase YAML-shaped data (what `--show-config` prints)."""
    return config.model_dump(mode="json", by_alias=True)
