"""s3-access-logging.

Every S3 bucket that holds data records who accessed it: S3 server access logging
(`aws:s3/bucketLogging:BucketLogging`, or a bucket's inline `logging`) to a log bucket. Exempt, because logging
them would log the logging: buckets that receive logs, i.e. the target of some bucket's access logging
(`targetBucket`) or a load balancer's log bucket (`accessLogs`, `connectionLogs`, `healthCheckLogs`). Both are
found through property dependencies, so the check works at a first preview, while names are unknown.

CloudTrail data events would also record object access, at a per-event price; server access logs are free but
for storage, and are what auditors (and checkov's CKV_AWS_18) ask of a data bucket.
"""

from __future__ import annotations

from pulumi_policy import Severity

from .base import Context, Stack, StackResource, Unknown, stack_policy, string_list
from .encryption import BUCKET_LOGGING, BUCKETS, LOAD_BALANCERS, LOG_DELIVERY_KEYS, companions, receives_access_logs

HINT = (
    "Add an aws.s3.BucketLogging (bucket=<this bucket>, target_bucket=<the stack's log bucket>); the "
    "platform's data buckets log to the stack's access-logs bucket (components/bucket.py `access_log_bucket`)."
)


def _receives_logs(stack: Stack, bucket: StackResource) -> bool:
    if receives_access_logs(stack, bucket):
        return True
    return any(
        bucket.urn in lb.property_dependencies.get(key, [])
        for lb in stack.of_type(*LOAD_BALANCERS)
        for key in LOG_DELIVERY_KEYS
    )


def check_access_logging(stack: Stack, ctx: Context) -> None:
    for bucket in stack.of_type(*ctx.settings["bucketTypes"]):
        inline = bucket.get("logging")
        if isinstance(inline, dict) and inline.get("targetBucket"):
            continue
        if companions(stack, bucket, BUCKET_LOGGING, "bucket"):
            continue
        if _receives_logs(stack, bucket):
            continue
        if isinstance(inline, Unknown):
            ctx.defer(f".logging of {bucket.subject}", "judged on `pulumi up`, when known")
            continue
        ctx.violation(
            f"{bucket.subject} does not log access: nobody could tell who read or changed its objects. {HINT}",
            bucket.urn,
        )


S3_ACCESS_LOGGING = stack_policy(
    name="s3-access-logging",
    description="Every S3 bucket that holds data logs access (S3 server access logging); log buckets are exempt.",
    check=check_access_logging,
    settings={"bucketTypes": string_list(sorted(BUCKETS), "The bucket types judged.")},
    severity=Severity.MEDIUM,
    remediation=HINT,
)

POLICIES = [S3_ACCESS_LOGGING]
