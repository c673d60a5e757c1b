"""What every guardrail is built from: plain values with explicit unknowns, findings, settings with defaults.

A policy here is a small function over plain Python data:

- `check(resource: Resource, ctx: Context)` for a resource policy (what `Analyze` sees: the resource's
  checked inputs), or `check(stack: Stack, ctx: Context)` for a stack policy (what `AnalyzeStack` sees: every
  resource's outputs, parents, dependencies and property dependencies).
- Values arrive through the SDK's unknown-checking proxy, where *reading* an unknown raises. `plain()` turns
  them into ordinary dicts and lists in which an unknown is an `Unknown` object, so a policy judges what is
  known and decides, visibly, what it cannot judge yet.
- `ctx.violation(message)` reports; `ctx.defer(...)` records a value that is unknown during preview. After
  the check, deferrals are raised as one `Deferred` (an `UnknownValueError`): the SDK turns it into the
  advisory "can't run policy ... during preview: <what and why>". Violations found before are still
  reported, so an unknown never hides a known violation. On `pulumi up` every input is known.

Nothing here imports the platform's code (components/, offline/): the pack is its own deployable.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_SENTINELS: dict[str, str] = {
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7": "boolean",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421": "number",
    UNKNOWN_STRING: "string",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2": "array",
    "030794c1-ac77-496b-92df-f27374a8bd58": "asset",
    "e48ece36-62e2-4504-bad9-02848725956a": "archive",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff": "object",
}
"""The engine's markers for values unknown during preview (sdk/go/common/resource/plugin/rpc.go)."""


@dataclass(frozen=True)
class Unknown:
    """A value the engine cannot know yet (a new resource's id, ARN, or anything computed from one)."""

    kind: str = "string"

    def __repr__(self) -> str:
        return f"<unknown {self.kind}>"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def plain(value: Any) -> Any:
    """Resource properties as plain dicts/lists/scalars, every unknown an `Unknown`.

    Accepts the SDK's proxies (reading an unknown through them raises `UnknownValueError`, caught here) and
    plain data carrying the engine's sentinel strings (both become `Unknown`)."""
    if isinstance(value, str):
        kind = UNKNOWN_SENTINELS.get(value)
        return Unknown(kind) if kind else value
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key in list(value):  # iterating keys never raises; reading a value may
            try:
                item = value[key]
            except UnknownValueError as error:
                result[key] = Unknown(UNKNOWN_SENTINELS.get(error.unknown_type_sentinel, "string"))
                continue
            result[key] = plain(item)
        return result
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError as error:
                items.append(Unknown(UNKNOWN_SENTINELS.get(error.unknown_type_sentinel, "string")))
                continue
            items.append(plain(item))
        return items
    return value


def dig(value: Any, *path: str | int, default: Any = None) -> Any:
    """`value[path[0]][path[1]]...`; `default` when a step is absent; the `Unknown` when a step is unknown."""
    current = value
    for step in path:
        if isinstance(current, Unknown):
            return current
        if isinstance(step, int):
            if not isinstance(current, list) or not -len(current) <= step < len(current):
                return default
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                return default
            current = current[step]
    return default if current is None else current


def as_list(value: Any) -> list[Any] | Unknown:
    """IAM-style "one or many": None -> [], a scalar -> [scalar], a list -> itself, unknown -> unknown."""
    if value is None:
        return []
    if isinstance(value, Unknown | list):
        return value
    return [value]


def as_int(value: Any) -> int | None:
    """Numbers arrive as floats over protobuf (`22.0`) and sometimes as strings; None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def is_true(value: Any) -> bool:
    """True for `True` and for bridged-provider strings "true"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def subject(resource_type: str, name: str) -> str:
    """How messages name a resource: `aws:ec2/securityGroup:SecurityGroup 'api-sg'`."""
    return f"{resource_type} '{name}'"


# -- findings -----------------------------------------------------------------------------------------
class Deferred(UnknownValueError):
    """Raised after a check when some value it needs is unknown during preview.

    The SDK reports it as an ADVISORY "can't run policy '<name>' ... during preview: <message>"; violations
    reported before it stand. On `pulumi up` the values are known and the check runs in full."""

    def __init__(self, items: Sequence[str]) -> None:
        super().__init__(UNKNOWN_STRING, [])
        self.items = list(items)
        self.message = "; ".join(self.items)


@dataclass
class Context:
    """What a check gets besides the resource(s): effective settings, the stack, reporting."""

    policy: str
    settings: Mapping[str, Any]
    stack: str
    report: ReportViolation
    deferred: list[str] = field(default_factory=list)
    violations: int = 0

    def violation(self, message: str, urn: str | None = None) -> None:
        self.violations += 1
        self.report(message, urn)

    def defer(self, what: str, why: str) -> None:
        """`what` (e.g. ".policy of aws:iam/rolePolicy:RolePolicy 'x'") is unknown; `why` says when it is
        judged (e.g. "judged on `pulumi up`, when the document is known")."""
        item = f"{what} can't be known during preview: {why}"
        if item not in self.deferred:
            self.deferred.append(item)

    def close(self) -> None:
        if self.deferred:
            raise Deferred(self.deferred)

    # -- environment -------------------------------------------------------------------------------
    def production(self, tags: Any = None) -> bool | Unknown:
        """Whether the thing judged belongs to a production environment: the stack name or its
        `Environment` tag is one of the `productionEnvironments` setting. Either is enough (the safer
        reading); an unknown tag in a non-production stack is `Unknown`."""
        names = {str(n).lower() for n in self.settings.get("productionEnvironments", PRODUCTION_DEFAULT)}
        if self.stack.lower() in names:
            return True
        value = dig(tags, "Environment") if isinstance(tags, dict) else None
        if isinstance(value, Unknown) or isinstance(tags, Unknown):
            return Unknown("string")
        return isinstance(value, str) and value.lower() in names

    def in_production(self, resource: Resource | StackResource) -> bool:
        """`production` for a resource, by its `tags`; an unknown `Environment` tag defers the verdict to
        `pulumi up` and counts as not production meanwhile (the caller skips its production-only checks)."""
        production = self.production(resource.get("tags"))
        if isinstance(production, Unknown):
            self.defer(
                f"the Environment tag of {resource.subject}", "whether it is production is judged on `pulumi up`"
            )
            return False
        return production


def string_list(default: Sequence[str], description: str, *, allowed: Sequence[str] | None = None) -> dict[str, Any]:
    """A setting's schema: a list of strings, `default` when the stack's config sets none, each item one of
    `allowed` when given (the engine refuses any other value before the pack runs)."""
    items: dict[str, Any] = {"type": "string"} if allowed is None else {"type": "string", "enum": list(allowed)}
    return {"type": "array", "items": items, "default": list(default), "description": description}


PRODUCTION_DEFAULT = ["prod", "production"]
PRODUCTION_SETTING: dict[str, dict[str, Any]] = {
    "productionEnvironments": string_list(
        PRODUCTION_DEFAULT, "Stack names or `Environment` tag values that count as production."
    ),
}


def current_stack() -> str:
    """The stack being checked: the engine configures the pack's runtime (PULUMI_STACK) before each call."""
    try:
        stack = pulumi.get_stack()
    except Exception:
        stack = ""
    return stack or os.environ.get("PULUMI_STACK", "")


# -- resources as a check sees them ----------------------------------------------------------------
@dataclass
class Resource:
    """One resource under `Analyze`: its type, name, URN and plain inputs."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    provider_props: dict[str, Any] | None = None
    protect: bool = False
    """The Pulumi `protect` resource option (`args.opts.protect`): always known, even at preview."""

    @property
    def subject(self) -> str:
        return subject(self.type, self.name)

    def get(self, *path: str | int, default: Any = None) -> Any:
        return dig(self.props, *path, default=default)


@dataclass
class StackResource:
    """One resource under `AnalyzeStack`: outputs as props, and its relations by URN."""

    type: str
    name: str
    urn: str
    raw_props: Any
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]

    @cached_property
    def props(self) -> dict[str, Any]:
        value = plain(self.raw_props)
        return value if isinstance(value, dict) else {}

    @property
    def subject(self) -> str:
        return subject(self.type, self.name)

    def get(self, *path: str | int, default: Any = None) -> Any:
        return dig(self.props, *path, default=default)


class Stack:
    """Every resource of the stack, indexed for the questions stack policies ask."""

    def __init__(self, resources: Iterable[StackResource]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}

    def __iter__(self) -> Iterator[StackResource]:
        return iter(self.resources)

    def of_type(self, *types: str) -> list[StackResource]:
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted]

    def referrers(self, urn: str, *, key: str | None = None) -> list[tuple[StackResource, str]]:
        """(resource, property) pairs whose property depends on `urn` (optionally only property `key`)."""
        found = []
        for resource in self.resources:
            for prop, urns in resource.property_dependencies.items():
                if urn in urns and (key is None or prop == key):
                    found.append((resource, prop))
        return found

    @classmethod
    def from_policy_resources(cls, resources: Iterable[PolicyResource]) -> Stack:
        converted = []
        for r in resources:
            parent = r.parent.urn if r.parent is not None else r.opts.parent
            converted.append(
                StackResource(
                    type=r.resource_type,
                    name=r.name,
                    urn=r.urn,
                    raw_props=r.props,
                    parent=parent,
                    dependencies=[d.urn for d in r.dependencies],
                    property_dependencies={k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
                )
            )
        return cls(converted)


_call = threading.local()
"""The current AnalyzeStack's shared resources and their `Stack` (`shared_stack`), per gRPC worker thread."""


@contextmanager
def shared_stack(resources: list[PolicyResource]) -> Iterator[None]:
    """While an AnalyzeStack hands every stack policy this same list (`serving.build_once_per_call`), they share
    one `Stack` of it: made once per call, each resource's plain props at most once too; policies only read it.
    Nothing outlives the call (the SDK's resources hold parts of the request message)."""
    _call.shared = (resources, Stack.from_policy_resources(resources))
    try:
        yield
    finally:
        _call.shared = None


def _stack_of(resources: list[PolicyResource]) -> Stack:
    """The `Stack` of the resources a stack policy is handed: the call's shared one where there is one."""
    shared: tuple[list[PolicyResource], Stack] | None = getattr(_call, "shared", None)
    if shared is not None and shared[0] is resources:
        return shared[1]
    return Stack.from_policy_resources(resources)  # the SDK's own AnalyzeStack, a test: a list per policy


# -- settings -----------------------------------------------------------------------------------------
def settings_with_defaults(schema: Mapping[str, Mapping[str, Any]], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The engine fills schema defaults before `Configure`; a pack used without it (or a test) gets them
    here too, so a check never meets a missing setting."""
    values = {key: spec["default"] for key, spec in schema.items() if "default" in spec}
    values.update(dict(given or {}))
    return values


def _schema(settings: Mapping[str, Mapping[str, Any]] | None) -> PolicyConfigSchema | None:
    if not settings:
        return None
    return PolicyConfigSchema(properties={k: dict(v) for k, v in settings.items()})


CRASH_HINT = (
    "the policy met a property shape it does not understand, so it reports instead of passing: "
    "report this to the platform team with the resource's inputs."
)


def _judge(ctx: Context, what: str, run: Callable[[], None]) -> None:
    """Run one check, then report what it deferred. A crash on a shape no check foresaw is a violation naming
    `what`, never a silent pass; an unknown value the SDK met (`UnknownValueError`) propagates (the engine
    defers the verdict to `up`)."""
    try:
        run()
    except UnknownValueError:
        raise
    except Exception as error:
        ctx.violation(f"{what} could not be judged ({type(error).__name__}: {error}); {CRASH_HINT}")
    ctx.close()


ResourceCheck = Callable[[Resource, Context], None]
StackCheck = Callable[[Stack, Context], None]


def resource_policy(
    *,
    name: str,
    description: str,
    types: Iterable[str] | None,
    check: ResourceCheck,
    remediation: str,
    severity: Severity = Severity.HIGH,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    url: str | None = None,
    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
) -> ResourceValidationPolicy:
    """A named `ResourceValidationPolicy` running `check` on resources of `types` (all when None). Mandatory
    unless said otherwise: the secure default; the per-stack config files relax where a guardrail doesn't fit."""
    wanted = frozenset(types) if types is not None else None
    schema = dict(settings or {})

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if wanted is not None and args.resource_type not in wanted:
            return
        props = plain(args.props)
        provider_props = plain(args.provider.props) if args.provider is not None else None
        resource = Resource(
            args.resource_type,
            args.name,
            args.urn,
            props if isinstance(props, dict) else {},
            provider_props if isinstance(provider_props, dict) else None,
            protect=bool(args.opts is not None and args.opts.protect),
        )
        ctx = Context(name, settings_with_defaults(schema, args.get_config()), current_stack(), report)
        _judge(ctx, resource.subject, lambda: check(resource, ctx))

    policy = ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        config_schema=_schema(schema),
        enforcement_level=enforcement_level,
        severity=severity,
        remediation_steps=remediation,
        url=url,
    )
    policy.resource_types = wanted  # type: ignore[attr-defined]  # for tests and docs: what it judges
    return policy


def stack_policy(
    *,
    name: str,
    description: str,
    check: StackCheck,
    remediation: str,
    severity: Severity = Severity.HIGH,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    url: str | None = None,
    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
) -> StackValidationPolicy:
    """A named `StackValidationPolicy` running `check` over the whole stack."""
    schema = dict(settings or {})

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        ctx = Context(name, settings_with_defaults(schema, args.get_config()), current_stack(), report)
        _judge(ctx, "the stack", lambda: check(_stack_of(args.resources), ctx))

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        config_schema=_schema(schema),
        enforcement_level=enforcement_level,
        severity=severity,
        remediation_steps=remediation,
        url=url,
    )
