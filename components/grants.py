"""The contract between data stores and the services that use them.

A service declares what it uses in config (`grants: {tables: {sessions: readwrite}, queues: {jobs: consume},
buckets: {uploads: read}, secrets: [stripe-key], database: connect, events: publish}`). Each data component
implements `Grantable`: it turns an access level into the exact IAM statements on its own ARNs (KMS actions
on the stack key included). The database also admits the service's security group on its port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pulumi

from .iam import Statement


class Grantable(Protocol):
    """A data store a service can be granted access to."""

    def grant(self, access: str) -> list[Statement]:
        """Statements allowing `access` (e.g. `read`, `readwrite`, `consume`, `send`) on this store only."""
        ...


class NetworkGrantable(Grantable, Protocol):
    """A store reached over the network (the database): granting also opens its security group."""

    def allow_from(self, name: str, security_group_id: pulumi.Input[str]) -> None:
        """Admit `security_group_id` on the store's port (one ingress rule, named after the grantee)."""
        ...


@dataclass
class DataStores:
    """What the data side of a stack built, by config name; the compute side resolves grants against it."""

    tables: dict[str, Grantable] = field(default_factory=dict)
    queues: dict[str, Grantable] = field(default_factory=dict)
    buckets: dict[str, Grantable] = field(default_factory=dict)
    secrets: dict[str, Grantable] = field(default_factory=dict)
    database: NetworkGrantable | None = None
    events: Grantable | None = None
