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


# -- the cases each branch of the policies must still decide --------------------------------------------------
@pytest.mark.parametrize(
    ("resource_type", "props", "setting"),
    [
        ("aws:dynamodb/table:Table", {}, "dynamodbRequireKms"),
        ("aws:cloudwatch/logGroup:LogGroup", {}, "logGroupsRequireKms"),
        ("aws:secretsmanager/secret:Secret", {}, "secretsRequireCustomerKey"),
    ],
)
def test_each_kms_requirement_can_be_switched_off(resource_type: str, props: dict, setting: str) -> None:
    assert check(ENCRYPTION_AT_REST, resource_type, props).violations
    assert check(ENCRYPTION_AT_REST, resource_type, props, config={setting: False}).passed


def test_aurora_serverless_v1_is_always_encrypted_and_provisioned_aurora_is_judged() -> None:
    cluster = "aws:rds/cluster:Cluster"
    assert check(ENCRYPTION_AT_REST, cluster, {"engineMode": "serverless"}).passed
    assert check(ENCRYPTION_AT_REST, cluster, {"engineMode": "provisioned"}).violations == [
        f"{cluster} 'r' stores its data unencrypted (storageEncrypted is unset): set storageEncrypted=true. {HINT}"
    ]


def test_an_unencrypted_efs_file_system_is_rejected() -> None:
    efs = "aws:efs/fileSystem:FileSystem"
    assert check(ENCRYPTION_AT_REST, efs, {"encrypted": True}).passed
    assert check(ENCRYPTION_AT_REST, efs, {}).violations == [
        f"{efs} 'r' is unencrypted (encrypted is unset): set encrypted=true. {HINT}"
    ]


def test_bridged_string_booleans_count_as_encrypted_and_a_string_false_does_not() -> None:
    assert check(ENCRYPTION_AT_REST, "aws:rds/instance:Instance", {"storageEncrypted": "true"}).passed
    assert check(ENCRYPTION_AT_REST, "aws:ebs/volume:Volume", {"encrypted": "false"}).violations == [
        f"aws:ebs/volume:Volume 'r' is unencrypted (encrypted is 'false'): set encrypted=true. {HINT}"
    ]
    assert check(ENCRYPTION_AT_REST, "aws:dynamodb/table:Table", {"serverSideEncryption": {"enabled": "true"}}).passed


def test_a_blank_key_id_is_no_key() -> None:
    assert check(ENCRYPTION_AT_REST, "aws:sns/topic:Topic", {"kmsMasterKeyId": "   "}).violations == [
        f"aws:sns/topic:Topic 'r' is not encrypted with a KMS key (kmsMasterKeyId is unset): set kmsMasterKeyId to a "
        f"KMS key. {HINT}"
    ]


def test_sqs_managed_sse_switched_off_on_the_queue_still_needs_a_key() -> None:
    assert check(ENCRYPTION_AT_REST, "aws:sqs/queue:Queue", {"sqsManagedSseEnabled": False}).violations


@pytest.mark.parametrize("bucket_type", ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"])
def test_an_inline_bucket_rule_is_judged_on_both_bucket_tokens(bucket_type: str) -> None:
    inline = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}}
    assert check(ENCRYPTION_AT_REST, bucket_type, {"serverSideEncryptionConfiguration": inline}).passed
    bad = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "none"}}}
    assert check(ENCRYPTION_AT_REST, bucket_type, {"serverSideEncryptionConfiguration": bad}).violations == [
        f"{bucket_type} 'r' has no valid default encryption ('none'): set apply_server_side_encryption_by_default."
        f"sse_algorithm to aws:kms. {HINT}"
    ]
    assert check(ENCRYPTION_AT_REST, bucket_type, {"serverSideEncryptionConfiguration": {}}).violations == [
        f"{bucket_type} 'r' has no default-encryption rule. {HINT}"
    ]


@pytest.mark.parametrize("algorithm", ["aws:kms", "aws:kms:dsse", "AES256"])
def test_every_encrypting_algorithm_is_encryption_at_rest(algorithm: str) -> None:
    rules = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}]}
    assert check(ENCRYPTION_AT_REST, SSE, rules).passed


def _bucket_v2_stack(config_type: str, algorithm: str) -> list[R]:
    bucket = R("aws:s3/bucketV2:BucketV2", "data", {"bucket": "platform-dev-data"})
    rules = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}]
    return [bucket, R(config_type, "data-sse", {"rules": rules}, deps={"bucket": [bucket]})]


@pytest.mark.parametrize("config_type", [SSE, SSE_V2])
def test_both_bucket_and_configuration_tokens_are_paired(config_type: str) -> None:
    assert check_stack(S3_BUCKET_ENCRYPTION, _bucket_v2_stack(config_type, "aws:kms:dsse")).passed
    assert check_stack(S3_BUCKET_ENCRYPTION, _bucket_v2_stack(config_type, "AES256")).violations == [
        f"{config_type} 'data-sse' encrypts aws:s3/bucketV2:BucketV2 'data' with 'AES256'; use one of aws:kms, "
        f"aws:kms:dsse. {HINT}"
    ]


def test_the_allowed_bucket_algorithms_are_configurable() -> None:
    assert check_stack(
        S3_BUCKET_ENCRYPTION, bucket_stack("aws:kms:dsse"), config={"s3Algorithms": ["aws:kms"]}
    ).violations
    assert check_stack(S3_BUCKET_ENCRYPTION, bucket_stack("AES256"), config={"s3Algorithms": ["AES256"]}).passed


def test_an_inline_bucket_rule_with_a_weak_algorithm_is_reported_on_the_bucket() -> None:
    inline = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}
    bucket = R("aws:s3/bucket:Bucket", "b", {"serverSideEncryptionConfiguration": inline})
    result = check_stack(S3_BUCKET_ENCRYPTION, [bucket])
    assert result.violations == [
        f"aws:s3/bucket:Bucket 'b' encrypts aws:s3/bucket:Bucket 'b' with 'AES256'; use one of aws:kms, aws:kms:dsse. "
        f"{HINT}"
    ]
    assert result.urns == [bucket.urn]


LOG_SSE_MESSAGE = (
    f"{SSE} 'logs-sse' encrypts aws:s3/bucket:Bucket 'logs' with 'AES256'; use one of aws:kms, aws:kms:dsse. {HINT}"
)


def _log_bucket_with(resource: R) -> list[R]:
    return [*bucket_stack("AES256"), resource]


@pytest.mark.parametrize("lb_type", ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"])
@pytest.mark.parametrize("key", ["accessLogs", "connectionLogs", "healthCheckLogs"])
def test_any_load_balancer_log_delivery_by_dependency_allows_sse_s3(lb_type: str, key: str) -> None:
    bucket = bucket_stack("AES256")[0]
    lb = R(lb_type, "alb", {key: {"enabled": True}}, deps={key: [bucket]})
    assert check_stack(S3_BUCKET_ENCRYPTION, _log_bucket_with(lb)).passed


def test_load_balancer_log_delivery_by_bucket_name_allows_sse_s3_unless_disabled() -> None:
    by_name = R("aws:lb/loadBalancer:LoadBalancer", "alb", {"accessLogs": {"bucket": "platform-dev-logs"}})
    assert check_stack(S3_BUCKET_ENCRYPTION, _log_bucket_with(by_name)).passed
    disabled = R(
        "aws:lb/loadBalancer:LoadBalancer", "alb", {"accessLogs": {"bucket": "platform-dev-logs", "enabled": False}}
    )
    assert check_stack(S3_BUCKET_ENCRYPTION, _log_bucket_with(disabled)).violations == [LOG_SSE_MESSAGE]
    other = R("aws:lb/loadBalancer:LoadBalancer", "alb", {"accessLogs": {"bucket": "someone-elses", "enabled": True}})
    assert check_stack(S3_BUCKET_ENCRYPTION, _log_bucket_with(other)).violations == [LOG_SSE_MESSAGE]


@pytest.mark.parametrize(
    "logging_type", ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"]
)
def test_an_s3_access_log_target_may_use_sse_s3(logging_type: str) -> None:
    target = bucket_stack("AES256")[0]
    by_dependency = R(logging_type, "access", {"bucket": "x"}, deps={"targetBucket": [target]})
    assert check_stack(S3_BUCKET_ENCRYPTION, _log_bucket_with(by_dependency)).passed
    by_name = R(logging_type, "access", {"bucket": "x", "targetBucket": "platform-dev-logs"})
    assert check_stack(S3_BUCKET_ENCRYPTION, _log_bucket_with(by_name)).passed
    elsewhere = R(logging_type, "access", {"bucket": "x", "targetBucket": "another-bucket"})
    assert check_stack(S3_BUCKET_ENCRYPTION, _log_bucket_with(elsewhere)).violations == [LOG_SSE_MESSAGE]


def test_a_log_bucket_still_may_not_go_unencrypted() -> None:
    lb = R("aws:lb/loadBalancer:LoadBalancer", "alb", {"accessLogs": {"bucket": "platform-dev-logs"}})
    resources = [*bucket_stack("none"), lb]
    assert check_stack(S3_BUCKET_ENCRYPTION, resources).violations == [
        f"{SSE} 'logs-sse' encrypts aws:s3/bucket:Bucket 'logs' with 'none'; use one of aws:kms, aws:kms:dsse, AES256. "
        f"{HINT}"
    ]


def test_every_bucket_is_judged_not_only_the_first() -> None:
    first = bucket_stack("aws:kms")
    second = R("aws:s3/bucket:Bucket", "second", {"bucket": "platform-dev-second"})
    result = check_stack(S3_BUCKET_ENCRYPTION, [*first, second])
    assert [v.split(" has ")[0] for v in result.violations] == ["aws:s3/bucket:Bucket 'second'"]
    assert result.urns == [second.urn]


def test_a_policy_resource_without_a_document_is_rejected_and_a_bare_store_is_left_to_the_stack_policy() -> None:
    for policy_type in ("aws:s3/bucketPolicy:BucketPolicy", "aws:sqs/queuePolicy:QueuePolicy"):
        assert check(TLS_ONLY_RESOURCE_POLICIES, policy_type, {}).violations == [
            f"{policy_type} 'r' has no policy document. {TLS_HINT}"
        ]
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucket:Bucket", {"bucket": "b"}).passed
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queue:Queue", {"name": "q"}).passed


def test_an_unreadable_document_is_rejected_with_what_is_wrong() -> None:
    assert check(
        TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": "{not json"}
    ).violations == [
        "aws:s3/bucketPolicy:BucketPolicy 'r' policy is not valid JSON (Expecting property name enclosed in double "
        f"quotes at line 1). {TLS_HINT}"
    ]


@pytest.mark.parametrize(
    ("resource_type", "service"),
    [
        ("aws:s3/bucket:Bucket", "s3"),
        ("aws:s3/bucketV2:BucketV2", "s3"),
        ("aws:sqs/queue:Queue", "sqs"),
        ("aws:sqs/queuePolicy:QueuePolicy", "sqs"),
    ],
)
def test_an_inline_policy_must_deny_its_own_service_or_everything(resource_type: str, service: str) -> None:
    def with_actions(actions: object) -> dict:
        return {"policy": policy_document({**TLS_DENY, "Action": actions})}

    assert check(TLS_ONLY_RESOURCE_POLICIES, resource_type, with_actions(f"{service}:*")).passed
    assert check(TLS_ONLY_RESOURCE_POLICIES, resource_type, with_actions(f"{service.upper()}:*")).passed
    assert check(TLS_ONLY_RESOURCE_POLICIES, resource_type, with_actions("*")).passed
    other = "sqs" if service == "s3" else "s3"
    assert check(TLS_ONLY_RESOURCE_POLICIES, resource_type, with_actions(f"{other}:*")).violations == [
        f"{resource_type} 'r' denies only {other}:* without TLS; deny {service}:*. {TLS_HINT}"
    ]


def test_an_allow_conditioned_on_plain_http_is_not_a_deny() -> None:
    allow = {**TLS_DENY, "Effect": "Allow"}
    result = check(TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(allow)})
    assert result.violations == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' does not deny requests made without TLS. {TLS_HINT}"
    ]


def test_the_types_judged_for_tls_are_configurable() -> None:
    no_document = {"bucket": "b"}
    config = {"resourceTypes": ["aws:sqs/queuePolicy:QueuePolicy"]}
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", no_document, config=config).passed
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queuePolicy:QueuePolicy", {}, config=config).violations


def test_a_bucket_with_an_inline_policy_or_a_v2_bucket_policy_companion_has_a_resource_policy() -> None:
    inline = R("aws:s3/bucket:Bucket", "inline", {"policy": policy_document(TLS_DENY)})
    v2 = R("aws:s3/bucketV2:BucketV2", "v2")
    companion = R("aws:s3/bucketPolicy:BucketPolicy", "v2-policy", {"bucket": UNKNOWN}, deps={"bucket": [v2]})
    assert check_stack(TLS_ONLY_POLICY_ATTACHED, [inline, v2, companion]).passed
    lone_v2 = check_stack(TLS_ONLY_POLICY_ATTACHED, [inline, v2])
    assert lone_v2.violations == [
        "aws:s3/bucketV2:BucketV2 'v2' has no resource policy, so nothing refuses plain-HTTP requests: add a "
        f"aws.s3.BucketPolicy for it. {TLS_HINT}"
    ]
    assert lone_v2.urns == [v2.urn]


def test_a_queue_policy_of_another_queue_does_not_cover_this_one() -> None:
    queue, other = R("aws:sqs/queue:Queue", "q"), R("aws:sqs/queue:Queue", "other")
    policy = R("aws:sqs/queuePolicy:QueuePolicy", "other-policy", deps={"queueUrl": [other]})
    result = check_stack(TLS_ONLY_POLICY_ATTACHED, [queue, other, policy], config={"requiredFor": ["queues"]})
    assert result.urns == [queue.urn]


def test_a_rotation_period_one_day_over_the_maximum_fails_and_a_non_number_is_shown_as_written() -> None:
    assert check(KMS_KEY_ROTATION, KEY, {**ROTATING_KEY, "rotationPeriodInDays": 366}).violations == [
        "aws:kms/key:Key 'r' sets rotationPeriodInDays 366: rotate at least every 365 days "
        f"(rotation_period_in_days <= 365, or unset for 365). {ROTATION_HINT}"
    ]
    assert check(KMS_KEY_ROTATION, KEY, {**ROTATING_KEY, "rotationPeriodInDays": "yearly"}).violations == [
        "aws:kms/key:Key 'r' sets rotationPeriodInDays 'yearly': rotate at least every 365 days "
        f"(rotation_period_in_days <= 365, or unset for 365). {ROTATION_HINT}"
    ]


def test_a_blank_spec_or_custom_key_store_is_an_ordinary_symmetric_key() -> None:
    for props in ({"customerMasterKeySpec": ""}, {"customKeyStoreId": "  "}, {"customKeyStoreId": ""}):
        assert check(KMS_KEY_ROTATION, KEY, {**props, "enableKeyRotation": False}).violations
    assert check(KMS_KEY_ROTATION, KEY, {"enableKeyRotation": "true"}).passed
