"""ecr-repository-hardening: immutable tags, scan on push and KMS encryption on every ECR repository."""

from __future__ import annotations

from typing import Any

from policies.guardrails.ecr import ECR_REPOSITORY, ECR_REPOSITORY_HARDENING, HINT

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_OBJECT, check

POLICY = ECR_REPOSITORY_HARDENING
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def repository(**changes: Any) -> dict[str, Any]:
    """What components/repository.py registers, with `changes` laid over it (None removes a key)."""
    props: dict[str, Any] = {
        "name": "platform-dev-api",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}],
        "forceDelete": False,
        "tags": STANDARD_TAGS,
    }
    props.update(changes)
    return {k: v for k, v in props.items() if v is not None}


def test_a_hardened_repository_passes() -> None:
    assert check(POLICY, ECR_REPOSITORY, repository()).passed
    assert check(POLICY, ECR_REPOSITORY, repository(encryptionConfigurations=[{"encryptionType": "KMS_DSSE"}])).passed


def test_a_new_stack_key_unknown_at_preview_passes() -> None:
    result = check(
        POLICY, ECR_REPOSITORY, repository(encryptionConfigurations=[{"encryptionType": "KMS", "kmsKey": UNKNOWN}])
    )
    assert result.passed


def test_mutable_tags_are_refused_with_the_fix() -> None:
    assert check(POLICY, ECR_REPOSITORY, repository(imageTagMutability="MUTABLE"), name="api").violations == [
        "aws:ecr/repository:Repository 'api' has mutable tags (imageTagMutability is 'MUTABLE'): set "
        'image_tag_mutability="IMMUTABLE", so a pushed tag can never point at other code. Declare the repository '
        "under platform:repositories (components/repository.py sets immutable tags, scan on push and the stack's "
        "KMS key)."
    ]


def test_absent_mutability_is_aws_default_mutable_and_refused() -> None:
    assert check(POLICY, ECR_REPOSITORY, repository(imageTagMutability=None)).violations == [
        "aws:ecr/repository:Repository 'r' has mutable tags (imageTagMutability is unset (MUTABLE)): set "
        f'image_tag_mutability="IMMUTABLE", so a pushed tag can never point at other code. {HINT}'
    ]


def test_immutable_with_exclusions_is_refused() -> None:
    result = check(POLICY, ECR_REPOSITORY, repository(imageTagMutability="IMMUTABLE_WITH_EXCLUSION"))
    assert result.violations == [
        "aws:ecr/repository:Repository 'r' has mutable tags (imageTagMutability is 'IMMUTABLE_WITH_EXCLUSION'): "
        f'set image_tag_mutability="IMMUTABLE", so a pushed tag can never point at other code. {HINT}'
    ]


def test_no_scan_on_push_is_refused() -> None:
    expected = [
        "aws:ecr/repository:Repository 'r' does not scan images on push: set image_scanning_configuration."
        f"scan_on_push=true, so every image is checked for known vulnerabilities before it runs. {HINT}"
    ]
    assert (
        check(POLICY, ECR_REPOSITORY, repository(imageScanningConfiguration={"scanOnPush": False})).violations
        == expected
    )
    assert check(POLICY, ECR_REPOSITORY, repository(imageScanningConfiguration=None)).violations == expected


def test_default_aes256_encryption_is_refused() -> None:
    expected = (
        "aws:ecr/repository:Repository 'r' is not encrypted with a KMS key (encryptionType is {}): set "
        'encryption_configurations=[{{encryption_type: "KMS", kms_key: <the stack key>}}]. ' + HINT
    )
    assert check(
        POLICY, ECR_REPOSITORY, repository(encryptionConfigurations=[{"encryptionType": "AES256"}])
    ).violations == [expected.format("'AES256'")]
    assert check(POLICY, ECR_REPOSITORY, repository(encryptionConfigurations=None)).violations == [
        expected.format("unset (AES256)")
    ]


def test_kms_can_be_relaxed_by_setting_but_tags_and_scanning_cannot() -> None:
    relaxed = {"requireKms": False}
    assert check(POLICY, ECR_REPOSITORY, repository(encryptionConfigurations=None), config=relaxed).passed
    mutable = repository(encryptionConfigurations=None, imageTagMutability="MUTABLE")
    assert len(check(POLICY, ECR_REPOSITORY, mutable, config=relaxed).violations) == 1


def test_every_fault_is_reported_at_once() -> None:
    result = check(POLICY, ECR_REPOSITORY, {"name": "bare", "tags": STANDARD_TAGS})
    assert len(result.violations) == 3


def test_unknown_values_are_deferred_not_passed() -> None:
    unknown = repository(
        imageTagMutability=UNKNOWN, imageScanningConfiguration=UNKNOWN_OBJECT, encryptionConfigurations=UNKNOWN_OBJECT
    )
    result = check(POLICY, ECR_REPOSITORY, unknown)
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'ecr-repository-hardening' from policy pack 'test-pack@v0.0.1' during preview: "
        ".imageTagMutability of aws:ecr/repository:Repository 'r' can't be known during preview: judged on "
        "`pulumi up`, when known; .imageScanningConfiguration of aws:ecr/repository:Repository 'r' can't be known "
        "during preview: judged on `pulumi up`, when known; .encryptionConfigurations of "
        "aws:ecr/repository:Repository 'r' can't be known during preview: judged on `pulumi up`, when known"
    ]


def test_other_types_are_not_judged() -> None:
    assert check(POLICY, "aws:ecr/lifecyclePolicy:LifecyclePolicy", {"repository": "x"}).passed
