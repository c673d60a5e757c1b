"""Config validation at its edges: each bound refused one past it and accepted at it (one line naming the stack
file, the key path, the value and what is allowed), the shared model behaviour every section inherits, the
environment presets the reference requires, and grants naming what the stack does not declare."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.config import StackConfigError, load_stack_config
from components.config.compute import EdgeWafConfig
from components.config.presets import ENGINE_PRESETS, PRESETS, apply_presets, deep_merge

from .mutate import broken

SITE = {"domain": {"name": "app.example.com", "hostedZone": "example.com"}}


def _refused(stack: str, path: str, value: Any) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stack, broken(stack, path, value))
    return caught.value.lines


@pytest.mark.parametrize(
    ("rate_limit", "allowed"),
    [(99, "greater than or equal to 100"), (2_000_000_001, "less than or equal to 2000000000")],
)
def test_a_site_waf_rate_limit_outside_its_bounds_is_refused(rate_limit: int, allowed: str) -> None:
    assert _refused("dev", "platform:sites", {"frontend": {**SITE, "waf": {"rateLimit": rate_limit}}}) == [
        f"Pulumi.dev.yaml: platform:sites.frontend.waf.rateLimit = {rate_limit}: Input should be {allowed}"
    ]


@pytest.mark.parametrize("rate_limit", [100, 2_000_000_000])
def test_a_site_waf_rate_limit_at_its_bounds_is_accepted(rate_limit: int) -> None:
    config = load_stack_config(
        "dev", broken("dev", "platform:sites", {"frontend": {**SITE, "waf": {"rateLimit": rate_limit}}})
    )
    assert config.sites["frontend"].waf.rate_limit == rate_limit


def test_a_site_is_no_spa_and_has_its_waf_on_at_2000_requests_per_5_minutes_by_default() -> None:
    site = load_stack_config("dev", broken("dev", "platform:sites", {"frontend": SITE})).sites["frontend"]
    assert (site.spa, site.waf.enabled, site.waf.rate_limit, site.default_root_object) == (
        False,
        True,
        2000,
        "index.html",
    )


def test_a_grant_on_an_undeclared_collection_is_refused_naming_those_defined() -> None:
    assert _refused("dev", "platform:services.api.grants", {"collections": {"nope": "read"}}) == [
        "Pulumi.dev.yaml: platform:services.api.grants.collections.nope = 'read': no collection 'nope' in "
        "platform:collections; defined: none"
    ]
    flat = broken("dev", "platform:collections", {"search": {}})
    flat["platform:services"] = broken("dev", "platform:services.api.grants", {"collections": {"search": "read"}})[
        "platform:services"
    ]
    assert load_stack_config("dev", flat).services["api"].grants.collections == {"search": "read"}


def test_an_owner_of_only_spaces_is_empty() -> None:
    assert _refused("dev", "platform:owner", "   ") == [
        "Pulumi.dev.yaml: platform:owner = '   ': String should have at least 1 character"
    ]


# -- what every section inherits from ConfigModel ------------------------------------------------------------
def test_sections_take_camel_case_keys_only_and_refuse_the_python_names() -> None:
    assert EdgeWafConfig.model_validate({"rateLimit": 300}).rate_limit == 300
    with pytest.raises(ValidationError) as caught:
        EdgeWafConfig.model_validate({"rate_limit": 300})
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(("rate_limit",), "extra_forbidden")]


def test_sections_serialise_with_their_yaml_names_and_are_immutable() -> None:
    waf = EdgeWafConfig()
    assert waf.model_dump() == {"enabled": True, "rateLimit": 2000}
    with pytest.raises(ValidationError):
        waf.rate_limit = 1  # type: ignore[misc]


def test_a_fields_docstring_is_its_schema_description() -> None:
    assert EdgeWafConfig.model_fields["rate_limit"].description == (
        "Requests one client IP may send in 5 minutes before it is blocked."
    )


# -- presets ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_only_prod_protects_its_data_and_entry_and_closes_ecs_exec(env: str) -> None:
    prod = env == "prod"
    preset = PRESETS[env]  # type: ignore[index]
    assert preset["protectStatefulResources"] is prod
    assert preset["loadBalancer"]["deletionProtection"] is prod
    assert preset["loadBalancer"]["waf"]["enabled"] is prod
    assert preset["cluster"]["executeCommand"] is not prod
    assert (preset["network"]["azCount"], preset["network"]["natStrategy"]) == (
        (3, "per-az") if prod else (2, "single")
    )
    assert ENGINE_PRESETS[env]["database"]["postgres"]["multiAz"] is prod  # type: ignore[index]


def test_a_stack_value_wins_over_its_preset_and_dicts_merge_key_by_key() -> None:
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}}
    assert deep_merge({"a": 1}, 5) == 5
    assert deep_merge(5, {"a": 1}) == {"a": 1}
    assert deep_merge({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}


def test_prod_web_services_deploy_by_canary_and_workers_keep_their_strategy() -> None:
    merged = apply_presets("prod", {"services": {"api": {"kind": "web"}, "jobs": {"kind": "worker"}, "x": "raw"}})
    assert merged["services"]["api"]["deployment"] == {"strategy": "canary"}
    assert "deployment" not in merged["services"]["jobs"]
    assert merged["services"]["x"] == "raw"
    assert "services" not in apply_presets("prod", {})
