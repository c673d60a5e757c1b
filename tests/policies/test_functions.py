"""Lambda, canary and secret-rotation guardrails on compliant and violating resources, with exact messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from components.config.functions import CANARY_RUNTIMES, RUNTIME_DEPRECATION
from policies.guardrails.canaries import CANARY_ARTIFACTS_ENCRYPTED, SUPPORTED_CANARY_RUNTIMES
from policies.guardrails.functions import (
    LAMBDA_ASYNC_FAILURE_DESTINATION,
    LAMBDA_IN_VPC_WITH_NETWORK_STORE,
    LAMBDA_LOG_RETENTION,
    LAMBDA_PERMISSION_SCOPED,
    LAMBDA_SUPPORTED_RUNTIME,
    LAMBDA_TRACING_ACTIVE,
    LAMBDA_URL_IAM_AUTH,
    SUPPORTED_RUNTIMES,
    function_name,
)
from policies.guardrails.rotation import PROD_SECRETS_ROTATED

from .helpers import STANDARD_TAGS, UNKNOWN, R, check, check_stack, policy_document

FUNCTION = "aws:lambda/function:Function"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:platform-dev-sync"
GOOD_FUNCTION = {
    "name": "platform-dev-sync",
    "runtime": "python3.13",
    "packageType": "Zip",
    "tracingConfig": {"mode": "Active"},
    "role": "arn:aws:iam::123456789012:role/sync",
    "loggingConfig": {"logFormat": "JSON", "logGroup": "/aws/lambda/platform-dev-sync"},
}


def test_the_pack_and_the_config_accept_the_same_runtimes() -> None:
    assert list(RUNTIME_DEPRECATION) == SUPPORTED_RUNTIMES
    assert set(CANARY_RUNTIMES) <= set(SUPPORTED_CANARY_RUNTIMES)


def test_function_name_reads_names_and_qualified_arns() -> None:
    assert (
        function_name(ARN) == function_name(f"{ARN}:live") == function_name("platform-dev-sync") == "platform-dev-sync"
    )


# -- lambda-supported-runtime -------------------------------------------------------------------------------
def test_a_supported_runtime_passes_and_a_deprecated_one_fails() -> None:
    assert check(LAMBDA_SUPPORTED_RUNTIME, FUNCTION, GOOD_FUNCTION).passed
    assert check(
        LAMBDA_SUPPORTED_RUNTIME, FUNCTION, {**GOOD_FUNCTION, "runtime": "nodejs20.x"}, name="f"
    ).violations == [
        f"{FUNCTION} 'f' runs on nodejs20.x, which is deprecated or not supported: move to one of "
        f"{', '.join(SUPPORTED_RUNTIMES)}."
    ]


def test_an_image_function_is_not_judged_but_a_zip_without_runtime_is() -> None:
    assert check(LAMBDA_SUPPORTED_RUNTIME, FUNCTION, {"packageType": "Image", "imageUri": "x"}).passed
    assert check(LAMBDA_SUPPORTED_RUNTIME, FUNCTION, {"packageType": "Zip"}, name="f").violations == [
        f"{FUNCTION} 'f' is a zip function without a runtime: set one of {', '.join(SUPPORTED_RUNTIMES)}."
    ]
    assert check(LAMBDA_SUPPORTED_RUNTIME, FUNCTION, {"runtime": UNKNOWN}).deferred


# -- lambda-tracing-active -------------------------------------------------------------------------------------
def test_tracing_must_be_active() -> None:
    assert check(LAMBDA_TRACING_ACTIVE, FUNCTION, GOOD_FUNCTION).passed
    assert check(
        LAMBDA_TRACING_ACTIVE, FUNCTION, {**GOOD_FUNCTION, "tracingConfig": {"mode": "PassThrough"}}, name="f"
    ).violations == [
        f"{FUNCTION} 'f' has X-Ray tracing PassThrough: set tracing_config mode='Active' so every invocation is traced."
    ]
    assert check(LAMBDA_TRACING_ACTIVE, FUNCTION, {"runtime": "python3.13"}, name="f").violations == [
        f"{FUNCTION} 'f' has X-Ray tracing off: set tracing_config mode='Active' so every invocation is traced."
    ]


# -- lambda-url-iam-auth ---------------------------------------------------------------------------------------
def test_a_function_url_needs_iam_auth() -> None:
    url = "aws:lambda/functionUrl:FunctionUrl"
    assert check(LAMBDA_URL_IAM_AUTH, url, {"authorizationType": "AWS_IAM"}).passed
    assert check(LAMBDA_URL_IAM_AUTH, url, {"authorizationType": "NONE"}, name="u").violations == [
        f"{url} 'u' uses authorization 'NONE': anyone on the internet can invoke the function. Use AWS_IAM "
        "(callers sign their requests), or put it behind the ALB."
    ]


# -- lambda-permission-scoped --------------------------------------------------------------------------------
PERMISSION = "aws:lambda/permission:Permission"


def test_a_permission_for_a_service_with_a_source_arn_passes() -> None:
    props = {
        "action": "lambda:InvokeFunction",
        "principal": "events.amazonaws.com",
        "function": "f",
        "sourceArn": "arn:aws:events:us-east-1:123456789012:rule/bus/r",
    }
    assert check(LAMBDA_PERMISSION_SCOPED, PERMISSION, props).passed
    assert check(LAMBDA_PERMISSION_SCOPED, PERMISSION, {**props, "sourceArn": UNKNOWN}).passed  # set, not known


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"sourceArn": None},
            "lets events.amazonaws.com invoke the function from any resource: set source_arn to the "
            "one rule, target group, secret or bucket that calls it.",
        ),
        (
            {"principal": "123456789012"},
            "lets '123456789012' invoke the function: only an AWS service principal "
            "(events.amazonaws.com, elasticloadbalancing.amazonaws.com...) may be named "
            "here; give accounts and roles lambda:InvokeFunction in their own IAM policy.",
        ),
        (
            {"action": "lambda:*"},
            "grants 'lambda:*': a permission grants exactly lambda:InvokeFunction (or "
            "lambda:InvokeFunctionUrl), never a wildcard.",
        ),
    ],
)
def test_a_permission_without_a_service_principal_source_or_exact_action_fails(
    change: dict[str, Any], message: str
) -> None:
    props = {
        "action": "lambda:InvokeFunction",
        "principal": "events.amazonaws.com",
        "function": "f",
        "sourceArn": "arn:aws:events:us-east-1:123456789012:rule/bus/r",
        **change,
    }
    props = {k: v for k, v in props.items() if v is not None}
    assert check(LAMBDA_PERMISSION_SCOPED, PERMISSION, props, name="p").violations == [f"{PERMISSION} 'p' {message}"]


# -- lambda-log-retention ---------------------------------------------------------------------------------
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def test_a_function_needs_its_log_group_declared_with_retention() -> None:
    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    group = R(LOG_GROUP, "sync-logs", {"name": "/aws/lambda/platform-dev-sync", "retentionInDays": 14})
    assert check_stack(LAMBDA_LOG_RETENTION, [fn, group]).passed
    assert check_stack(LAMBDA_LOG_RETENTION, [fn]).violations == [
        f"{FUNCTION} 'sync' logs to /aws/lambda/platform-dev-sync, which the stack does not declare: Lambda would "
        "create it on first run, kept forever. Declare an aws.cloudwatch.LogGroup of that name with "
        "retention_in_days and the stack key."
    ]
    forever = R(LOG_GROUP, "sync-logs", {"name": "/aws/lambda/platform-dev-sync"})
    assert check_stack(LAMBDA_LOG_RETENTION, [fn, forever]).violations == [
        f"{FUNCTION} 'sync' logs to /aws/lambda/platform-dev-sync, which keeps its logs forever: set retention_in_days."
    ]
    default_group = R(FUNCTION, "plain", {"name": "plain"})
    assert check_stack(
        LAMBDA_LOG_RETENTION, [default_group, R(LOG_GROUP, "g", {"name": "/aws/lambda/plain", "retentionInDays": 7})]
    ).passed


# -- lambda-async-failure-destination ------------------------------------------------------------------------
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
SCHEDULE = "aws:scheduler/schedule:Schedule"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:failures"


def test_an_event_rule_invoked_function_needs_an_on_failure_destination() -> None:
    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    permission = R(
        PERMISSION,
        "rule-invoke",
        {
            "principal": "events.amazonaws.com",
            "function": "platform-dev-sync",
            "action": "lambda:InvokeFunction",
            "sourceArn": "arn:x",
        },
    )
    handled = R(
        INVOKE_CONFIG,
        "async",
        {"functionName": "platform-dev-sync", "destinationConfig": {"onFailure": {"destination": QUEUE_ARN}}},
    )
    assert check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, permission, handled]).passed
    result = check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, permission])
    assert result.violations == [
        f"function platform-dev-sync is invoked asynchronously by {PERMISSION} 'rule-invoke' (events.amazonaws.com) "
        "but has no on-failure destination or dead-letter queue: an event that fails every retry is dropped. Add "
        "an aws.lambda_.FunctionEventInvokeConfig with destination_config.on_failure (a queue)."
    ]
    assert result.urns == [fn.urn]
    with_dlq = R(FUNCTION, "sync", {**GOOD_FUNCTION, "deadLetterConfig": {"targetArn": QUEUE_ARN}})
    assert check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [with_dlq, permission]).passed
    alb = R(PERMISSION, "alb", {"principal": "elasticloadbalancing.amazonaws.com", "function": "platform-dev-sync"})
    assert check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, alb]).passed  # synchronous


def test_a_schedule_needs_a_dead_letter_queue_and_its_function_a_destination() -> None:
    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    schedule = R(
        SCHEDULE,
        "nightly",
        {"target": {"arn": f"{ARN}:live", "roleArn": "arn:r", "deadLetterConfig": {"arn": QUEUE_ARN}}},
    )
    handled = R(
        INVOKE_CONFIG,
        "async",
        {
            "functionName": "platform-dev-sync",
            "qualifier": "live",
            "destinationConfig": {"onFailure": {"destination": QUEUE_ARN}},
        },
    )
    assert check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, schedule, handled]).passed
    bare = R(SCHEDULE, "nightly", {"target": {"arn": f"{ARN}:live", "roleArn": "arn:r"}})
    assert check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, bare, handled]).violations == [
        f"{SCHEDULE} 'nightly' has no dead-letter queue: an invocation that fails every retry is dropped. Set "
        "target.dead_letter_config."
    ]
    assert len(check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, schedule]).violations) == 1


# -- lambda-in-vpc-with-network-store -------------------------------------------------------------------------
def test_a_function_that_may_connect_to_the_database_runs_in_the_vpc() -> None:
    role = R("aws:iam/role:Role", "role", {"arn": "arn:aws:iam::123456789012:role/sync"})
    connect = R(
        "aws:iam/rolePolicy:RolePolicy",
        "policy",
        {
            "policy": policy_document(
                {"Effect": "Allow", "Action": ["rds-db:connect"], "Resource": ["arn:aws:rds-db:x"]}
            )
        },
        deps={"role": [role]},
    )
    outside = R(FUNCTION, "sync", GOOD_FUNCTION, deps={"role": [role]})
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, connect, outside]).violations == [
        f"{FUNCTION} 'sync' may connect to the database (rds-db:connect) but runs outside the VPC: place it in the "
        "private subnets with its own security group (vpc_config)."
    ]
    inside = R(
        FUNCTION,
        "sync",
        {**GOOD_FUNCTION, "vpcConfig": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]}},
        deps={"role": [role]},
    )
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, connect, inside]).passed
    other = R(
        "aws:iam/rolePolicy:RolePolicy",
        "policy",
        {"policy": policy_document({"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:aws:sqs:x"]})},
        deps={"role": [role]},
    )
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, other, outside]).passed
    unknown = R("aws:iam/rolePolicy:RolePolicy", "policy", {"policy": UNKNOWN}, deps={"role": [role]})
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, unknown, outside]).deferred


# -- canary-artifacts-encrypted ---------------------------------------------------------------------------------
CANARY = "aws:synthetics/canary:Canary"
GOOD_CANARY = {
    "runtimeVersion": "syn-nodejs-puppeteer-15.0",
    "artifactConfig": {
        "s3Encryption": {"encryptionMode": "SSE_KMS", "kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}
    },
}


def test_canary_artifacts_are_kms_encrypted_on_a_current_runtime() -> None:
    assert check(CANARY_ARTIFACTS_ENCRYPTED, CANARY, GOOD_CANARY).passed
    assert check(
        CANARY_ARTIFACTS_ENCRYPTED, CANARY, {"runtimeVersion": "syn-nodejs-puppeteer-15.0"}, name="c"
    ).violations == [
        f"{CANARY} 'c' stores its artifacts with SSE-S3 (no artifactConfig): set artifact_config.s3_encryption to "
        "SSE_KMS with the stack key's ARN."
    ]
    assert check(
        CANARY_ARTIFACTS_ENCRYPTED, CANARY, {**GOOD_CANARY, "runtimeVersion": "syn-nodejs-puppeteer-7.0"}, name="c"
    ).violations == [
        f"{CANARY} 'c' runs on syn-nodejs-puppeteer-7.0, which is deprecated or not supported: use one of "
        f"{', '.join(SUPPORTED_CANARY_RUNTIMES)}."
    ]


def test_a_canary_with_sse_kms_but_no_key_or_with_sse_s3_is_refused() -> None:
    no_key = {**GOOD_CANARY, "artifactConfig": {"s3Encryption": {"encryptionMode": "SSE_KMS"}}}
    assert check(CANARY_ARTIFACTS_ENCRYPTED, CANARY, no_key, name="c").violations == [
        f"{CANARY} 'c' stores its artifacts with SSE_KMS: set artifact_config.s3_encryption to SSE_KMS with the "
        "stack key's ARN."
    ]
    s3 = {**GOOD_CANARY, "artifactConfig": {"s3Encryption": {"encryptionMode": "SSE_S3", "kmsKeyArn": "arn:k"}}}
    assert check(CANARY_ARTIFACTS_ENCRYPTED, CANARY, s3, name="c").violations == [
        f"{CANARY} 'c' stores its artifacts with SSE_S3: set artifact_config.s3_encryption to SSE_KMS with the "
        "stack key's ARN."
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"artifactConfig": {"s3Encryption": {"encryptionMode": UNKNOWN, "kmsKeyArn": "arn:k"}}},
        {"artifactConfig": {"s3Encryption": {"encryptionMode": "SSE_KMS", "kmsKeyArn": UNKNOWN}}},
        {"runtimeVersion": UNKNOWN},
    ],
)
def test_a_canary_value_unknown_at_preview_is_deferred_not_judged(change: dict[str, Any]) -> None:
    result = check(CANARY_ARTIFACTS_ENCRYPTED, CANARY, {**GOOD_CANARY, **change})
    assert result.violations == [] and result.deferred


# -- prod-secrets-rotated -----------------------------------------------------------------------------------------
SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
PROD_TAGS = {**STANDARD_TAGS, "Environment": "prod"}


def test_production_secrets_must_be_rotated(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    secret = R(SECRET, "key", {"arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-abc", "tags": PROD_TAGS})
    rotation = R(
        ROTATION,
        "rot",
        {"secretId": UNKNOWN, "rotationRules": {"automaticallyAfterDays": 30}},
        deps={"secretId": [secret]},
    )
    assert check_stack(PROD_SECRETS_ROTATED, [secret, rotation]).passed
    assert check_stack(PROD_SECRETS_ROTATED, [secret]).violations == [
        f"{SECRET} 'key' is never rotated: add secrets.<name>.rotation {{days, function}} (an "
        "aws.secretsmanager.SecretRotation), at most every 90 days, or rotation {external: <issuer>} when it "
        "rotates where it is issued."
    ]
    slow = R(ROTATION, "rot", {"secretId": secret.props["arn"], "rotationRules": {"automaticallyAfterDays": 365}})
    assert check_stack(PROD_SECRETS_ROTATED, [secret, slow]).violations == [
        f"{SECRET} 'key' rotates every 365 days: rotate at least every 90."
    ]


def test_a_secret_rotated_where_it_is_issued_says_so_and_passes(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    secret = R(SECRET, "key", {"arn": "arn:x", "tags": {**PROD_TAGS, "RotatedBy": "external"}})
    assert check_stack(PROD_SECRETS_ROTATED, [secret]).passed
    assert not check_stack(PROD_SECRETS_ROTATED, [secret], config={"externalRotationTag": {"RotatedBy": "x"}}).passed


def test_outside_production_rotation_is_not_required() -> None:
    assert check_stack(PROD_SECRETS_ROTATED, [R(SECRET, "key", {"tags": STANDARD_TAGS})]).passed


# -- lambda-alarms -------------------------------------------------------------------------------------------------
def test_every_function_needs_its_alarms() -> None:
    from policies.guardrails.functions import LAMBDA_ALARMS

    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    alarms = [
        R(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            f"a{i}",
            {"dimensions": {"FunctionName": "platform-dev-sync"}, "metricName": m},
        )
        for i, m in enumerate(("Errors", "Throttles", "Duration"))
    ]
    assert check_stack(LAMBDA_ALARMS, [fn, *alarms]).passed
    result = check_stack(LAMBDA_ALARMS, [fn, alarms[0]])
    assert result.violations == [
        f"{FUNCTION} 'sync' has 1 CloudWatch alarm(s) on FunctionName, fewer than 3: alarm on its errors, "
        "throttles and duration (the platform's observability component does, per function), notifying the "
        "alarm topic."
    ]
    unknown = R("aws:cloudwatch/metricAlarm:MetricAlarm", "u", {"dimensions": {"FunctionName": UNKNOWN}})
    deferred = check_stack(LAMBDA_ALARMS, [fn, alarms[0], unknown])
    assert deferred.deferred and deferred.violations == []


def test_a_rotation_of_exactly_the_maximum_passes_and_one_day_more_fails(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    secret = R(SECRET, "key", {"arn": "arn:x", "tags": PROD_TAGS})

    def every(days: Any) -> R:
        return R(ROTATION, "rot", {"secretId": "arn:x", "rotationRules": {"automaticallyAfterDays": days}})

    assert check_stack(PROD_SECRETS_ROTATED, [secret, every(90)]).passed
    assert check_stack(PROD_SECRETS_ROTATED, [secret, every(91)]).violations == [
        f"{SECRET} 'key' rotates every 91 days: rotate at least every 90."
    ]
    assert check_stack(PROD_SECRETS_ROTATED, [secret, every("91")]).violations == [  # bridged as a string
        f"{SECRET} 'key' rotates every 91 days: rotate at least every 90."
    ]
    assert check_stack(PROD_SECRETS_ROTATED, [secret, every(30)], config={"maximumRotationDays": 29}).violations == [
        f"{SECRET} 'key' rotates every 30 days: rotate at least every 29."
    ]


@pytest.mark.parametrize("environment", ["production", "Prod", "PRODUCTION"])
def test_a_secret_tagged_production_in_any_case_must_be_rotated_in_any_stack(environment: str) -> None:
    secret = R(SECRET, "key", {"arn": "arn:x", "tags": {**STANDARD_TAGS, "Environment": environment}})
    assert check_stack(PROD_SECRETS_ROTATED, [secret]).violations == [
        f"{SECRET} 'key' is never rotated: add secrets.<name>.rotation {{days, function}} (an "
        "aws.secretsmanager.SecretRotation), at most every 90 days, or rotation {external: <issuer>} when it "
        "rotates where it is issued."
    ]


def test_a_stack_named_production_requires_rotation(stack_name: Callable[[str], None]) -> None:
    stack_name("production")
    assert not check_stack(PROD_SECRETS_ROTATED, [R(SECRET, "key", {"tags": STANDARD_TAGS})]).passed


@pytest.mark.parametrize("field", ["arn", "id", "name"])
def test_a_rotation_names_its_secret_by_arn_id_or_name(field: str, stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    secret = R(SECRET, "key", {field: "the-secret", "tags": PROD_TAGS})
    rotation = R(ROTATION, "rot", {"secretId": "the-secret", "rotationRules": {"automaticallyAfterDays": 30}})
    other = R(ROTATION, "other", {"secretId": "another-secret", "rotationRules": {"automaticallyAfterDays": 30}})
    assert check_stack(PROD_SECRETS_ROTATED, [secret, other, rotation]).passed
    assert not check_stack(PROD_SECRETS_ROTATED, [secret, other]).passed


def test_an_unknown_secret_id_defers_unless_it_depends_on_another_secret(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    secret = R(SECRET, "key", {"arn": "arn:x", "tags": PROD_TAGS})
    elsewhere = R(SECRET, "elsewhere", {"arn": "arn:y", "tags": {**PROD_TAGS, "RotatedBy": "external"}})
    unknown = R(ROTATION, "rot", {"secretId": UNKNOWN, "rotationRules": {"automaticallyAfterDays": 30}})
    result = check_stack(PROD_SECRETS_ROTATED, [secret, unknown])
    assert result.violations == [] and result.deferred
    of_other = R(ROTATION, "rot", {"secretId": UNKNOWN}, deps={"secretId": [elsewhere]})
    assert check_stack(PROD_SECRETS_ROTATED, [secret, elsewhere, of_other]).violations == [
        f"{SECRET} 'key' is never rotated: add secrets.<name>.rotation {{days, function}} (an "
        "aws.secretsmanager.SecretRotation), at most every 90 days, or rotation {external: <issuer>} when it "
        "rotates where it is issued."
    ]


def test_an_unknown_environment_tag_defers_the_rotation_check() -> None:
    result = check_stack(PROD_SECRETS_ROTATED, [R(SECRET, "key", {"tags": UNKNOWN})])
    assert result.violations == [] and result.deferred
    result = check_stack(PROD_SECRETS_ROTATED, [R(SECRET, "key", {"tags": {**STANDARD_TAGS, "Environment": UNKNOWN}})])
    assert result.violations == [] and result.deferred


def test_without_an_external_rotation_tag_setting_no_secret_is_exempt(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    secret = R(SECRET, "key", {"arn": "arn:x", "tags": {**PROD_TAGS, "RotatedBy": "external"}})
    assert not check_stack(PROD_SECRETS_ROTATED, [secret], config={"externalRotationTag": {}}).passed
    partly = R(SECRET, "key", {"arn": "arn:x", "tags": {**PROD_TAGS, "RotatedBy": "external"}})
    config = {"externalRotationTag": {"RotatedBy": "external", "Issuer": "stripe"}}
    assert not check_stack(PROD_SECRETS_ROTATED, [partly], config=config).passed


# -- edges: unknowns at preview, exact actions, boundaries ------------------------------------------------------
def test_unknown_tracing_mode_and_url_auth_are_deferred() -> None:
    result = check(LAMBDA_TRACING_ACTIVE, FUNCTION, {**GOOD_FUNCTION, "tracingConfig": {"mode": UNKNOWN}})
    assert result.violations == [] and result.deferred
    result = check(LAMBDA_URL_IAM_AUTH, "aws:lambda/functionUrl:FunctionUrl", {"authorizationType": UNKNOWN})
    assert result.violations == [] and result.deferred


GOOD_PERMISSION = {
    "action": "lambda:InvokeFunction",
    "principal": "events.amazonaws.com",
    "function": "f",
    "sourceArn": "arn:aws:events:us-east-1:123456789012:rule/bus/r",
}


@pytest.mark.parametrize("action", ["*", "lambda:GetFunction", "lambda:Invoke*", "lambda:InvokeFunction*"])
def test_a_permission_granting_anything_but_an_exact_invoke_action_fails(action: str) -> None:
    assert check(LAMBDA_PERMISSION_SCOPED, PERMISSION, {**GOOD_PERMISSION, "action": action}, name="p").violations == [
        f"{PERMISSION} 'p' grants {action!r}: a permission grants exactly lambda:InvokeFunction (or "
        "lambda:InvokeFunctionUrl), never a wildcard."
    ]


def test_a_function_url_invoke_and_a_china_service_principal_pass() -> None:
    changed = {**GOOD_PERMISSION, "action": "lambda:InvokeFunctionUrl", "principal": "events.amazonaws.com.cn"}
    assert check(LAMBDA_PERMISSION_SCOPED, PERMISSION, changed).passed
    assert not check(LAMBDA_PERMISSION_SCOPED, PERMISSION, {**GOOD_PERMISSION, "principal": "*"}).passed


@pytest.mark.parametrize("key", ["action", "principal"])
def test_an_unknown_permission_action_or_principal_is_deferred(key: str) -> None:
    result = check(LAMBDA_PERMISSION_SCOPED, PERMISSION, {**GOOD_PERMISSION, key: UNKNOWN})
    assert result.violations == [] and f".{key} of" in result.deferred[0]


def test_log_groups_unknown_at_preview_defer_and_a_zero_retention_keeps_logs_forever() -> None:
    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    unnamed_group = R(LOG_GROUP, "g", {"name": UNKNOWN, "retentionInDays": 7})
    result = check_stack(LAMBDA_LOG_RETENTION, [fn, unnamed_group])
    assert result.violations == [] and result.deferred
    unknown_retention = R(LOG_GROUP, "g", {"name": "/aws/lambda/platform-dev-sync", "retentionInDays": UNKNOWN})
    result = check_stack(LAMBDA_LOG_RETENTION, [fn, unknown_retention])
    assert result.violations == [] and ".retentionInDays of" in result.deferred[0]
    unnamed_fn = R(FUNCTION, "new", {"name": UNKNOWN})
    result = check_stack(LAMBDA_LOG_RETENTION, [unnamed_fn])
    assert result.violations == [] and "the log group of" in result.deferred[0]
    zero = R(LOG_GROUP, "g", {"name": "/aws/lambda/platform-dev-sync", "retentionInDays": 0})
    assert check_stack(LAMBDA_LOG_RETENTION, [fn, zero]).violations == [
        f"{FUNCTION} 'sync' logs to /aws/lambda/platform-dev-sync, which keeps its logs forever: set retention_in_days."
    ]


def test_the_default_log_group_prefix_is_a_setting() -> None:
    fn = R(FUNCTION, "plain", {"name": "plain"})
    group = R(LOG_GROUP, "g", {"name": "/custom/plain", "retentionInDays": 7})
    assert check_stack(LAMBDA_LOG_RETENTION, [fn, group], config={"logGroupPrefix": "/custom/"}).passed
    assert not check_stack(LAMBDA_LOG_RETENTION, [fn, group]).passed


def test_async_invokers_unknown_at_preview_are_deferred() -> None:
    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    permission = R(PERMISSION, "p", {"principal": "sns.amazonaws.com", "function": UNKNOWN})
    result = check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, permission])
    assert result.violations == [] and "the function of" in result.deferred[0]
    schedule = R(SCHEDULE, "s", {"target": {"arn": UNKNOWN, "deadLetterConfig": {"arn": QUEUE_ARN}}})
    result = check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, schedule])
    assert result.violations == [] and "the target of" in result.deferred[0]


def test_an_invoke_config_without_an_on_failure_destination_does_not_count() -> None:
    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    permission = R(PERMISSION, "p", {"principal": "s3.amazonaws.com", "function": ARN})
    config = R(INVOKE_CONFIG, "c", {"functionName": "platform-dev-sync", "maximumRetryAttempts": 0})
    assert len(check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, permission, config]).violations) == 1
    schedule = R(SCHEDULE, "s", {"target": {"arn": "arn:aws:sqs:us-east-1:1:q", "deadLetterConfig": {"arn": "x"}}})
    assert check_stack(LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, schedule]).passed  # targets no function here
    custom = check_stack(
        LAMBDA_ASYNC_FAILURE_DESTINATION, [fn, permission], config={"asynchronousPrincipals": ["sns.amazonaws.com"]}
    )
    assert custom.passed


def test_a_database_grant_is_found_by_role_arn_in_any_case_and_only_in_allows() -> None:
    role = R("aws:iam/role:Role", "role", {"arn": "arn:aws:iam::123456789012:role/sync"})

    def grant(effect: str, action: Any) -> R:
        document = policy_document({"Effect": effect, "Action": action, "Resource": "arn:aws:rds-db:x"})
        return R("aws:iam/rolePolicy:RolePolicy", "policy", {"policy": document}, deps={"role": [role]})

    outside = R(FUNCTION, "sync", GOOD_FUNCTION)  # names its role by ARN only
    assert not check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, grant("Allow", "RDS-DB:Connect"), outside]).passed
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, grant("Deny", "rds-db:connect"), outside]).passed
    unparsable = R("aws:iam/rolePolicy:RolePolicy", "policy", {"policy": "{not json"}, deps={"role": [role]})
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, unparsable, outside]).passed
    empty = R(FUNCTION, "sync", {**GOOD_FUNCTION, "vpcConfig": {"subnetIds": []}})
    assert not check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, grant("Allow", ["rds-db:connect"]), empty]).passed
    unknown = R(FUNCTION, "sync", {**GOOD_FUNCTION, "vpcConfig": {"subnetIds": UNKNOWN}})
    result = check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, grant("Allow", ["rds-db:connect"]), unknown])
    assert result.violations == [] and ".vpcConfig of" in result.deferred[0]


def test_a_function_with_exactly_the_minimum_alarms_passes_and_one_fewer_fails() -> None:
    from policies.guardrails.functions import LAMBDA_ALARMS

    fn = R(FUNCTION, "sync", GOOD_FUNCTION)
    alarms = [
        R("aws:cloudwatch/metricAlarm:MetricAlarm", f"a{i}", {"dimensions": {"FunctionName": "platform-dev-sync"}})
        for i in range(2)
    ]
    assert check_stack(LAMBDA_ALARMS, [fn, *alarms], config={"minimumAlarms": 2}).passed
    assert check_stack(LAMBDA_ALARMS, [fn, *alarms], config={"minimumAlarms": 3}).violations == [
        f"{FUNCTION} 'sync' has 2 CloudWatch alarm(s) on FunctionName, fewer than 3: alarm on its errors, "
        "throttles and duration (the platform's observability component does, per function), notifying the "
        "alarm topic."
    ]


@pytest.mark.parametrize("value", [None, 5, ["arn:aws:lambda:us-east-1:123456789012:function:f"]])
def test_a_function_reference_that_is_not_text_names_no_function(value: object) -> None:
    assert function_name(value) is None


def _network_store_role(policy: object) -> tuple[R, R]:
    role = R("aws:iam/role:Role", "role", {"arn": "arn:aws:iam::123456789012:role/sync"})
    return role, R("aws:iam/rolePolicy:RolePolicy", "policy", {"policy": policy}, deps={"role": [role]})


def test_a_role_named_by_dependency_is_found_when_its_arn_is_unknown() -> None:
    role, connect = _network_store_role(
        policy_document({"Effect": "Allow", "Action": "rds-db:connect", "Resource": "x"})
    )
    outside = R(FUNCTION, "sync", {**GOOD_FUNCTION, "role": UNKNOWN}, deps={"role": [role]})
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, connect, outside]).violations == [
        f"{FUNCTION} 'sync' may connect to the database (rds-db:connect) but runs outside the VPC: place it in the "
        "private subnets with its own security group (vpc_config)."
    ]


def test_a_function_whose_role_the_stack_did_not_build_is_not_judged() -> None:
    role, connect = _network_store_role(
        policy_document({"Effect": "Allow", "Action": "rds-db:connect", "Resource": "x"})
    )
    outside = R(FUNCTION, "sync", {**GOOD_FUNCTION, "role": "arn:aws:iam::123456789012:role/elsewhere"})
    assert check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, connect, outside]).passed


def test_a_role_policy_whose_statements_are_unknown_defers() -> None:
    role, policy = _network_store_role({"Version": "2012-10-17", "Statement": UNKNOWN})
    outside = R(FUNCTION, "sync", GOOD_FUNCTION, deps={"role": [role]})
    result = check_stack(LAMBDA_IN_VPC_WITH_NETWORK_STORE, [role, policy, outside])
    assert result.violations == [] and len(result.deferred) == 1
