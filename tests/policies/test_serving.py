"""The pack's serving preparation: decoding each resource's properties once per call changes no verdict, and
does decode once."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk
from pulumi_policy.policy import _PolicyAnalyzerServicer

from offline.engine import StackRun
from policies.guardrails import PACK_NAME, POLICIES
from policies.guardrails.serving import decode_properties_once

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


def test_decoding_once_per_call_changes_no_verdict(preview_runs: dict[str, StackRun]) -> None:
    run = preview_runs["prod"]  # a first preview: deferrals in Analyze and AnalyzeStack alike
    per_policy = _verdicts(run)
    undo = decode_properties_once()
    try:
        once = _verdicts(run)
    finally:
        undo()
    assert any(b"can't run policy" in r for r in per_policy), "a report with findings, not only empty ones"
    assert once == per_policy


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
