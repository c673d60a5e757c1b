"""The estimate of a stack: every resource priced, free, missing from the table or (at a first preview) not
yet priceable; totals per resource, per component (the parent chain) and for the stack; and its text form.

    estimate = estimate_stack(items, region="us-east-1", usage=load_usage("prod", project_dir))
    print(render(estimate))

One pass over the resources (plus an index by URN for the few joins: a service's task definition, an Aurora
instance's cluster), so the pack can afford it at AnalyzeStack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from .model import Item, Line, MissingPrice, Quote, UnknownValue, is_custom_type
from .pricers import JOINED_TYPES, PRICERS, free_reason
from .prices import PriceTable, price_table
from .usage import Usage


@dataclass(frozen=True)
class Unpriced:
    """A resource the estimate could not price: missing from the table, or a driver unknown at preview."""

    type: str
    name: str
    urn: str
    reason: str


@dataclass
class Estimate:
    """A stack's estimated monthly cost in USD."""

    stack: str
    region: str
    retrieved: str
    usage_file: str | None
    items: dict[str, Item] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    free: dict[str, str] = field(default_factory=dict)
    """URN -> why it costs nothing."""
    missing: list[Unpriced] = field(default_factory=list)
    unknown: list[Unpriced] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    @property
    def fixed(self) -> float:
        return sum(line.monthly for line in self.lines if line.basis == "fixed")

    @property
    def usage(self) -> float:
        return self.total - self.fixed

    def per_resource(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.resource] = totals.get(line.resource, 0.0) + line.monthly
        return totals

    def per_component(self) -> dict[str, float]:
        """Component URN -> the cost of every resource under it (its whole subtree)."""
        totals: dict[str, float] = {}
        for urn, cost in self.per_resource().items():
            parent = self.items[urn].parent
            seen: set[str] = set()
            while parent and parent in self.items and parent not in seen:
                seen.add(parent)
                ancestor = self.items[parent]
                if not ancestor.custom and ancestor.parent is not None:  # components, not the stack itself
                    totals[parent] = totals.get(parent, 0.0) + cost
                parent = ancestor.parent
        return totals


def _price(item: Item, table: PriceTable, usage: Usage, index: Mapping[str, Item], estimate: Estimate) -> None:
    reason = free_reason(item.type)
    entry = PRICERS.get(item.type)
    if entry is None:
        if reason is not None:
            estimate.free[item.urn] = reason
        else:
            estimate.missing.append(
                Unpriced(item.type, item.name, item.urn, "type not in the price table (nor listed as free)")
            )
        return
    kind, pricer = entry
    quote = Quote(item, table, usage, kind, index)
    try:
        pricer(quote)
    except MissingPrice as error:
        estimate.missing.append(Unpriced(item.type, item.name, item.urn, str(error)))
        return
    except UnknownValue as error:
        estimate.unknown.append(
            Unpriced(item.type, item.name, item.urn, f"{error} is unknown until the resource exists")
        )
        return
    except UnknownValueError as error:  # read through the SDK's proxy outside `dig`
        where = ".".join(error.props)
        estimate.unknown.append(
            Unpriced(item.type, item.name, item.urn, f".{where} is unknown until the resource exists")
        )
        return
    except Exception as error:  # a property shape no pricer foresaw: reported as not priced, never as zero
        estimate.missing.append(
            Unpriced(
                item.type,
                item.name,
                item.urn,
                f"its properties have a shape the estimator does not understand ({type(error).__name__}: {error})",
            )
        )
        return
    if quote.free_reason is not None:
        estimate.free[item.urn] = quote.free_reason
    estimate.lines.extend(quote.lines)


def estimate_stack(
    items: Iterable[Item], *, stack: str, region: str, usage: Usage | None = None, table: PriceTable | None = None
) -> Estimate:
    """Price every custom resource of `items`; components and providers are only grouping."""
    table = table or price_table(region)
    usage = usage or Usage()
    index = {item.urn: item for item in items}
    estimate = Estimate(stack=stack, region=region, retrieved=table.retrieved, usage_file=usage.file, items=index)
    for item in index.values():
        if item.custom and not item.type.startswith("pulumi:providers:"):
            _price(item, table, usage, index, estimate)
    return estimate


def items_from_records(resources: Iterable[Any]) -> list[Item]:
    """`Item`s from resources shaped like `offline.engine.RecordedResource` (outputs carry the inputs)."""
    return [
        Item(
            type=r.type,
            name=r.name,
            urn=r.urn,
            parent=r.parent,
            props=r.outputs,
            custom=r.custom,
            property_dependencies=r.property_dependencies,
        )
        for r in resources
    ]


def items_from_stack(resources: Iterable[Any]) -> list[Item]:
    """`Item`s from the pack's stack resources (`guardrails.base.StackResource`: no custom flag). Properties are
    read through the SDK's proxies as the pricers need them (no copy), and only for the types a price depends on
    (`PRICERS`, `JOINED_TYPES`): one cheap pass at AnalyzeStack."""
    return [
        Item(
            type=r.type,
            name=r.name,
            urn=r.urn,
            parent=r.parent,
            props=r.raw_props
            if (r.type in PRICERS or r.type in JOINED_TYPES) and isinstance(r.raw_props, Mapping)
            else {},
            custom=is_custom_type(r.type),
            property_dependencies=r.property_dependencies,
        )
        for r in resources
    ]


# -- text -----------------------------------------------------------------------------------------------
def usd(value: float) -> str:
    return f"${value:,.2f}"


def render(estimate: Estimate, *, detail: bool = True) -> str:
    """Per resource (with each line's arithmetic and assumption), per component, per stack."""
    out: list[str] = []
    source = estimate.usage_file or "the default assumptions"
    out.append(
        f"Estimated monthly cost of {estimate.stack} ({estimate.region}), USD: prices of {estimate.retrieved} "
        f"(policies/guardrails/costing/data/prices.json), usage from {source}"
    )
    per_resource = estimate.per_resource()
    if detail:
        out.append("")
        out.append("Per resource:")
        by_resource: dict[str, list[Line]] = {}
        for line in estimate.lines:
            by_resource.setdefault(line.resource, []).append(line)
        for urn, lines in sorted(by_resource.items(), key=lambda kv: (-per_resource[kv[0]], kv[0])):
            item = estimate.items[urn]
            out.append(f"  {usd(per_resource[urn]):>10}  {item.type}  {item.name}")
            for line in lines:
                note = f"  [{line.assumption}]" if line.assumption else ""
                out.append(
                    f"  {usd(line.monthly):>10}      {line.what}: {line.quantity:,.4g} {line.unit} x "
                    f"${line.unit_price:g}{note}"
                )
    components = estimate.per_component()
    if components:
        out.append("")
        out.append("Per component:")

        def depth(urn: str) -> int:
            level, parent = 0, estimate.items[urn].parent
            while parent and parent in estimate.items and estimate.items[parent].parent is not None:
                level, parent = level + 1, estimate.items[parent].parent
            return level

        order = [i.urn for i in estimate.items.values() if i.urn in components]
        for urn in order:
            item = estimate.items[urn]
            out.append(f"  {usd(components[urn]):>10}  {'  ' * depth(urn)}{item.type}  {item.name}")
    free_types = Counter(estimate.items[urn].type for urn in estimate.free)
    out.append("")
    out.append(
        f"Free: {sum(free_types.values())} resources of {len(free_types)} types"
        + (": " + ", ".join(f"{t} x{n}" for t, n in sorted(free_types.items())) if detail else "")
    )
    for title, entries in (
        ("Not priced, missing from the price table", estimate.missing),
        ("Not priced yet, unknown at this preview", estimate.unknown),
    ):
        if entries:
            out.append(f"{title} ({len(entries)}):")
            out.extend(f"  {e.type}  {e.name}: {e.reason}" for e in entries)
    out.append("")
    qualifier = "at least " if estimate.missing or estimate.unknown else ""
    out.append(
        f"Stack total: {qualifier}{usd(estimate.total)} / month "
        f"(fixed {usd(estimate.fixed)}, usage-driven {usd(estimate.usage)})"
    )
    return "\n".join(out)


def to_json(estimate: Estimate) -> dict[str, Any]:
    """The estimate as data (for the pull request's base-vs-head difference)."""
    per_resource = estimate.per_resource()
    return {
        "stack": estimate.stack,
        "region": estimate.region,
        "retrieved": estimate.retrieved,
        "usageFile": estimate.usage_file,
        "total": round(estimate.total, 2),
        "fixed": round(estimate.fixed, 2),
        "usage": round(estimate.usage, 2),
        "resources": {
            f"{estimate.items[u].type}::{estimate.items[u].name}": round(c, 2) for u, c in sorted(per_resource.items())
        },
        "components": {
            f"{estimate.items[u].type}::{estimate.items[u].name}": round(c, 2)
            for u, c in sorted(estimate.per_component().items())
        },
        "missing": [{"type": e.type, "name": e.name, "reason": e.reason} for e in estimate.missing],
        "unknown": [{"type": e.type, "name": e.name, "reason": e.reason} for e in estimate.unknown],
    }


__all__ = [
    "Estimate",
    "Unpriced",
    "estimate_stack",
    "items_from_records",
    "items_from_stack",
    "render",
    "to_json",
    "usd",
]
