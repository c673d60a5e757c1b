"""`waf: {enabled: false}` on an internet entry point of a production stack is a config error, read from the same
pack config (level, production names) as the pack's internet-entry-points-have-waf."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.thresholds import Thresholds
from offline.engine import stack_config

from .mutate import broken

ALB_LINE = (
    "Pulumi.prod.yaml: platform:loadBalancer.waf.enabled = false: production puts a web ACL on every internet "
    "entry point (policies/config/prod.json: internet-entry-points-have-waf is mandatory); set true, or a "
    "relaxation goes in that file (reviewed by the platform owners)"
)


def problems(stack: str, flat: dict[str, str], **kwargs: object) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stack, flat, **kwargs)  # type: ignore[arg-type]
    return caught.value.lines


def test_prod_alb_without_waf_is_refused_in_one_line() -> None:
    assert problems("prod", broken("prod", "platform:loadBalancer.waf.enabled", False)) == [ALB_LINE]


def test_prod_api_and_site_without_waf_are_refused_by_key_path() -> None:
    flat = stack_config("prod")
    flat["platform:apis"] = json.dumps({"public": {"service": "api", "waf": {"enabled": False}}})
    flat["platform:sites"] = json.dumps(
        {"web": {"domain": {"name": "app.example.com", "hostedZone": "example.com"}, "waf": {"enabled": False}}}
    )
    lines = problems("prod", flat)
    assert [line.split(" = ")[0] for line in lines] == [
        "Pulumi.prod.yaml: platform:apis.public.waf.enabled",
        "Pulumi.prod.yaml: platform:sites.web.waf.enabled",
    ]


def test_outside_production_waf_may_be_off() -> None:
    config = load_stack_config("staging", broken("staging", "platform:loadBalancer.waf.enabled", False))
    assert config.load_balancer.waf.enabled is False


def test_an_advisory_pack_level_lets_config_through_too(tmp_path: Path) -> None:
    (tmp_path / "prod-edge.json").write_text(
        json.dumps({"all": "mandatory", "internet-entry-points-have-waf": "advisory"})
    )
    flat = broken("prod", "platform:loadBalancer.waf.enabled", False)
    config = load_stack_config("prod-edge", flat, guardrails=Thresholds.for_stack("prod-edge", "prod", tmp_path))
    assert config.load_balancer.waf.enabled is False
