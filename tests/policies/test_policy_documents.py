"""The pack's readers of plain values and policy documents (base.py, policy_documents.py): what every guardrail
relies on to see a value as true, a number, unknown, production, or a principal as everyone."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from policies.guardrails.base import (
    Context,
    Deferred,
    Unknown,
    as_int,
    as_list,
    dig,
    is_true,
    plain,
    settings_with_defaults,
)
from policies.guardrails.policy_documents import (
    DocumentError,
    Statement,
    condition_keys,
    denies_insecure_transport,
    parse,
    principal_is_everyone,
)

from .helpers import UNKNOWN, UNKNOWN_BOOL, UNKNOWN_NUMBER


# -- plain values -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        (False, False),
        ("false", False),
        (None, False),
        (1, False),
        ("yes", False),
        ("", False),
    ],
)
def test_is_true_accepts_booleans_and_the_bridged_providers_strings(value: Any, expected: bool) -> None:
    assert is_true(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(22.0, 22), (7, 7), ("90", 90), ("89.0", 89), (True, None), ("ninety", None), (None, None), ([], None)],
)
def test_as_int_reads_protobuf_floats_and_strings(value: Any, expected: int | None) -> None:
    assert as_int(value) == expected


def test_as_list_is_iam_one_or_many() -> None:
    unknown = Unknown()
    assert as_list(None) == [] and as_list("a") == ["a"] and as_list(["a", "b"]) == ["a", "b"]
    assert as_list(unknown) is unknown


def test_dig_walks_dicts_and_lists_and_stops_at_unknowns() -> None:
    value = {"a": [{"b": 1}, {"b": None}], "u": Unknown("object")}
    assert dig(value, "a", 0, "b") == 1
    assert dig(value, "a", -1, "b", default="d") == "d"  # None counts as absent
    assert dig(value, "a", 2, "b", default="d") == "d"
    assert dig(value, "a", -3, default="d") == "d"
    assert dig(value, "a", -2, "b") == 1
    assert dig(value, "missing", default=0) == 0
    assert dig(value, "a", "b", default="d") == "d"  # a key into a list
    assert dig(value, "u", "x") == Unknown("object")
    assert dig([1], 0, "x", default="d") == "d"


def test_plain_turns_engine_sentinels_into_unknowns_of_their_kind() -> None:
    assert plain({"a": UNKNOWN, "b": [UNKNOWN_BOOL, "x"], "n": UNKNOWN_NUMBER, "raw": b"x"}) == {
        "a": Unknown("string"),
        "b": [Unknown("boolean"), "x"],
        "n": Unknown("number"),
        "raw": b"x",
    }
    assert repr(Unknown("number")) == "<unknown number>"


def test_settings_take_the_schema_defaults_under_what_is_given() -> None:
    schema = {"a": {"type": "integer", "default": 1}, "b": {"type": "integer"}}
    assert settings_with_defaults(schema, None) == {"a": 1}
    assert settings_with_defaults(schema, {"a": 2, "b": 3}) == {"a": 2, "b": 3}


# -- production --------------------------------------------------------------------------------------
def context(stack: str, **settings: Any) -> Context:
    return Context("p", settings, stack, lambda message, urn: None)


@pytest.mark.parametrize("stack", ["prod", "production", "Prod", "PRODUCTION"])
def test_a_production_stack_name_in_any_case_is_production(stack: str) -> None:
    assert context(stack).production() is True


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"Environment": "Prod"}, True),
        ({"Environment": "production"}, True),
        ({"Environment": "dev"}, False),
        ({"environment": "prod"}, False),
        ({}, False),
        (None, False),
        ({"Environment": 1}, False),
    ],
)
def test_the_environment_tag_decides_outside_a_production_stack(tags: Any, expected: bool) -> None:
    assert context("dev").production(tags) is expected


def test_an_unknown_tag_leaves_production_undecided_and_the_setting_names_production() -> None:
    assert context("dev").production({"Environment": Unknown()}) == Unknown("string")
    assert context("dev").production(Unknown("object")) == Unknown("string")
    assert context("prod").production(Unknown("object")) is True
    assert context("live", productionEnvironments=["Live"]).production() is True
    assert context("prod", productionEnvironments=["live"]).production() is False


def test_deferrals_are_listed_once_and_raised_on_close() -> None:
    ctx = context("dev")
    ctx.close()  # nothing deferred: nothing raised
    ctx.defer(".x of r", "judged later")
    ctx.defer(".x of r", "judged later")
    ctx.defer(".y of r", "judged later")
    with pytest.raises(Deferred) as caught:
        ctx.close()
    assert caught.value.items == [
        ".x of r can't be known during preview: judged later",
        ".y of r can't be known during preview: judged later",
    ]


# -- documents --------------------------------------------------------------------------------------
def statement(**fields: Any) -> Statement:
    parsed = parse({"Statement": [fields]})
    assert isinstance(parsed, list)
    return parsed[0]


def test_parse_reads_one_statement_or_a_list_and_refuses_what_is_not_a_document() -> None:
    one = parse('{"Statement": {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject"}}')
    assert isinstance(one, list) and [s.sid for s in one] == ["A"]
    for bad, message in (
        ("nope", "is not valid JSON (Expecting value at line 1)"),
        ([], "is not a JSON object"),
        ({"Statement": []}, "has no Statement"),
        ({}, "has no Statement"),
        ({"Statement": [1]}, "statement #0 is not an object"),
    ):
        with pytest.raises(DocumentError) as caught:
            parse(bad)
        assert str(caught.value) == message
    assert parse({"Statement": Unknown("array")}) == Unknown("array")
    assert parse({"Statement": [{"Sid": "A"}, Unknown("object")]}) == Unknown("object")


def test_statements_are_immutable_values() -> None:
    parsed = statement(Sid="A", Effect="Allow")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.effect = "Deny"  # type: ignore[misc]


def test_statements_are_labelled_by_sid_or_position() -> None:
    parsed = parse({"Statement": [{"Sid": "Read"}, {"Sid": ""}, {}]})
    assert isinstance(parsed, list)
    assert [s.label for s in parsed] == ["statement 'Read'", "statement #1", "statement #2"]


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["*", "arn:aws:iam::1:root"]}, True),
        ({"Service": "*"}, True),
        ({"AWS": "arn:aws:iam::1:root"}, False),
        ({"AWS": ["arn:aws:iam::1:root"]}, False),
        (None, False),
        ("arn:aws:iam::1:root", False),
        ({"AWS": [Unknown(), "*"]}, True),
    ],
)
def test_a_principal_is_everyone_when_any_of_its_values_is_star(principal: Any, expected: bool) -> None:
    assert principal_is_everyone(principal) is expected


def test_an_unknown_principal_is_undecided_unless_a_known_part_is_star() -> None:
    assert principal_is_everyone(Unknown()) == Unknown()
    assert principal_is_everyone({"AWS": Unknown("array")}) == Unknown("array")
    assert principal_is_everyone({"AWS": ["arn:aws:iam::1:root", Unknown()]}) == Unknown("string")
    assert principal_is_everyone({"AWS": Unknown("array"), "Service": "*"}) is True


def test_condition_keys_are_the_lower_cased_keys_of_every_block() -> None:
    assert condition_keys(None) == set()
    assert condition_keys(
        {
            "StringEquals": {"aws:SourceArn": "x", "AWS:SourceAccount": "1"},
            "Bool": {"aws:SecureTransport": "false"},
            "Odd": "x",
        }
    ) == {"aws:sourcearn", "aws:sourceaccount", "aws:securetransport"}
    assert condition_keys(Unknown("object")) == Unknown("object")
    assert condition_keys({"StringEquals": Unknown("object")}) == Unknown("object")
    assert condition_keys(["not", "a", "block"]) == set()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Effect": "Deny", "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, True),
        ({"Effect": "Deny", "Principal": {"AWS": "*"}, "Condition": {"Bool": {"aws:securetransport": False}}}, True),
        ({"Effect": "Deny", "Principal": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": ["FALSE"]}}}, True),
        ({"Effect": "Allow", "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, False),
        ({"Effect": "Deny", "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
        (
            {
                "Effect": "Deny",
                "Principal": {"AWS": "arn:aws:iam::1:root"},
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            False,
        ),
        ({"Effect": "Deny", "Principal": "*", "Condition": {"StringEquals": {"aws:SecureTransport": "false"}}}, False),
        ({"Effect": "Deny", "Principal": "*", "Condition": {"Bool": {"aws:ViaAWSService": "false"}}}, False),
        ({"Effect": "Deny", "Principal": "*", "Condition": {"Bool": "aws:SecureTransport"}}, False),
        ({"Effect": "Deny", "Principal": "*"}, False),
    ],
)
def test_only_a_deny_for_everyone_on_insecure_transport_is_the_tls_statement(fields: dict, expected: bool) -> None:
    assert denies_insecure_transport(statement(**fields)) is expected
