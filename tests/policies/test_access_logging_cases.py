"""s3-access-logging: both bucket tokens, both logging tokens, every load balancer log key, the bucket types
setting, and the exact deferral when inline logging is unknown at preview."""

from __future__ import annotations

import pytest

from policies.guardrails.access_logging import HINT, S3_ACCESS_LOGGING

from .helpers import UNKNOWN_OBJECT, R, check_stack

BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
UNLOGGED = "does not log access: nobody could tell who read or changed its objects."


def test_a_v2_bucket_is_judged_and_a_v2_logging_companion_counts() -> None:
    data, logs = R(BUCKET_V2, "data"), R(BUCKET_V2, "logs")
    logging = R(
        "aws:s3/bucketLoggingV2:BucketLoggingV2", "data-logging", deps={"bucket": [data], "targetBucket": [logs]}
    )
    assert check_stack(S3_ACCESS_LOGGING, [data, logs, logging]).passed
    assert check_stack(S3_ACCESS_LOGGING, [data]).violations == [f"{BUCKET_V2} 'data' {UNLOGGED} {HINT}"]


@pytest.mark.parametrize("key", ["accessLogs", "connectionLogs", "healthCheckLogs"])
@pytest.mark.parametrize("lb_type", ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"])
def test_a_bucket_any_load_balancer_log_goes_to_is_exempt(key: str, lb_type: str) -> None:
    logs = R(BUCKET_V2, "lb-logs")
    assert check_stack(S3_ACCESS_LOGGING, [logs, R(lb_type, "alb", deps={key: [logs]})]).passed


def test_a_resource_that_is_not_a_load_balancer_does_not_exempt_its_bucket() -> None:
    data = R(BUCKET_V2, "data")
    other = R("aws:cloudfront/distribution:Distribution", "cdn", deps={"accessLogs": [data]})
    assert check_stack(S3_ACCESS_LOGGING, [data, other]).violations == [f"{BUCKET_V2} 'data' {UNLOGGED} {HINT}"]


def test_the_bucket_types_judged_are_configurable() -> None:
    config = {"bucketTypes": ["aws:s3/bucket:Bucket"]}
    assert check_stack(S3_ACCESS_LOGGING, [R(BUCKET_V2, "data")], config=config).passed


def test_unknown_inline_logging_defers_with_its_reason() -> None:
    result = check_stack(S3_ACCESS_LOGGING, [R(BUCKET_V2, "data", {"logging": UNKNOWN_OBJECT})])
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 's3-access-logging' from policy pack 'test-pack@v0.0.1' during preview: .logging of "
        f"{BUCKET_V2} 'data' can't be known during preview: judged on `pulumi up`, when known"
    ]


def test_a_logged_bucket_with_unknown_inline_logging_needs_no_deferral() -> None:
    data, logs = R(BUCKET_V2, "data", {"logging": UNKNOWN_OBJECT}), R(BUCKET_V2, "logs")
    logging = R("aws:s3/bucketLogging:BucketLogging", "data-logging", deps={"bucket": [data], "targetBucket": [logs]})
    assert check_stack(S3_ACCESS_LOGGING, [data, logs, logging]).passed
