"""s3-access-logging: every bucket that holds data logs access; log buckets are exempt."""

from __future__ import annotations

from policies.guardrails.access_logging import HINT, S3_ACCESS_LOGGING

from .helpers import UNKNOWN, R, check_stack

BUCKET = "aws:s3/bucket:Bucket"
LOGGING = "aws:s3/bucketLogging:BucketLogging"


def test_a_bucket_logging_to_the_log_bucket_passes_and_the_log_bucket_is_exempt() -> None:
    uploads, logs = R(BUCKET, "uploads"), R(BUCKET, "access-logs")
    logging = R(LOGGING, "uploads-logging", deps={"bucket": [uploads], "targetBucket": [logs]})
    assert check_stack(S3_ACCESS_LOGGING, [uploads, logs, logging]).passed


def test_a_bucket_without_access_logging_is_refused() -> None:
    uploads = R(BUCKET, "uploads")
    result = check_stack(S3_ACCESS_LOGGING, [uploads])
    assert result.violations == [
        f"{BUCKET} 'uploads' does not log access: nobody could tell who read or changed its objects. {HINT}"
    ]
    assert result.urns == [uploads.urn]


def test_a_load_balancer_log_bucket_and_inline_logging_count() -> None:
    alb_logs = R(BUCKET, "alb-logs")
    lb = R(
        "aws:lb/loadBalancer:LoadBalancer", "alb", {"accessLogs": {"enabled": True}}, deps={"accessLogs": [alb_logs]}
    )
    inline = R(BUCKET, "legacy", {"logging": {"targetBucket": "platform-prod-access-logs"}})
    assert check_stack(S3_ACCESS_LOGGING, [alb_logs, lb, inline]).passed


def test_a_data_bucket_beside_a_load_balancer_that_logs_elsewhere_is_still_refused() -> None:
    alb_logs, uploads = R(BUCKET, "alb-logs"), R(BUCKET, "uploads")
    lb = R("aws:lb/loadBalancer:LoadBalancer", "alb", deps={"accessLogs": [alb_logs], "connectionLogs": [alb_logs]})
    assert check_stack(S3_ACCESS_LOGGING, [alb_logs, uploads, lb]).violations == [
        f"{BUCKET} 'uploads' does not log access: nobody could tell who read or changed its objects. {HINT}"
    ]


def test_inline_logging_unknown_at_preview_is_deferred_and_an_empty_target_is_no_logging() -> None:
    result = check_stack(S3_ACCESS_LOGGING, [R(BUCKET, "uploads", {"logging": UNKNOWN})])
    assert result.violations == [] and ".logging of" in result.deferred[0]
    assert not check_stack(S3_ACCESS_LOGGING, [R(BUCKET, "uploads", {"logging": {"targetBucket": ""}})]).passed
