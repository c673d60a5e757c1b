"""The account layer's config: the `platform-bootstrap:` keys of an account stack file, validated before any
resource is registered, with one line per problem naming the stack file, the key, the value and what is allowed
(as the platform's own stack files: components/config/problems.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator

from components.config.base import ConfigModel, Environment, LogRetentionDays, NonEmptyStr, unique_items
from components.config.problems import NAMESPACE, Problem, StackConfigError, problems_from_validation_error

PROJECT = "platform-bootstrap"
"""The account layer's project name (bootstrap/Pulumi.yaml), and so its config namespace."""

Repository = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")]
"""`<owner>/<repo>` exactly as GitHub spells it: no wildcard, so a trust policy can only name this repository."""

StackName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,30}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
ZoneName = Annotated[str, StringConstraints(pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]


class GitHubConfig(ConfigModel):
    """`platform-bootstrap:github`: the repository whose workflows deploy the platform's stacks."""

    repository: Repository
    """`<owner>/<repo>`. Required: the OIDC trust policies name it in every `sub` condition."""
    environments: dict[StackName, list[StackName]] = Field(
        default_factory=lambda: {"dev": ["dev"], "staging": ["staging"], "prod": ["prod"]}, min_length=1
    )
    """GitHub environment -> the platform stacks its deploy jobs run in this account. Each environment gets a
    deploy role trusted by that environment and a preview role trusted by `preview-<environment>`, both limited
    to those stacks' state, roles and buckets. Default dev, staging and prod, one stack each, of the same name."""
    platform_project: NonEmptyStr = "platform"
    """The platform's Pulumi project name (Pulumi.yaml `name`): its stacks' state lives under
    `.pulumi/stacks/<project>/<stack>.json`. Default `platform`."""
    name_prefix: NonEmptyStr | None = None
    """The first word of the platform's physical names (`<prefix>-<stack>-*` roles and buckets), which scopes the
    deploy role's IAM, iam:PassRole and S3 permissions. Default: `platformProject`."""
    passed_to_services: list[NonEmptyStr] = Field(
        default_factory=lambda: ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com"], min_length=1
    )
    """The services the deploy role may pass the stack's roles to (`iam:PassedToService`): ECS tasks (task and
    execution roles) and VPC flow logs (their delivery role), what components/ create today."""

    import_existing_provider: bool = False
    """True when the account already has GitHub's OIDC provider (IAM allows one per URL per account, so
    creating a second fails with EntityAlreadyExists): the stack adopts it (`import_`). Default False."""

    @field_validator("environments")
    @classmethod
    def _stacks_listed_once(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        listed = [stack for stacks in value.values() for stack in stacks]
        duplicates = sorted({s for s in listed if listed.count(s) > 1})
        if duplicates:
            raise ValueError(f"a stack belongs to one environment; listed more than once: {', '.join(duplicates)}")
        if any(not stacks for stacks in value.values()):
            raise ValueError("each environment lists at least one stack")
        return value


class BudgetConfig(ConfigModel):
    """One monthly cost budget, filtered by the `Environment` cost-allocation tag."""

    monthly_limit_usd: float = Field(gt=0)
    """The monthly limit in USD. Alerts at 80 % and 100 % of actual spend go to `ownerEmails`."""


class AccountConfig(ConfigModel):
    """The `platform-bootstrap:` keys of an account stack file."""

    environment: Environment
    """The `Environment` tag: the most sensitive environment whose state the account holds (prod)."""
    owner: NonEmptyStr
    """The `Owner` tag."""
    cost_center: NonEmptyStr
    """The `CostCenter` tag."""
    noncurrent_version_expiration_days: int = Field(default=90, ge=1, le=3650)
    """Days an overwritten state file stays recoverable (S3 keeps every version until then). Default 90."""
    key_deletion_window_days: int = Field(default=30, ge=7, le=30)
    """Days a scheduled deletion of the secrets or audit key can be cancelled. Default 30, the longest."""
    github: GitHubConfig | None = None
    """The CI roles. None: no OIDC provider and no roles (a bare state backend, e.g. for local use only)."""
    budgets: dict[StackName, BudgetConfig] = Field(default_factory=dict)
    """Monthly budget per environment (`Environment` tag value). Default none."""
    owner_emails: list[Email] = Field(default_factory=list)
    """The owners: budget alerts and high or critical GuardDuty and Security Hub findings go to them by email.
    Required when `budgets` is set."""
    audit_log_retention_days: LogRetentionDays = 365
    """Days CloudTrail's CloudWatch Logs copy is kept. Default 365 (the S3 copy is kept `auditObjectDays`)."""
    audit_object_days: int = Field(default=2557, ge=365, le=3653)
    """Days CloudTrail and Config log files stay in the audit bucket. Default 2557 (7 years)."""
    hosted_zones: list[ZoneName] = Field(default_factory=list)
    """Public Route53 zones to create (optional): delegate each from its registrar with the outputs'
    name servers. Default none."""
    import_ecs_service_linked_role: bool = False
    """True on an account where `AWSServiceRoleForECS` already exists (any ECS use creates it): the stack
    adopts it (`import_`) instead of failing to create it. Default False (a new account)."""

    _unique_emails = field_validator("owner_emails")(unique_items)
    _unique_zones = field_validator("hosted_zones")(unique_items)

    @model_validator(mode="after")
    def _budgets_need_emails(self) -> AccountConfig:
        if self.budgets and not self.owner_emails:
            raise ValueError("budgets need ownerEmails: the alerts would reach nobody")
        return self


def _decoded(value: Any) -> Any:
    """Structured values reach the program as JSON strings (the CLI flattens them); scalars stay strings and
    pydantic converts them (`"30"` -> 30)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def load_account_config(stack: str, raw: Mapping[str, Any]) -> AccountConfig:
    """Validate an account stack's config or raise `StackConfigError` naming each bad key."""
    prefix = f"{PROJECT}:"
    values = {key.removeprefix(prefix): _decoded(value) for key, value in raw.items() if key.startswith(prefix)}
    problems: list[Problem] = []
    if not isinstance(raw.get("aws:region"), str):
        problems.append(Problem("aws:region", "required: the region of the state bucket, e.g. us-east-1"))
    config = None
    try:
        config = AccountConfig.model_validate(values)
    except ValidationError as error:
        problems += [
            Problem(re.sub(rf"^{NAMESPACE}(?=[:.]|$)", PROJECT, p.path), p.message, p.value)
            for p in problems_from_validation_error(error, AccountConfig)
        ]
    if problems or config is None:
        raise StackConfigError(f"Pulumi.{stack}.yaml", problems)
    return config
