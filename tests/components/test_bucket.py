"""Bucket: every bucket in every stack is private, owner-enforced, versioned, encrypted (SSE-KMS with the stack
key, or SSE-S3 only where Elastic Load Balancing writes), lifecycle-managed, TLS-only; prod's are protected."""

from __future__ import annotations

from typing import Any

from offline.engine import RecordedResource, StackRun
from offline.mocks import ELB_ACCOUNT_BY_REGION

from .data_support import config_of, document, key_arn, statements

CONFIG_TYPES = {
    "public_access": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "ownership": "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "versioning": "aws:s3/bucketVersioning:BucketVersioning",
    "encryption": "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "lifecycle": "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "policy": "aws:s3/bucketPolicy:BucketPolicy",
    "cors": "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
}


def _settings(run: StackRun, bucket: RecordedResource) -> dict[str, RecordedResource]:
    """The side-by-side resources configuring `bucket` (matched on the bucket they name)."""
    found: dict[str, RecordedResource] = {}
    for label, type_ in CONFIG_TYPES.items():
        matches = [r for r in run.of_type(type_) if r.inputs.get("bucket") == bucket.outputs["bucket"]]
        assert len(matches) <= 1, (bucket.name, label)
        if matches:
            found[label] = matches[0]
    return found


ELB_LOG_WRITERS = {
    "logdelivery.elasticloadbalancing.amazonaws.com",
    *(f"arn:aws:iam::{account}:root" for account in ELB_ACCOUNT_BY_REGION.values()),
}
"""Who delivers ALB access logs: the regional Elastic Load Balancing account, or (newer regions) the log
delivery service principal."""


def _receives_s3_access_logs(policy: RecordedResource) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and statement["Action"] == ["s3:PutObject"]
        and statement.get("Principal") == {"Service": ["logging.s3.amazonaws.com"]}
        for statement in document(policy)["Statement"]
    )


def _receives_elb_logs(policy: RecordedResource) -> bool:
    for statement in document(policy)["Statement"]:
        principal: Any = statement.get("Principal")
        writers = [*principal.get("Service", []), *principal.get("AWS", [])] if isinstance(principal, dict) else []
        if (
            statement["Effect"] == "Allow"
            and statement["Action"] == ["s3:PutObject"]
            and ELB_LOG_WRITERS.intersection(writers)
        ):
            return True
    return False


def test_every_bucket_blocks_public_access_and_disables_acls(stack_run: StackRun) -> None:
    buckets = stack_run.of_type("aws:s3/bucket:Bucket")
    assert len(buckets) >= len(config_of(stack_run.stack).buckets)
    for bucket in buckets:
        settings = _settings(stack_run, bucket)
        block = settings["public_access"].inputs
        assert all(
            block[flag] is True
            for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        ), bucket.name
        assert settings["ownership"].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}, bucket.name


def test_every_bucket_is_versioned_and_expires_old_versions_and_stale_uploads(stack_run: StackRun) -> None:
    expected_noncurrent = {"dev": 7, "staging": 30, "prod": 90}[stack_run.stack]
    for bucket in stack_run.of_type("aws:s3/bucket:Bucket"):
        settings = _settings(stack_run, bucket)
        assert settings["versioning"].inputs["versioningConfiguration"] == {"status": "Enabled"}, bucket.name
        [base] = [r for r in settings["lifecycle"].inputs["rules"] if r["id"] == "platform-defaults"]
        assert base["status"] == "Enabled" and base["filter"] == {"prefix": ""}
        assert base["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
        if bucket.name.startswith("bucket-"):  # the configured buckets carry the environment's preset
            assert base["noncurrentVersionExpiration"] == {"noncurrentDays": expected_noncurrent}


def test_configured_lifecycle_rules_reach_the_bucket(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    lifecycle = _settings(run, run.named("bucket-uploads-bucket"))["lifecycle"]
    rules = {r["id"]: r for r in lifecycle.inputs["rules"]}
    assert rules["tmp"] == {"id": "tmp", "status": "Enabled", "filter": {"prefix": "tmp/"}, "expiration": {"days": 1}}
    assert rules["archive"]["filter"] == {"prefix": "archive/"}
    assert rules["archive"]["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"},
        {"days": 180, "storageClass": "GLACIER_IR"},
    ]


def test_buckets_use_sse_kms_with_the_stack_key_except_where_elb_writes_logs(stack_run: StackRun) -> None:
    arn = key_arn(stack_run)
    sse_s3 = []
    for bucket in stack_run.of_type("aws:s3/bucket:Bucket"):
        settings = _settings(stack_run, bucket)
        [rule] = settings["encryption"].inputs["rules"]
        default = rule["applyServerSideEncryptionByDefault"]
        if default["sseAlgorithm"] == "AES256":
            # AWS exception: ALB access logs and S3 server access logs can only be delivered to SSE-S3 buckets.
            assert _receives_elb_logs(settings["policy"]) or _receives_s3_access_logs(settings["policy"]), (
                f"{bucket.name} uses SSE-S3 without receiving ELB or S3 access logs"
            )
            sse_s3.append(bucket.name)
        else:
            assert (default, rule.get("bucketKeyEnabled")) == (
                {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": arn},
                True,
            ), bucket.name
    configured = {f"bucket-{name}-bucket" for name in config_of(stack_run.stack).buckets}
    assert not configured & set(sse_s3)


def test_every_bucket_policy_denies_requests_without_tls_and_allows_no_one_anonymously(stack_run: StackRun) -> None:
    for bucket in stack_run.of_type("aws:s3/bucket:Bucket"):
        policy = _settings(stack_run, bucket)["policy"]
        arn = bucket.outputs["arn"]
        by_sid = statements(policy)
        assert by_sid["DenyInsecureTransport"] == {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:*"],
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        assert not [s for s in by_sid.values() if s["Effect"] == "Allow" and s.get("Principal") == "*"]


def test_uploads_bucket_has_cors_for_the_stacks_web_origin_only(stack_runs: dict[str, StackRun]) -> None:
    origins = {
        "dev": ["http://localhost:3000"],
        "staging": ["https://app.staging.example.com"],
        "prod": ["https://app.example.com"],
    }
    for stack, expected in origins.items():
        run = stack_runs[stack]
        [rule] = _settings(run, run.named("bucket-uploads-bucket"))["cors"].inputs["corsRules"]
        assert rule == {
            "allowedOrigins": expected,
            "allowedMethods": ["GET", "PUT", "POST"],
            "allowedHeaders": ["*"],
            "exposeHeaders": ["ETag"],
            "maxAgeSeconds": 3000,
        }, stack


def test_bucket_settings_wait_for_each_other(stack_run: StackRun) -> None:
    # S3 answers OperationAborted to concurrent configuration changes of one bucket: they are chained.
    for bucket in stack_run.of_type("aws:s3/bucket:Bucket"):
        settings = _settings(stack_run, bucket)
        assert settings["public_access"].urn in settings["ownership"].dependencies
        assert settings["versioning"].urn in settings["encryption"].dependencies
        assert settings["public_access"].urn in settings["policy"].dependencies


def test_prod_buckets_are_protected_and_others_are_not(stack_runs: dict[str, StackRun]) -> None:
    for stack, run in stack_runs.items():
        configured = [run.named(f"bucket-{name}-bucket") for name in config_of(stack).buckets]
        assert configured
        assert {b.protect for b in configured} == {stack == "prod"}, stack
        assert {b.inputs["forceDestroy"] for b in configured} == {False}


def test_bucket_names_are_global_so_they_carry_account_and_region(stack_run: StackRun) -> None:
    bucket = stack_run.named("bucket-uploads-bucket")
    assert bucket.inputs["bucket"] == f"platform-{stack_run.stack}-uploads-123456789012-us-east-1"


def test_data_buckets_log_access_to_the_stacks_sse_s3_log_bucket(stack_run: StackRun) -> None:
    run = stack_run
    [logs] = [b for b in run.of_type("aws:s3/bucket:Bucket") if b.name == "access-logs-bucket"]
    assert logs.protect is (run.stack == "prod")
    loggings = {r.inputs["bucket"]: r.inputs for r in run.of_type("aws:s3/bucketLogging:BucketLogging")}
    for name in config_of(run.stack).buckets:
        [bucket] = [b for b in run.of_type("aws:s3/bucket:Bucket") if b.name == f"bucket-{name}-bucket"]
        logging = loggings[bucket.outputs["bucket"]]
        assert (logging["targetBucket"], logging["targetPrefix"]) == (logs.outputs["bucket"], f"{name}/")
        assert logging["targetObjectKeyFormat"] == {"partitionedPrefix": {"partitionDateSource": "EventTime"}}
    delivery = statements(_settings(run, logs)["policy"])["S3ServerAccessLogsDelivery"]
    assert delivery["Condition"]["ArnLike"]["aws:SourceArn"] == [
        f"arn:aws:s3:::{b.outputs['bucket']}"
        for b in run.of_type("aws:s3/bucket:Bucket")
        if b.name.startswith("bucket-")
    ]
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    [rule] = [r for r in _settings(run, logs)["lifecycle"].inputs["rules"] if r["id"] == "platform-defaults"]
    assert rule["expiration"] == {"days": config_of(run.stack).log_retention_days}
