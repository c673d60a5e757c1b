"""`platform:collections`: OpenSearch Serverless collections, by name (components/collection.py).

```yaml
platform:collections:
  cache: {type: VECTORSEARCH}
```
Services read and write one with `grants: {collections: {cache: readwrite}}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .base import ConfigModel
from .problems import Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig


class CollectionConfig(ConfigModel):
    """One collection: encrypted with the stack key, reachable only through the stack's VPC endpoint."""

    type: Literal["VECTORSEARCH", "SEARCH", "TIMESERIES"] = "VECTORSEARCH"
    """`VECTORSEARCH` for embeddings (k-NN), `SEARCH` for full text, `TIMESERIES` for logs and metrics."""
    standby_replicas: bool | None = None
    """Replicas in a second Availability Zone. Default: on in prod, off elsewhere (half the minimum OCUs)."""


def check(config: StackConfig) -> list[Problem]:
    """A service's `grants.collections` name collections of the stack."""
    problems: list[Problem] = []
    defined = sorted(config.collections)
    for name, service in config.services.items():
        for collection, access in service.grants.collections.items():
            if collection not in config.collections:
                problems.append(
                    Problem(
                        key_path(("services", name, "grants", "collections", collection)),
                        f"no collection {collection!r} in platform:collections; defined: "
                        f"{', '.join(defined) or 'none'}",
                        access,
                    )
                )
    return problems
