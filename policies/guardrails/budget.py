"""Budget: a stack whose estimated monthly cost exceeds its `platform:budget` (USD per month, in the stack
file) is reported. Advisory: an estimate informs a review, it never blocks a deploy.

The estimate is the one `python3 run.py cost --stack <s>` prints (`costing/`): the same price table, the
same usage defaults and the same `Pulumi.<stack>.usage.yaml`, read from the project directory the pack lives
in (this pack's parent directory; a pack used from elsewhere finds no usage file and uses the defaults), in
the stack's `aws:region`. It reads the stack config the engine hands the pack (PULUMI_CONFIG), so the budget
has one source: the stack file.

- No `platform:budget`: nothing to judge (the bootstrap stack, a stack without one).
- A budget that is not a positive number: reported, naming the value.
- The estimate over the budget (or over `warnAtPercent` of it): reported with the total, the excess and the
  three largest resources. Resources the table cannot price are named in the message and the total is
  "at least"; if such resources exist while the rest stays under budget, that is reported too (never a silent
  zero).
- A first preview: the prices of this platform's resources depend on inputs (sizes, counts, classes), known
  at preview; where one is unknown, a known total already over budget is reported ("at least"), otherwise the
  check is deferred to `pulumi up` ("can't run policy ... during preview"), never passed.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi_policy import EnforcementLevel, Severity

from .base import Context, Stack, stack_policy
from .costing import Estimate, UsageFileError, estimate_stack, items_from_stack, load_usage, usage_file_name, usd

PROJECT_DIR = Path(__file__).resolve().parents[2]
"""Where the stack files (and their usage files) are: the directory this pack lives in."""
DEFAULT_REGION = "us-east-1"


def configured_budget() -> str | None:
    """`platform:budget` from the stack config the engine gives the pack (PULUMI_CONFIG); None if unset."""
    return pulumi.Config("platform").get("budget")


def configured_region() -> str:
    return pulumi.Config("aws").get("region") or DEFAULT_REGION


def _largest(estimate: Estimate, count: int = 3) -> str:
    ranked = sorted(estimate.per_resource().items(), key=lambda kv: -kv[1])[:count]
    return ", ".join(f"{estimate.items[urn].name} {usd(cost)}" for urn, cost in ranked)


def _unpriced(estimate: Estimate) -> str:
    return ", ".join(f"{e.type} '{e.name}' ({e.reason})" for e in estimate.missing)


def check_budget(stack: Stack, ctx: Context) -> None:
    raw = configured_budget()
    if raw is None:
        return
    try:
        budget = float(raw)
    except ValueError:
        budget = -1.0
    if budget <= 0:
        ctx.violation(
            f"platform:budget = {raw!r} is not a monthly budget: set a positive number of US dollars "
            f"per month in Pulumi.{ctx.stack}.yaml (e.g. platform:budget: 700)."
        )
        return
    try:
        usage = load_usage(ctx.stack, PROJECT_DIR)
    except UsageFileError as error:
        ctx.violation(f"the budget cannot be checked: {error}")
        return
    estimate = estimate_stack(
        items_from_stack(stack.resources), stack=ctx.stack, region=configured_region(), usage=usage
    )
    limit = budget * float(ctx.settings.get("warnAtPercent", 100)) / 100
    partial = "at least " if estimate.missing or estimate.unknown else ""
    assumptions = f"usage from {usage.file}" if usage.file else f"default usage, no {usage_file_name(ctx.stack)}"
    if estimate.total > limit:
        over = estimate.total - budget
        share = f"{usd(over)} over" if over > 0 else f"{estimate.total / budget:.0%} of"
        unpriced = f" Not priced: {_unpriced(estimate)}." if estimate.missing else ""
        ctx.violation(
            f"stack '{ctx.stack}' is estimated at {partial}{usd(estimate.total)}/month in {estimate.region} "
            f"({assumptions}), {share} its platform:budget of {usd(budget)}. Largest: {_largest(estimate)}.{unpriced} "
            f"Reduce what drives it or raise platform:budget in Pulumi.{ctx.stack}.yaml; "
            f"`python3 run.py cost --stack {ctx.stack}` prints every line and its assumption."
        )
        return
    if estimate.missing:
        ctx.violation(
            f"stack '{ctx.stack}' is estimated at {partial}{usd(estimate.total)}/month against its platform:budget of "
            f"{usd(budget)}, but {len(estimate.missing)} resource(s) have no price: {_unpriced(estimate)}. Add their "
            "prices to policies/guardrails/costing/data/prices.json (or list the type as free in costing/pricers.py)."
        )
    for entry in estimate.unknown:
        ctx.defer(f"the price of {entry.type} '{entry.name}'", f"{entry.reason}; the budget is judged on `pulumi up`")


POLICIES = [
    stack_policy(
        name="stack-budget",
        description="A stack's estimated monthly cost stays within its platform:budget.",
        check=check_budget,
        remediation="Lower what drives the estimate (NAT gateways, task sizes and counts, database capacity) or raise "
        "platform:budget in the stack file; `python3 run.py cost --stack <stack>` shows every line.",
        severity=Severity.LOW,
        enforcement_level=EnforcementLevel.ADVISORY,
        settings={
            "warnAtPercent": {
                "type": "number",
                "minimum": 1,
                "default": 100,
                "description": "Report when the estimate exceeds this percentage of platform:budget (100: only over it).",
            }
        },
    ),
]

__all__ = ["POLICIES", "PROJECT_DIR", "check_budget", "configured_budget", "configured_region"]
