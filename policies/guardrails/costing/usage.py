"""Usage assumptions: the documented defaults (`data/usage_defaults.json`) and a stack's own overrides.

A stack overrides them in `Pulumi.<stack>.usage.yaml`, beside its stack file:

    defaults:                      # any default by its key
      natGateway.processedGb: 400
    resources:                     # one resource, by its Pulumi name, by field
      worker-service:
        tasks: 4

Every usage-driven line of an estimate names where its figure came from (the file and key, or "default").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "usage_defaults.json"


class UsageFileError(ValueError):
    """A usage file that is not shaped as documented: names the file, the key and what is allowed."""


def usage_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.usage.yaml"


@cache
def default_assumptions() -> dict[str, dict[str, Any]]:
    """`kind.field` -> {value, unit, why}."""
    return dict(json.loads(DEFAULTS_FILE.read_text())["assumptions"])


@dataclass(frozen=True)
class Figure:
    """One usage figure and where it came from."""

    value: float
    source: str


@dataclass(frozen=True)
class Usage:
    """The assumptions one estimate uses: defaults, then the usage file's `defaults`, then `resources`."""

    file: str | None = None
    defaults: Mapping[str, float] = field(default_factory=dict)
    resources: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def figure(self, kind: str, name: str, key: str, fallback: float | None = None) -> Figure:
        """The figure for `kind.key` of resource `name`. `fallback` is what a default with no fixed value
        (`null` in the defaults file) means for this resource (a service's desiredCount...)."""
        per_resource = self.resources.get(name, {})
        if key in per_resource:
            return Figure(float(per_resource[key]), f"{self.file}: resources.{name}.{key}")
        full = f"{kind}.{key}"
        if full in self.defaults:
            return Figure(float(self.defaults[full]), f"{self.file}: defaults.{full}")
        assumption = default_assumptions().get(full)
        if assumption is None:
            raise KeyError(f"no usage assumption {full} in {DEFAULTS_FILE.name}")
        value = assumption["value"]
        if value is None:
            if fallback is None:
                raise KeyError(f"usage assumption {full} needs a value for {name}")
            return Figure(float(fallback), f"default {full}")
        return Figure(float(value), f"default {full}")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def parse_usage(document: Any, file: str) -> Usage:
    """A usage file's content, checked: unknown default keys and non-numbers are refused."""
    if document is None:
        return Usage(file=file)
    if not isinstance(document, Mapping) or set(document) - {"defaults", "resources"}:
        raise UsageFileError(f"{file}: expected a mapping with `defaults:` and/or `resources:`")
    known = default_assumptions()
    defaults: dict[str, float] = {}
    for key, value in (document.get("defaults") or {}).items():
        if key not in known:
            raise UsageFileError(f"{file}: defaults.{key}: not a usage assumption; one of {', '.join(sorted(known))}")
        if not _number(value):
            raise UsageFileError(f"{file}: defaults.{key} = {value!r}: expected a number >= 0 ({known[key]['unit']})")
        defaults[key] = float(value)
    fields = {key.split(".", 1)[1] for key in known}
    resources: dict[str, dict[str, float]] = {}
    for name, values in (document.get("resources") or {}).items():
        if not isinstance(values, Mapping):
            raise UsageFileError(f"{file}: resources.{name}: expected a mapping of field: number")
        for key, value in values.items():
            if key not in fields:
                raise UsageFileError(
                    f"{file}: resources.{name}.{key}: not a usage field; one of {', '.join(sorted(fields))}"
                )
            if not _number(value):
                raise UsageFileError(f"{file}: resources.{name}.{key} = {value!r}: expected a number >= 0")
        resources[str(name)] = {str(k): float(v) for k, v in values.items()}
    return Usage(file=file, defaults=defaults, resources=resources)


def load_usage(stack: str, project_dir: Path) -> Usage:
    """The stack's usage file if there is one, else the defaults alone. Parsed once per version of the file
    (the pack's budget policy asks at every AnalyzeStack)."""
    path = project_dir / usage_file_name(stack)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Usage()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _parsed(path: Path, mtime_ns: int, size: int) -> Usage:
    del mtime_ns, size  # cache keys: a changed file is read again
    return parse_usage(yaml.safe_load(path.read_text()), path.name)


__all__ = [
    "DEFAULTS_FILE",
    "Figure",
    "Usage",
    "UsageFileError",
    "default_assumptions",
    "load_usage",
    "parse_usage",
    "usage_file_name",
]
