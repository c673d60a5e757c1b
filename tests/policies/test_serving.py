"""The pack's serving preparation on whole stacks: decoding each resource's properties once per call, and building
what Analyze and AnalyzeStack hand their policies once per call, change no verdict, and do decode and build once."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk
from pulumi_policy.policy import _PolicyAnalyzerServicer

from offline.engine import StackRun
from policies.guardrails import PACK_NAME, POLICIES
from policies.guardrails.serving import build_once_per_call, decode_properties_once

from .helpers import struct


def _requests(run: StackRun) -> tuple[list[analyzer_pb2.AnalyzeRequest], analyzer_pb2.AnalyzeStackRequest]:
    each = [
        analyzer_pb2.AnalyzeRequest(type=r.type, urn=r.urn, name=r.name, properties=struct(r.inputs))
        for r in run.resources
    ]
    whole = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                urn=r.urn,
                name=r.name,
                properties=struct(r.outputs),
                parent=r.parent or "",
                dependencies=list(r.dependencies),
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v) for k, v in r.property_dependencies.items()
                },
            )
            for r in run.resources
        ]
    )
    return each, whole


def _verdicts(run: StackRun) -> list[bytes]:
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY)
    each, whole = _requests(run)
    responses: list[Any] = []
    for request in each:
        responses += [servicer.Remediate(request, None), servicer.Analyze(request, None)]
    responses.append(servicer.AnalyzeStack(whole, None))
    return [r.SerializeToString(deterministic=True) for r in responses]


def test_each_resource_is_decoded_once_per_call(
    stack_runs: dict[str, StackRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[int] = []
    real = sdk.json_format.MessageToDict  # pyright: ignore[reportPrivateImportUsage]

    def counting(message: Any, *args: Any, **kwargs: Any) -> Any:
        decoded.append(id(message))
        return real(message, *args, **kwargs)

    monkeypatch.setattr(sdk.json_format, "MessageToDict", counting)  # pyright: ignore[reportPrivateImportUsage]
    run = stack_runs["dev"]
    each, whole = _requests(run)
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY)
    servicer.AnalyzeStack(whole, None)
    per_policy = len(decoded)
    undo = decode_properties_once()
    try:
        decoded.clear()
        servicer.AnalyzeStack(whole, None)
        assert len(decoded) == len(run.resources) < per_policy
        decoded.clear()
        servicer.Analyze(each[1], None)
        assert len(decoded) == 1
    finally:
        undo()
    decoded.clear()
    servicer.Analyze(each[1], None)
    assert len(decoded) > 1, "undone: once per policy again"


def test_each_resource_is_deserialised_and_proxied_once_per_call(
    stack_runs: dict[str, StackRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: dict[str, int] = {"deserialize_properties": 0, "unknown_checking_proxy": 0}

    def counting(name: str) -> Any:
        real = getattr(sdk, name)

        def count(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return count

    for name in calls:
        monkeypatch.setattr(sdk, name, counting(name))
    run = stack_runs["dev"]
    each, whole = _requests(run)
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY)
    servicer.AnalyzeStack(whole, None)
    per_policy = dict(calls)
    undo = decode_properties_once()
    try:
        calls.update(dict.fromkeys(calls, 0))
        servicer.AnalyzeStack(whole, None)
        assert calls == dict.fromkeys(calls, len(run.resources))
        assert all(len(run.resources) < n for n in per_policy.values())
        calls.update(dict.fromkeys(calls, 0))
        servicer.Analyze(each[1], None)
        assert calls == dict.fromkeys(calls, 1)
    finally:
        undo()
    calls.update(dict.fromkeys(calls, 0))
    servicer.Analyze(each[1], None)
    assert all(n > 1 for n in calls.values()), "undone: once per policy again"


ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _stack_requests(*runs: StackRun) -> list[analyzer_pb2.AnalyzeStackRequest]:
    """Each run's AnalyzeStack request, and a broken copy of it without its alarms (stack policies fire)."""
    requests = []
    for run in runs:
        _, whole = _requests(run)
        requests += [whole, analyzer_pb2.AnalyzeStackRequest(resources=[r for r in whole.resources if r.type != ALARM])]
    return requests


def test_serving_once_per_call_changes_no_verdict(
    stack_runs: dict[str, StackRun], preview_runs: dict[str, StackRun]
) -> None:
    preview, up = preview_runs["prod"], stack_runs["prod"]  # a first preview: deferrals
    untagged = [  # and no tags anywhere: resource policies report, not only defer
        analyzer_pb2.AnalyzeRequest(
            type=r.type, urn=r.urn, name=r.name, properties=struct({k: v for k, v in r.inputs.items() if k != "tags"})
        )
        for r in preview.resources
    ]
    whole, broken = _stack_requests(preview)[0], _stack_requests(up)[1]  # the broken copy: stack policies report

    def verdicts() -> list[bytes]:
        servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY)
        responses: list[Any] = []
        for request in untagged:
            responses += [servicer.Remediate(request, None), servicer.Analyze(request, None)]
        responses += [servicer.AnalyzeStack(whole, None), servicer.AnalyzeStack(broken, None)]
        return [r.SerializeToString(deterministic=True) for r in responses]

    per_policy = verdicts()
    originals = (_PolicyAnalyzerServicer.Analyze, _PolicyAnalyzerServicer.AnalyzeStack)
    undo = [decode_properties_once()]
    try:
        decoded_once = verdicts()
        undo.append(build_once_per_call())  # as the pack serves
        assert (_PolicyAnalyzerServicer.Analyze.__name__, _PolicyAnalyzerServicer.AnalyzeStack.__name__) == (
            "analyze",
            "analyze_stack",
        )
        built_once = verdicts()
    finally:
        for step in reversed(undo):
            step()
    assert (_PolicyAnalyzerServicer.Analyze, _PolicyAnalyzerServicer.AnalyzeStack) == originals
    assert sum(b"required-tags" in r for r in per_policy) > 100, "resource policies report"
    assert b"service-and-database-alarms" in per_policy[-1], "stack policies report"
    assert any(b"can't run policy" in r for r in per_policy), "and defer (a stack policy deferring: test_serving_calls)"
    assert decoded_once == per_policy
    assert built_once == per_policy


def test_each_resource_is_built_once_per_stack_call(
    stack_runs: dict[str, StackRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = sdk.PolicyResource

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any) -> None:
            built.append(args[2])
            super().__init__(*args)

    monkeypatch.setattr(sdk, "PolicyResource", Counting)
    run = stack_runs["dev"]
    (whole,) = _stack_requests(run)[:1]
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY)
    servicer.AnalyzeStack(whole, None)
    per_policy = len(built)
    undo = build_once_per_call()
    try:
        built.clear()
        servicer.AnalyzeStack(whole, None)
        assert sorted(built) == sorted(r.urn for r in run.resources)
    finally:
        undo()
    stack_policies = sum(1 for p in POLICIES if isinstance(p, sdk.StackValidationPolicy))
    assert per_policy == stack_policies * len(run.resources) > len(built)


def test_another_sdk_release_keeps_its_own_stack_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from policies.guardrails import serving

    original = _PolicyAnalyzerServicer.AnalyzeStack
    monkeypatch.setattr(metadata, "version", lambda name: "1.22.0")
    undo = serving.build_once_per_call()
    assert _PolicyAnalyzerServicer.AnalyzeStack is original
    undo()
    monkeypatch.undo()
    undo = serving.build_once_per_call()  # the pinned release: replaced
    assert _PolicyAnalyzerServicer.AnalyzeStack is not original
    undo()
    assert _PolicyAnalyzerServicer.AnalyzeStack is original
    assert serving.SDK_REPRODUCED == "1.21.0"
