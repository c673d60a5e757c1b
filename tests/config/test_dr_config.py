"""`platform:dr` (components/config/dr.py), the regions a stack copies to, and standby services at 0 tasks: one line
per problem naming the file, the key, the value and what is allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.dr import referenced_stacks

from .mutate import broken

CASES: list[tuple[str, Any, str]] = [
    (
        "platform:dr",
        {"role": "standby"},
        "Pulumi.prod.yaml: platform:dr.primaryStack: required for role: standby: the primary's stack name, e.g. prod",
    ),
    (
        "platform:dr",
        {"role": "primary"},
        "Pulumi.prod.yaml: platform:dr.standbyRegion: required for role: primary, e.g. us-west-2",
    ),
    (
        "platform:dr",
        {"role": "primary", "standbyRegion": "us-east-1"},
        "Pulumi.prod.yaml: platform:dr.standbyRegion = 'us-east-1': is the stack's own region (aws:region); allowed: "
        "the standby's region, another one",
    ),
    (
        "platform:dr",
        {"role": "primary", "primaryStack": "x", "standbyRegion": "us-west-2"},
        "Pulumi.prod.yaml: platform:dr: primaryStack is for role: standby; a primary names its standbyRegion",
    ),
    (
        "platform:dr",
        {"role": "sideways"},
        "Pulumi.prod.yaml: platform:dr.role = 'sideways': Input should be 'primary' or 'standby'",
    ),
    (
        "platform:dr",
        {"role": "standby", "primaryStack": "prod/x"},
        "Pulumi.prod.yaml: platform:dr.primaryStack = 'prod/x': expected a stack name of this project such as prod",
    ),
    (
        "platform:dr",
        {"role": "standby", "primaryStack": "prod", "healthCheck": {"requestIntervalSeconds": 20}},
        "Pulumi.prod.yaml: platform:dr.healthCheck.requestIntervalSeconds = 20: Input should be 10 or 30",
    ),
    (
        "platform:backup.copyRegion",
        "us-east-1",
        "Pulumi.prod.yaml: platform:backup.copyRegion = 'us-east-1': is the stack's own region (aws:region); "
        "allowed: any other region, e.g. us-west-2",
    ),
    (
        "platform:buckets.uploads.replication",
        {"region": "us-east-1"},
        "Pulumi.prod.yaml: platform:buckets.uploads.replication.region = 'us-east-1': is the stack's own region "
        "(aws:region); allowed: any other region",
    ),
]


@pytest.mark.parametrize(("path", "value", "expected"), CASES, ids=[f"{c[0]}={c[1]!r}"[:80] for c in CASES])
def test_bad_dr_and_region_config_is_one_line_naming_file_key_value_and_allowed(
    path: str, value: Any, expected: str
) -> None:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config("prod", broken("prod", path, value))
    assert raised.value.lines == [expected]


def _api_at_zero(dr: dict[str, str] | None) -> dict[str, str]:
    flat = broken("prod", "platform:dr", dr) if dr else broken("prod", "platform:tags", {})
    services = json.loads(flat["platform:services"])
    api = services["api"]
    api.update(desiredCount=0, autoscaling={**api["autoscaling"], "minCount": 0}, capacity={"onDemandBase": 0})
    flat["platform:services"] = json.dumps(services)
    return flat


def test_a_standby_may_hold_its_prod_services_at_zero_tasks() -> None:
    config = load_stack_config("prod", _api_at_zero({"role": "standby", "primaryStack": "prod-east"}))
    api = config.services["api"]
    assert (api.desired_count, api.autoscaling.min_count, api.autoscaling.max_count) == (0, 0, 10)


@pytest.mark.parametrize("dr", [None, {"role": "primary", "standbyRegion": "us-west-2"}], ids=["no-dr", "primary"])
def test_only_a_standby_may_hold_prod_services_at_zero(dr: dict[str, str] | None) -> None:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config("prod", _api_at_zero(dr))
    assert raised.value.lines == [
        "Pulumi.prod.yaml: platform:services.api.autoscaling.minCount = 0: a web service keeps at least 1 task "
        "(with none, the ALB has no target and no request metric to scale from)",
        "Pulumi.prod.yaml: platform:services.api.capacity.onDemandBase = 0: prod services keep at least 1 task on "
        "on-demand FARGATE (Spot can be reclaimed at two minutes' notice)",
    ]


def test_the_engine_finds_a_standbys_primary_in_its_raw_config() -> None:
    assert referenced_stacks({"platform:dr": json.dumps({"role": "standby", "primaryStack": "prod"})}) == ["prod"]
    assert referenced_stacks({"platform:dr": json.dumps({"role": "primary", "standbyRegion": "us-west-2"})}) == []
    assert referenced_stacks({"platform:dr": "{not json"}) == []
    assert referenced_stacks({}) == []
