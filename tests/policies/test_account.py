"""The account layer's guardrails: cloudtrail-multi-region-validated-encrypted, account-has-cloudtrail,
github-oidc-trust."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.guardrails import account
from policies.guardrails.account import (
    ACCOUNT_HAS_CLOUDTRAIL,
    CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED,
    GITHUB_OIDC_TRUST,
    OIDC_HINT,
    TRAIL_HINT,
)

from .helpers import UNKNOWN, UNKNOWN_BOOL, R, check, check_stack

TRAIL = "aws:cloudtrail/trail:Trail"
ROLE = "aws:iam/role:Role"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GOOD_TRAIL = {
    "name": "t",
    "s3BucketName": "b",
    "isMultiRegionTrail": True,
    "includeGlobalServiceEvents": True,
    "enableLogFileValidation": True,
    "kmsKeyId": KEY,
    "enableLogging": True,
}
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
BOUNDARY = "arn:aws:iam::123456789012:policy/boundaries/ci-deploy-boundary"
AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"


# -- cloudtrail-multi-region-validated-encrypted -------------------------------------------------------
def test_a_multi_region_validated_encrypted_trail_passes() -> None:
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, GOOD_TRAIL).passed


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"isMultiRegionTrail": False}, "records only its home region (isMultiRegionTrail is not true)"),
        ({"isMultiRegionTrail": None}, "records only its home region (isMultiRegionTrail is not true)"),
        (
            {"includeGlobalServiceEvents": False},
            "leaves out global service events such as IAM and STS (includeGlobalServiceEvents is not true)",
        ),
        (
            {"enableLogFileValidation": None},
            "writes no digest files, so a deleted or edited log file goes unnoticed "
            "(enableLogFileValidation is not true)",
        ),
        ({"kmsKeyId": None}, "is not encrypted with a customer-managed KMS key (kmsKeyId is not set)"),
        ({"enableLogging": False}, "is stopped (enableLogging is false)"),
    ],
)
def test_a_trail_missing_one_guard_is_rejected_with_what_it_lacks(change: dict[str, Any], problem: str) -> None:
    props = {k: v for k, v in {**GOOD_TRAIL, **change}.items() if v is not None}
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, props).violations == [
        f"{TRAIL} 'r' {problem}. {TRAIL_HINT}"
    ]


def test_absent_global_events_is_the_providers_default_true_and_passes() -> None:
    props = {k: v for k, v in GOOD_TRAIL.items() if k != "includeGlobalServiceEvents"}
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, props).passed


def test_a_key_created_in_the_same_stack_is_unknown_at_preview_and_passes() -> None:
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, {**GOOD_TRAIL, "kmsKeyId": UNKNOWN}).passed


def test_an_unknown_flag_is_deferred_to_up() -> None:
    props = {**GOOD_TRAIL, "isMultiRegionTrail": UNKNOWN_BOOL}
    result = check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, props)
    assert result.violations == [] and len(result.deferred) == 1


def test_sse_s3_trails_pass_only_when_kms_is_not_required() -> None:
    props = {k: v for k, v in GOOD_TRAIL.items() if k != "kmsKeyId"}
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, props, config={"requireKms": False}).passed


# -- account-has-cloudtrail ---------------------------------------------------------------------------
@pytest.fixture
def project(monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_project(name: str) -> None:
        monkeypatch.setattr(account, "_current_project", lambda: name)

    return set_project


def test_the_account_stack_with_a_good_trail_passes(project: Any) -> None:
    project("platform-bootstrap")
    assert check_stack(
        ACCOUNT_HAS_CLOUDTRAIL, [R(TRAIL, "weak", {**GOOD_TRAIL, "kmsKeyId": None}), R(TRAIL, "t", GOOD_TRAIL)]
    ).passed


def test_the_account_stack_without_a_trail_is_rejected(project: Any) -> None:
    project("platform-bootstrap")
    assert check_stack(ACCOUNT_HAS_CLOUDTRAIL, [R("aws:s3/bucket:Bucket", "b")]).violations == [
        "The account stack of project 'platform-bootstrap' must keep a CloudTrail trail that records every region "
        f"with log file validation and KMS encryption, but it has no aws.cloudtrail.Trail. {TRAIL_HINT}"
    ]


def test_the_account_stack_whose_only_trail_falls_short_is_rejected(project: Any) -> None:
    project("platform-bootstrap")
    weak = R(TRAIL, "t", {**GOOD_TRAIL, "enableLogFileValidation": False})
    assert check_stack(ACCOUNT_HAS_CLOUDTRAIL, [weak]).violations == [
        "The account stack of project 'platform-bootstrap' must keep a CloudTrail trail that records every region "
        f"with log file validation and KMS encryption, but its 1 trail all fall short. {TRAIL_HINT}"
    ]


def test_platform_stacks_need_no_trail_of_their_own(project: Any) -> None:
    project("platform")
    assert check_stack(ACCOUNT_HAS_CLOUDTRAIL, [R("aws:s3/bucket:Bucket", "b")]).passed


def test_account_projects_are_a_setting(project: Any) -> None:
    project("acme-account")
    assert check_stack(ACCOUNT_HAS_CLOUDTRAIL, [], config={"accountProjects": ["acme-account"]}).violations


# -- github-oidc-trust --------------------------------------------------------------------------------
def trust(condition: dict[str, Any], principal: Any = None) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "GitHub",
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": principal or {"Federated": PROVIDER},
                    "Condition": condition,
                }
            ],
        }
    )


PINNED = {"StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:example-org/platform:environment:prod"}}


def violations(document: str, boundary: str | None = BOUNDARY, **kwargs: Any) -> list[str]:
    props: dict[str, Any] = {"assumeRolePolicy": document}
    if boundary is not None:
        props["permissionsBoundary"] = boundary
    return check(GITHUB_OIDC_TRUST, ROLE, props, **kwargs).violations


def test_a_trust_pinned_to_one_repositorys_environment_and_the_audience_passes() -> None:
    assert violations(trust(PINNED)) == []


def test_a_trust_without_a_subject_lets_any_repository_in() -> None:
    assert violations(trust({"StringEquals": {AUD: "sts.amazonaws.com"}})) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' does not pin the subject (StringEquals {SUB}): any "
        f"repository on GitHub could assume the role. {OIDC_HINT}"
    ]


def test_a_trust_without_the_audience_is_rejected() -> None:
    assert violations(trust({"StringEquals": {SUB: "repo:example-org/platform:environment:prod"}})) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' does not pin the audience (StringEquals {AUD}). {OIDC_HINT}"
    ]


def test_another_audience_is_rejected() -> None:
    condition = {"StringEquals": {AUD: ["sts.amazonaws.com", "other"], SUB: "repo:o/r:environment:prod"}}
    assert violations(trust(condition)) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' accepts the audience ['sts.amazonaws.com', 'other'], "
        f"not only 'sts.amazonaws.com'. {OIDC_HINT}"
    ]


@pytest.mark.parametrize(
    "subject", ["repo:example-org/*", "repo:example-org/platform:*", "*", "repo:*/platform:environment:prod"]
)
def test_a_wildcard_subject_is_rejected(subject: str) -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com", SUB: subject}}
    assert violations(trust(condition)) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' trusts the subject {subject!r}: it must be "
        f"repo:<owner>/<repo>:... without '*' or '?'. {OIDC_HINT}"
    ]


def test_string_like_on_the_subject_is_rejected_even_without_a_wildcard() -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:o/r:environment:prod"}}
    assert violations(trust(condition)) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' matches the subject with StringLike: use StringEquals. "
        f"{OIDC_HINT}"
    ]


def test_allowed_repositories_limit_which_repository_a_trust_may_name() -> None:
    assert violations(trust(PINNED), config={"allowedRepositories": ["example-org/platform"]}) == []
    assert violations(trust(PINNED), config={"allowedRepositories": ["example-org/other"]}) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' trusts the repository 'example-org/platform', not one of "
        f"example-org/other. {OIDC_HINT}"
    ]


def test_a_github_role_without_a_permissions_boundary_is_rejected() -> None:
    assert violations(trust(PINNED), boundary=None) == [
        f"{ROLE} 'r' trusts GitHub Actions but has no permissions boundary. {OIDC_HINT}"
    ]


def test_service_roles_are_not_judged() -> None:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
            ],
        }
    )
    assert violations(document, boundary=None) == []


def test_an_unknown_trust_document_is_judged_on_up() -> None:
    result = check(GITHUB_OIDC_TRUST, ROLE, {"assumeRolePolicy": UNKNOWN, "permissionsBoundary": BOUNDARY})
    assert result.violations == [] and len(result.deferred) == 1


# -- edges: string booleans, unknowns, statements that are not GitHub's ------------------------------------
def test_string_booleans_from_the_bridged_provider_are_read_as_booleans() -> None:
    strings = {**GOOD_TRAIL, "isMultiRegionTrail": "true", "enableLogFileValidation": "true", "enableLogging": "true"}
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, strings).passed
    stopped = {**GOOD_TRAIL, "enableLogging": "false", "includeGlobalServiceEvents": "false"}
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, stopped).violations == [
        f"{TRAIL} 'r' leaves out global service events such as IAM and STS (includeGlobalServiceEvents is not "
        f"true). {TRAIL_HINT}",
        f"{TRAIL} 'r' is stopped (enableLogging is false). {TRAIL_HINT}",
    ]


def test_an_empty_key_id_is_no_key_and_unknown_or_absent_logging_is_not_stopped() -> None:
    assert check(CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, {**GOOD_TRAIL, "kmsKeyId": ""}).violations == [
        f"{TRAIL} 'r' is not encrypted with a customer-managed KMS key (kmsKeyId is not set). {TRAIL_HINT}"
    ]
    for logging in (UNKNOWN_BOOL, None):
        assert check(
            CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, TRAIL, {**GOOD_TRAIL, "enableLogging": logging}
        ).passed


def test_the_account_stack_defers_while_a_flag_is_unknown_and_counts_its_trails(project: Any) -> None:
    project("platform-bootstrap")
    weak = R(TRAIL, "weak", {**GOOD_TRAIL, "enableLogFileValidation": False})
    unknown = R(TRAIL, "new", {**GOOD_TRAIL, "isMultiRegionTrail": UNKNOWN_BOOL})
    result = check_stack(ACCOUNT_HAS_CLOUDTRAIL, [weak, unknown])
    assert result.violations == [] and result.deferred
    also_weak = R(TRAIL, "weak2", {**GOOD_TRAIL, "kmsKeyId": None})
    assert check_stack(ACCOUNT_HAS_CLOUDTRAIL, [weak, also_weak]).violations == [
        "The account stack of project 'platform-bootstrap' must keep a CloudTrail trail that records every region "
        f"with log file validation and KMS encryption, but its 2 trails all fall short. {TRAIL_HINT}"
    ]


def test_the_project_is_read_from_the_engine_and_an_unreadable_one_is_no_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pulumi

    monkeypatch.setattr(pulumi, "get_project", lambda: "platform-bootstrap")
    assert not check_stack(ACCOUNT_HAS_CLOUDTRAIL, []).passed

    def unreadable() -> str:
        raise RuntimeError("no project outside a Pulumi program")

    monkeypatch.setattr(pulumi, "get_project", unreadable)
    assert check_stack(ACCOUNT_HAS_CLOUDTRAIL, []).passed


def test_unknown_audience_or_subject_values_are_not_judged_but_unknown_principals_defer() -> None:
    unknown_values = {"StringEquals": {AUD: UNKNOWN, SUB: UNKNOWN}}
    assert violations(trust(unknown_values)) == []
    mixed = {"StringEquals": {AUD: ["sts.amazonaws.com", UNKNOWN], SUB: "repo:o/r:environment:prod"}}
    assert violations(trust(mixed)) == []
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": UNKNOWN,
                    "Condition": PINNED,
                }
            ],
        }
    )
    result = check(GITHUB_OIDC_TRUST, ROLE, {"assumeRolePolicy": document, "permissionsBoundary": BOUNDARY})
    assert result.violations == [] and result.deferred


def test_a_github_trust_is_recognised_by_its_condition_keys_in_any_case_and_denies_are_not_judged() -> None:
    cognito = {"Federated": "cognito-identity.amazonaws.com"}
    condition = {"StringEquals": {AUD.upper(): "sts.amazonaws.com"}}
    assert violations(trust(condition, principal=cognito)) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' does not pin the subject (StringEquals {SUB}): any "
        f"repository on GitHub could assume the role. {OIDC_HINT}"
    ]
    assert violations(trust({"StringEquals": {"cognito:aud": "x"}}, principal=cognito), boundary=None) == []
    deny = json.loads(trust({}))
    deny["Statement"][0]["Effect"] = "Deny"
    assert violations(json.dumps(deny)) == []


def test_a_question_mark_subject_and_an_unparsable_trust_are_rejected() -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:o/r:environment:pro?"}}
    assert violations(trust(condition)) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' trusts the subject 'repo:o/r:environment:pro?': it must "
        f"be repo:<owner>/<repo>:... without '*' or '?'. {OIDC_HINT}"
    ]
    assert len(violations("{not json", boundary=BOUNDARY)) == 1


def test_only_a_condition_block_of_keys_names_the_subject() -> None:
    malformed = {**PINNED, "StringLike": [SUB]}  # not a key -> values block: names no key
    assert violations(trust(malformed)) == []


def test_a_role_without_a_trust_document_is_not_judged() -> None:
    assert check(GITHUB_OIDC_TRUST, ROLE, {"name": "no-trust-yet"}).passed


def test_a_github_federated_trust_without_any_condition_is_judged_as_githubs() -> None:
    assert violations(trust({})) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' does not pin the audience (StringEquals {AUD}). {OIDC_HINT}",
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' does not pin the subject (StringEquals {SUB}): any "
        f"repository on GitHub could assume the role. {OIDC_HINT}",
    ]


def test_a_service_trust_without_a_condition_is_not_githubs() -> None:
    service = json.loads(trust({}, principal={"Service": "ecs-tasks.amazonaws.com"}))
    del service["Statement"][0]["Condition"]
    assert violations(json.dumps(service), boundary=None) == []


def test_the_audience_pinned_under_another_operator_is_not_pinned() -> None:
    condition = {
        "StringEquals": {SUB: "repo:example-org/platform:environment:prod"},
        "ForAnyValue:StringLike": {AUD: "sts.amazonaws.com"},
    }
    assert violations(trust(condition)) == [
        f"{ROLE} 'r' assumeRolePolicy: statement 'GitHub' does not pin the audience (StringEquals {AUD}). {OIDC_HINT}"
    ]
