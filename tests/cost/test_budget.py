"""stack-budget: an estimate over `platform:budget` is reported (advisory) with the total, the excess and
what drives it; no budget, nothing to judge; a bad budget, a bad usage file or a resource the table cannot
price is reported; an unknown price driver at a first preview defers instead of passing. End to end: the real
pack process, given the stack config as the engine gives it, says what `python3 run.py cost` says."""

from __future__ import annotations

from pathlib import Path

import pulumi.runtime.config
import pytest

from components.config import StackConfigError, load_stack_config
from offline.cost import estimate_run
from offline.engine import StackRun, stack_config
from offline.policy_harness import PolicyHarness, format_report
from policies.guardrails import base, budget
from policies.guardrails.costing import usd
from tests.policies.helpers import UNKNOWN, R, check_stack

POLICY = budget.POLICIES[0]
CONFIGURED_REGION = budget.configured_region
"""The real reader (the autouse fixture below replaces the module's for every test)."""
NAT = R("aws:ec2/natGateway:NatGateway", "nat", {"connectivityType": "public"})
NAT_MONTH = 730 * 0.045 + 100 * 0.045  # hours + the default 100 GB processed: $37.35


@pytest.fixture(autouse=True)
def stack_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The pack believes it runs stack `dev` in us-east-1 with no usage file, and no budget until a test sets one."""
    monkeypatch.setattr(base, "current_stack", lambda: "dev")
    monkeypatch.setattr(budget, "configured_region", lambda: "us-east-1")
    monkeypatch.setattr(budget, "configured_budget", lambda: None)
    monkeypatch.setattr(budget, "PROJECT_DIR", tmp_path)


def set_budget(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(budget, "configured_budget", lambda: value)


def test_the_budget_policy_is_advisory_by_its_own_level() -> None:
    assert POLICY.name == "stack-budget" and POLICY.enforcement_level is not None
    assert POLICY.enforcement_level.value == "advisory"


def test_a_stack_without_a_budget_is_not_judged() -> None:
    assert check_stack(POLICY, [NAT]).passed


def test_an_estimate_within_the_budget_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "40")
    assert check_stack(POLICY, [NAT]).passed


def test_an_estimate_over_the_budget_is_reported_with_the_excess_and_what_drives_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_budget(monkeypatch, "30")
    result = check_stack(POLICY, [NAT, R("aws:ec2/eip:Eip", "nat-eip"), R("aws:iam/role:Role", "role")])
    assert result.violations == [
        "stack 'dev' is estimated at $41.00/month in us-east-1 (default usage, no Pulumi.dev.usage.yaml), $11.00 "
        "over its platform:budget of $30.00. Largest: nat $37.35, nat-eip $3.65. Reduce what drives it or raise "
        "platform:budget in Pulumi.dev.yaml; `python3 run.py cost --stack dev` prints every line and its assumption."
    ]
    assert pytest.approx(41.00) == NAT_MONTH + 730 * 0.005  # the hand computation


def test_warn_at_percent_reports_before_the_budget_is_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "40")
    result = check_stack(POLICY, [NAT], config={"warnAtPercent": 90})
    assert result.violations == [
        "stack 'dev' is estimated at $37.35/month in us-east-1 (default usage, no Pulumi.dev.usage.yaml), 93% of "
        "its platform:budget of $40.00. Largest: nat $37.35. Reduce what drives it or raise platform:budget in "
        "Pulumi.dev.yaml; `python3 run.py cost --stack dev` prints every line and its assumption."
    ]


def test_the_usage_file_beside_the_stack_file_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.usage.yaml").write_text("defaults:\n  natGateway.processedGb: 10\n")
    set_budget(monkeypatch, "30")
    result = check_stack(POLICY, [NAT])
    assert result.violations[0].startswith(
        "stack 'dev' is estimated at $33.30/month in us-east-1 (usage from Pulumi.dev.usage.yaml), $3.30 over "
    )


def test_a_budget_that_is_not_a_positive_number_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "lots")
    assert check_stack(POLICY, [NAT]).violations == [
        "platform:budget = 'lots' is not a monthly budget: set a positive number of US dollars per month in "
        "Pulumi.dev.yaml (e.g. platform:budget: 700)."
    ]


@pytest.mark.parametrize("value", ["0", "-0.5", "-5"])
def test_a_budget_of_zero_or_less_is_reported(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    set_budget(monkeypatch, value)
    assert check_stack(POLICY, [NAT]).violations == [
        f"platform:budget = {value!r} is not a monthly budget: set a positive number of US dollars per month in "
        "Pulumi.dev.yaml (e.g. platform:budget: 700)."
    ]


def test_a_budget_under_a_dollar_is_still_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "0.5")
    assert (
        check_stack(POLICY, [NAT])
        .violations[0]
        .startswith(
            "stack 'dev' is estimated at $37.35/month in us-east-1 (default usage, no Pulumi.dev.usage.yaml), $36.85 over "
            "its platform:budget of $0.50."
        )
    )


def test_an_estimate_exactly_at_the_budget_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, repr(NAT_MONTH))
    assert check_stack(POLICY, [NAT]).passed


def test_an_estimate_cents_over_the_budget_says_how_much_over(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "37.00")
    assert ", $0.35 over its platform:budget of $37.00." in check_stack(POLICY, [NAT]).violations[0]


def test_a_warning_at_exactly_the_budget_says_the_share_not_an_excess(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, repr(NAT_MONTH))
    result = check_stack(POLICY, [NAT], config={"warnAtPercent": 90})
    assert ", 100% of its platform:budget of $37.35." in result.violations[0]


def test_the_report_names_the_three_largest_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "1")
    eips = [R("aws:ec2/eip:Eip", f"eip-{n}") for n in range(3)]
    violation = check_stack(POLICY, [NAT, *eips]).violations[0]
    assert " Largest: nat $37.35, eip-0 $3.65, eip-1 $3.65. Reduce " in violation


@pytest.mark.parametrize(("config", "region"), [({"aws:region": "eu-west-1"}, "eu-west-1"), ({}, "us-east-1")])
def test_the_estimate_is_priced_in_the_stacks_region_else_the_default(config: dict[str, str], region: str) -> None:
    token = pulumi.runtime.config.CONFIG.set(config)
    try:
        assert CONFIGURED_REGION() == region
    finally:
        pulumi.runtime.config.CONFIG.reset(token)


def test_a_bad_usage_file_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.usage.yaml").write_text("defaults:\n  natGateway.processedGb: many\n")
    set_budget(monkeypatch, "30")
    assert check_stack(POLICY, [NAT]).violations == [
        "the budget cannot be checked: Pulumi.dev.usage.yaml: defaults.natGateway.processedGb = 'many': expected a "
        "number >= 0 (GB per gateway per month)"
    ]


def test_a_resource_the_table_cannot_price_is_reported_even_under_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "500")
    result = check_stack(POLICY, [NAT, R("aws:neptune/cluster:Cluster", "graph")])
    assert result.violations == [
        "stack 'dev' is estimated at at least $37.35/month against its platform:budget of $500.00, but 1 resource(s) "
        "have no price: aws:neptune/cluster:Cluster 'graph' (type not in the price table (nor listed as free)). Add "
        "their prices to policies/guardrails/costing/data/prices.json (or list the type as free in "
        "costing/pricers.py)."
    ]


def test_an_unknown_price_driver_defers_the_verdict_to_up(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "500")
    result = check_stack(POLICY, [NAT, R("aws:lb/loadBalancer:LoadBalancer", "alb", {"loadBalancerType": UNKNOWN})])
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'stack-budget' from policy pack 'test-pack@v0.0.1' during preview: the price of "
        "aws:lb/loadBalancer:LoadBalancer 'alb' can't be known during preview: .loadBalancerType is unknown until "
        "the resource exists; the budget is judged on `pulumi up`"
    ]


def test_a_known_total_already_over_budget_is_reported_at_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    set_budget(monkeypatch, "30")
    result = check_stack(POLICY, [NAT, R("aws:lb/loadBalancer:LoadBalancer", "alb", {"loadBalancerType": UNKNOWN})])
    assert result.violations[0].startswith("stack 'dev' is estimated at at least $37.35/month in us-east-1")
    assert result.deferred == []


# -- end to end: the real pack process ------------------------------------------------------------------
@pytest.fixture(scope="module")
def harness(pack_harness: PolicyHarness) -> PolicyHarness:
    """The session's pack processes (one per stack, mode and stack config), shared with the other modules."""
    return pack_harness


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_pack_reports_the_estimate_the_cost_command_prints(
    preview: bool, harness: PolicyHarness, stack_runs: dict[str, StackRun], preview_runs: dict[str, StackRun]
) -> None:
    run = (preview_runs if preview else stack_runs)["prod"]
    config = {**stack_config("prod"), "platform:budget": "100"}
    report = harness.check_run(run, stack_config=config)
    estimate = estimate_run(run, config)  # what `python3 run.py cost --stack prod` computes
    ranked = sorted(estimate.per_resource().items(), key=lambda kv: -kv[1])[:3]
    largest = ", ".join(f"{estimate.items[urn].name} {usd(cost)}" for urn, cost in ranked)
    found = [d for d in report.diagnostics if d.policy == "stack-budget"]
    assert [(d.level, d.stage, d.message) for d in found] == [
        (
            "advisory",
            "analyze-stack",
            f"stack 'prod' is estimated at {usd(estimate.total)}/month in us-east-1 (usage from Pulumi.prod.usage.yaml), "
            f"{usd(estimate.total - 100)} over its platform:budget of $100.00. Largest: {largest}. Reduce what drives it "
            "or raise platform:budget in Pulumi.prod.yaml; `python3 run.py cost --stack prod` prints every line and its "
            "assumption.",
        )
    ], format_report(report)
    assert report.mandatory == []


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_stays_within_the_budget_its_stack_file_sets(
    stack: str, harness: PolicyHarness, stack_runs: dict[str, StackRun]
) -> None:
    config = stack_config(stack)
    assert float(config["platform:budget"]) > 0
    report = harness.check_run(stack_runs[stack], stack_config=config)
    assert "stack-budget" in report.levels
    assert [d for d in report.diagnostics if d.policy == "stack-budget"] == [], format_report(report)
    assert estimate_run(stack_runs[stack], config).total < float(config["platform:budget"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-5", "Pulumi.prod.yaml: platform:budget = -5: Input should be greater than 0"),
        (
            "lots",
            "Pulumi.prod.yaml: platform:budget = 'lots': Input should be a valid number, unable to parse string as "
            "a number",
        ),
    ],
)
def test_a_bad_budget_in_the_stack_file_is_a_config_error_naming_the_key(value: str, expected: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config("prod", {**stack_config("prod"), "platform:budget": value})
    assert caught.value.lines == [expected]


def test_no_resource_shape_crashes_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.policies.test_robustness import KEYS, LINKS, STACK_VALUES

    set_budget(monkeypatch, "1")
    types = [
        "aws:ecs/service:Service",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:wafv2/webAcl:WebAcl",
        "aws:dynamodb/table:Table",
        "aws:lambda/function:Function",
        "aws:synthetics/canary:Canary",
        "aws:lb/loadBalancer:LoadBalancer",
    ]
    for value in STACK_VALUES:
        props = dict.fromkeys(
            [
                *KEYS,
                "capacityProviderStrategies",
                "subnetIds",
                "globalSecondaryIndexes",
                "architectures",
                "schedule",
                "serverlessv2ScalingConfiguration",
                "cpu",
            ],
            value,
        )
        resources = [R(t, f"r{i}", dict(props)) for i, t in enumerate(types)]
        for i, resource in enumerate(resources):
            resource.deps = {key: [resources[(i + 1) % len(resources)]] for key in [*LINKS, "taskDefinition"]}
        result = check_stack(POLICY, resources)
        assert not [v for v in result.violations if "could not be judged" in v], props
