"""Estimated monthly cost of a stack, from its recorded resources, a price table shipped with the pack and
documented usage assumptions.

It lives in the pack (the budget policy runs it at AnalyzeStack; the pack may import nothing of the
platform), and the platform's `python3 run.py cost` and offline preview import it from here (the platform
may import the pack, never the reverse). Plain Python over plain data: no Pulumi call, no network.

- `prices.py`: the table (`data/prices.json`: us-east-1 and us-west-2, sources and date in the file).
- `usage.py`: the assumptions (`data/usage_defaults.json`) and a stack's `Pulumi.<stack>.usage.yaml`.
- `pricers.py`: how each type is billed; which types are free and why.
- `estimate.py`: one pass over the resources; totals per resource, component and stack; text and JSON.
"""

from __future__ import annotations

from .estimate import Estimate, Unpriced, estimate_stack, items_from_records, items_from_stack, render, to_json, usd
from .model import Item, Line
from .prices import MissingPrice, PriceTable, price_table
from .usage import Usage, UsageFileError, load_usage, parse_usage, usage_file_name

__all__ = [
    "Estimate",
    "Item",
    "Line",
    "MissingPrice",
    "PriceTable",
    "Unpriced",
    "Usage",
    "UsageFileError",
    "estimate_stack",
    "items_from_records",
    "items_from_stack",
    "load_usage",
    "parse_usage",
    "price_table",
    "render",
    "to_json",
    "usage_file_name",
    "usd",
]
