"""The pack's shared machinery (policies/guardrails/base.py), through the SDK's own servicer: a check that
crashes reports instead of passing, deferrals reach the engine as one advisory, the stack and production are
read as documented, and values unknown at preview arrive as `Unknown` whatever their kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google.protobuf import json_format
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer  # the SDK's servicer, as tests/policies/helpers.py uses
from pulumi_policy.proxy import UnknownValueError

from policies.guardrails import base
from policies.guardrails.base import (
    CRASH_HINT,
    Context,
    Resource,
    Stack,
    StackResource,
    Unknown,
    as_int,
    as_list,
    dig,
    is_true,
    plain,
    resource_policy,
    stack_policy,
)
from policies.guardrails.base import current_stack as real_current_stack

from .helpers import (
    STANDARD_TAGS,
    UNKNOWN,
    UNKNOWN_ARRAY,
    UNKNOWN_BOOL,
    UNKNOWN_NUMBER,
    UNKNOWN_OBJECT,
    R,
    check,
    check_stack,
)

BUCKET = "aws:s3/bucket:Bucket"


def _crash(*_: object) -> None:
    raise KeyError("rules")


def test_a_resource_check_that_crashes_reports_instead_of_passing() -> None:
    policy = resource_policy(name="crashes", description="d", types=None, check=_crash, remediation="r")
    assert check(policy, BUCKET, {}).violations == [
        f"{BUCKET} 'r' could not be judged (KeyError: 'rules'); {CRASH_HINT}"
    ]


def test_a_stack_check_that_crashes_reports_instead_of_passing() -> None:
    policy = stack_policy(name="crashes", description="d", check=_crash, remediation="r")
    assert check_stack(policy, [R(BUCKET, "b")]).violations == [
        f"the stack could not be judged (KeyError: 'rules'); {CRASH_HINT}"
    ]


def test_a_resource_policy_judges_only_its_types() -> None:
    def flag(resource: Resource, ctx: Context) -> None:
        ctx.violation(f"{resource.subject} seen")

    policy = resource_policy(name="typed", description="d", types=[BUCKET], check=flag, remediation="r")
    assert check(policy, BUCKET, {}).violations == [f"{BUCKET} 'r' seen"]
    assert check(policy, "aws:sqs/queue:Queue", {}).passed
    every = resource_policy(name="every", description="d", types=None, check=flag, remediation="r")
    assert check(every, "aws:sqs/queue:Queue", {}).violations == ["aws:sqs/queue:Queue 'r' seen"]


def test_a_check_sees_the_protect_option_and_the_provider_inputs() -> None:
    seen: list[tuple[bool, object]] = []

    def record(resource: Resource, _ctx: Context) -> None:
        seen.append((resource.protect, resource.provider_props))

    policy = resource_policy(name="sees", description="d", types=None, check=record, remediation="r")
    check(policy, BUCKET, {}, protect=True, provider={"region": "eu-west-1"})
    check(policy, BUCKET, {})
    assert seen == [(True, {"region": "eu-west-1"}), (False, None)]


def test_deferrals_are_one_advisory_after_the_violations_and_repeats_are_said_once() -> None:
    def mixed(resource: Resource, ctx: Context) -> None:
        ctx.violation("known fault")
        ctx.defer(".a", "on up")
        ctx.defer(".a", "on up")
        ctx.defer(".b", "on up")

    result = check(resource_policy(name="mixed", description="d", types=None, check=mixed, remediation="r"), BUCKET, {})
    assert result.violations == ["known fault"]
    assert result.deferred == [
        "can't run policy 'mixed' from policy pack 'test-pack@v0.0.1' during preview: .a can't be known during "
        "preview: on up; .b can't be known during preview: on up"
    ]


def test_settings_fall_back_to_their_schema_defaults() -> None:
    seen: list[object] = []

    def record(_resource: Resource, ctx: Context) -> None:
        seen.append(dict(ctx.settings))

    schema = {"days": {"type": "integer", "default": 7}, "names": {"type": "array"}}
    policy = resource_policy(name="set", description="d", types=None, check=record, remediation="r", settings=schema)
    check(policy, BUCKET, {})
    check(policy, BUCKET, {}, config={"days": 30})
    assert seen == [{"days": 7}, {"days": 30}]


def test_the_stack_comes_from_the_engine_and_else_from_pulumi_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_STACK", "staging")
    monkeypatch.setattr(base.pulumi, "get_stack", lambda: "prod")
    assert real_current_stack() == "prod"
    monkeypatch.setattr(base.pulumi, "get_stack", lambda: "")
    assert real_current_stack() == "staging"

    def no_runtime() -> str:
        raise RuntimeError("no stack")

    monkeypatch.setattr(base.pulumi, "get_stack", no_runtime)
    assert real_current_stack() == "staging"
    monkeypatch.delenv("PULUMI_STACK")
    assert real_current_stack() == ""


def _context(stack: str, settings: dict | None = None) -> Context:
    return Context("p", settings or {}, stack, lambda *_: None)


@pytest.mark.parametrize("stack", ["prod", "PROD", "production", "Production"])
def test_production_stacks_by_name_whatever_the_case(stack: str) -> None:
    assert _context(stack).production({"Environment": "dev"}) is True


@pytest.mark.parametrize(
    ("tags", "expected"),
    [({"Environment": "Prod"}, True), ({"Environment": "dev"}, False), ({}, False), (None, False), ("prod", False)],
)
def test_production_by_environment_tag_in_another_stack(tags: object, expected: bool) -> None:
    assert _context("dev").production(tags) is expected


def test_production_names_are_configurable_and_an_unknown_tag_is_unknown() -> None:
    live = _context("dev", {"productionEnvironments": ["Live"]})
    assert live.production({"Environment": "live"}) is True
    assert live.production({"Environment": "prod"}) is False
    assert isinstance(_context("dev").production({"Environment": Unknown()}), Unknown)
    assert isinstance(_context("dev").production(Unknown("object")), Unknown)
    assert _context("prod").production(Unknown("object")) is True


@pytest.mark.parametrize(
    ("sentinel", "kind"),
    [
        (UNKNOWN, "string"),
        (UNKNOWN_BOOL, "boolean"),
        (UNKNOWN_NUMBER, "number"),
        (UNKNOWN_ARRAY, "array"),
        (UNKNOWN_OBJECT, "object"),
    ],
)
def test_every_unknown_sentinel_becomes_an_unknown_of_its_kind(sentinel: str, kind: str) -> None:
    assert plain({"a": [sentinel], "b": sentinel}) == {"a": [Unknown(kind)], "b": Unknown(kind)}


def test_plain_values_pass_through_unchanged() -> None:
    assert plain({"a": [1, "x", None, {"b": True}], "c": b"raw"}) == {"a": [1, "x", None, {"b": True}], "c": b"raw"}


def test_an_unknown_is_an_immutable_value() -> None:
    assert Unknown("number") == Unknown("number") != Unknown("string")
    assert len({Unknown("number"), Unknown("number")}) == 1
    with pytest.raises(AttributeError):
        Unknown().kind = "number"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "expected"), [(22.0, 22), (22, 22), ("22", 22), ("22.9", 22), (True, None), ("x", None), (None, None)]
)
def test_numbers_arrive_as_floats_strings_or_not_at_all(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), ("true", True), ("TRUE", True), ("false", False), (1, False), (None, False)]
)
def test_true_is_true_or_the_bridged_string(value: object, expected: bool) -> None:
    assert is_true(value) is expected


def test_dig_and_as_list_read_one_or_many_and_stop_at_unknowns() -> None:
    unknown = Unknown("object")
    assert dig({"a": [{"b": 1}]}, "a", 0, "b") == 1
    assert dig({"a": [{"b": 1}]}, "a", -1, "b") == 1
    assert dig({"a": [{"b": 1}]}, "a", 1, "b", default="none") == "none"
    assert dig({"a": [{"b": 1}]}, "a", -2, default="none") == "none"
    assert dig({"a": {"b": None}}, "a", "b", default=0) == 0
    assert dig({"a": unknown}, "a", "b") is unknown
    assert dig({"a": "text"}, "a", "b") is None
    assert dig({"a": {}}, "a", 0) is None
    assert (as_list(None), as_list("x"), as_list(["x"]), as_list(unknown)) == ([], ["x"], ["x"], unknown)


def _stack_resource(name: str, deps: dict[str, list[str]]) -> StackResource:
    return StackResource("t", name, f"urn:{name}", {}, None, [], deps)


def test_referrers_are_the_resources_whose_property_depends_on_the_urn() -> None:
    owner = _stack_resource("owner", {})
    by_bucket = _stack_resource("by-bucket", {"bucket": ["urn:owner"], "policy": ["urn:other"]})
    by_policy = _stack_resource("by-policy", {"policy": ["urn:owner"]})
    unrelated = _stack_resource("unrelated", {"bucket": ["urn:other"]})
    stack = Stack([owner, by_bucket, by_policy, unrelated])
    assert stack.referrers("urn:owner") == [(by_bucket, "bucket"), (by_policy, "policy")]
    assert stack.referrers("urn:owner", key="bucket") == [(by_bucket, "bucket")]
    assert stack.by_urn["urn:unrelated"] is unrelated
    assert list(stack) == [owner, by_bucket, by_policy, unrelated]


def test_a_stack_check_sees_parents_dependencies_and_outputs() -> None:
    seen: list[tuple[str | None, list[str], dict]] = []

    def record(stack: Stack, _ctx: Context) -> None:
        seen.extend((r.parent, r.dependencies, r.props) for r in stack)

    parent = R("platform:index:Data", "data")
    bucket = R(BUCKET, "b", {"tags": STANDARD_TAGS}, parent=parent)
    block = R(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {"bucket": UNKNOWN}, deps={"bucket": [bucket]}
    )
    check_stack(stack_policy(name="sees", description="d", check=record, remediation="r"), [parent, bucket, block])
    assert seen == [
        (None, [], {}),
        (parent.urn, [], {"tags": STANDARD_TAGS}),
        (None, [bucket.urn], {"bucket": Unknown("string")}),
    ]


def test_in_production_defers_on_an_unknown_tag_and_counts_as_not_production(stack_name: Callable[[str], None]) -> None:
    ctx = _context("dev")
    resource = Resource(BUCKET, "b", "urn:b", {"tags": {"Environment": Unknown()}})
    assert ctx.in_production(resource) is False
    assert ctx.deferred == [
        f"the Environment tag of {BUCKET} 'b' can't be known during preview: whether it is production is judged on "
        "`pulumi up`"
    ]
    assert _context("dev").in_production(Resource(BUCKET, "b", "urn:b", {"tags": {"Environment": "prod"}})) is True


def test_an_unknown_the_sdk_meets_inside_a_check_defers_the_verdict_instead_of_passing() -> None:
    def reads_unknown(_resource: Resource, ctx: Context) -> None:
        ctx.defer(".other", "on up")
        raise UnknownValueError(base.UNKNOWN_STRING, ["policy"])

    policy = resource_policy(name="meets", description="d", types=None, check=reads_unknown, remediation="r")
    result = check(policy, BUCKET, {})
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'meets' from policy pack 'test-pack@v0.0.1' during preview: string value at .policy can't "
        "be known during preview"
    ]


def _published_schemas(*policies: Policy) -> dict[str, dict]:
    servicer = _PolicyAnalyzerServicer("test-pack", "0.0.1", list(policies), EnforcementLevel.MANDATORY)
    info = servicer.GetAnalyzerInfo(None, None)
    return {p.name: json_format.MessageToDict(p.configSchema) for p in info.policies}


def test_the_pack_publishes_each_settings_schema_to_the_engine() -> None:
    # The engine fills defaults and refuses out-of-range or unknown-enum values from what the pack publishes.
    schema = {"days": {"type": "integer", "minimum": 1, "default": 7}}
    configured = resource_policy(
        name="configured", description="d", types=None, check=_crash, remediation="r", settings=schema
    )
    bare = stack_policy(name="bare", description="d", check=_crash, remediation="r")
    assert _published_schemas(configured, bare) == {
        "configured": {"properties": {"days": {"type": "integer", "minimum": 1.0, "default": 7.0}}},
        "bare": {},
    }


def test_stack_policies_handed_one_list_in_a_call_share_one_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi_policy.policy import PolicyResource, PolicyResourceOptions

    made: list[int] = []
    real = base.Stack.from_policy_resources
    monkeypatch.setattr(base.Stack, "from_policy_resources", classmethod(lambda cls, rs: made.append(1) or real(rs)))

    def resources() -> list[PolicyResource]:
        options = PolicyResourceOptions(False, [], None, [], None, [], None)  # pyright: ignore[reportArgumentType]
        return [PolicyResource("aws:sqs/queue:Queue", {"name": "q"}, "urn:q", "q", options, None, None, [], {})]

    shared, other = resources(), resources()
    with base.shared_stack(shared):
        first = base._stack_of(shared)  # pyright: ignore[reportPrivateUsage]
        assert base._stack_of(shared) is first and len(made) == 1  # pyright: ignore[reportPrivateUsage]
        assert base._stack_of(other) is not first and len(made) == 2  # pyright: ignore[reportPrivateUsage]
        assert [r.urn for r in first] == ["urn:q"] and first.resources[0].props == {"name": "q"}
    assert base._call.shared is None  # pyright: ignore[reportPrivateUsage]  # nothing outlives the call
    again = base._stack_of(shared)  # pyright: ignore[reportPrivateUsage]
    assert again is not first and base._stack_of(shared) is not again and len(made) == 4  # pyright: ignore[reportPrivateUsage]
