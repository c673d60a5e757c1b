"""The Candlefish example (seed 001, `examples/candlefish/Pulumi.{prod,dev}.yaml`): the seed's prod and dev tfvars
on the recorded resources of each stack (names `clos-v2-<stack>-*`, Aurora class, Multi-AZ, backups, task counts,
WAF, auto-shutdown), and what its monitoring, events and functions sections list. Each stack runs once per session
(tests/examples/support.py); that both pass every mandatory policy on up and first preview is proven over gRPC
in tests/policies/test_pack_e2e.py."""

from __future__ import annotations

import json

import pytest

from components.tagging import takes_tag_map
from offline.engine import StackRun
from tests.test_tagging import REQUIRED
from tests.test_tagging import sdk_class as stack_sdk_class

from .support import example_run, example_stack_config

SERVICE = "aws:ecs/service:Service"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.fixture(scope="module")
def prod() -> StackRun:
    return example_run("candlefish", stack="prod")


@pytest.fixture(scope="module")
def dev() -> StackRun:
    return example_run("candlefish", stack="dev")


def _alarm_names(run: StackRun) -> set[str]:
    return {r.inputs["name"] for r in run.of_type(ALARM)}


def test_it_runs_what_seed_001_describes(prod: StackRun) -> None:
    config = example_stack_config("candlefish", "prod")
    assert {n: s.kind for n, s in config.services.items()} == {"core-api": "web", "workflow-engine": "worker"}
    assert len(prod.of_type(SERVICE)) == 2
    functions = {r.inputs["name"].removeprefix("clos-v2-prod-") for r in prod.of_type("aws:lambda/function:Function")}
    assert {"db-init", "stage-gate-processor", "wip-limit-processor", "github-webhook", "daily-unblock"} <= functions
    assert len(prod.of_type("aws:lambda/invocation:Invocation")) == 1  # db-init, once
    assert len(prod.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")) == 2  # the two processors
    assert len(prod.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")) == 1  # github-webhook
    assert len(prod.of_type("aws:scheduler/schedule:Schedule")) == 1  # daily-unblock
    assert len(prod.of_type("aws:synthetics/canary:Canary")) == 3
    assert len(prod.of_type("aws:wafv2/webAcl:WebAcl")) == 1
    assert "clos-v2-prod-custom-wip-limit-violations" in _alarm_names(prod)
    assert prod.outputs["url"] == "https://api.candlefish.example.com"


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_names_follow_the_seeds_project_name_then_the_stack(stack: str) -> None:
    # seed: `${var.project_name}-resource-type` with project_name = "clos-v2" (clos-v2-cluster, clos-v2-db-cluster,
    # /aws/lambda/clos-v2-stage-gate-processor); the platform puts the stack second so prod and dev never collide
    run = example_run("candlefish", stack=stack)
    assert run.named("cluster-cluster").inputs["name"] == f"clos-v2-{stack}-cluster"
    assert {r.inputs["name"] for r in run.of_type(SERVICE)} == {
        f"clos-v2-{stack}-core-api",
        f"clos-v2-{stack}-workflow-engine",
    }
    assert run.named("database-cluster").inputs["clusterIdentifier"] == f"clos-v2-{stack}-db"
    log_groups = {r.inputs["name"] for r in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert f"/aws/lambda/clos-v2-{stack}-stage-gate-processor" in log_groups
    assert {r.inputs["tags"]["Project"] for r in run.of_type(SERVICE)} == {"clos-v2"}


def test_prod_tfvars_multi_az_aurora_db_r5_large_with_clos_admin(prod: StackRun) -> None:
    # enable_multi_az = true, db_instance_class = "db.r5.large", db_username = "clos_admin"
    instances = prod.of_type(CLUSTER_INSTANCE)
    assert [i.inputs["instanceClass"] for i in instances] == ["db.r5.large", "db.r5.large"]
    assert len({i.inputs["availabilityZone"] for i in instances}) == 2
    cluster = prod.named("database-cluster").inputs
    assert (cluster["engine"], cluster["masterUsername"], cluster["manageMasterUserPassword"]) == (
        "aurora-postgresql",
        "clos_admin",
        True,
    )
    assert "serverlessv2ScalingConfiguration" not in cluster  # provisioned, as the seed
    # enable_encryption = true; backup_retention_period = 14 -> 35 (the prod pack's floor, a documented difference)
    assert (cluster["storageEncrypted"], cluster["backupRetentionPeriod"], cluster["deletionProtection"]) == (
        True,
        35,
        True,
    )


def test_prod_tfvars_three_tasks_per_service_and_waf_on_the_alb(prod: StackRun) -> None:
    assert {r.inputs["name"]: r.inputs["desiredCount"] for r in prod.of_type(SERVICE)} == {
        "clos-v2-prod-core-api": 3,
        "clos-v2-prod-workflow-engine": 3,
    }
    assert {r.inputs["enableExecuteCommand"] for r in prod.of_type(SERVICE)} == {False}  # ECS Exec off in prod
    [acl] = prod.of_type("aws:wafv2/webAcl:WebAcl")  # enable_waf = true
    rules = {r["name"]: r for r in acl.inputs["rules"]}
    assert rules["RateLimitPerIp"]["statement"]["rateBasedStatement"]["limit"] == 2000
    assert "AWSManagedRulesCommonRuleSet" in rules
    assert len(prod.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")) == 1
    # "NAT Gateway | 3 AZs" (the cost table)
    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 3


def test_dev_tfvars_one_instance_one_day_backups_one_task_no_waf(dev: StackRun) -> None:
    # enable_multi_az = false, backup_retention_period = 1, desired_count = 1, enable_waf unset
    [instance] = dev.of_type(CLUSTER_INSTANCE)
    assert instance.inputs["instanceClass"] == "db.serverless"  # db.t3.micro is not an Aurora class
    cluster = dev.named("database-cluster").inputs
    assert (cluster["masterUsername"], cluster["backupRetentionPeriod"]) == ("clos_admin", 1)
    assert cluster["serverlessv2ScalingConfiguration"]["minCapacity"] == 0  # pauses when idle
    assert {r.inputs["desiredCount"] for r in dev.of_type(SERVICE)} == {1}
    assert dev.of_type("aws:wafv2/webAcl:WebAcl") == []
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1


def test_dev_auto_shutdown_scales_both_services_to_zero_out_of_hours(dev: StackRun) -> None:
    # enable_auto_shutdown = true
    actions = {r.inputs["name"]: r.inputs for r in dev.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")}
    for service in ("core-api", "workflow-engine"):
        stop, start = actions[f"clos-v2-dev-{service}-stop"], actions[f"clos-v2-dev-{service}-start"]
        assert stop["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
        assert stop["schedule"] == "cron(0 20 ? * MON-FRI *)"
        assert start["scalableTargetAction"]["minCapacity"] == 1
        assert start["schedule"] == "cron(0 7 ? * MON-FRI *)"


def test_dynamodb_tables_are_on_demand_encrypted_with_point_in_time_recovery(prod: StackRun) -> None:
    # "DynamoDB | Pay-per-request"; "DynamoDB: Point-in-time recovery enabled"; KMS for DynamoDB
    tables = {
        r.inputs["name"].removeprefix("clos-v2-prod-"): r.inputs for r in prod.of_type("aws:dynamodb/table:Table")
    }
    assert set(tables) == {"metrics", "sessions"}
    for table in tables.values():
        assert table["billingMode"] == "PAY_PER_REQUEST"
        assert table["pointInTimeRecovery"]["enabled"] is True
        assert table["serverSideEncryption"]["enabled"] is True and table["serverSideEncryption"]["kmsKeyArn"]


def test_the_custom_event_bus_feeds_three_queues_each_with_a_dead_letter_queue(prod: StackRun) -> None:
    [bus] = prod.of_type("aws:cloudwatch/eventBus:EventBus")
    assert bus.inputs["name"] == "clos-v2-prod-events" and bus.inputs["kmsKeyIdentifier"]
    rules = prod.of_type("aws:cloudwatch/eventRule:EventRule")
    assert {r.inputs["eventBusName"] for r in rules} == {"clos-v2-prod-events"}
    queues = {r.inputs["name"] for r in prod.of_type("aws:sqs/queue:Queue")}
    for queue in ("workflow", "stage-gate", "wip-limit"):
        assert {f"clos-v2-prod-{queue}", f"clos-v2-prod-{queue}-dlq"} <= queues


def test_daily_unblock_runs_on_weekday_mornings_new_york_time(prod: StackRun) -> None:
    [schedule] = prod.of_type("aws:scheduler/schedule:Schedule")
    inputs = schedule.inputs
    assert (inputs["scheduleExpression"], inputs["scheduleExpressionTimezone"]) == (
        "cron(0 8 ? * MON-FRI *)",
        "America/New_York",
    )
    assert inputs["target"]["retryPolicy"]["maximumRetryAttempts"] == 3


def test_synthetics_test_api_health_stage_gates_and_wip_limits(prod: StackRun) -> None:
    canaries = {r.name: r.inputs for r in prod.of_type("aws:synthetics/canary:Canary")}
    paths = {name: c["runConfig"]["environmentVariables"]["CHECK_PATH"] for name, c in canaries.items()}
    assert paths == {
        "api-health-canary": "/health",
        "stage-gate-canary": "/api/v1/stage-gates/health",
        "wip-limit-canary": "/api/v1/wip-limits/health",
    }
    assert canaries["api-health-canary"]["schedule"]["expression"] == "rate(5 minutes)"
    assert canaries["wip-limit-canary"]["schedule"]["expression"] == "rate(10 minutes)"


def test_every_alarm_the_seed_lists_exists_and_notifies_the_alert_email(prod: StackRun) -> None:
    # "High CPU/memory usage, Elevated error rates, Database connection issues, Lambda function failures,
    # SQS queue backlog, WIP limit violations"; `alert_email`
    names = _alarm_names(prod)
    expected = {
        "clos-v2-prod-core-api-cpu",
        "clos-v2-prod-core-api-memory",
        "clos-v2-prod-workflow-engine-cpu",
        "clos-v2-prod-workflow-engine-memory",
        "clos-v2-prod-core-api-5xx-rate",
        "clos-v2-prod-database-connections",
        "clos-v2-prod-workflow-oldest-message",
        "clos-v2-prod-stage-gate-oldest-message",
        "clos-v2-prod-wip-limit-oldest-message",
        "clos-v2-prod-custom-wip-limit-violations",
    }
    expected |= {f"clos-v2-prod-{f}-errors" for f in ("stage-gate-processor", "wip-limit-processor", "daily-unblock")}
    assert expected <= names
    wip = next(r.inputs for r in prod.of_type(ALARM) if r.inputs["name"] == "clos-v2-prod-custom-wip-limit-violations")
    assert (wip["namespace"], wip["metricName"], wip["threshold"], wip["period"]) == (
        "Candlefish",
        "WipLimitViolations",
        0,
        300,
    )
    # the webhook's p99 alarm watches the function the stack really names
    p99 = next(r.inputs for r in prod.of_type(ALARM) if r.inputs["name"] == "clos-v2-prod-custom-webhook-p99")
    functions = {r.inputs["name"] for r in prod.of_type("aws:lambda/function:Function")}
    assert p99["dimensions"]["FunctionName"] in functions
    emails = {
        r.inputs["endpoint"]
        for r in prod.of_type("aws:sns/topicSubscription:TopicSubscription")
        if r.inputs["protocol"] == "email"
    }
    assert emails == {"oncall@candlefish.example.com"}


def test_the_dashboard_graphs_ecs_alb_database_lambda_and_sqs(prod: StackRun) -> None:
    [dashboard] = prod.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    namespaces = {
        item
        for widget in body["widgets"]
        for metric in widget.get("properties", {}).get("metrics", [])
        for item in metric
        if isinstance(item, str) and "/" in item
    }
    assert {"AWS/ECS", "AWS/ApplicationELB", "AWS/RDS", "AWS/Lambda", "AWS/SQS"} <= namespaces


def test_api_keys_are_separate_secrets_rotated_monthly(prod: StackRun) -> None:
    # clos-v2/api-keys {github_token, slack_token, auth0_secret}, "Rotate API keys and secrets" monthly
    config = example_stack_config("candlefish", "prod")
    assert {name: s.rotation.days for name, s in config.secrets.items() if s.rotation} == {
        "auth0-client-secret": 30,
        "github-token": 30,
        "github-webhook-secret": 30,
        "slack-token": 30,
    }
    names = {r.inputs["name"] for r in prod.of_type("aws:secretsmanager/secret:Secret")}
    assert {"clos-v2/prod/github-token", "clos-v2/prod/slack-token", "clos-v2/prod/auth0-client-secret"} <= names
    [rotation] = [
        r
        for r in prod.of_type("aws:secretsmanager/secretRotation:SecretRotation")
        if r.name != "rotations-database-master"
    ]
    assert rotation.inputs["rotationRules"]["automaticallyAfterDays"] == 30


def test_the_alb_speaks_tls_1_2_or_newer_and_http_only_redirects(prod: StackRun) -> None:
    https = prod.named("load-balancer-https").inputs
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    http = prod.named("load-balancer-http").inputs
    assert http["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"


def sdk_class(resource_type: str) -> type:
    """As tests/test_tagging.py, for Python's reserved word too (`aws:lambda/...` lives in `pulumi_aws.lambda_`)."""
    return stack_sdk_class(resource_type.replace("aws:lambda/", "aws:lambda_/"))


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_taggable_resource_carries_the_standard_tags_and_the_purpose(stack: str) -> None:
    run = example_run("candlefish", stack=stack)
    taggable = [r for r in run.custom_resources if r.type.startswith("aws:") and takes_tag_map(sdk_class(r.type))]
    untagged = [(r.type, r.name) for r in taggable if not set(r.inputs.get("tags") or {}) >= REQUIRED | {"Purpose"}]
    assert taggable and untagged == []
    assert {r.inputs["tags"]["Environment"] for r in taggable} == {stack}


def test_prod_stateful_resources_of_the_example_are_protected(prod: StackRun) -> None:
    stateful = (
        "aws:sqs/queue:Queue",
        "aws:s3/bucket:Bucket",
        "aws:secretsmanager/secret:Secret",
        "aws:rds/cluster:Cluster",
        "aws:dynamodb/table:Table",
        "aws:kms/key:Key",
        "aws:ecr/repository:Repository",
    )
    unprotected = [r.name for r in prod.of_type(*stateful) if not r.protect]
    assert unprotected == []


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_the_troubleshooting_queries_are_saved_over_the_stacks_own_log_groups(stack: str) -> None:
    # seed: "Use CloudWatch Insights queries for troubleshooting" (application errors, Lambda logs and timeouts)
    queries = {
        r.inputs["name"]: r.inputs
        for r in example_run("candlefish", stack=stack).of_type("aws:cloudwatch/queryDefinition:QueryDefinition")
    }
    assert set(queries) == {f"clos-v2-{stack}/application-errors", f"clos-v2-{stack}/lambda-timeouts"}
    assert queries[f"clos-v2-{stack}/application-errors"]["logGroupNames"] == [
        f"/clos-v2/{stack}/services/core-api",
        f"/clos-v2/{stack}/services/workflow-engine",
    ]
    timeouts = queries[f"clos-v2-{stack}/lambda-timeouts"]
    assert "Task timed out" in timeouts["queryString"]
    assert f"/aws/lambda/clos-v2-{stack}-stage-gate-processor" in timeouts["logGroupNames"]
    assert len(timeouts["logGroupNames"]) == 5
