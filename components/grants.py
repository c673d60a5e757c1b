"""The contract between data stores and the services that use them.

A service declares what it uses in config (`grants: {tables: {sessions: readwrite}, queues: {jobs: consume},
buckets: {uploads: read}, secrets: [stripe-key], database: connect, events: publish}`). Each data component
implements `Grantable`: it turns an access level into the exact IAM statements on its own ARNs (KMS actions
on the stack key included). The database also admits the service's security group on its port.

Access levels each kind of store accepts are in `ACCESS_LEVELS` (a secret listed under `secrets:` is granted
`read`; the database's `connect` logs in as `database.iamUser`, `connect:<db user>` as another user). Every
statement id a grant returns names its store (`TableSessionsReadWrite`, `TableSessionsKey`...), so the
statements of all of one service's grants can go into one policy document without clashing. An unknown
access level raises `ValueError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pulumi

from .iam import Statement

if TYPE_CHECKING:  # the config imports the registry, which imports this module
    from .config.compute import GrantsConfig


class Grantable(Protocol):
    """A data store a service can be granted access to."""

    def grant(self, access: str) -> list[Statement]:
        """Statements allowing `access` (e.g. `read`, `readwrite`, `consume`, `send`) on this store only."""
        ...


class NetworkGrantable(Grantable, Protocol):
    """A store reached over the network (the database; caches later): granting opens both sides on the
    store's own `port`: the service's egress to `security_group_id`, and the store's ingress (`allow_from`)."""

    port: int
    """The port clients connect to (5432 for the database)."""
    security_group_id: pulumi.Output[str]
    """The store's security group: the only destination of the grantee's egress rule."""

    def allow_from(self, name: str, security_group_id: pulumi.Input[str]) -> None:
        """Admit `security_group_id` on the store's port (one ingress rule, named after the grantee)."""
        ...


ACCESS_LEVELS: Mapping[str, tuple[str, ...]] = {
    "tables": ("read", "readwrite"),
    "queues": ("consume", "send"),
    "buckets": ("read", "readwrite"),
    "secrets": ("read",),
    "database": ("connect",),
    "events": ("publish",),
    "caches": ("connect",),
    "collections": ("read", "readwrite"),
}
"""The access levels a grant may ask of each kind of store (by `DataStores` field / config section)."""


def statement_id(*words: str) -> str:
    """`statement_id("table", "user-sessions", "read")` -> `TableUserSessionsRead` (IAM Sids are [A-Za-z0-9])."""
    return "".join(part[:1].upper() + part[1:] for word in words for part in re.split(r"[^A-Za-z0-9]+", word) if part)


def unknown_access(kind: str, name: str, access: str) -> ValueError:
    """The error a store raises for an access level it does not offer."""
    allowed = ", ".join(ACCESS_LEVELS[kind])
    return ValueError(f"{kind} {name}: unknown access {access!r}; allowed: {allowed}")


@dataclass
class DataStores:
    """What the data side of a stack built, by config name; the compute side resolves grants against it.
    The stack's registry of addressable things (`components/registry.py`, grants and `${...}` references) is
    built from these fields: each registered kind reads the field of its own name."""

    tables: dict[str, Grantable] = field(default_factory=dict)
    queues: dict[str, Grantable] = field(default_factory=dict)
    buckets: dict[str, Grantable] = field(default_factory=dict)
    secrets: dict[str, Grantable] = field(default_factory=dict)
    database: NetworkGrantable | None = None
    events: Grantable | None = None
    caches: dict[str, NetworkGrantable] = field(default_factory=dict)
    """ElastiCache replication groups: a `connect` grant is `elasticache:Connect` plus their port opened."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The stack key: services encrypt their log groups with it (its policy admits CloudWatch Logs for this
    account's log groups)."""


def require_store(store: Grantable | None, what: str, grantee: str) -> Any:
    """`store`, or the error naming the grantee (`service api`, `function db-init`) and what it was granted."""
    if store is None:
        raise ValueError(f"{grantee}: granted {what}, which the stack did not build")
    return store


class StoreLookup(Protocol):
    """Where grants resolve: the stack's registry (components/registry.py `Registry.grantable`)."""

    def grantable(self, section: str, name: str = "") -> Any:
        """The store built for `section.name` (a singleton: `section` alone), or None."""
        ...


def grant_statements(grants: GrantsConfig, stores: StoreLookup, grantee: str) -> list[Statement]:
    """The statements of a grantee's role (a service's task role, a function's execution role): each grant
    resolved through the stack's registry, in a fixed order (tables, queues, buckets, secrets, database, event
    bus, caches, collections) so the rendered policy is stable. `grantee` names it in errors (`service api`)."""
    statements: list[Statement] = []
    for section, wanted in (("tables", grants.tables), ("queues", grants.queues), ("buckets", grants.buckets)):
        for store_name, access in sorted(wanted.items()):
            store = require_store(stores.grantable(section, store_name), f"{section[:-1]} {store_name}", grantee)
            statements.extend(store.grant(access))
    for secret in grants.secrets:
        store = require_store(stores.grantable("secrets", secret), f"secret {secret}", grantee)
        statements.extend(store.grant("read"))
    if grants.database is not None:
        database = require_store(stores.grantable("database"), "database", grantee)
        statements.extend(database.grant(grants.database))
    if grants.events is not None:
        bus = require_store(stores.grantable("events"), "event bus", grantee)
        statements.extend(bus.grant(grants.events))
    for cache_name, access in sorted(grants.caches.items()):
        cache = require_store(stores.grantable("caches", cache_name), f"cache {cache_name}", grantee)
        statements.extend(cache.grant(access))
    for collection, access in sorted(grants.collections.items()):
        store = require_store(stores.grantable("collections", collection), f"collection {collection}", grantee)
        statements.extend(store.grant(access))
    return statements
