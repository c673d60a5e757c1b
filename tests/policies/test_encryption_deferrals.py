"""The encryption policies defer, rather than pass or fail, when the value they judge is unknown at preview.

A deferral is the SDK's advisory "can't run policy ... during preview: <what> can't be known during preview:
<when>": the verdict comes on `pulumi up`. Passing would let an unencrypted store through a first preview;
failing would block every stack whose key or bucket is created in the same deployment.
"""

from __future__ import annotations

import pytest

from policies.guardrails.encryption import (
    ENCRYPTION_AT_REST,
    HINT,
    S3_BUCKET_ENCRYPTION,
    TLS_HINT,
    TLS_ONLY_RESOURCE_POLICIES,
)

from .helpers import UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_BOOL, R, check, check_stack, policy_document
from .helpers import deferred as deferred_advisory

SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
WHEN_KNOWN = "judged on `pulumi up`, when known"


def deferred(policy: str, *items: str) -> list[str]:
    """The one advisory the SDK reports for a check that deferred `items` (each "<what>|<when>")."""
    return deferred_advisory(policy, *((what, when) for what, when in (i.split("|") for i in items)))


@pytest.mark.parametrize(
    ("resource_type", "props", "what"),
    [
        ("aws:rds/instance:Instance", {"storageEncrypted": UNKNOWN_BOOL}, ".storageEncrypted"),
        ("aws:ebs/volume:Volume", {"encrypted": UNKNOWN_BOOL}, ".encrypted"),
        ("aws:efs/fileSystem:FileSystem", {"encrypted": UNKNOWN_BOOL}, ".encrypted"),
        ("aws:dynamodb/table:Table", {"serverSideEncryption": {"enabled": UNKNOWN_BOOL}}, ".serverSideEncryption"),
        ("aws:dynamodb/table:Table", {"serverSideEncryption": UNKNOWN}, ".serverSideEncryption"),
    ],
)
def test_an_unknown_encryption_flag_defers_the_store(resource_type: str, props: dict, what: str) -> None:
    result = check(ENCRYPTION_AT_REST, resource_type, props)
    assert result.violations == []
    assert result.deferred == deferred("encryption-at-rest", f"{what} of {resource_type} 'r'|{WHEN_KNOWN}")


def test_unknown_bucket_encryption_rules_defer_instead_of_counting_as_no_rule() -> None:
    result = check(ENCRYPTION_AT_REST, SSE, {"bucket": UNKNOWN, "rules": UNKNOWN_ARRAY})
    assert result.violations == []
    assert result.deferred == deferred("encryption-at-rest", f"the encryption rules of {SSE} 'r'|{WHEN_KNOWN}")


def test_an_unknown_algorithm_defers_while_a_known_bad_one_next_to_it_is_reported() -> None:
    rules = [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}},
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "none"}},
    ]
    result = check(ENCRYPTION_AT_REST, SSE, {"rules": rules})
    assert result.violations == [
        f"{SSE} 'r' has no valid default encryption ('none'): set apply_server_side_encryption_by_default."
        f"sse_algorithm to aws:kms. {HINT}"
    ]
    assert result.deferred == deferred("encryption-at-rest", f"sseAlgorithm of {SSE} 'r'|{WHEN_KNOWN}")


def test_an_inline_bucket_rule_unknown_at_preview_defers() -> None:
    inline = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}}}
    result = check(ENCRYPTION_AT_REST, "aws:s3/bucket:Bucket", {"serverSideEncryptionConfiguration": inline})
    assert result.violations == []
    assert result.deferred == deferred("encryption-at-rest", f"sseAlgorithm of aws:s3/bucket:Bucket 'r'|{WHEN_KNOWN}")


def test_a_bucket_without_inline_encryption_is_left_to_the_stack_policy() -> None:
    assert check(ENCRYPTION_AT_REST, "aws:s3/bucketV2:BucketV2", {"bucket": "b"}).passed


def _bucket_with(rules: object) -> list[R]:
    bucket = R("aws:s3/bucket:Bucket", "b", {"bucket": "platform-dev-b"})
    return [bucket, R(SSE, "b-sse", {"bucket": UNKNOWN, "rules": rules}, deps={"bucket": [bucket]})]


@pytest.mark.parametrize(
    "rules",
    [UNKNOWN_ARRAY, [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}}]],
    ids=["rules", "algorithm"],
)
def test_an_unknown_bucket_algorithm_defers_the_stack_verdict(rules: object) -> None:
    result = check_stack(S3_BUCKET_ENCRYPTION, _bucket_with(rules))
    assert result.violations == []
    assert result.deferred == deferred(
        "s3-bucket-encryption", f"the encryption algorithm of {SSE} 'b-sse'|{WHEN_KNOWN}"
    )


def test_one_unknown_algorithm_defers_the_whole_configuration_without_judging_the_rest() -> None:
    # The known AES256 beside an unknown rule is not reported yet: the configuration is judged whole on `up`.
    rules = [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}},
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}},
    ]
    result = check_stack(S3_BUCKET_ENCRYPTION, _bucket_with(rules))
    assert result.violations == []
    assert len(result.deferred) == 1


def test_an_unknown_policy_document_defers_with_its_reason() -> None:
    result = check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queuePolicy:QueuePolicy", {"policy": UNKNOWN})
    assert result.violations == []
    assert result.deferred == deferred(
        "tls-only-resource-policies",
        ".policy of aws:sqs/queuePolicy:QueuePolicy 'r'|the document embeds values known only after create; judged "
        "on `pulumi up`",
    )


def test_a_document_whose_statement_list_is_unknown_defers_on_a_bucket_too() -> None:
    document = {"Version": "2012-10-17", "Statement": UNKNOWN_ARRAY}
    result = check(TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucket:Bucket", {"policy": document})
    assert result.violations == []
    assert result.deferred == deferred(
        "tls-only-resource-policies",
        ".policy of aws:s3/bucket:Bucket 'r'|the document embeds values known only after create; judged on `pulumi up`",
    )


def test_a_known_document_is_judged_even_when_a_resource_arn_in_it_is_unknown() -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": UNKNOWN,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert check(
        TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(deny)}
    ).passed
    wrong = policy_document({**deny, "Action": "s3:GetObject"})
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": wrong}).violations == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' denies only s3:GetObject without TLS; deny s3:*. {TLS_HINT}"
    ]
