"""The pack's serving preparation on small hand-made requests (fast: what the mutation check runs; the whole-stack
versions are in test_serving.py): one decoding per message and call, the same verdicts, a clean undo."""

from __future__ import annotations

import gc
from types import SimpleNamespace
from typing import Any

import pulumi.runtime
import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies.guardrails import PACK_NAME, POLICIES, serving
from policies.guardrails.serving import decode_properties_once, prepared, settings_signature_once

from .helpers import UNKNOWN, struct, urn

BUCKET = "aws:s3/bucket:Bucket"
QUEUE = "aws:sqs/queue:Queue"
RESOURCES = [
    (BUCKET, "uploads", {"bucket": "platform-dev-uploads", "tags": {"Environment": "dev"}}),
    (QUEUE, "jobs", {"name": UNKNOWN, "kmsMasterKeyId": UNKNOWN}),
    ("aws:lambda/function:Function", "sync", {"packageType": "Zip", "runtime": UNKNOWN}),
]


def _requests() -> tuple[list[analyzer_pb2.AnalyzeRequest], analyzer_pb2.AnalyzeStackRequest]:
    each = [analyzer_pb2.AnalyzeRequest(type=t, urn=urn(t, n), name=n, properties=struct(p)) for t, n, p in RESOURCES]
    whole = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(type=t, urn=urn(t, n), name=n, properties=struct(p)) for t, n, p in RESOURCES
        ]
    )
    return each, whole


def _servicer() -> _PolicyAnalyzerServicer:
    return _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.MANDATORY)


def _verdicts() -> list[bytes]:
    servicer = _servicer()
    each, whole = _requests()
    responses: list[Any] = []
    for request in each:
        responses += [servicer.Remediate(request, None), servicer.Analyze(request, None)]
    responses.append(servicer.AnalyzeStack(whole, None))
    return [r.SerializeToString(deterministic=True) for r in responses]


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The id of every message the SDK decodes (its `json_format.MessageToDict`, counted)."""
    seen: list[int] = []
    real = sdk.json_format.MessageToDict  # pyright: ignore[reportPrivateImportUsage]

    def counting(message: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(id(message))
        return real(message, *args, **kwargs)

    monkeypatch.setattr(sdk.json_format, "MessageToDict", counting)  # pyright: ignore[reportPrivateImportUsage]
    return seen


def test_decoding_once_per_call_changes_no_verdict() -> None:
    per_policy = _verdicts()
    undo = decode_properties_once()
    try:
        once = _verdicts()
    finally:
        undo()
    assert any(b"can't run policy" in r for r in per_policy) and any(b"uploads" in r for r in per_policy)
    assert once == per_policy


def test_each_message_is_decoded_once_per_call_and_again_in_the_next(decoded: list[int]) -> None:
    each, whole = _requests()
    servicer = _servicer()
    servicer.AnalyzeStack(whole, None)
    per_policy = len(decoded)
    undo = decode_properties_once()
    try:
        decoded.clear()
        servicer.AnalyzeStack(whole, None)
        assert len(decoded) == len(RESOURCES) < per_policy
        decoded.clear()
        servicer.Analyze(each[0], None)
        servicer.Analyze(each[0], None)
        assert len(decoded) == 2, "once per call, not once for ever"
        decoded.clear()
        servicer.Remediate(each[1], None)
        assert len(decoded) == 1
    finally:
        undo()
    decoded.clear()
    servicer.Analyze(each[0], None)
    assert len(decoded) > 1, "undone: once per policy again"


def test_options_and_providers_are_built_once_per_analysis_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    for name in ("_get_resource_options", "_get_provider_resource"):
        real = getattr(_PolicyAnalyzerServicer, name)
        monkeypatch.setattr(
            _PolicyAnalyzerServicer, name, lambda self, r, real=real, name=name: built.append(name) or real(self, r)
        )
    each, whole = _requests()
    provider = analyzer_pb2.AnalyzerProviderResource(
        type="pulumi:providers:aws", urn="urn:p", name="default", properties=struct({"region": "us-east-1"})
    )
    each[0].provider.CopyFrom(provider)
    servicer = _servicer()
    servicer.Analyze(each[0], None)
    per_policy = len(built)
    undo = decode_properties_once()
    try:
        built.clear()
        servicer.Analyze(each[0], None)
        servicer.Analyze(each[0], None)
        assert sorted(built) == ["_get_provider_resource"] * 2 + ["_get_resource_options"] * 2  # once a call
        assert per_policy > 4  # the SDK alone: each for every resource policy
        built.clear()
        servicer.AnalyzeStack(whole, None)
        assert built.count("_get_resource_options") == len(RESOURCES)  # once per resource, not per stack policy
        built.clear()
        servicer.Remediate(each[0], None)
        servicer.Remediate(each[0], None)
        assert built == ["_get_resource_options", "_get_provider_resource"] * 2  # the SDK's own once, each call
    finally:
        undo()
    built.clear()
    servicer.Analyze(each[0], None)
    assert len(built) == per_policy > 2, "undone: once per policy again"


def test_outside_a_call_or_with_options_every_decoding_is_done_afresh(decoded: list[int]) -> None:
    message = struct({"a": 1})
    undo = decode_properties_once()
    try:
        decode = sdk.json_format.MessageToDict  # pyright: ignore[reportPrivateImportUsage]
        assert decode(message) == decode(message) == {"a": 1}
        assert len(decoded) == 2  # no call in progress: nothing is kept
        serving._call.decoded = {}  # pyright: ignore[reportPrivateUsage]  # as inside a call
        try:
            decoded.clear()
            first = decode(message)
            assert decode(message) is first and len(decoded) == 1
            assert decode(message, preserving_proto_field_name=True) == {"a": 1} and len(decoded) == 2
            other = struct({"a": 1})
            assert decode(other) == first and len(decoded) == 3  # another message is decoded itself
        finally:
            serving._call.decoded = None  # pyright: ignore[reportPrivateUsage]
    finally:
        undo()


@pytest.mark.parametrize(
    "change",
    [
        {"_PolicyAnalyzerServicer": None},
        {"json_format": None},
        {"json_format": SimpleNamespace()},
        {"_PolicyAnalyzerServicer": SimpleNamespace(Analyze=lambda *a: None, AnalyzeStack=lambda *a: None)},
    ],
)
def test_an_sdk_whose_internals_differ_is_left_alone(change: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in change.items():
        monkeypatch.setattr(sdk, name, value)
    before = dict(sdk.__dict__)
    servicer_methods = {n: getattr(_PolicyAnalyzerServicer, n) for n in ("Analyze", "AnalyzeStack", "Remediate")}
    undo = decode_properties_once()
    assert dict(sdk.__dict__) == before
    assert {n: getattr(_PolicyAnalyzerServicer, n) for n in servicer_methods} == servicer_methods
    undo()


def test_undo_restores_the_sdk_exactly() -> None:
    json_format = sdk.json_format  # pyright: ignore[reportPrivateImportUsage]
    methods = {n: getattr(_PolicyAnalyzerServicer, n) for n in ("Analyze", "AnalyzeStack", "Remediate")}
    undo = decode_properties_once()
    assert sdk.json_format is not json_format  # pyright: ignore[reportPrivateImportUsage]
    assert all(getattr(_PolicyAnalyzerServicer, n) is not m for n, m in methods.items())
    undo()
    assert sdk.json_format is json_format  # pyright: ignore[reportPrivateImportUsage]
    assert {n: getattr(_PolicyAnalyzerServicer, n) for n in methods} == methods


def test_prepared_loads_decodes_once_freezes_and_stops_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    done: list[str] = []
    monkeypatch.setattr(serving.iam_catalog, "load", lambda: done.append("catalogue"))
    monkeypatch.setattr(serving, "decode_properties_once", lambda: done.append("decode once"))
    monkeypatch.setattr(serving, "settings_signature_once", lambda: done.append("signature once"))
    monkeypatch.setattr(gc, "freeze", lambda: done.append("freeze"))
    monkeypatch.setattr(gc, "disable", lambda: done.append("disable"))
    policies = (POLICIES[0], POLICIES[1])
    assert prepared(policies) == list(policies)
    assert done == ["catalogue", "decode once", "signature once", "freeze", "disable"]


def test_the_settings_signature_is_inspected_once_and_undone_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    inspected: list[object] = []
    original = sdk.signature  # pyright: ignore[reportPrivateImportUsage]
    monkeypatch.setattr(sdk, "signature", lambda target: inspected.append(target) or original(target))
    counting = sdk.signature  # pyright: ignore[reportPrivateImportUsage]
    undo = settings_signature_once()
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", [POLICIES[0]], EnforcementLevel.MANDATORY)
    monkeypatch.setenv("PULUMI_PROJECT", "platform")
    monkeypatch.setenv("PULUMI_STACK", "prod")
    monkeypatch.setenv("PULUMI_DRY_RUN", "false")
    configured: list[object] = []
    monkeypatch.setattr(pulumi.runtime, "configure", configured.append)  # this process's runtime left alone
    for _ in range(3):
        servicer._configure_runtime_settings()  # pyright: ignore[reportPrivateUsage]
    assert inspected == [pulumi.runtime.Settings]  # three calls, one inspection
    assert [(s.stack, s.organization) for s in configured] == [("prod", "organization")] * 3  # pyright: ignore[reportAttributeAccessIssue]
    undo()
    assert sdk.signature is counting  # pyright: ignore[reportPrivateImportUsage]


def test_an_sdk_without_the_signature_name_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sdk, "signature")
    before = dict(sdk.__dict__)
    settings_signature_once()()
    assert dict(sdk.__dict__) == before
