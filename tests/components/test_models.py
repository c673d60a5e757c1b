"""Bedrock grants: exactly the named foundation models and inference profiles, never `foundation-model/*`."""

from __future__ import annotations

import json

import pytest

from components.aws_context import AwsContext
from components.models import INVOKE_ACTIONS, invoke_statements, model_arns, parse_model_id
from offline.engine import stack_config
from offline.mocks import ACCOUNT_ID
from policies.guardrails.iam import NO_WILDCARD_IAM
from tests.policies.helpers import check

from .compute_support import ROLE_POLICY
from .variants import MODELS, dev_stores_run

CONTEXT = AwsContext("123456789012", "us-west-2", "aws", "amazonaws.com")
HAIKU, PROFILE = MODELS  # a foundation model and an inference profile


def test_a_foundation_model_is_granted_on_its_own_arn_in_the_stack_region() -> None:
    assert model_arns(HAIKU, CONTEXT) == [f"arn:aws:bedrock:us-west-2::foundation-model/{HAIKU}"]


def test_an_inference_profile_is_granted_with_the_model_in_every_region_it_routes_to() -> None:
    model = PROFILE.removeprefix("us.")
    assert model_arns(PROFILE, CONTEXT) == [
        f"arn:aws:bedrock:us-west-2:123456789012:inference-profile/{PROFILE}",
        *(
            f"arn:aws:bedrock:{region}::foundation-model/{model}"
            for region in ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
        ),
    ]


def test_a_global_profile_names_the_model_without_a_region_as_aws_documents() -> None:
    arns = model_arns("global.anthropic.claude-sonnet-4-20250514-v1:0", CONTEXT)
    assert arns[-1] == "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"


def test_ids_that_are_not_models_are_refused() -> None:
    for bad in ("*", "foundation-model/*", "claude", "anthropic.*"):
        with pytest.raises(ValueError, match="not a Bedrock model id"):
            parse_model_id(bad)
    with pytest.raises(ValueError, match="unknown geography 'xx'"):
        parse_model_id("xx.anthropic.claude-v1")


def test_the_grant_statements_pass_no_wildcard_iam() -> None:
    statements = invoke_statements([HAIKU, PROFILE], CONTEXT)
    assert [s.sid for s in statements] == [
        "ModelAnthropicClaude3Haiku20240307V10Invoke",
        "ModelUsAnthropicClaude35Haiku20241022V10Invoke",
    ]
    assert all(tuple(s.actions) == INVOKE_ACTIONS for s in statements)
    document = json.dumps({"Version": "2012-10-17", "Statement": [s.to_json_shape() for s in statements]})
    assert check(NO_WILDCARD_IAM, "aws:iam/rolePolicy:RolePolicy", {"policy": document}).passed


def test_a_service_granted_models_may_invoke_exactly_those() -> None:
    run = dev_stores_run()  # the api granted [HAIKU, PROFILE]
    [task_policy] = [r for r in run.of_type(ROLE_POLICY) if r.name == "api-task-policy"]
    statements = json.loads(task_policy.inputs["policy"])["Statement"]
    bedrock = [s for s in statements if any(a.startswith("bedrock:") for a in s["Action"])]
    region = AwsContext(ACCOUNT_ID, stack_config("dev")["aws:region"], "aws", "amazonaws.com")
    assert [s["Resource"] for s in bedrock] == [model_arns(HAIKU, region), model_arns(PROFILE, region)]
    assert all(sorted(s["Action"]) == sorted(INVOKE_ACTIONS) for s in bedrock)
