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
from policies.guardrails.serving import build_once_per_call, decode_properties_once, prepared, settings_signature_once

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
    monkeypatch.setattr(serving, "build_once_per_call", lambda: done.append("build once"))
    monkeypatch.setattr(serving, "settings_signature_once", lambda: done.append("signature once"))
    monkeypatch.setattr(gc, "freeze", lambda: done.append("freeze"))
    monkeypatch.setattr(gc, "disable", lambda: done.append("disable"))
    policies = (POLICIES[0], POLICIES[1])
    assert prepared(policies) == list(policies)
    assert done == ["catalogue", "decode once", "build once", "signature once", "freeze", "disable"]


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


# -- building once per call: the SDK's Analyze and AnalyzeStack reproduced -------------------------------------
def _seen(args: Any) -> str:
    """What a policy was handed, as text a verdict can carry (so the comparison covers it)."""
    from policies.guardrails.base import plain

    opts = args.opts
    provider = args.provider
    return (
        f"{args.resource_type} {args.urn} {args.name} {plain(args.props)} protect={opts.protect} "
        f"ignore={list(opts.ignore_changes)} parent={opts.parent} "
        f"provider={provider and (provider.resource_type, provider.urn, plain(provider.props))} "
        f"config={args.get_config()}"
    )


def _stack_seen(args: Any) -> str:
    return "; ".join(
        f"{r.urn} parent={r.parent and r.parent.urn} deps={[d.urn for d in r.dependencies]} "
        f"props={ {k: [d.urn for d in v] for k, v in r.property_dependencies.items()} }"
        for r in args.resources
    )


async def _later(report: Any, message: str) -> None:
    report(message, None)


def _read_props(args: Any, report: Any) -> None:
    list(args.props.values())  # an unknown among them raises: the verdict is deferred


def _read_stack_props(args: Any, report: Any) -> None:
    for resource in args.resources:
        list(resource.props.values())


def _probes() -> list[Any]:
    """A policy for each path through the servicer: levels, remediation-only, not applicable, deferred, async."""
    from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

    def report_seen(args: Any, report: Any) -> None:
        report(_seen(args), None)

    def by_type(args: Any, report: Any) -> None:
        if args.resource_type == BUCKET:  # as base.resource_policy's validate: other types return at once
            report(f"a bucket: {args.name}", None)

    by_type_policy = ResourceValidationPolicy(name="by-type", description="Buckets only.", validate=by_type)
    by_type_policy.resource_types = frozenset({BUCKET})  # type: ignore[attr-defined]  # as base.resource_policy
    return [
        ResourceValidationPolicy(name="seen", description="What it is handed.", validate=report_seen),
        by_type_policy,
        ResourceValidationPolicy(
            name="remediating",
            description="Remediate level, still failing.",
            validate=report_seen,
            enforcement_level=EnforcementLevel.REMEDIATE,
        ),
        ResourceValidationPolicy(
            name="off", description="Disabled.", validate=report_seen, enforcement_level=EnforcementLevel.DISABLED
        ),
        ResourceValidationPolicy(name="fixer", description="Remediates only.", remediate=lambda args: None),
        ResourceValidationPolicy(
            name="not-here", description="Not applicable.", validate=lambda args, report: args.not_applicable("no")
        ),
        ResourceValidationPolicy(
            name="unknowns",
            description="Reads every property.",
            validate=_read_props,
        ),
        ResourceValidationPolicy(
            name="later", description="Async.", validate=lambda args, report: _later(report, args.name)
        ),
        StackValidationPolicy(
            name="stack-seen",
            description="The stack it is handed.",
            validate=lambda args, report: report(_stack_seen(args), None),
        ),
        StackValidationPolicy(
            name="stack-remediating",
            description="Remediate level.",
            validate=lambda args, report: report("stack", None),
            enforcement_level=EnforcementLevel.REMEDIATE,
        ),
        StackValidationPolicy(
            name="stack-off",
            description="Disabled.",
            validate=lambda args, report: report("off", None),
            enforcement_level=EnforcementLevel.DISABLED,
        ),
        StackValidationPolicy(
            name="stack-not-here", description="Not applicable.", validate=lambda args, report: args.not_applicable()
        ),
        StackValidationPolicy(
            name="stack-unknowns",
            description="Reads every property.",
            validate=_read_stack_props,
        ),
        StackValidationPolicy(
            name="stack-later", description="Async.", validate=lambda args, report: _later(report, "later")
        ),
    ]


def _linked_requests() -> tuple[list[analyzer_pb2.AnalyzeRequest], analyzer_pb2.AnalyzeStackRequest]:
    """RESOURCES with a provider, options, a parent, dependencies and property dependencies (one dangling)."""
    each, _ = _requests()
    provider = analyzer_pb2.AnalyzerProviderResource(
        type="pulumi:providers:aws", urn="urn:p", name="default", properties=struct({"region": "us-west-2"})
    )
    each[0].provider.CopyFrom(provider)
    each[0].options.CopyFrom(analyzer_pb2.AnalyzerResourceOptions(protect=True, ignoreChanges=["tags"], parent="urn:x"))
    urns = [r.urn for r in each]
    whole = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                urn=r.urn,
                name=r.name,
                properties=r.properties,
                options=r.options,
                provider=r.provider if r.HasField("provider") else None,
                parent=urns[0] if i else "",
                dependencies=[*urns[:i], "urn:gone"],
                propertyDependencies={"queue": analyzer_pb2.AnalyzerPropertyDependencies(urns=[urns[1], "urn:gone"])},
            )
            for i, r in enumerate(each)
        ]
    )
    return each, whole


def _probe_verdicts(policies: list[Any]) -> list[bytes]:
    servicer = _PolicyAnalyzerServicer("probes", "0.0.1", policies, EnforcementLevel.MANDATORY)
    each, whole = _linked_requests()
    responses = [servicer.Analyze(r, None) for r in each] + [servicer.AnalyzeStack(whole, None)]
    return [r.SerializeToString(deterministic=True) for r in responses]


def test_building_once_per_call_answers_every_path_as_the_sdk() -> None:
    policies = _probes()
    per_policy = _probe_verdicts(policies)
    undo = build_once_per_call()
    try:
        once = _probe_verdicts(policies)
    finally:
        undo()
    text = b"".join(per_policy)
    for shown in (
        b"protect=True",
        b"us-west-2",
        b"ignore=['tags']",
        b"deps=",
        b"urn:gone",
        b"Policy does not implement",
    ):
        assert (shown in text) is (shown != b"urn:gone"), shown  # what the policies saw is in the verdicts
    assert b"can't run policy 'stack-unknowns'" in text and b"can't run policy 'unknowns'" in text
    assert b"a bucket: uploads" in text and b"a bucket: jobs" not in text
    assert b"not-here" in text and b"stack-not-here" in text and b"later" in text
    assert b"off" not in text.replace(b"Policy does not", b"")
    assert once == per_policy


def test_the_real_policies_answer_as_the_sdk_when_built_once() -> None:
    per_policy = _verdicts()
    undo = [decode_properties_once(), build_once_per_call()]  # as the pack serves
    try:
        once = _verdicts()
    finally:
        for step in reversed(undo):
            step()
    assert once == per_policy


def test_a_policy_is_not_called_for_a_type_it_does_not_judge() -> None:
    from pulumi_policy import ResourceValidationPolicy

    called: list[str] = []
    policy = ResourceValidationPolicy(name="b", description="d", validate=lambda args, report: called.append(args.name))
    policy.resource_types = frozenset({QUEUE})  # type: ignore[attr-defined]
    plain = ResourceValidationPolicy(name="p", description="d", validate=lambda args, report: called.append("plain"))
    servicer = _PolicyAnalyzerServicer("probes", "0.0.1", [policy, plain], EnforcementLevel.MANDATORY)
    each, _ = _requests()
    undo = build_once_per_call()
    try:
        for request in each:
            servicer.Analyze(request, None)
    finally:
        undo()
    assert called == ["plain", "jobs", "plain", "plain"]


def test_each_resource_is_built_once_per_call_and_nothing_outlives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from policies.guardrails import base

    built: list[str] = []
    for name in ("_get_resource_options", "_get_provider_resource"):
        real = getattr(_PolicyAnalyzerServicer, name)
        monkeypatch.setattr(
            _PolicyAnalyzerServicer, name, lambda self, r, real=real, name=name: built.append(name) or real(self, r)
        )
    stacks: list[int] = []
    real_from = base.Stack.from_policy_resources
    monkeypatch.setattr(
        base.Stack, "from_policy_resources", classmethod(lambda cls, rs: stacks.append(1) or real_from(rs))
    )
    each, whole = _linked_requests()
    servicer = _servicer()
    undo = build_once_per_call()
    try:
        servicer.Analyze(each[0], None)
        assert built == ["_get_resource_options", "_get_provider_resource"]
        built.clear()
        servicer.AnalyzeStack(whole, None)
        servicer.AnalyzeStack(whole, None)
        assert built.count("_get_resource_options") == 2 * len(RESOURCES)
        assert len(stacks) == 2, "one Stack per call for every stack policy"
        assert getattr(base._call, "shared", None) is None  # pyright: ignore[reportPrivateUsage]
    finally:
        undo()
    stacks.clear()
    servicer.AnalyzeStack(whole, None)
    stack_policies = sum(1 for p in POLICIES if isinstance(p, sdk.StackValidationPolicy))
    assert len(stacks) == stack_policies > 2, "the SDK's own: a Stack per policy"


@pytest.mark.parametrize("release", ["1.20.0", "1.22.0", None])
def test_another_release_keeps_the_sdks_own_methods(release: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    def version(name: str) -> str:
        if release is None:
            raise metadata.PackageNotFoundError(name)
        return release

    methods = {n: getattr(_PolicyAnalyzerServicer, n) for n in ("Analyze", "AnalyzeStack", "Remediate")}
    monkeypatch.setattr(metadata, "version", version)
    build_once_per_call()()
    assert {n: getattr(_PolicyAnalyzerServicer, n) for n in methods} == methods
    monkeypatch.undo()
    undo = build_once_per_call()  # the release it reproduces: both replaced, Remediate left as it is
    changed = {n for n, m in methods.items() if getattr(_PolicyAnalyzerServicer, n) is not m}
    undo()
    assert changed == {"Analyze", "AnalyzeStack"}
    assert {n: getattr(_PolicyAnalyzerServicer, n) for n in methods} == methods
