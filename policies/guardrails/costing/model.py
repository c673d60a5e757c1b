"""What the estimator works on and produces: resources as recorded (type, name, URN, parent, properties), and
priced lines. Plain data, no Pulumi types: the same code serves the CLI (an in-process run's recorded
resources) and the pack (AnalyzeStack's resources)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ..base import UNKNOWN_SENTINELS, Unknown
from .prices import MissingPrice, PriceTable
from .usage import Figure, Usage


@dataclass(frozen=True)
class Item:
    """One resource: its outputs (which carry its inputs) as `props` (plain data, or the policy SDK's read-only
    proxies, which raise `UnknownValueError` on an unknown value); `custom` False for components."""

    type: str
    name: str
    urn: str
    parent: str | None
    props: Mapping[str, Any]
    custom: bool = True
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)


def is_custom_type(token: str) -> bool:
    """Provider resources have a module path in their token (`aws:ec2/vpc:Vpc`); components do not
    (`platform:network:Network`), nor does the stack. The pack's stack resources carry no `custom` flag."""
    parts = token.split(":")
    return len(parts) == 3 and "/" in parts[1] and not token.startswith("pulumi:")


class UnknownValue(Exception):
    """A property the price depends on is unknown (a first preview): the resource cannot be priced yet."""


def unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or (isinstance(value, str) and value in UNKNOWN_SENTINELS)


def dig(props: Mapping[str, Any], path: str) -> Any:
    """`props` at a dotted path (`serverlessv2ScalingConfiguration.minCapacity`); None when absent;
    `UnknownValue` when a step is unknown."""
    current: Any = props
    for step in path.split("."):
        if unknown(current):
            raise UnknownValue(f".{path}")
        try:  # the SDK's proxies raise on reading an unknown value, `in` included
            if not isinstance(current, Mapping) or step not in current:
                return None
            current = current[step]
        except UnknownValueError:
            raise UnknownValue(f".{path}") from None
    if unknown(current):
        raise UnknownValue(f".{path}")
    return current


def number(value: Any) -> float | None:
    """Numbers arrive as floats or strings ("1024"); None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Line:
    """One priced item of a resource: quantity x unit price = monthly USD; `basis` "usage" when the
    quantity is an assumption (named in `assumption`)."""

    resource: str
    what: str
    quantity: float
    unit: str
    unit_price: float
    monthly: float
    basis: str
    assumption: str | None = None


class Quote:
    """What a pricer writes a resource's lines into, with the prices, usage and the other resources."""

    def __init__(self, item: Item, table: PriceTable, usage: Usage, kind: str, index: Mapping[str, Item]) -> None:
        self.item, self.table, self.usage, self.kind, self.index = item, table, usage, kind, index
        self.lines: list[Line] = []
        self.free_reason: str | None = None

    @property
    def hours(self) -> float:
        return self.table.hours_per_month

    def get(self, path: str) -> Any:
        return dig(self.item.props, path)

    def number(self, path: str, default: float | None = None) -> float | None:
        value = number(self.get(path))
        return default if value is None else value

    def price(self, *path: str) -> float:
        return self.table.price(*path)

    def figure(self, key: str, fallback: float | None = None) -> Figure:
        return self.usage.figure(self.kind, self.item.name, key, fallback)

    def fixed(self, what: str, quantity: float, unit: str, unit_price: float) -> None:
        """A charge that needs no assumption (hours provisioned, a monthly fee)."""
        self.lines.append(Line(self.item.urn, what, quantity, unit, unit_price, quantity * unit_price, "fixed"))

    def usage_line(self, what: str, figure: Figure, unit: str, unit_price: float, scale: float = 1.0) -> None:
        """A charge driven by an assumption: `figure.value * scale` units at `unit_price`."""
        quantity = figure.value * scale
        self.lines.append(
            Line(
                self.item.urn,
                what,
                quantity,
                unit,
                unit_price,
                quantity * unit_price,
                "usage",
                f"{figure.source} = {figure.value:g}",
            )
        )

    def free(self, reason: str) -> None:
        """This resource costs nothing by its configuration (a gateway endpoint, Container Insights off...)."""
        self.free_reason = reason

    def related(self, prop: str) -> Item | None:
        """The resource this one's `prop` depends on (property dependencies: known even at preview)."""
        for urn in self.item.property_dependencies.get(prop, ()):
            if urn in self.index:
                return self.index[urn]
        return None


__all__ = ["Item", "Line", "MissingPrice", "Quote", "UnknownValue", "dig", "is_custom_type", "number", "unknown"]
