"""The in-process engine registers plain-data resources without the SDK's (de)serialisation round trip: what it
records is exactly what the SDK's own mock path records."""

from __future__ import annotations

from typing import Any

import pytest

from offline import engine
from offline.engine import RecordedResource, StackRun


def _comparable(resource: RecordedResource) -> tuple[Any, ...]:
    # dependency lists come from sets in the SDK: their order varies from run to run, whatever the path
    return (
        resource.type,
        resource.name,
        resource.custom,
        resource.parent,
        resource.inputs,
        resource.outputs,
        resource.id,
        resource.protect,
        resource.provider,
        resource.retain_on_delete,
        resource.ignore_changes,
        sorted(resource.dependencies),
        {k: sorted(v) for k, v in resource.property_dependencies.items()},
    )


@pytest.mark.parametrize(("stack", "preview"), [("prod", False), ("dev", True)])
def test_the_fast_path_records_what_the_sdks_mock_path_records(
    stack: str,
    preview: bool,
    stack_runs: dict[str, StackRun],
    preview_runs: dict[str, StackRun],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = (preview_runs if preview else stack_runs)[stack]
    monkeypatch.setattr(engine.RecordingMonitor, "fast", False)
    slow = engine.run_stack(stack, preview=preview)
    assert {r.urn: _comparable(r) for r in slow} == {r.urn: _comparable(r) for r in fast}
    assert slow.outputs == fast.outputs
    plain = sum(1 for r in fast if r.type != engine.ROOT_TYPE and engine._wire_plain(r.inputs))
    assert plain > (10 if preview else len(fast.resources) // 2), "the comparison covers the fast path"


def test_values_the_fast_path_does_not_handle_take_the_sdks_path() -> None:
    assert engine._wire_plain({"a": [1.0, None, {"b": True}], "c": "x"})
    assert not engine._wire_plain({"a": engine.UNKNOWN})  # an unknown
    assert not engine._wire_plain({"a": {engine._SIG: engine._SECRET_SIG, "value": "s"}})  # a secret
    assert not engine._wire_plain({"a": object()})
    assert engine._without_nulls({"a": None, "b": [None, {"c": None, "d": 1}]}) == {"b": [None, {"d": 1}]}
