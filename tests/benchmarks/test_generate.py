"""The scaling benchmark's generated stacks: valid prod configs with N services, unique where they must be."""

from __future__ import annotations

import json
import re

import pytest

from benchmarks.generate import scaled_config, service_names
from components.config import load_stack_config
from offline.engine import stack_config


@pytest.mark.parametrize("count", [1, 2, 7, 200])
def test_a_generated_stack_is_a_valid_prod_config_with_that_many_services(count: int) -> None:
    config = load_stack_config("prod", scaled_config(count))
    assert list(config.services) == service_names(count)
    web = [s for s in config.services.values() if s.kind == "web"]
    workers = [s for s in config.services.values() if s.kind == "worker"]
    assert (len(web), len(workers)) == ((count + 1) // 2, count // 2)
    routes = [s.routing for s in web]
    assert all(r is not None for r in routes)
    priorities = [r.priority for r in routes if r is not None]
    paths = [tuple(r.paths) for r in routes if r is not None]
    assert len(set(priorities)) == len(priorities) and len(set(paths)) == len(paths)


def test_generated_services_copy_prods_own_and_leave_the_rest_of_the_stack_alone() -> None:
    prod = stack_config("prod")
    generated = scaled_config(4)
    assert {k: v for k, v in generated.items() if k != "platform:services"} == {
        k: v for k, v in prod.items() if k != "platform:services"
    }
    services = json.loads(generated["platform:services"])
    originals = json.loads(prod["platform:services"])
    assert services["worker-002"] == originals["worker"]
    api = {k: v for k, v in originals["api"].items() if k != "routing"}
    assert {k: v for k, v in services["web-003"].items() if k != "routing"} == api
    assert services["web-003"]["routing"]["hosts"] == originals["api"]["routing"]["hosts"]


def test_names_are_unique_and_stay_valid_map_keys_well_past_the_benchmarks_sizes() -> None:
    names = service_names(999)
    assert len(set(names)) == 999
    assert all(re.fullmatch(r"[a-z][a-z0-9-]{0,22}[a-z0-9]", name) for name in names)  # ResourceKey's pattern


def test_a_stack_needs_at_least_one_service() -> None:
    with pytest.raises(ValueError, match="at least one service"):
        scaled_config(0)
