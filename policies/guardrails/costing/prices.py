"""The price table (`data/prices.json`): on-demand list prices per region, with its sources and date.

A lookup that finds nothing raises `MissingPrice` naming what is missing and where: the estimate reports
the resource as not priced, never as free.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).resolve().parent / "data" / "prices.json"


class MissingPrice(Exception):
    """No price in the table for something a resource is billed for (a region, an instance class...)."""


@dataclass(frozen=True)
class PriceTable:
    """One region's prices, plus the table's date and hours per month (730, AWS's own monthly figure)."""

    region: str
    prices: Mapping[str, Any]
    retrieved: str
    hours_per_month: float

    def price(self, *path: str) -> float:
        """`price("natGateway", "hour")`; `MissingPrice` when a step is absent."""
        current: Any = self.prices
        for step in path:
            if not isinstance(current, Mapping) or step not in current:
                raise MissingPrice(f"no price for {'.'.join(path)} in {self.region} in the price table")
            current = current[step]
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise MissingPrice(f"no price for {'.'.join(path)} in {self.region} in the price table")
        return float(current)


@cache
def _document(path: Path = PRICES_FILE) -> dict[str, Any]:
    return json.loads(path.read_text())


def price_table(region: str, path: Path = PRICES_FILE) -> PriceTable:
    """The table for `region`; a region the table lacks gives an empty table (every priced line is then
    reported missing)."""
    document = _document(path)
    return PriceTable(
        region=region,
        prices=document["regions"].get(region, {}),
        retrieved=str(document["retrieved"]),
        hours_per_month=float(document["hoursPerMonth"]),
    )


def regions(path: Path = PRICES_FILE) -> list[str]:
    return sorted(_document(path)["regions"])


__all__ = ["PRICES_FILE", "MissingPrice", "PriceTable", "price_table", "regions"]
