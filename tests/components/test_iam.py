"""components/iam.py: the guards every statement and document the platform renders passes through. Each guard
is shown refusing what it exists to refuse, and letting the closest legitimate statement through."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.iam import Statement, deny_insecure_transport, policy_document, service_trust_policy

BUCKET = "arn:aws:s3:::platform-dev-uploads"


def rendered(document: Callable[[], pulumi.Output[str]]) -> dict[str, Any]:
    """The JSON a document renders to (plain values only: no engine needed). The Output is made inside the
    event loop that resolves it; a private loop, so the thread's current loop (the engine's) is left alone
    (`asyncio.run` would unset it for every later test in this worker)."""

    async def resolve() -> str:
        return await document().future()  # type: ignore[return-value]

    loop = asyncio.new_event_loop()
    try:
        return json.loads(loop.run_until_complete(resolve()))
    finally:
        loop.close()


@pytest.mark.parametrize("actions", [["*"], ["s3:*"], ["s3:GetObject", "dynamodb:*"]])
def test_an_allow_of_every_action_or_a_whole_service_is_refused(actions: list[str]) -> None:
    wildcards = [a for a in actions if a.endswith("*")]
    with pytest.raises(ValueError) as caught:
        Statement(sid="S", actions=actions, resources=[BUCKET])
    assert str(caught.value) == f"statement S allows wildcard actions {wildcards}; name the actions"


def test_a_partial_wildcard_is_a_named_action_set_and_a_deny_may_use_star() -> None:
    assert Statement(sid="S", actions=["s3:Get*"], resources=[BUCKET]).actions == ["s3:Get*"]
    assert Statement(sid="D", actions=["*"], effect="Deny", resources=[BUCKET], principals="*").effect == "Deny"


def test_a_statement_needs_actions() -> None:
    with pytest.raises(ValueError, match=r"^statement S has no actions$"):
        Statement(sid="S", actions=[], resources=[BUCKET])


def test_resource_star_needs_a_justification() -> None:
    with pytest.raises(ValueError, match=r"^statement S uses Resource '\*' without a justification$"):
        Statement(sid="S", actions=["ecr:GetAuthorizationToken"], resources=["*"])
    justified = Statement(
        sid="S",
        actions=["ecr:GetAuthorizationToken"],
        resources=["*"],
        justification="ecr:GetAuthorizationToken takes no resource",
    )
    assert justified.to_json_shape()["Resource"] == ["*"]
    assert Statement(sid="S", actions=["s3:GetObject"], resources=[f"{BUCKET}/*"]).justification is None


def test_statements_are_immutable_values() -> None:
    statement = Statement(sid="S", actions=["s3:GetObject"], resources=[BUCKET])
    with pytest.raises(dataclasses.FrozenInstanceError):
        statement.actions = ["*"]  # type: ignore[misc]
    assert statement == Statement(sid="S", actions=["s3:GetObject"], resources=[BUCKET])


def test_the_json_shape_sorts_and_dedupes_actions_and_omits_what_is_empty() -> None:
    statement = Statement(sid="S", actions=["s3:PutObject", "s3:GetObject", "s3:PutObject"], resources=[BUCKET])
    assert statement.to_json_shape() == {
        "Sid": "S",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": [BUCKET],
    }
    everyone = Statement(
        sid="E",
        actions=["s3:GetObject"],
        resources=[BUCKET],
        principals="*",
        conditions={"StringEquals": {"aws:PrincipalOrgID": "o-123"}},
    )
    assert everyone.to_json_shape()["Principal"] == "*"
    assert everyone.to_json_shape()["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}
    service = Statement(sid="T", actions=["sts:AssumeRole"], principals={"Service": ("ecs-tasks.amazonaws.com",)})
    assert service.to_json_shape() == {
        "Sid": "T",
        "Effect": "Allow",
        "Action": ["sts:AssumeRole"],
        "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
    }


def test_a_document_needs_statements_with_distinct_sids() -> None:
    with pytest.raises(ValueError, match=r"^a policy document needs at least one statement$"):
        policy_document([])
    one = Statement(sid="Read", actions=["s3:GetObject"], resources=[f"{BUCKET}/*"])
    other = Statement(sid="List", actions=["s3:ListBucket"], resources=[BUCKET])
    with pytest.raises(ValueError, match=r"^duplicate statement ids: \['Read'\]$"):
        policy_document([one, other, one])
    assert rendered(lambda: policy_document([one, other])) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{BUCKET}/*"]},
            {"Sid": "List", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [BUCKET]},
        ],
    }


def test_a_service_trust_policy_is_bound_to_the_account_and_optionally_the_source() -> None:
    plain = rendered(lambda: service_trust_policy("ecs-tasks.amazonaws.com", "123456789012"))
    assert plain["Statement"] == [
        {
            "Sid": "TrustService",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ]
    bound = rendered(
        lambda: service_trust_policy("ecs-tasks.amazonaws.com", "123456789012", "arn:aws:ecs:us-east-1:123456789012:*")
    )
    assert bound["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"},
    }


def test_the_tls_deny_refuses_everyone_without_secure_transport() -> None:
    assert deny_insecure_transport(["s3:*"], [BUCKET, f"{BUCKET}/*"]).to_json_shape() == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Action": ["s3:*"],
        "Principal": "*",
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
