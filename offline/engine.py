"""The in-process engine: runs the real program for a named stack under `pulumi.runtime.set_mocks` with
that stack's real config, and records every resource as the engine would see it.

Used by the tests and by the offline preview, so both judge the same thing. Each run is isolated: a new
root stack, monitor, mocks and config, so one stack's resources never leak into the next.
"""

from __future__ import annotations

import gc
import os
import runpy
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs
from pulumi.runtime.proto import resource_pb2

from components.config.config_source import CONFIG_FILE_VARIABLE
from components.config.dr import referenced_stacks

from .mocks import AwsMocks
from .stackfile import PROJECT_DIR, project_name, read_config_file, read_stack_file, to_engine_config

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine marks a value unknown at preview (rpc.go UnknownStringValue); the pack sees this string."""
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
ROOT_TYPE = "pulumi:pulumi:Stack"
ORGANIZATION = "organization"
"""What `pulumi.get_organization()` answers on a self-managed (file, S3) backend: its stacks are fully qualified
as `organization/<project>/<stack>` (pulumi/pulumi#2522)."""


@dataclass(frozen=True)
class RecordedResource:
    """One registration, as the engine records it: what Analyze and AnalyzeStack are given."""

    type: str
    name: str
    urn: str
    custom: bool
    parent: str | None
    inputs: dict[str, Any]
    """Program inputs, camelCase, numbers as floats, unknowns as the engine's sentinel string."""
    outputs: dict[str, Any]
    """Inputs plus what the provider computed (mocked); what a stack policy sees."""
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    provider: str | None = None
    id: str | None = None
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    """The `customTimeouts` option (`create`, `update`, `delete` durations such as `20m`) where one is set."""
    import_id: str | None = None
    """The `import_` resource option: the id of an existing resource the engine adopts instead of creating."""
    registered_at: float = field(default=0.0, compare=False, repr=False)
    """When the engine received the registration (`time.time()`), for the benchmarks' "program start to last
    resource registered"; not part of what the engine records, so never compared."""


@dataclass
class StackRun:
    """Everything one run of the program registered, in registration order."""

    stack: str
    project: str
    preview: bool
    resources: list[RecordedResource]
    outputs: dict[str, Any]

    def __iter__(self) -> Iterator[RecordedResource]:
        return iter(self.resources)

    def of_type(self, *types: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type in types]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self) -> dict[str, RecordedResource]:
        return {r.urn: r for r in self.resources}

    def children_of(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]

    @property
    def custom_resources(self) -> list[RecordedResource]:
        return [r for r in self.resources if r.custom]


def plain(value: Any) -> Any:
    """Strip Pulumi's wire wrappers: secrets to their value, resource references to their id or URN."""
    if isinstance(value, dict):
        if value.get(_SIG) == _SECRET_SIG:
            return plain(value.get("value"))
        if value.get(_SIG) == _RESOURCE_REF_SIG:
            return value.get("id") or value.get("urn")
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _struct_to_dict(struct: Any) -> dict[str, Any]:
    return plain(json_format.MessageToDict(struct, preserving_proto_field_name=True))


def _wire_plain(value: Any) -> bool:
    """Whether a decoded property value is plain JSON data: no secret, resource reference, asset or output
    value (a dict carrying the signature key) and no unknown. For such values the SDK's own (de)serialisation
    is the identity, up to dropped nulls."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return value != UNKNOWN
    if isinstance(value, dict):
        return _SIG not in value and all(isinstance(k, str) and _wire_plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_wire_plain(v) for v in value)
    return False


def _without_nulls(value: Any) -> Any:
    """What `pulumi.runtime.rpc.deserialize_properties` makes of plain data: null map entries dropped."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _as_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_lists(v) for v in value]
    return value


def _replaced(module: Any, name: str, replacement: Any) -> Callable[[], None]:
    """Put `replacement` in place of `module.name` (callers look it up through the module at each call); returns
    the undo."""
    original = getattr(module, name)
    setattr(module, name, replacement)
    return lambda: setattr(module, name, original)


def _fast_stack_traces() -> Callable[[], None]:
    """Build each registration's stack trace as the SDK's `_get_stack_trace` does, without reading source lines,
    with each (file, line) position made once per run; returns the undo.

    Every registration sends the engine the stack above the resource's constructor. The SDK takes it with
    `traceback.extract_stack()`, which reads the source line of every frame (a `linecache` stat per file and
    frame: ~10 % of a run), and then uses only each frame's file, line and function name; and it turns each
    file into a `file://` URI through `pathlib` for every frame again (~5 %). This walks the same frames,
    applies the same rule (everything outside the third `__init__` from the top, the top first) and asks the
    SDK's own `_get_source_position_for_frame` once per (file, line). The same message either way (checked by
    tests/test_engine.py against the SDK's function). Nothing is installed if the SDK's internals are not as
    expected (another version)."""
    from pulumi.runtime import resource as sdk
    from pulumi.runtime.proto import source_pb2

    original = getattr(sdk, "_get_stack_trace", None)
    position_of: Callable[..., Any] | None = getattr(sdk, "_get_source_position_for_frame", None)
    if not callable(original) or not callable(position_of):
        return lambda: None
    positions: dict[tuple[str, int], Any] = {}

    def stack_frame(filename: str, line: int) -> Any:
        key = (filename, line)
        if key not in positions:
            summary = traceback.FrameSummary(filename, line, "", lookup_line=False)
            positions[key] = source_pb2.StackFrame(pc=position_of(summary))
        return positions[key]

    def stack_trace() -> Any:
        frame = sys._getframe(1)  # pyright: ignore[reportPrivateUsage]
        inits = 0
        while frame is not None:
            if frame.f_code.co_name == "__init__":
                inits += 1
                if inits == 3:
                    break
            frame = frame.f_back
        outer = frame.f_back if frame is not None else None
        if outer is None:  # no third __init__, or nothing above it
            return source_pb2.StackTrace()
        frames = []
        while outer is not None:
            frames.append(stack_frame(outer.f_code.co_filename, outer.f_lineno))
            outer = outer.f_back
        return source_pb2.StackTrace(frames=frames)

    return _replaced(sdk, "_get_stack_trace", stack_trace)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _acyclic_unknown_checks() -> Callable[[], None]:
    """Check values for unknowns as the SDK's `rpc.contains_unknowns` does, without leaving garbage for the cyclic
    collector; returns the undo.

    The SDK's function defines a recursive closure at each call: the function holds the cell that holds the
    function, a reference cycle (with its annotations' tuple and `set[int]` alias) only the cyclic collector
    frees. Every Output's data is checked, ~45 times per resource: on prod ~70,000 of the ~75,000 objects a run
    leaves for the collector, whose collection once the run ends (`run_stack` pauses it meanwhile) was a tenth of
    the run. This is the same walk (an unknown anywhere in nested dicts and lists, each container once) as a
    plain recursive function; a scalar is answered at once (it is never the SDK's Unknown, and a scalar's id
    entering the walk's set changes nothing). Checked against the SDK's function by tests/test_engine.py.
    Nothing is installed if the SDK's internals are not as expected (another version)."""
    from pulumi.runtime import known_types, rpc

    original = getattr(rpc, "contains_unknowns", None)
    is_unknown: Callable[[Any], bool] | None = getattr(known_types, "is_unknown", None)
    if not callable(original) or not callable(is_unknown):
        return lambda: None

    def unknown_in(value: Any, seen: set[int]) -> bool:
        if type(value) in _SCALARS:
            return False
        if is_unknown(value):
            return True
        if id(value) in seen:
            return False
        seen.add(id(value))
        if isinstance(value, dict):
            return any(unknown_in(value[key], seen) for key in value)
        if isinstance(value, list):
            return any(unknown_in(item, seen) for item in value)
        return False

    def contains_unknowns(value: Any) -> bool:
        return unknown_in(value, set())

    return _replaced(rpc, "contains_unknowns", contains_unknowns)  # output.py, invoke.py: through the module


class _TypeUnwrapping:
    answers: dict[Any, Any] = {}
    """Each declared type the SDK's `unwrap_type` was asked about in this process, with its answer."""


def _memoized_type_unwrapping() -> Callable[[], None]:
    """Unwrap each property's declared type once per process instead of at every serialisation; returns the undo.

    Serialising a resource's inputs, the SDK asks `_types.unwrap_type` for the T in each property's
    `Input[T]`, `Output[T]`, `InputType[T]` or `Optional[...]` annotation: ~170 times per prod resource, over ~250
    distinct annotations, each taken apart again with `typing.get_origin`/`get_args` (~10 % of a run). The
    answer depends on the annotation alone (and on the classes it names, fixed once defined), so it is kept per
    annotation (`_TypeUnwrapping.answers`); one that cannot be hashed is unwrapped every time, as before.
    Checked against the SDK's function by tests/test_engine.py. Nothing is installed if the SDK has no such
    function."""
    from pulumi import _types

    original = getattr(_types, "unwrap_type", None)
    if not callable(original):
        return lambda: None
    answers = _TypeUnwrapping.answers

    def unwrap_type(declared: Any) -> Any:
        try:
            return answers[declared]
        except KeyError:
            answer = answers[declared] = original(declared)
            return answer
        except TypeError:  # not hashable: not kept
            return original(declared)

    return _replaced(_types, "unwrap_type", unwrap_type)  # rpc.py: through the module; _types.py: its globals


class RecordingMonitor(MockMonitor):
    """The mock monitor, recording each registration's parent, dependencies and options as well."""

    def __init__(self, mocks: AwsMocks, on_register: Callable[[RecordedResource], None] | None = None) -> None:
        super().__init__(mocks)
        self.on_register = on_register
        self._lock = threading.Lock()
        self.records: list[RecordedResource] = []
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        self.root_urn: str | None = None

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """As the engine builds URNs: the parent's whole qualified type chain, the root stack left out
        (mocks.py keeps only the parent's last type and includes the root)."""
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != ROOT_TYPE:
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{qualified}::{name}"

    def _register_plain(self, request: Any, decoded: dict[str, Any]) -> Any:
        """`MockMonitor.RegisterResource` for plain data (`_wire_plain`), without its round trip through the
        SDK's asynchronous (de)serialisation (~0.3 ms a resource: a tenth of a 200-service run). The same mock
        call, the same response; None when the mocks answer with anything but plain data."""
        args = MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=_without_nulls(decoded),
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        resource_id, state = self.mocks.new_resource(args)
        if not isinstance(state, dict) or not _wire_plain(state):
            return None
        urn = self.make_urn(request.parent, request.type, request.name)
        struct = struct_pb2.Struct()
        struct.update(_as_lists({k: v for k, v in state.items() if v is not None}))  # top-level nulls dropped
        registered_id: Any = resource_id  # None for components, as the SDK's own path passes it
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, registered_id, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=registered_id, object=struct)

    fast = True
    """Take `_register_plain` where it applies (tests compare both paths)."""

    def RegisterResource(self, request: Any) -> Any:
        decoded = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        response = None
        if self.fast and request.type != ROOT_TYPE and not request.transforms and _wire_plain(decoded):
            response = self._register_plain(request, decoded)
        if response is None:
            response = super().RegisterResource(request)
        if request.type == ROOT_TYPE:
            self.root_urn = response.urn
        inputs = plain(decoded)
        outputs = _struct_to_dict(response.object) if request.type != ROOT_TYPE else {}
        record = RecordedResource(
            type=request.type,
            name=request.name,
            urn=response.urn,
            custom=bool(request.custom),
            parent=request.parent or None,
            inputs=inputs,
            outputs={**inputs, **outputs},
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items() if v.urns},
            protect=bool(request.protect),
            provider=request.provider or None,
            id=response.id or None,
            retain_on_delete=bool(request.retainOnDelete),
            ignore_changes=list(request.ignoreChanges),
            custom_timeouts={k: v for k in ("create", "update", "delete") if (v := getattr(request.customTimeouts, k))},
            import_id=request.importId or None,
            registered_at=time.time(),
        )
        with self._lock:  # one order for the records and the listener
            self.records.append(record)
            if self.on_register is not None:
                self.on_register(record)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs[request.urn] = _struct_to_dict(request.outputs)
        return super().RegisterResourceOutputs(request)


def stack_config(stack: str, project_dir: Path = PROJECT_DIR, config_file: Path | None = None) -> dict[str, str]:
    """The flat config the CLI would hand the program for `stack`, from its real stack file (or from
    `config_file`, as `pulumi preview --config-file` reads it)."""
    values = read_config_file(config_file) if config_file is not None else read_stack_file(stack, project_dir)
    return to_engine_config(values, project_name(project_dir))


def run_stack(
    stack: str,
    *,
    config: Mapping[str, str] | None = None,
    preview: bool = False,
    project_dir: Path = PROJECT_DIR,
    program: Path | None = None,
    on_register: Callable[[RecordedResource], None] | None = None,
    config_file: Path | None = None,
) -> StackRun:
    """Run the program (`__main__.py`) for `stack` in-process and return what it registered.

    `config` replaces the stack file's values (tests pass broken copies); `preview=True` leaves computed
    outputs unknown, as on a stack's first `pulumi preview`. Exceptions from the program propagate
    (a `StackConfigError` for bad config). `on_register` is called with each record as the engine receives it
    (the offline preview judges resources with the policy pack while the program is still running).
    `config_file`: the stack config file read instead of `Pulumi.<stack>.yaml` (`--config-file`); config
    problems name it."""
    project = project_name(project_dir)
    flat = dict(config) if config is not None else stack_config(stack, project_dir, config_file)
    directory = config_file.parent if config_file is not None else project_dir
    references = {  # run before this run: the runtime's globals hold one program at a time
        f"{ORGANIZATION}/{project}/{name}": referenced_outputs(name, directory, project_dir)
        for name in referenced_stacks(flat)
    }
    mocks = AwsMocks(flat.get("aws:region", "us-east-1"), preview=preview, stack_outputs=references)
    monitor = RecordingMonitor(mocks, on_register)
    pulumi.runtime.reset_options(project=project, stack=stack, preview=preview, organization=ORGANIZATION)
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=preview, monitor=monitor, organization=ORGANIZATION
    )
    pulumi.runtime.set_all_config(flat)
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    entry = program or project_dir / "__main__.py"

    exported: dict[str, Any] = {}

    @pulumi.runtime.test
    def execute() -> pulumi.Output[None]:
        runpy.run_path(str(entry), run_name="__main__")
        root = pulumi.runtime.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {})
        return pulumi.Output.all(**outputs).apply(exported.update)

    # The cyclic GC is paused while the program runs: it allocates hundreds of thousands of objects (the
    # pulumi_aws classes it imports, Outputs, futures) that live until the run ends, so each full collection
    # rescans all of them for nothing; pausing it halves a 200-service run (`python -m benchmarks`). Whatever
    # cyclic garbage the run leaves is collected as usual once it is re-enabled.
    paused = gc.isenabled()
    gc.disable()
    shortcuts = (_fast_stack_traces, _acyclic_unknown_checks, _memoized_type_unwrapping)
    undos = [install() for install in shortcuts]  # each the SDK's work without its cost, checked in tests
    label = os.environ.pop(CONFIG_FILE_VARIABLE, None)
    if config_file is not None:
        os.environ[CONFIG_FILE_VARIABLE] = str(config_file)
    try:
        execute()
    finally:
        for undo in reversed(undos):
            undo()
        os.environ.pop(CONFIG_FILE_VARIABLE, None)
        if label is not None:
            os.environ[CONFIG_FILE_VARIABLE] = label
        if paused:
            gc.enable()
    return StackRun(stack=stack, project=project, preview=preview, resources=list(monitor.records), outputs=exported)


class StackReferenceError(LookupError):
    """A stack reads a stack that has no stack file to run."""


_REFERENCED: dict[tuple[Path, float], dict[str, Any]] = {}

ReferencedRun = Callable[[str, Path, Path], StackRun]
"""`(stack, its stack file, project dir)` -> that stack's `up` run: `run_stack(stack, config_file=file,
project_dir=project dir)` or the same run from elsewhere."""


class _References:
    run: ReferencedRun | None = None
    """Where referenced stacks' runs come from; None: run here, cached per file (`referenced_outputs`)."""


def run_references_with(source: ReferencedRun | None) -> None:
    """Take referenced stacks' runs from `source` (a test session: its runs shared by every worker, so a primary
    read by its standby is the primary the tests run), or run them here again (None)."""
    _References.run = source


def referenced_outputs(stack: str, directory: Path, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The exported outputs of `stack`, as `pulumi up` leaves them: its own offline run (not a preview: the
    referenced stack is deployed before the one reading it), from `Pulumi.<stack>.yaml` in `directory` (the
    reading stack's config file's directory, else the project's). Cached per file and modification time, so a
    pair of stacks in one test session runs the primary once."""
    path = directory / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise StackReferenceError(
            f"stack reference {ORGANIZATION}/{project_name(project_dir)}/{stack}: no stack file {path} "
            f"(a StackReference names a stack of this project whose Pulumi.<stack>.yaml is beside the reader's)"
        )
    if _References.run is not None:
        return _References.run(stack, path, project_dir).outputs
    key = (path.resolve(), path.stat().st_mtime)
    if key not in _REFERENCED:
        _REFERENCED[key] = run_stack(stack, config_file=path, project_dir=project_dir).outputs
    return _REFERENCED[key]


__all__ = ["UNKNOWN", "RecordedResource", "StackRun", "resource_pb2", "run_stack", "stack_config"]
