"""Generated stacks for the scaling benchmark: the prod stack with N services instead of its two.

The services are copies of prod's own (its `web` service `api` and its `worker`), so each one is as
realistic as the real ones: same image, grants, secrets, autoscaling. What must differ between copies
differs: names (`web-001`, `worker-002`), listener rule priorities and path patterns. Half are `web`, half
`worker` (web first: N=1 is one web service). Everything else is prod's config unchanged, so the generated
stack passes the same validation and cross-checks a real stack file does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from offline.engine import stack_config

SERVICES_KEY = "platform:services"
BASE_STACK = "prod"
FIRST_PRIORITY = 100
"""Priority of the first generated listener rule; each next web service takes the next number."""


def service_names(count: int) -> list[str]:
    """`web-001`, `worker-002`, `web-003`, ...: valid map keys (ResourceKey), unique, in config order."""
    return [f"{'web' if index % 2 else 'worker'}-{index:03d}" for index in range(1, count + 1)]


def scaled_services(base: Mapping[str, Any], count: int) -> dict[str, Any]:
    """`count` services copied from the base stack's first `web` and first `worker` service."""
    web = next(s for s in base.values() if s.get("kind") == "web")
    worker = next(s for s in base.values() if s.get("kind") == "worker")
    services: dict[str, Any] = {}
    web_index = 0
    for name in service_names(count):
        if name.startswith("web-"):
            service = copy.deepcopy(web)
            routing = dict(service.get("routing") or {})
            routing["priority"] = FIRST_PRIORITY + web_index
            routing["paths"] = [f"/{name}/*"]
            service["routing"] = routing
            web_index += 1
        else:
            service = copy.deepcopy(worker)
        services[name] = service
    return services


def scaled_config(
    count: int, base_stack: str = BASE_STACK, base_config: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The flat engine config (`ns:key` -> string, as `offline.engine.run_stack` takes it) of `base_stack`
    with `count` generated services replacing its own."""
    if count < 1:
        raise ValueError(f"a generated stack needs at least one service, not {count}")
    flat = dict(base_config if base_config is not None else stack_config(base_stack))
    base = json.loads(flat[SERVICES_KEY])
    flat[SERVICES_KEY] = json.dumps(scaled_services(base, count))
    return flat


__all__ = ["BASE_STACK", "scaled_config", "scaled_services", "service_names"]
