"""Lambda functions and their triggers, from the Candlefish example (seed 001): hardened defaults, least-privilege
roles, VPC placement only with the database, secrets by ARN, every trigger wired with exactly its permission."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config.functions import RUNTIME_DEPRECATION, secret_arn_variable
from components.function import ENI_DESCRIBE_JUSTIFICATION
from offline.engine import RecordedResource, StackRun
from tests.examples.support import example_run, example_stack_config

from .compute_support import EGRESS, INGRESS, ROLE, ROLE_POLICY, child, policy

FUNCTION = "aws:lambda/function:Function"
FUNCTIONS = ("db-init", "stage-gate-processor", "wip-limit-processor", "github-webhook", "daily-unblock")


@pytest.fixture(scope="module")
def run() -> StackRun:
    return example_run("candlefish", stack="prod")


def function(run: StackRun, key: str) -> RecordedResource:
    return child(run, f"function-{key}", f"function-{key}-function")


def statements(run: StackRun, key: str) -> dict[str, dict[str, Any]]:
    document = policy(child(run, f"function-{key}", f"function-{key}-policy"))
    return {s["Sid"]: s for s in document["Statement"]}


@pytest.mark.parametrize("key", FUNCTIONS)
def test_every_function_is_arm64_traced_published_and_logs_to_its_own_encrypted_group(run: StackRun, key: str) -> None:
    fn = function(run, key)
    assert fn.inputs["architectures"] == ["arm64"]
    assert fn.inputs["tracingConfig"] == {"mode": "Active"}
    assert fn.inputs["publish"] is True
    assert fn.inputs["runtime"] in RUNTIME_DEPRECATION
    group = child(run, f"function-{key}", f"function-{key}-logs")
    assert group.inputs["name"] == f"/aws/lambda/{fn.inputs['name']}"
    assert fn.inputs["loggingConfig"] == {"logFormat": "JSON", "logGroup": group.inputs["name"]}
    assert group.inputs["retentionInDays"] == 90.0 and group.inputs["kmsKeyId"].startswith("arn:aws:kms:")
    assert group.urn in fn.dependencies
    alias = child(run, f"function-{key}", f"function-{key}-alias")
    assert alias.inputs["name"] == "live"


def test_the_timeout_defaults_to_30_seconds_and_memory_to_256() -> None:
    from components.config.functions import FunctionConfig

    config = FunctionConfig.model_validate({"code": "x", "handler": "h.main", "runtime": "python3.13"})
    assert (config.timeout_seconds, config.memory, config.architecture) == (30, 256, "arm64")


def test_the_role_writes_only_its_own_log_streams_and_traces(run: StackRun) -> None:
    found = statements(run, "wip-limit-processor")
    group = child(run, "function-wip-limit-processor", "function-wip-limit-processor-logs").inputs["name"]
    assert found["WriteOwnLogs"]["Resource"] == [f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:log-stream:*"]
    assert found["WriteOwnLogs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert found["SendTraces"]["Resource"] == ["*"]
    assert found["SendTraces"]["Action"] == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    trust = policy(child(run, "function-wip-limit-processor", "function-wip-limit-processor-role"), "assumeRolePolicy")
    assert trust["Statement"][0]["Principal"] == {"Service": ["lambda.amazonaws.com"]}


def test_grants_resolve_exactly_as_a_services_do(run: StackRun) -> None:
    found = statements(run, "stage-gate-processor")
    assert set(found) == {
        "WriteOwnLogs",
        "SendTraces",
        "TableMetricsReadWrite",
        "TableMetricsKey",
        "QueueStageGateConsume",
        "QueueStageGateKey",
        "EventBusPublish",
    }
    assert found["QueueStageGateKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}
    }


def test_only_a_function_granted_the_database_runs_in_the_vpc_with_its_own_group(run: StackRun) -> None:
    in_vpc = {key for key in FUNCTIONS if function(run, key).inputs.get("vpcConfig")}
    assert in_vpc == {"db-init"}
    vpc = function(run, "db-init").inputs["vpcConfig"]
    private = set(run.outputs["privateSubnetIds"])
    assert set(vpc["subnetIds"]) == private
    group = child(run, "function-db-init", "function-db-init-sg")
    assert vpc["securityGroupIds"] == [group.id]
    ports = sorted(r.inputs["fromPort"] for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] == group.id)
    assert ports == [443.0, 5432.0]
    assert not [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]
    admitted = [r for r in run.of_type(INGRESS) if r.inputs.get("referencedSecurityGroupId") == group.id]
    assert [r.inputs["fromPort"] for r in admitted] == [5432.0]


def test_vpc_interface_rights_use_star_only_for_the_describe_calls(run: StackRun) -> None:
    found = statements(run, "db-init")
    assert found["DescribeNetwork"]["Resource"] == ["*"]
    assert found["DescribeNetwork"]["Action"] == ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
    assert "only works if it's allowed on all resources" in ENI_DESCRIBE_JUSTIFICATION
    create = found["CreateOwnInterfaces"]["Resource"]
    assert "*" not in create and create[0] == "arn:aws:ec2:us-east-1:123456789012:network-interface/*"
    group = child(run, "function-db-init", "function-db-init-sg")
    assert create[-1] == f"arn:aws:ec2:us-east-1:123456789012:security-group/{group.id}"
    assert found["ManageInterfaces"]["Resource"] == ["arn:aws:ec2:us-east-1:123456789012:network-interface/*"]
    assert "DescribeNetwork" not in statements(run, "daily-unblock")


def test_secrets_reach_the_function_as_an_arn_and_a_read_grant_never_as_a_value(run: StackRun) -> None:
    fn = function(run, "github-webhook")
    variables = fn.inputs["environment"]["variables"]
    secret = next(
        r
        for r in run.of_type("aws:secretsmanager/secret:Secret")
        if r.inputs["name"].endswith("/github-webhook-secret")
    )
    assert variables[secret_arn_variable("github-webhook-secret")] == secret.outputs["arn"]
    assert secret_arn_variable("github-webhook-secret") == "GITHUB_WEBHOOK_SECRET_SECRET_ARN"
    found = statements(run, "github-webhook")
    assert found["SecretGithubWebhookSecretRead"]["Resource"] == [secret.outputs["arn"]]
    assert found["SecretGithubWebhookSecretRead"]["Action"] == ["secretsmanager:GetSecretValue"]


def test_reserved_and_provisioned_concurrency(run: StackRun) -> None:
    assert function(run, "stage-gate-processor").inputs["reservedConcurrentExecutions"] == 20.0
    provisioned = child(run, "function-stage-gate-processor", "function-stage-gate-processor-provisioned")
    assert provisioned.inputs["qualifier"] == "live" and provisioned.inputs["provisionedConcurrentExecutions"] == 2.0
    assert not [
        r
        for r in run.of_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
        if "wip-limit" in r.name
    ]


def test_db_init_runs_once_on_deploy_after_the_database(run: StackRun) -> None:
    invocation = child(run, "function-db-init", "function-db-init-run-on-deploy")
    assert json.loads(invocation.inputs["input"]) == {"migrations": ["0001_initial"]}
    assert invocation.inputs["qualifier"] == "live"
    # Depending on the Database component waits for all its children: the SDK expands it to them.
    instances = {r.urn for r in run.of_type("aws:rds/clusterInstance:ClusterInstance")}
    assert len(instances) == 2 and instances <= set(invocation.dependencies)


# -- triggers ---------------------------------------------------------------------------------------------
def test_queue_triggers_report_partial_batch_failures_with_their_batching(run: StackRun) -> None:
    mapping = child(run, "function-stage-gate-processor", "function-stage-gate-processor-from-stage-gate")
    alias = child(run, "function-stage-gate-processor", "function-stage-gate-processor-alias")
    queue = next(r for r in run.of_type("aws:sqs/queue:Queue") if r.inputs["name"].endswith("-stage-gate"))
    assert mapping.inputs["functionName"] == alias.outputs["arn"]
    assert mapping.inputs["eventSourceArn"] == queue.outputs["arn"]
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert (mapping.inputs["batchSize"], mapping.inputs["maximumBatchingWindowInSeconds"]) == (10.0, 5.0)
    assert mapping.inputs["scalingConfig"] == {"maximumConcurrency": 10.0}


def test_a_schedule_has_its_own_role_scoped_to_the_one_function_and_a_dead_letter_queue(run: StackRun) -> None:
    component = "function-daily-unblock"
    schedule = child(run, component, f"{component}-weekday-morning-schedule")
    alias = child(run, component, f"{component}-alias")
    failures = child(run, component, f"{component}-failures")
    target = schedule.inputs["target"]
    assert target["arn"] == alias.outputs["arn"]
    assert target["deadLetterConfig"] == {"arn": failures.outputs["arn"]}
    assert target["retryPolicy"] == {"maximumRetryAttempts": 3.0, "maximumEventAgeInSeconds": 3600.0}
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "FLEXIBLE", "maximumWindowInMinutes": 15.0}
    assert schedule.inputs["scheduleExpressionTimezone"] == "America/New_York"
    role = child(run, component, f"{component}-weekday-morning-scheduler-role")
    assert target["roleArn"] == role.outputs["arn"]
    trust = policy(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": ["scheduler.amazonaws.com"]}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"].endswith(f":schedule/default/{schedule.inputs['name']}")
    found = {
        s["Sid"]: s for s in policy(child(run, component, f"{component}-weekday-morning-scheduler-policy"))["Statement"]
    }
    assert found["InvokeTheFunction"] == {
        "Sid": "InvokeTheFunction",
        "Effect": "Allow",
        "Action": ["lambda:InvokeFunction"],
        "Resource": [alias.outputs["arn"]],
    }


def test_asynchronous_invocations_go_to_the_failure_queue(run: StackRun) -> None:
    component = "function-daily-unblock"
    config = child(run, component, f"{component}-async")
    failures = child(run, component, f"{component}-failures")
    assert config.inputs["destinationConfig"] == {"onFailure": {"destination": failures.outputs["arn"]}}
    assert config.inputs["qualifier"] == "live"
    assert failures.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:") and failures.protect  # prod
    found = statements(run, "daily-unblock")
    assert found["SendFailedEvents"]["Resource"] == [failures.outputs["arn"]]
    # synchronous-only functions have none
    assert not [
        r
        for r in run.of_type("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
        if "stage-gate" in r.name
    ]


def test_the_webhook_route_is_a_lambda_target_group_invokable_only_from_it(run: StackRun) -> None:
    component = "function-github-webhook"
    target_group = child(run, component, f"{component}-tg")
    assert target_group.inputs["targetType"] == "lambda"
    permission = child(run, component, f"{component}-alb-invoke")
    assert permission.inputs["principal"] == "elasticloadbalancing.amazonaws.com"
    assert permission.inputs["sourceArn"] == target_group.outputs["arn"]
    assert permission.inputs["action"] == "lambda:InvokeFunction" and permission.inputs["qualifier"] == "live"
    attachment = child(run, component, f"{component}-tg-attachment")
    assert attachment.inputs["targetId"] == child(run, component, f"{component}-alias").outputs["arn"]
    assert permission.urn in attachment.dependencies
    rule = child(run, component, f"{component}-rule")
    assert rule.inputs["priority"] == 10.0
    assert rule.inputs["actions"][0]["targetGroupArn"] == target_group.outputs["arn"]


def test_an_event_rule_invokes_only_through_a_permission_naming_the_rule(run: StackRun) -> None:
    config = dict(example_stack_config("candlefish", "prod").functions["daily-unblock"])
    from components.config.functions import FunctionConfig
    from offline.engine import run_stack
    from tests.examples.support import example_config

    flat = example_config("candlefish", "prod")
    functions = json.loads(flat["platform:functions"])
    functions["daily-unblock"]["triggers"]["events"] = {"on-blocked": {"eventPattern": {"source": ["candlefish"]}}}
    functions["daily-unblock"]["triggers"]["url"] = {"auth": "AWS_IAM"}
    flat["platform:functions"] = json.dumps(functions)
    assert FunctionConfig.model_validate(functions["daily-unblock"]).triggers.asynchronous and config
    changed = run_stack("prod", config=flat)
    component = "function-daily-unblock"
    rule = child(changed, component, f"{component}-on-blocked-rule")
    permission = child(changed, component, f"{component}-on-blocked-invoke")
    assert permission.inputs["principal"] == "events.amazonaws.com"
    assert permission.inputs["sourceArn"] == rule.outputs["arn"]
    target = child(changed, component, f"{component}-on-blocked-target")
    assert target.inputs["deadLetterConfig"]["arn"] == child(changed, component, f"{component}-failures").outputs["arn"]
    queue_policy = policy(child(changed, component, f"{component}-failures-policy"))
    senders = next(s for s in queue_policy["Statement"] if s["Sid"] == "EventRulesSendUndelivered")
    assert senders["Condition"] == {"ArnEquals": {"aws:SourceArn": [rule.outputs["arn"]]}}
    url = child(changed, component, f"{component}-url")
    assert url.inputs["authorizationType"] == "AWS_IAM"


def test_roles_and_policies_are_named_after_the_config_key(run: StackRun) -> None:
    roles = {r.inputs["name"] for r in run.of_type(ROLE) if r.parent and "function-" in r.parent}
    assert "clos-v2-prod-db-init-function" in roles
    assert all(len(r) <= 64 for r in roles)
    assert (
        len(
            [
                r
                for r in run.of_type(ROLE_POLICY)
                if r.name.endswith("-policy") and r.name.removeprefix("function-").removesuffix("-policy") in FUNCTIONS
            ]
        )
        == 5
    )


# -- alarms and dashboard ---------------------------------------------------------------------------------
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def alarms_of(run: StackRun, key: str) -> dict[str, RecordedResource]:
    prefix = f"clos-v2-prod-{key}-"
    return {r.inputs["name"].removeprefix(prefix): r for r in run.of_type(ALARM) if r.inputs["name"].startswith(prefix)}


@pytest.mark.parametrize("key", FUNCTIONS)
def test_every_function_alarms_on_errors_throttles_and_duration_near_its_timeout(run: StackRun, key: str) -> None:
    found = alarms_of(run, key)
    assert {"errors", "throttles", "duration"} <= set(found)
    name = function(run, key).inputs["name"]
    for alarm in found.values():
        assert alarm.inputs["dimensions"] == {"FunctionName": name} or alarm.inputs["namespace"] == "AWS/SQS"
        assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"] and alarm.inputs["alarmActions"]
    duration = found["duration"]
    timeout = example_stack_config("candlefish", "prod").functions[key].timeout_seconds
    assert duration.inputs["extendedStatistic"] == "p99" and duration.inputs["metricName"] == "Duration"
    assert duration.inputs["threshold"] == timeout * 1000 * 0.8
    errors = found["errors"]
    assert (errors.inputs["statistic"], errors.inputs["threshold"], errors.inputs["period"]) == ("Sum", 0.0, 300.0)


def test_a_function_with_asynchronous_triggers_alarms_on_its_failure_queue(run: StackRun) -> None:
    found = alarms_of(run, "daily-unblock")
    failures = child(run, "function-daily-unblock", "function-daily-unblock-failures")
    assert found["failed-events"].inputs["dimensions"] == {"QueueName": failures.inputs["name"]}
    assert "failed-events" not in alarms_of(run, "stage-gate-processor")


def test_the_dashboard_draws_every_function_and_stays_valid(run: StackRun) -> None:
    from tests.components.test_observability import validate

    [dashboard] = run.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    assert validate(body) == []
    titles = {w["properties"].get("markdown") for w in body["widgets"] if w["type"] == "text"}
    assert {f"## Function {key}" for key in FUNCTIONS} <= titles


def test_environment_references_resolve_to_what_the_stack_built() -> None:
    """`${...}` in a function's environment resolves through the stack's registry, as for services."""
    from tests.examples.support import example_run

    run = example_run("candlefish", stack="prod")
    functions = {r.name: r for r in run.of_type("aws:lambda/function:Function")}
    variables = {
        k: v for f in functions.values() for k, v in (f.inputs.get("environment") or {}).get("variables", {}).items()
    }
    assert variables["DB_HOST"] == run.named("database-cluster").outputs["endpoint"]
    assert variables["TABLE"] == run.named("table-metrics-table").outputs["name"]
    assert not [v for v in variables.values() if isinstance(v, str) and "${" in v]
