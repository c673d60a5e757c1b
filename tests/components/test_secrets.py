"""Secrets: declared in config, encrypted with the stack key, created with no value (operators put it out of
band), recoverable per environment, protected in prod."""

from __future__ import annotations

from offline.engine import StackRun

from .data_support import config_of, key_arn

WINDOWS = {"dev": 0, "staging": 7, "prod": 30}


def test_each_configured_secret_exists_encrypted_with_the_stack_key(stack_run: StackRun) -> None:
    secrets = {s.name: s for s in stack_run.of_type("aws:secretsmanager/secret:Secret")}
    configured = config_of(stack_run.stack).secrets
    assert configured
    # The stack's own secrets, plus any RDS manages itself (none is registered: RDS creates it).
    assert set(secrets) == {f"secret-{key}-secret" for key in configured}
    for key in configured:
        secret = secrets[f"secret-{key}-secret"].inputs
        assert secret["name"] == f"platform/{stack_run.stack}/{key}"
        assert secret["kmsKeyId"] == key_arn(stack_run)
        assert secret["recoveryWindowInDays"] == WINDOWS[stack_run.stack]


def test_no_secret_value_is_ever_registered(stack_run: StackRun) -> None:
    assert not stack_run.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    for secret in stack_run.of_type("aws:secretsmanager/secret:Secret"):
        assert not {"secretString", "secretBinary"} & set(secret.inputs)


def test_prod_secrets_are_protected(stack_runs: dict[str, StackRun]) -> None:
    for stack, run in stack_runs.items():
        assert {s.protect for s in run.of_type("aws:secretsmanager/secret:Secret")} == {stack == "prod"}, stack
