"""Secret rotation: a stack secret rotated every 30 days by a stack function (seed 003), invokable by Secrets
Manager for that secret only; the RDS-managed master secret's schedule."""

from __future__ import annotations

import pytest

from offline.engine import StackRun
from tests.examples.support import example_run

from .compute_support import child, policy

ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


@pytest.fixture(scope="module")
def run() -> StackRun:
    return example_run("candlefish", stack="prod")


def test_the_webhook_secret_rotates_every_30_days_with_its_function(run: StackRun) -> None:
    rotation = child(run, "rotations", "rotations-github-webhook-secret")
    alias = child(run, "function-webhook-secret-rotator", "function-webhook-secret-rotator-alias")
    secret = next(
        r
        for r in run.of_type("aws:secretsmanager/secret:Secret")
        if r.inputs["name"].endswith("/github-webhook-secret")
    )
    assert rotation.inputs["secretId"] == secret.outputs["arn"]
    assert rotation.inputs["rotationLambdaArn"] == alias.outputs["arn"]
    assert rotation.inputs["rotationRules"] == {"automaticallyAfterDays": 30.0}
    permission = child(run, "rotations", "rotations-github-webhook-secret-invoke")
    assert permission.inputs["principal"] == "secretsmanager.amazonaws.com"
    assert permission.inputs["sourceArn"] == secret.outputs["arn"]
    assert permission.urn in rotation.dependencies


def test_the_rotation_function_may_rotate_only_that_secret(run: StackRun) -> None:
    secret = next(
        r
        for r in run.of_type("aws:secretsmanager/secret:Secret")
        if r.inputs["name"].endswith("/github-webhook-secret")
    )
    found = {
        s["Sid"]: s
        for s in policy(child(run, "function-webhook-secret-rotator", "function-webhook-secret-rotator-policy"))[
            "Statement"
        ]
    }
    assert found["RotateGithubWebhookSecret"]["Resource"] == [secret.outputs["arn"]]
    assert found["RotateGithubWebhookSecret"]["Action"] == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    ]
    assert found["RotateGithubWebhookSecretKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    }
    others = [s for s in found.values() if s["Sid"].startswith("Rotate") and "Webhook" not in s["Sid"]]
    assert others == []


def test_the_database_master_secret_rotates_on_its_schedule_without_a_function(
    stack_runs: dict[str, StackRun], run: StackRun
) -> None:
    for each in (run, stack_runs["prod"]):
        rotation = child(each, "rotations", "rotations-database-master")
        assert rotation.inputs["secretId"] == each.outputs["databaseMasterSecretArn"]
        assert rotation.inputs["rotationRules"] == {"automaticallyAfterDays": 7.0}
        assert "rotationLambdaArn" not in rotation.inputs


def test_every_secret_says_how_it_is_rotated(run: StackRun, stack_runs: dict[str, StackRun]) -> None:
    tags = {
        r.inputs["name"].rsplit("/", 1)[-1]: r.inputs["tags"].get("RotatedBy")
        for r in run.of_type("aws:secretsmanager/secret:Secret")
    }
    assert tags == {
        "auth0-client-secret": "external",
        "github-token": "external",
        "github-webhook-secret": "function:webhook-secret-rotator",
        "slack-token": "external",
    }
    prod = {
        r.inputs["name"].rsplit("/", 1)[-1]: r.inputs["tags"].get("RotatedBy")
        for r in stack_runs["prod"].of_type("aws:secretsmanager/secret:Secret")
    }
    assert prod == {"stripe-key": "external", "session-signing-key": "external"}
    assert not [r for r in run.of_type(ROTATION) if "slack" in r.name]  # rotated where it is issued
