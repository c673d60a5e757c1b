"""Run guardrails in-process through the SDK's own servicer: the code path the pack process runs (the
unknown-checking proxy, "can't run policy" deferrals, the description prefix), without a subprocess."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer  # the SDK's servicer: same path as the process

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_BOOL = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"
UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421"
UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"
UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"

STANDARD_TAGS = {
    "Environment": "dev",
    "Project": "platform",
    "Owner": "platform-team@example.com",
    "CostCenter": "CC-1042",
    "ManagedBy": "pulumi",
}


def struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(json.loads(json.dumps(value)))
    return s


@dataclass
class Result:
    """What a policy said: violations (messages without the description line) and deferrals."""

    violations: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    levels: set[str] = field(default_factory=set)
    urns: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations and not self.deferred


def _servicer(policy: Policy, config: Mapping[str, Any] | None) -> _PolicyAnalyzerServicer:
    servicer = _PolicyAnalyzerServicer("test-pack", "0.0.1", [policy], EnforcementLevel.MANDATORY)
    if config is not None:
        servicer.Configure(
            analyzer_pb2.ConfigureAnalyzerRequest(
                policyConfig={
                    policy.name: analyzer_pb2.PolicyConfig(
                        enforcementLevel=analyzer_pb2.MANDATORY, properties=struct(config)
                    )
                }
            ),
            None,
        )
    return servicer


def _result(policy: Policy, response: Any) -> Result:
    result = Result()
    for d in response.diagnostics:
        assert d.policyName == policy.name
        result.levels.add({0: "advisory", 1: "mandatory"}.get(d.enforcementLevel, str(d.enforcementLevel)))
        if d.message.startswith(f"can't run policy '{policy.name}'"):
            result.deferred.append(d.message)
        else:
            prefix = policy.description + "\n"
            assert d.message.startswith(prefix), d.message
            result.violations.append(d.message[len(prefix) :])
            result.urns.append(d.urn)
    return result


def check(
    policy: Policy,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "r",
    config: Mapping[str, Any] | None = None,
    provider: Mapping[str, Any] | None = None,
    protect: bool = False,
) -> Result:
    """Analyze one resource with one resource policy (`protect`: its resource option, as the engine sends it)."""
    request = analyzer_pb2.AnalyzeRequest(
        type=resource_type,
        urn=urn(resource_type, name),
        name=name,
        properties=struct(props),
        options=analyzer_pb2.AnalyzerResourceOptions(protect=protect),
    )
    if provider is not None:
        request.provider.CopyFrom(
            analyzer_pb2.AnalyzerProviderResource(
                type="pulumi:providers:aws",
                urn="urn:pulumi:test::platform::pulumi:providers:aws::default",
                name="default",
                properties=struct(provider),
            )
        )
    return _result(policy, _servicer(policy, config).Analyze(request, None))


def urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:test::platform::{resource_type}::{name}"


@dataclass
class R:
    """A stack resource for AnalyzeStack: outputs as props, property dependencies by resource."""

    type: str
    name: str
    props: dict[str, Any] = field(default_factory=dict)
    deps: dict[str, list[R]] = field(default_factory=dict)
    parent: R | None = None

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


def check_stack(policy: Policy, resources: Iterable[R], *, config: Mapping[str, Any] | None = None) -> Result:
    """AnalyzeStack with one stack policy."""
    return check_stack_request(policy, stack_request(resources), config=config)


def stack_request(resources: Iterable[R]) -> analyzer_pb2.AnalyzeStackRequest:
    """The AnalyzeStack request for `resources`, to judge with several policies (`check_stack_request`)."""
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                urn=r.urn,
                name=r.name,
                properties=struct(r.props),
                parent=r.parent.urn if r.parent else "",
                dependencies=sorted({d.urn for ds in r.deps.values() for d in ds}),
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=[d.urn for d in v]) for k, v in r.deps.items()
                },
            )
            for r in resources
        ]
    )


def check_stack_request(
    policy: Policy, request: analyzer_pb2.AnalyzeStackRequest, *, config: Mapping[str, Any] | None = None
) -> Result:
    """AnalyzeStack with one stack policy, for a request already built."""
    return _result(policy, _servicer(policy, config).AnalyzeStack(request, None))


def policy_document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def deferred(policy: str, *items: tuple[str, str]) -> list[str]:
    """The one advisory the SDK reports for a check of `policy` that deferred `items` ((what, when) each)."""
    joined = "; ".join(f"{what} can't be known during preview: {when}" for what, when in items)
    return [f"can't run policy '{policy}' from policy pack 'test-pack@v0.0.1' during preview: {joined}"]
