"""Guardrail thresholds: one source for config validation and the policy pack.

The pack's config file of a stack (`policies/config/<stack>.json`, else `policies/config/<environment>.json`:
`pack_config_path`) is the source of every threshold both sides check: the config validation reads that JSON
file (never the pack's code: `policies/` stays self-contained) and refuses what the pack would refuse, with
the pack's numbers, so no stack passes one and fails the other. A stack that relaxes a guardrail (a low-cost
prod with 7-day backups) does it in that file, where a change needs the platform owners' review
(`.github/CODEOWNERS`), and config validation follows.

A rule applies when its policy is mandatory for the stack (an advisory finding never fails a command, so the
config doesn't refuse it either). Production, as the pack decides it: the stack name or the environment (the
`Environment` tag) is one of the policy's `productionEnvironments`. A setting the file does not give takes
the pack's schema default, mirrored in `PACK_DEFAULTS` (a test compares them with the pack's own schemas).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .apis import alb_behind_vpc_link
from .data import DatabaseConfig
from .problems import Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig

POLICY_CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"
"""`policies/config/`: the pack config files, one per stack or environment."""

PACK_DEFAULT_LEVEL = "mandatory"
"""The pack's own default level (`policies/__main__.py`: `enforcement_level=MANDATORY`)."""

PRODUCTION_DEFAULT = ("prod", "production")

PACK_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "prod-data-protection": {"minimumBackupRetentionDays": 7, "productionEnvironments": list(PRODUCTION_DEFAULT)},
    "prod-database-standby": {"minimumInstances": 2, "productionEnvironments": list(PRODUCTION_DEFAULT)},
    "ecs-service-hardening": {"productionEnvironments": list(PRODUCTION_DEFAULT)},
    "vpc-flow-logs": {"minimumRetentionDays": 90},
    "log-retention": {"minimumRetentionDays": 1},
    "alb-tls-and-headers": {},
    "internet-entry-points-have-waf": {"productionEnvironments": list(PRODUCTION_DEFAULT)},
}
"""The settings config validation reads, with the pack's schema defaults (tests/config/test_thresholds.py
checks each against `policies/guardrails`)."""


def pack_config_path(stack: str, environment: str | None, config_dir: Path = POLICY_CONFIG_DIR) -> Path | None:
    """The stack's pack config: `<stack>.json` when it exists, else `<environment>.json`, else None.

    The rule every runner uses (`scripts/pulumi.sh`, the Make targets, the workflows, the offline preview)
    and the config validation too: a stack `prod-us-west-2` of environment prod gets `prod.json` unless it
    has its own file."""
    for name in (stack, environment):
        if name:
            path = config_dir / f"{name}.json"
            if path.is_file():
                return path
    return None


@dataclass(frozen=True)
class Thresholds:
    """The levels and settings of one stack's pack config, as config validation needs them."""

    source: str = "the pack's defaults"
    """Where they come from, for messages: `policies/config/prod.json`."""
    config: Mapping[str, Any] = field(default_factory=dict)
    """The pack config file's content (`{"all": "mandatory", "<policy>": level or {settings}}`)."""

    @classmethod
    def for_stack(cls, stack: str, environment: str, config_dir: Path | None = None) -> Thresholds:
        """The thresholds of `stack` (of `environment`), from the file `pack_config_path` finds in
        `config_dir` (default `POLICY_CONFIG_DIR`)."""
        path = pack_config_path(stack, environment, config_dir or POLICY_CONFIG_DIR)
        if path is None:
            return cls()
        return cls.from_file(path)

    @classmethod
    def from_file(cls, path: Path) -> Thresholds:
        content = json.loads(path.read_text(encoding="utf-8") or "{}")
        try:
            shown = str(path.resolve().relative_to(POLICY_CONFIG_DIR.parent.parent))
        except ValueError:
            shown = str(path)
        return cls(source=shown, config=content if isinstance(content, dict) else {})

    def level(self, policy: str) -> str:
        """The policy's level as the engine reconciles it: the pack default, then `all`, then the policy's."""
        level = PACK_DEFAULT_LEVEL
        everyone = self.config.get("all")
        if isinstance(everyone, str):
            level = everyone
        own = self.config.get(policy)
        if isinstance(own, str):
            level = own
        elif isinstance(own, Mapping) and isinstance(own.get("enforcementLevel"), str):
            level = own["enforcementLevel"]
        return level

    def enforced(self, policy: str) -> bool:
        """Mandatory (or remediate, which reports as mandatory): a finding fails the command."""
        return self.level(policy) in ("mandatory", "remediate")

    def setting(self, policy: str, name: str) -> Any:
        own = self.config.get(policy)
        if isinstance(own, Mapping) and name in own:
            return own[name]
        return PACK_DEFAULTS[policy][name]

    def where(self, policy: str, name: str | None = None) -> str:
        """`policies/config/prod.json: prod-data-protection.minimumBackupRetentionDays`, for messages."""
        return f"{self.source}: {policy}{'.' + name if name else ''}"

    def production(self, policy: str, stack: str, environment: str) -> bool:
        names = {str(n).lower() for n in self.setting(policy, "productionEnvironments")}
        return stack.lower() in names or environment.lower() in names


RELAX = "a relaxation goes in that file (reviewed by the platform owners)"


def _below_floor(
    limits: Thresholds, setting: tuple[str, str], path: tuple[str, ...], value: int, message: str
) -> list[Problem]:
    """The problem of a `value` under the pack's floor `setting` (policy, setting name), or none: `message`
    names it with `{minimum}` and `{where}` (the pack config file and setting)."""
    minimum = int(limits.setting(*setting))
    if value >= minimum:
        return []
    return [Problem(key_path(path), message.format(minimum=minimum, where=limits.where(*setting)), value)]


def check(config: StackConfig, limits: Thresholds, stack: str) -> list[Problem]:
    """The prod rules and retention floors, with the pack's numbers for this stack."""
    problems: list[Problem] = []
    env = config.environment
    database = config.database
    if (
        database is not None
        and limits.enforced("prod-data-protection")
        and limits.production("prod-data-protection", stack, env)
    ):
        problems += _below_floor(
            limits,
            ("prod-data-protection", "minimumBackupRetentionDays"),
            ("database", "backupRetentionDays"),
            database.backup_retention_days,
            "production keeps database backups at least {minimum} days ({where}); " + RELAX,
        )
    # An RDS instance's standby is Multi-AZ, judged by rds-instance-hardening; this counts Aurora's instances.
    if (
        isinstance(database, DatabaseConfig)
        and limits.enforced("prod-database-standby")
        and limits.production("prod-database-standby", stack, env)
    ):
        problems += _below_floor(
            limits,
            ("prod-database-standby", "minimumInstances"),
            ("database", "instances"),
            database.instances,
            "production needs a writer and readers in other AZs to fail over to: at least {minimum} instances "
            "({where}); " + RELAX,
        )
    if (
        config.cluster.execute_command
        and limits.enforced("ecs-service-hardening")
        and limits.production("ecs-service-hardening", stack, env)
    ):
        problems.append(
            Problem(
                key_path(("cluster", "executeCommand")),
                f"ECS Exec opens a shell inside production tasks; allowed only outside production (set false; "
                f"{limits.where('ecs-service-hardening')} is mandatory)",
                True,
            )
        )
    if limits.enforced("vpc-flow-logs"):
        problems += _below_floor(
            limits,
            ("vpc-flow-logs", "minimumRetentionDays"),
            ("network", "flowLogs", "retentionDays"),
            config.network.flow_logs.retention_days,
            "flow logs must be kept at least {minimum} days ({where}); " + RELAX,
        )
    if limits.enforced("log-retention"):
        problems += _below_floor(
            limits,
            ("log-retention", "minimumRetentionDays"),
            ("logRetentionDays",),
            config.log_retention_days,
            "logs must be kept at least {minimum} days ({where}); " + RELAX,
        )
    lb = config.load_balancer
    web = any(s.kind == "web" for s in config.services.values())
    if web and lb.allow_plain_http and not lb.https and limits.enforced("alb-tls-and-headers"):
        problems.append(
            Problem(
                key_path(("loadBalancer", "allowPlainHttp")),
                f"plain HTTP fails {limits.where('alb-tls-and-headers')} (mandatory for this stack): give "
                "loadBalancer.domain or certificateArn, or make that policy advisory there",
                True,
            )
        )
    problems.extend(waf_problems(config, limits, stack))
    return problems


def waf_problems(config: StackConfig, limits: Thresholds, stack: str) -> list[Problem]:
    """`waf: {enabled: false}` on an internet entry point of a production stack: the pack's
    internet-entry-points-have-waf refuses it (same level and production names), so config does too.
    The ALB counts only when the stack builds one (a web service or an HTTP function) and it faces the internet."""
    policy = "internet-entry-points-have-waf"
    if not (limits.enforced(policy) and limits.production(policy, stack, config.environment)):
        return []
    entries: list[tuple[tuple[str | int, ...], bool]] = []
    lb = config.load_balancer
    has_alb = any(s.kind == "web" for s in config.services.values()) or any(
        f.triggers.http is not None for f in config.functions.values()
    )
    if has_alb and not alb_behind_vpc_link(config):  # behind a VPC link the ALB is internal
        entries.append((("loadBalancer", "waf", "enabled"), lb.waf.enabled))
    if lb.cloud_front is not None:
        entries.append((("loadBalancer", "cloudFront", "waf", "enabled"), lb.cloud_front.waf.enabled))
    entries += [(("apis", name, "waf", "enabled"), api.waf.enabled) for name, api in config.apis.items()]
    entries += [(("sites", name, "waf", "enabled"), site.waf.enabled) for name, site in config.sites.items()]
    return [
        Problem(
            key_path(path),
            f"production puts a web ACL on every internet entry point ({limits.where(policy)} is mandatory); "
            f"set true, or {RELAX}",
            False,
        )
        for path, enabled in entries
        if not enabled
    ]
