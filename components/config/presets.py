"""Environment presets: the defaults a stack file overrides. A stack file states only what differs.

Numbers come from the reference (shared/reference/seed-requirements.md): NAT per AZ in prod and one in
dev; flow logs kept >= 90 days; backups 35 days in prod, 7 in staging, 1 in dev; ECS Exec only outside
prod; deletion protection, final snapshots and `protect` on prod data.

`PRESETS[env]` is deep-merged under the stack file's `platform:` keys. `ENTRY_PRESETS[env][section]` is
deep-merged under every entry of a map section (`services.*`, `tables.*`, ...). `SECTION_PRESETS[env][section]`
is deep-merged under an optional section (`database`) only when the stack file declares it.
"""

from __future__ import annotations

from typing import Any

from .base import Environment

_INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"]
"""Outside dev: image pulls, logs, secrets and STS stay on private endpoints (dev pays NAT instead)."""


def _platform(
    *, log_days: int, prod: bool, endpoints: list[str], flow_log_days: int, access_log_days: int
) -> dict[str, Any]:
    """One environment's `platform:` preset. Prod (`prod=True`) protects stateful resources and the load
    balancer, runs three AZs with a NAT gateway each, turns the WAF on and ECS Exec off; dev and staging run
    two AZs behind one NAT gateway, without WAF, with ECS Exec."""
    return {
        "logRetentionDays": log_days,
        "protectStatefulResources": prod,
        "network": {
            "azCount": 3 if prod else 2,
            "natStrategy": "per-az" if prod else "single",
            "interfaceEndpoints": endpoints,
            "flowLogs": {"retentionDays": flow_log_days},
        },
        "cluster": {"executeCommand": not prod},
        "loadBalancer": {
            "deletionProtection": prod,
            "accessLogExpirationDays": access_log_days,
            "waf": {"enabled": prod},
        },
    }


PRESETS: dict[Environment, dict[str, Any]] = {
    "dev": _platform(log_days=14, prod=False, endpoints=[], flow_log_days=90, access_log_days=30),
    "staging": _platform(log_days=30, prod=False, endpoints=_INTERFACE_ENDPOINTS, flow_log_days=90, access_log_days=90),
    "prod": _platform(log_days=90, prod=True, endpoints=_INTERFACE_ENDPOINTS, flow_log_days=365, access_log_days=365),
}

ENTRY_PRESETS: dict[Environment, dict[str, dict[str, Any]]] = {
    "dev": {
        # dev: all Spot, and scaled to zero at night and at weekends (the reference's dev auto-shutdown).
        "services": {
            "capacity": {"onDemandBase": 0, "onDemandWeight": 0, "spotWeight": 1},
            "autoscaling": {"schedule": {}},
        },
        # data (issue 3): old object versions kept a week; secrets deleted at once, so a torn-down dev stack
        # can be rebuilt with the same secret names.
        "buckets": {"noncurrentVersionExpirationDays": 7},
        "secrets": {"recoveryWindowDays": 0},
        # images (issue 11): a few releases to roll back to; failed pushes cleaned up quickly.
        "repositories": {"keepTaggedImages": 30, "untaggedExpiryDays": 3},
        "caches": {"nodeType": "cache.t4g.micro", "replicas": 0, "snapshotRetentionDays": 0},
    },
    "staging": {
        "services": {"capacity": {"onDemandBase": 1, "onDemandWeight": 1, "spotWeight": 1}},
        "buckets": {"noncurrentVersionExpirationDays": 30},
        "secrets": {"recoveryWindowDays": 7},
        "repositories": {"keepTaggedImages": 50, "untaggedExpiryDays": 7},
        "caches": {"nodeType": "cache.t4g.small", "replicas": 1, "snapshotRetentionDays": 7},
    },
    "prod": {
        # prod: on-demand only by default (Spot is not for production web servers); a worker may opt in.
        "services": {"capacity": {"onDemandBase": 1, "onDemandWeight": 1, "spotWeight": 0}},
        "buckets": {"noncurrentVersionExpirationDays": 90},
        "secrets": {"recoveryWindowDays": 30},
        # prod: its images are what runs; keep many releases (a rollback may go far back).
        "repositories": {"keepTaggedImages": 200, "untaggedExpiryDays": 14},
        "caches": {"nodeType": "cache.m7g.large", "replicas": 1, "snapshotRetentionDays": 35},
    },
}

KIND_PRESETS: dict[Environment, dict[str, dict[str, dict[str, Any]]]] = {
    # Deep-merged under every entry of a map section whose `kind` is listed, after ENTRY_PRESETS (the stack
    # file still wins). Prod web services deploy by canary: 5 % of traffic for 10 minutes, then all, watched
    # by the rollback alarms (the reference's checklist: blue-green or canary, rollback in under 5 minutes).
    # Workers, and every service in dev and staging, keep `rolling` unless the stack file says otherwise.
    "dev": {},
    "staging": {},
    "prod": {"services": {"web": {"deployment": {"strategy": "canary"}}}},
}

SECTION_PRESETS: dict[Environment, dict[str, dict[str, Any]]] = {
    # Deep-merged under an optional section only when the stack file declares it (`database: {}` turns the
    # database on with these defaults; no `database` key, no database).
    "dev": {"database": {"instances": 1, "minCapacity": 0, "maxCapacity": 2, "backupRetentionDays": 1}},
    "staging": {"database": {"instances": 1, "minCapacity": 0.5, "maxCapacity": 4, "backupRetentionDays": 7}},
    "prod": {"database": {"instances": 2, "minCapacity": 0.5, "maxCapacity": 16, "backupRetentionDays": 35}},
}
# AWS Backup retention when a stack declares `backup` (issue 14).
SECTION_PRESETS["dev"]["backup"] = {"retentionDays": 7}
SECTION_PRESETS["staging"]["backup"] = {"retentionDays": 14}
SECTION_PRESETS["prod"]["backup"] = {"retentionDays": 35}
# Enhanced Monitoring of the Aurora instances outside dev (issue 14).
SECTION_PRESETS["staging"]["database"]["enhancedMonitoringSeconds"] = 60
SECTION_PRESETS["prod"]["database"]["enhancedMonitoringSeconds"] = 15

ENGINE_PRESETS: dict[Environment, dict[str, dict[str, dict[str, Any]]]] = {
    # `database: {engine: postgres}` (one RDS PostgreSQL instance) takes these instead of the Aurora preset.
    "dev": {
        "database": {
            "postgres": {
                "instanceClass": "db.t4g.small",
                "multiAz": False,
                "allocatedStorageGib": 20,
                "maxAllocatedStorageGib": 100,
                "backupRetentionDays": 1,
            }
        }
    },
    "staging": {
        "database": {
            "postgres": {
                "instanceClass": "db.t4g.medium",
                "multiAz": False,
                "allocatedStorageGib": 20,
                "maxAllocatedStorageGib": 200,
                "backupRetentionDays": 7,
                "enhancedMonitoringSeconds": 60,
            }
        }
    },
    "prod": {
        "database": {
            "postgres": {
                "instanceClass": "db.r8g.large",
                "multiAz": True,
                "allocatedStorageGib": 100,
                "maxAllocatedStorageGib": 1000,
                "backupRetentionDays": 35,
                "enhancedMonitoringSeconds": 15,
            }
        }
    },
}
"""Presets of an optional section by its `engine` value, used instead of SECTION_PRESETS for that section."""


def deep_merge(base: Any, override: Any) -> Any:
    """`override` wins; dicts merge key by key; anything else (lists included) is replaced whole."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def apply_presets(environment: Environment, stack_values: dict[str, Any]) -> dict[str, Any]:
    """The stack file's values laid over the environment's preset, entries of map sections included."""
    merged = deep_merge(PRESETS[environment], stack_values)
    for section, defaults in SECTION_PRESETS[environment].items():
        if isinstance(merged.get(section), dict):
            by_engine = ENGINE_PRESETS[environment].get(section, {}).get(str(merged[section].get("engine")))
            merged[section] = deep_merge(by_engine if by_engine is not None else defaults, merged[section])
    for section, defaults in ENTRY_PRESETS[environment].items():
        entries = merged.get(section)
        if isinstance(entries, dict):
            merged[section] = {
                key: deep_merge(defaults, entry) if isinstance(entry, dict) else entry for key, entry in entries.items()
            }
    for section, by_kind in KIND_PRESETS[environment].items():
        entries = merged.get(section)
        if isinstance(entries, dict):
            merged[section] = {
                key: deep_merge(by_kind[entry["kind"]], entry)
                if isinstance(entry, dict) and entry.get("kind") in by_kind
                else entry
                for key, entry in entries.items()
            }
    return merged
