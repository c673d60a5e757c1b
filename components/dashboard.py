"""The stack dashboard body, drawn from the monitoring plan (components/alarms.py).

CloudWatch's dashboard body is a JSON string ("Dashboard Body Structure and Syntax", CloudWatch API reference):
`widgets[]`, each with `type` (metric, text, alarm...), a place on the 24-column grid (`x` 0-23, `y`, `width`
1-24, `height`) and `properties`. A metric widget lists `metrics` rows, each
`[namespace, metricName, dimName, dimValue, ..., {rendering properties}]` or `[{expression, label, id}]`, with
`region`, `stat`, `period`, `view`, `stacked`, `title`. tests/schemas/cloudwatch_dashboard.schema.json holds
that structure as a JSON Schema, and the tests validate every stack's body against it.

All Output values (names, ARN suffixes, alarm ARNs) are resolved once, together, and the body is rendered with
`json.dumps` inside that single apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pulumi

from .alarms import AlarmSpec, Expression, Metric, MonitoringPlan, Series, Widget

GRID_COLUMNS = 24
WIDGET_WIDTH = 8
WIDGET_HEIGHT = 6
ALARMS_PER_STATUS_WIDGET = 100
"""An alarm status widget lists 1 to 100 alarm ARNs."""
THRESHOLD_COLOUR = "#d62728"

Resolve = Callable[[Any], Any]


def dashboard_body(
    plan: MonitoringPlan, *, region: str, heading: str, alarm_arns: Sequence[pulumi.Input[str]]
) -> pulumi.Output[str]:
    """The dashboard body JSON: a heading, the status of every alarm, then one row group per section."""
    inputs: list[pulumi.Output[Any]] = []
    index: dict[int, int] = {}

    def collect(value: Any) -> None:
        if isinstance(value, str | int | float | bool) or value is None or id(value) in index:
            return
        index[id(value)] = len(inputs)
        inputs.append(pulumi.Output.from_input(value))

    for section in plan.sections:
        for widget in section.widgets:
            for series in plan.graphed(widget):
                if isinstance(series, Metric):
                    for _, value in series.dimensions:
                        collect(value)
    for arn in alarm_arns:
        collect(arn)

    def render(values: list[Any]) -> str:
        def resolve(value: Any) -> Any:
            return values[index[id(value)]] if id(value) in index else value

        return json.dumps(
            render_body(
                plan, region=region, heading=heading, alarm_arns=[resolve(a) for a in alarm_arns], resolve=resolve
            )
        )

    return pulumi.Output.all(*inputs).apply(render)


def render_body(
    plan: MonitoringPlan, *, region: str, heading: str, alarm_arns: Sequence[str], resolve: Resolve
) -> dict[str, Any]:
    """The body as a dict, every value plain."""
    widgets: list[dict[str, Any]] = [_text(0, 2, heading)]
    y = 2
    for start in range(0, len(alarm_arns), ALARMS_PER_STATUS_WIDGET):
        chunk = list(alarm_arns[start : start + ALARMS_PER_STATUS_WIDGET])
        height = 2 + (len(chunk) + 3) // 4
        widgets.append(
            {
                "type": "alarm",
                "x": 0,
                "y": y,
                "width": GRID_COLUMNS,
                "height": height,
                "properties": {"title": "Alarms", "alarms": chunk, "sortBy": "stateUpdatedTimestamp"},
            }
        )
        y += height
    per_row = GRID_COLUMNS // WIDGET_WIDTH
    for section in plan.sections:
        widgets.append(_text(y, 1, f"## {section.title}"))
        y += 1
        for position, widget in enumerate(section.widgets):
            x = (position % per_row) * WIDGET_WIDTH
            row = y + (position // per_row) * WIDGET_HEIGHT
            widgets.append(_metric_widget(plan, widget, (x, row), region, resolve))
        y += -(-len(section.widgets) // per_row) * WIDGET_HEIGHT
    return {"start": "-PT6H", "periodOverride": "inherit", "widgets": widgets}


def _text(y: int, height: int, markdown: str) -> dict[str, Any]:
    return {
        "type": "text",
        "x": 0,
        "y": y,
        "width": GRID_COLUMNS,
        "height": height,
        "properties": {"markdown": markdown, "background": "transparent"},
    }


def _metric_widget(
    plan: MonitoringPlan, widget: Widget, at: tuple[int, int], region: str, resolve: Resolve
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": widget.title,
        "region": region,
        "view": "timeSeries",
        "stacked": widget.stacked,
        "stat": widget.stat,
        "period": widget.period,
        "metrics": [_row(series, resolve) for series in plan.graphed(widget)],
        "yAxis": {"left": _axis(widget.left_label)},
    }
    if widget.right_label is not None:
        properties["yAxis"]["right"] = _axis(widget.right_label)
    thresholds = [_threshold(alarm) for alarm in plan.alarms_of(widget.key)]
    if thresholds:
        properties["annotations"] = {"horizontal": thresholds}
    x, y = at
    return {"type": "metric", "x": x, "y": y, "width": WIDGET_WIDTH, "height": WIDGET_HEIGHT, "properties": properties}


def _axis(label: str | None) -> dict[str, Any]:
    axis: dict[str, Any] = {"min": 0}
    if label is not None:
        axis["label"] = label
    return axis


def _row(series: Series, resolve: Resolve) -> list[Any]:
    if isinstance(series, Expression):
        return [{"expression": series.expression, "label": series.label, "id": series.id}]
    rendering: dict[str, Any] = {"id": series.id, "stat": series.stat, "period": series.period}
    if series.label is not None:
        rendering["label"] = series.label
    if not series.visible:
        rendering["visible"] = False
    if series.axis == "right":
        rendering["yAxis"] = "right"
    dimensions = [part for name, value in series.dimensions for part in (name, resolve(value))]
    return [series.namespace, series.name, *dimensions, rendering]


def _threshold(alarm: AlarmSpec) -> dict[str, Any]:
    above = alarm.comparison.startswith("GreaterThan")
    return {
        "label": f"{alarm.what} alarm ({'>' if above else '<'} {alarm.threshold:g})",
        "value": alarm.threshold,
        "color": THRESHOLD_COLOUR,
        "fill": "above" if above else "below",
        "yAxis": "left",
    }
