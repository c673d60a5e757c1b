"""Environment presets: the defaults a stack file overrides. A stack file states only what differs.

Numbers come from the reference (shared/reference/seed-requirements.md): NAT per AZ in prod and one in
dev; flow logs kept >= 90 days; backups 35 days in prod, 7 in staging, 1 in dev; ECS Exec only outside
prod; deletion protection, final snapshots and `protect` on prod data.

`PRESETS[env]` is deep-merged under the stack file's `platform:` keys. `ENTRY_PRESETS[env][section]` is
deep-merged under every entry of a map section (`services.*`, `tables.*`, ...).
"""

from __future__ import annotations

from typing import Any

from .base import Environment

PRESETS: dict[Environment, dict[str, Any]] = {
    "dev": {
        "logRetentionDays": 14,
        "protectStatefulResources": False,
        "network": {"azCount": 2, "natStrategy": "single", "interfaceEndpoints": [], "flowLogs": {"retentionDays": 90}},
    },
    "staging": {
        "logRetentionDays": 30,
        "protectStatefulResources": False,
        "network": {
            "azCount": 2,
            "natStrategy": "single",
            "interfaceEndpoints": ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"],
            "flowLogs": {"retentionDays": 90},
        },
    },
    "prod": {
        "logRetentionDays": 90,
        "protectStatefulResources": True,
        "network": {
            "azCount": 3,
            "natStrategy": "per-az",
            "interfaceEndpoints": ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"],
            "flowLogs": {"retentionDays": 365},
        },
    },
}

ENTRY_PRESETS: dict[Environment, dict[str, dict[str, Any]]] = {
    "dev": {},
    "staging": {},
    "prod": {},
}


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
    for section, defaults in ENTRY_PRESETS[environment].items():
        entries = merged.get(section)
        if isinstance(entries, dict):
            merged[section] = {
                key: deep_merge(defaults, entry) if isinstance(entry, dict) else entry
                for key, entry in entries.items()
            }
    return merged
