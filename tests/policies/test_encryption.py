"""encryption-at-rest, s3-bucket-encryption, tls-only-resource-policies, tls-only-policy-attached."""

from __future__ import annotations

import pytest

from policies.guardrails.encryption import (
    ENCRYPTION_AT_REST,
    HINT,
    KMS_KEY_ROTATION,
    ROTATION_HINT,
    S3_BUCKET_ENCRYPTION,
    TLS_HINT,
    TLS_ONLY_POLICY_ATTACHED,
    TLS_ONLY_RESOURCE_POLICIES,
)

from .helpers import UNKNOWN, UNKNOWN_BOOL, UNKNOWN_NUMBER, R, check, check_stack, policy_document

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"


@pytest.mark.parametrize(
    ("resource_type", "good", "bad", "message"),
    [
        (
            "aws:rds/cluster:Cluster",
            {"storageEncrypted": True, "kmsKeyId": KEY_ARN},
            {"storageEncrypted": False},
            "aws:rds/cluster:Cluster 'r' stores its data unencrypted (storageEncrypted is False): set storageEncrypted=true.",
        ),
        (
            "aws:rds/instance:Instance",
            {"storageEncrypted": True},
            {},
            "aws:rds/instance:Instance 'r' stores its data unencrypted (storageEncrypted is unset): set "
            "storageEncrypted=true.",
        ),
        (
            "aws:dynamodb/table:Table",
            {"serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN}},
            {},
            "aws:dynamodb/table:Table 'r' is encrypted only with the AWS-owned key: set server_side_encryption "
            "enabled=true with a KMS key.",
        ),
        (
            "aws:sqs/queue:Queue",
            {"kmsMasterKeyId": KEY_ARN},
            {"kmsMasterKeyId": ""},
            "aws:sqs/queue:Queue 'r' is not encrypted with a KMS key (kmsMasterKeyId is unset): set kmsMasterKeyId to a "
            "KMS key.",
        ),
        (
            "aws:sns/topic:Topic",
            {"kmsMasterKeyId": "alias/platform"},
            {},
            "aws:sns/topic:Topic 'r' is not encrypted with a KMS key (kmsMasterKeyId is unset): set kmsMasterKeyId to a "
            "KMS key.",
        ),
        (
            "aws:cloudwatch/logGroup:LogGroup",
            {"kmsKeyId": KEY_ARN, "retentionInDays": 30},
            {"retentionInDays": 30},
            "aws:cloudwatch/logGroup:LogGroup 'r' is not encrypted with a KMS key (kmsKeyId is unset): set kmsKeyId to a "
            "KMS key.",
        ),
        (
            "aws:secretsmanager/secret:Secret",
            {"kmsKeyId": KEY_ARN},
            {"name": "s"},
            "aws:secretsmanager/secret:Secret 'r' uses the default aws/secretsmanager key (kmsKeyId is unset): set "
            "kmsKeyId to a KMS key.",
        ),
        (
            "aws:ebs/volume:Volume",
            {"encrypted": True},
            {"encrypted": False},
            "aws:ebs/volume:Volume 'r' is unencrypted (encrypted is False): set encrypted=true.",
        ),
        (
            SSE,
            {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
            {"rules": []},
            f"{SSE} 'r' has no default-encryption rule.",
        ),
        (
            SSE_V2,
            {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
            {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "none"}}]},
            f"{SSE_V2} 'r' has no valid default encryption ('none'): set apply_server_side_encryption_by_default."
            f"sse_algorithm to aws:kms.",
        ),
    ],
)
def test_each_store_is_encrypted(resource_type: str, good: dict, bad: dict, message: str) -> None:
    assert check(ENCRYPTION_AT_REST, resource_type, good).passed
    assert check(ENCRYPTION_AT_REST, resource_type, bad).violations == [f"{message} {HINT}"]


def test_sqs_managed_encryption_is_accepted_unless_configured_otherwise() -> None:
    managed = {"sqsManagedSseEnabled": True}
    assert check(ENCRYPTION_AT_REST, "aws:sqs/queue:Queue", managed).passed
    assert check(ENCRYPTION_AT_REST, "aws:sqs/queue:Queue", managed, config={"sqsAllowManagedSse": False}).violations


def test_an_unknown_key_id_is_a_key_being_created_and_passes() -> None:
    # At preview the stack key's ARN is unknown: a key *is* configured.
    assert check(ENCRYPTION_AT_REST, "aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": UNKNOWN}).passed
    assert check(ENCRYPTION_AT_REST, "aws:sqs/queue:Queue", {"kmsMasterKeyId": UNKNOWN}).passed


def test_an_unknown_encryption_flag_is_deferred() -> None:
    result = check(ENCRYPTION_AT_REST, "aws:rds/cluster:Cluster", {"storageEncrypted": UNKNOWN_BOOL})
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'encryption-at-rest' from policy pack 'test-pack@v0.0.1' during preview: .storageEncrypted "
        "of aws:rds/cluster:Cluster 'r' can't be known during preview: judged on `pulumi up`, when known"
    ]


# -- S3 buckets: a configuration for each, with a KMS key unless load balancers write logs there ------------
def bucket_stack(algorithm: str | None = "aws:kms", *, lb_logs: bool = False) -> list[R]:
    bucket = R("aws:s3/bucket:Bucket", "logs", {"bucket": "platform-dev-logs"})
    resources = [bucket]
    if algorithm:
        resources.append(
            R(
                SSE,
                "logs-sse",
                {"bucket": UNKNOWN, "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}]},
                deps={"bucket": [bucket]},
            )
        )
    if lb_logs:
        resources.append(
            R(
                "aws:lb/loadBalancer:LoadBalancer",
                "alb",
                {"accessLogs": {"enabled": True, "bucket": "platform-dev-logs"}},
                deps={"accessLogs": [bucket]},
            )
        )
    return resources


def test_every_bucket_needs_a_kms_default_encryption() -> None:
    assert check_stack(S3_BUCKET_ENCRYPTION, bucket_stack()).passed
    assert check_stack(S3_BUCKET_ENCRYPTION, bucket_stack(None)).violations == [
        "aws:s3/bucket:Bucket 'logs' has no default-encryption configuration: add an "
        f"aws.s3.BucketServerSideEncryptionConfiguration (bucket=<this bucket>) using aws:kms. {HINT}"
    ]
    assert check_stack(S3_BUCKET_ENCRYPTION, bucket_stack("AES256")).violations == [
        f"{SSE} 'logs-sse' encrypts aws:s3/bucket:Bucket 'logs' with 'AES256'; use one of aws:kms, aws:kms:dsse. {HINT}"
    ]


def test_a_load_balancer_log_bucket_may_use_sse_s3_the_only_kind_aws_delivers_to() -> None:
    assert check_stack(S3_BUCKET_ENCRYPTION, bucket_stack("AES256", lb_logs=True)).passed


def test_an_inline_bucket_encryption_counts() -> None:
    bucket = R(
        "aws:s3/bucket:Bucket",
        "b",
        {
            "serverSideEncryptionConfiguration": {
                "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}
            }
        },
    )
    assert check_stack(S3_BUCKET_ENCRYPTION, [bucket]).passed


# -- in transit --------------------------------------------------------------------------------------
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def test_a_bucket_policy_denying_plain_http_passes() -> None:
    assert check(
        TLS_ONLY_RESOURCE_POLICIES,
        "aws:s3/bucketPolicy:BucketPolicy",
        {"bucket": "b", "policy": policy_document(TLS_DENY)},
    ).passed
    queue_deny = {
        **TLS_DENY,
        "Action": ["sqs:*"],
        "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
        "Condition": {"Bool": {"aws:SecureTransport": False}},
    }
    queue_policy = {"policy": {"Statement": [queue_deny]}}  # an object document
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queuePolicy:QueuePolicy", queue_policy).passed


def test_a_policy_without_the_deny_is_rejected() -> None:
    allow = {
        "Effect": "Allow",
        "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    result = check(TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(allow)})
    assert result.violations == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' does not deny requests made without TLS. {TLS_HINT}"
    ]


def test_a_deny_of_only_some_actions_is_not_tls_only() -> None:
    partial = {**TLS_DENY, "Action": ["s3:GetObject"]}
    result = check(TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(partial)})
    assert result.violations == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' denies only s3:GetObject without TLS; deny s3:*. {TLS_HINT}"
    ]


def test_an_unknown_policy_is_deferred() -> None:
    result = check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queuePolicy:QueuePolicy", {"policy": UNKNOWN})
    assert result.violations == [] and len(result.deferred) == 1


def test_every_bucket_and_queue_has_a_resource_policy() -> None:
    bucket = R("aws:s3/bucket:Bucket", "b")
    queue = R("aws:sqs/queue:Queue", "q")
    bucket_policy = R(
        "aws:s3/bucketPolicy:BucketPolicy",
        "b-policy",
        {"bucket": UNKNOWN, "policy": UNKNOWN},
        deps={"bucket": [bucket]},
    )
    queue_policy = R("aws:sqs/queuePolicy:QueuePolicy", "q-policy", {"queueUrl": UNKNOWN}, deps={"queueUrl": [queue]})
    assert check_stack(TLS_ONLY_POLICY_ATTACHED, [bucket, queue, bucket_policy, queue_policy]).passed
    result = check_stack(TLS_ONLY_POLICY_ATTACHED, [bucket, queue, bucket_policy])
    assert result.violations == [
        "aws:sqs/queue:Queue 'q' has no resource policy, so nothing refuses plain-HTTP requests: add a "
        f"aws.sqs.QueuePolicy for it. {TLS_HINT}"
    ]


def test_which_stores_need_a_resource_policy_is_configurable() -> None:
    queue = R("aws:sqs/queue:Queue", "q")
    assert check_stack(TLS_ONLY_POLICY_ATTACHED, [queue]).violations
    assert check_stack(TLS_ONLY_POLICY_ATTACHED, [queue], config={"requiredFor": ["buckets"]}).passed


# -- kms-key-rotation ---------------------------------------------------------------------------------------
KEY = "aws:kms/key:Key"
ROTATING_KEY = {
    "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
    "keyUsage": "ENCRYPT_DECRYPT",
    "enableKeyRotation": True,
    "rotationPeriodInDays": 365,
}


def test_symmetric_keys_rotate() -> None:
    assert check(KMS_KEY_ROTATION, KEY, ROTATING_KEY).passed
    assert check(KMS_KEY_ROTATION, KEY, {"enableKeyRotation": True}).passed  # spec unset: SYMMETRIC_DEFAULT
    assert check(KMS_KEY_ROTATION, KEY, {**ROTATING_KEY, "rotationPeriodInDays": 90}).passed
    assert check(KMS_KEY_ROTATION, KEY, {**ROTATING_KEY, "enableKeyRotation": False}).violations == [
        "aws:kms/key:Key 'r' never rotates its key material (enableKeyRotation is False): set "
        f"enable_key_rotation=true. {ROTATION_HINT}"
    ]
    assert check(KMS_KEY_ROTATION, KEY, {"description": "stack key"}).violations == [
        "aws:kms/key:Key 'r' never rotates its key material (enableKeyRotation is unset, and AWS's default is off): "
        "set enable_key_rotation=true. Rotation gives the key new material on schedule and keeps the old for "
        "decrypting, so nothing is re-encrypted and nothing stops working."
    ]


def test_the_rotation_period_has_a_configurable_maximum() -> None:
    assert check(KMS_KEY_ROTATION, KEY, {**ROTATING_KEY, "rotationPeriodInDays": 730}).violations == [
        "aws:kms/key:Key 'r' sets rotationPeriodInDays 730: rotate at least every 365 days "
        f"(rotation_period_in_days <= 365, or unset for 365). {ROTATION_HINT}"
    ]
    config = {"maximumRotationPeriodDays": 180}
    assert check(KMS_KEY_ROTATION, KEY, {**ROTATING_KEY, "rotationPeriodInDays": 180}, config=config).passed
    assert check(KMS_KEY_ROTATION, KEY, ROTATING_KEY, config=config).violations == [
        "aws:kms/key:Key 'r' sets rotationPeriodInDays 365: rotate at least every 180 days "
        f"(rotation_period_in_days <= 180, or unset for 365). {ROTATION_HINT}"
    ]
    # Both faults at once: both reported, each with its fix.
    assert len(check(KMS_KEY_ROTATION, KEY, {"rotationPeriodInDays": 2560}).violations) == 2


@pytest.mark.parametrize(
    "props",
    [
        {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
        {"customerMasterKeySpec": "ECC_NIST_P256", "keyUsage": "SIGN_VERIFY"},
        {"customerMasterKeySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"},
        {"customKeyStoreId": "cks-1234567890abcdef0"},
        {"customKeyStoreId": UNKNOWN},  # a custom key store created in the same deployment
    ],
    ids=["rsa", "ecc", "hmac", "custom-key-store", "custom-key-store-unknown"],
)
def test_keys_that_cannot_rotate_are_not_judged(props: dict) -> None:
    assert check(KMS_KEY_ROTATION, KEY, {**props, "enableKeyRotation": False}).passed


def test_unknown_rotation_settings_defer() -> None:
    result = check(
        KMS_KEY_ROTATION,
        KEY,
        {**ROTATING_KEY, "enableKeyRotation": UNKNOWN_BOOL, "rotationPeriodInDays": UNKNOWN_NUMBER},
    )
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'kms-key-rotation' from policy pack 'test-pack@v0.0.1' during preview: "
        ".enableKeyRotation of aws:kms/key:Key 'r' can't be known during preview: judged on `pulumi up`, when "
        "known; .rotationPeriodInDays of aws:kms/key:Key 'r' can't be known during preview: judged on `pulumi up`, "
        "when known"
    ]
    unknown_spec = check(KMS_KEY_ROTATION, KEY, {"customerMasterKeySpec": UNKNOWN, "enableKeyRotation": False})
    assert unknown_spec.violations == []
    assert unknown_spec.deferred == [
        "can't run policy 'kms-key-rotation' from policy pack 'test-pack@v0.0.1' during preview: "
        ".customerMasterKeySpec of aws:kms/key:Key 'r' can't be known during preview: whether the key can rotate "
        "is judged on `pulumi up`, when known"
    ]
    # A known fault is reported even while another value is unknown.
    mixed = check(KMS_KEY_ROTATION, KEY, {"enableKeyRotation": False, "rotationPeriodInDays": UNKNOWN_NUMBER})
    assert len(mixed.violations) == 1 and len(mixed.deferred) == 1
