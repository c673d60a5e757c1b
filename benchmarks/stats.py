"""Repeated measurements and their min / median / max, the table, and the JSON that compares commits."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    """One line of the table: what was measured, in which unit, over several runs."""

    name: str
    unit: str
    samples: list[float] = field(default_factory=list)
    note: str = ""
    section: str = ""
    target: float | None = None
    """The figure's median must stay at or below this (same unit); None: no target."""

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    @property
    def met(self) -> bool | None:
        """Whether the median meets the target; None without a target or samples."""
        if self.target is None or not self.samples:
            return None
        return self.median <= self.target

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "section": self.section,
            "name": self.name,
            "unit": self.unit,
            "samples": list(self.samples),
            "note": self.note,
        }
        if self.samples:
            data |= {"min": self.min, "median": self.median, "max": self.max, "runs": len(self.samples)}
        if self.target is not None:
            data |= {"target": self.target, "met": self.met}
        return data


def measure(name: str, unit: str, runs: int, sample: Callable[[], float], note: str = "", **kwargs: Any) -> Figure:
    """Call `sample` `runs` times; each call returns one measurement in `unit`."""
    figure = Figure(name, unit, note=note, **kwargs)
    for _ in range(runs):
        figure.samples.append(sample())
    return figure


def linear_fit(points: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Least-squares line through (x, y) points: (slope, intercept, r²). r² is 1.0 for a perfect line."""
    if len(points) < 2:
        raise ValueError("a line needs at least two points")
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    mean = statistics.fmean(ys)
    total = sum((y - mean) ** 2 for y in ys)
    residual = sum((y - (slope * x + intercept)) ** 2 for x, y in points)
    return slope, intercept, 1.0 - residual / total if total else 1.0


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def render(figures: Iterable[Figure]) -> str:
    """The table: one line per figure, grouped by section, the target and whether it is met at the end."""
    figures = [f for f in figures if f.samples]
    if not figures:
        return "(no figures)"
    width = max(len(f.name) for f in figures)
    header = f"{'figure':<{width}}  {'min':>8}  {'median':>8}  {'max':>8}  {'unit':<6} {'runs':>4}  note"
    lines = [header, "-" * len(header)]
    section = None
    for f in figures:
        if f.section != section:
            section = f.section
            if len(lines) > 2:
                lines.append("")
            lines.append(f"[{section}]")
        note = f.note
        if f.target is not None:
            verdict = "meets" if f.met else "MISSES"
            note = f"{verdict} target <= {_number(f.target)} {f.unit}" + (f"; {note}" if note else "")
        lines.append(
            f"{f.name:<{width}}  {_number(f.min):>8}  {_number(f.median):>8}  {_number(f.max):>8}  "
            f"{f.unit:<6} {len(f.samples):>4}  {note}".rstrip()
        )
    return "\n".join(lines)


def compare(current: Sequence[Mapping[str, Any]], previous: Sequence[Mapping[str, Any]]) -> str:
    """Median against median, figure by figure (matched by section and name), from two `--json` outputs."""
    before = {(f.get("section"), f.get("name")): f for f in previous if "median" in f}
    lines = []
    width = max((len(str(f.get("name"))) for f in current), default=10)
    for f in current:
        old = before.get((f.get("section"), f.get("name")))
        if old is None or "median" not in f or not old["median"]:
            continue
        change = (f["median"] - old["median"]) / old["median"] * 100
        lines.append(
            f"{f['name']:<{width}}  {_number(old['median']):>8} -> {_number(f['median']):>8} "
            f"{f['unit']:<6} {change:+6.1f} %"
        )
    return "\n".join(lines) if lines else "(no figure in common)"
