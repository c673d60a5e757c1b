"""api-gateway-stage-baseline and api-keys-generated-by-aws."""

from __future__ import annotations

from policies.guardrails.api_gateway import API_GATEWAY_STAGE_BASELINE, API_KEYS_GENERATED_BY_AWS, HINT

from .helpers import UNKNOWN, R, check, check_stack

STAGE = "aws:apigateway/stage:Stage"
SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
LOGGED = {
    "stageName": "v1",
    "accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:1:log-group:a", "format": "{}"},
}


def settings(stage: R, path: str = "*/*", **values: object) -> R:
    throttle = values or {"throttlingRateLimit": 100, "throttlingBurstLimit": 200}
    return R(
        SETTINGS,
        f"settings-{path}",
        {"methodPath": path, "stageName": UNKNOWN, "settings": throttle},
        deps={"stageName": [stage]},
    )


def test_a_logged_and_throttled_stage_passes() -> None:
    stage = R(STAGE, "stage", LOGGED)
    assert check_stack(API_GATEWAY_STAGE_BASELINE, [stage, settings(stage)]).passed


def test_a_stage_without_access_logs_or_a_stage_wide_throttle_fails() -> None:
    stage = R(STAGE, "stage", {"stageName": "v1"})
    assert check_stack(API_GATEWAY_STAGE_BASELINE, [stage, settings(stage, "health/GET")]).violations == [
        f"{STAGE} 'stage' keeps no access logs: set accessLogSettings (a log group, JSON format). {HINT}",
        f"{STAGE} 'stage' has no stage-wide throttle: add MethodSettings with methodPath '*/*', throttlingRateLimit "
        f"and throttlingBurstLimit. {HINT}",
    ]
    no_burst = R(STAGE, "stage", LOGGED)
    assert (
        len(check_stack(API_GATEWAY_STAGE_BASELINE, [no_burst, settings(no_burst, throttlingRateLimit=100)]).violations)
        == 1
    )


def test_an_api_key_with_a_value_in_the_program_fails() -> None:
    key = "aws:apigateway/apiKey:ApiKey"
    assert check(API_KEYS_GENERATED_BY_AWS, key, {"name": "partner", "enabled": True}).passed
    given = {"name": "partner", "value": "abcdefghijklmnopqrstuvwxyz"}
    assert check(API_KEYS_GENERATED_BY_AWS, key, given, config={"allowedKeyNames": ["partner"]}).passed
    assert check(API_KEYS_GENERATED_BY_AWS, key, given).violations == [
        f"{key} 'r' sets its value in the program or config, in plaintext: leave `value` unset so API Gateway "
        f"generates it. {HINT}"
    ]


def test_a_throttle_unknown_at_preview_is_deferred_not_passed() -> None:
    stage = R(STAGE, "stage", LOGGED)
    for values in ({"throttlingRateLimit": UNKNOWN, "throttlingBurstLimit": 200}, {"throttlingBurstLimit": UNKNOWN}):
        result = check_stack(API_GATEWAY_STAGE_BASELINE, [stage, settings(stage, **values)])
        assert result.violations == [] and "the method settings of" in result.deferred[0], values
    unknown_path = settings(stage, UNKNOWN)
    result = check_stack(API_GATEWAY_STAGE_BASELINE, [stage, unknown_path])
    assert result.violations == [] and result.deferred
    # A known stage-wide throttle settles it, whatever else is unknown; another method's unknown limit does not.
    assert check_stack(API_GATEWAY_STAGE_BASELINE, [stage, settings(stage), unknown_path]).passed
    other = settings(stage, "health/GET", throttlingRateLimit=UNKNOWN, throttlingBurstLimit=1)
    assert len(check_stack(API_GATEWAY_STAGE_BASELINE, [stage, other]).violations) == 1


def test_access_logs_to_a_log_group_created_in_the_same_run_count() -> None:
    unknown_arn = R(STAGE, "stage", {"stageName": "v1", "accessLogSettings": {"destinationArn": UNKNOWN}})
    assert check_stack(API_GATEWAY_STAGE_BASELINE, [unknown_arn, settings(unknown_arn)]).passed
    group = R("aws:cloudwatch/logGroup:LogGroup", "access")
    by_dependency = R(STAGE, "stage", {"stageName": "v1"}, deps={"accessLogSettings": [group]})
    assert check_stack(API_GATEWAY_STAGE_BASELINE, [group, by_dependency, settings(by_dependency)]).passed


def test_the_judged_stage_types_are_a_setting() -> None:
    stage = R(STAGE, "stage", {"stageName": "v1"})
    assert not check_stack(API_GATEWAY_STAGE_BASELINE, [stage]).passed
    assert check_stack(API_GATEWAY_STAGE_BASELINE, [stage], config={"stageTypes": []}).passed
