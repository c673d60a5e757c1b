"""The troubleshooter example (seed 002) previewed with its config file: 0 mandatory violations on `up` and on a
first preview, and one test per acceptance criterion (AC1-AC6) asserted on the recorded resources. AC7
(teardown) is shown on a non-prod variant of the same file; in prod protection blocks it by design
(examples/troubleshooter/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from offline import preview
from offline.engine import RecordedResource, StackRun, run_stack, stack_config
from policies.guardrails.arn_scope import covers_every_resource_of_a_kind

ROOT = Path(__file__).resolve().parent.parent
TROUBLESHOOTER = ROOT / "examples" / "troubleshooter" / "Pulumi.prod.yaml"
MODELS = ("anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-embed-text-v2:0")


@pytest.fixture(scope="module")
def run() -> StackRun:
    return run_stack("prod", config_file=TROUBLESHOOTER)


def named(run: StackRun, resource_type: str, name: str) -> RecordedResource:
    [resource] = [r for r in run.of_type(resource_type) if r.name == name]
    return resource


def statements(resource: RecordedResource) -> list[dict[str, Any]]:
    return json.loads(resource.inputs["policy"])["Statement"]


def test_ac1_the_stack_previews_with_its_config_file_and_passes_every_mandatory_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    code = preview.main(["--config-file", str(TROUBLESHOOTER), "--quiet", "--report-json", str(report)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "physical names troubleshooter-prod-*" in printed
    verdict = json.loads(report.read_text())
    assert (verdict["passed"], verdict["summary"]["mandatory"], verdict["stack"]) == (True, 0, "prod")
    assert preview.main(["--config-file", str(TROUBLESHOOTER), "--quiet", "--unknowns"]) == 0


def test_ac2_the_service_runs_in_private_subnets_behind_the_alb_with_a_health_check(run: StackRun) -> None:
    service = named(run, "aws:ecs/service:Service", "api-service")
    network = service.inputs["networkConfiguration"]
    private = {r.id for r in run.of_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    assert network["assignPublicIp"] is False and set(network["subnets"]) <= private
    assert service.inputs["desiredCount"] == 2
    target_group = named(run, "aws:lb/targetGroup:TargetGroup", "api-tg")
    assert target_group.inputs["healthCheck"]["path"] == "/health"
    [alb] = run.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["internal"] is False


def test_ac3_api_gateway_rest_with_a_stage_usage_plan_and_429_over_100_rps_burst_200(run: StackRun) -> None:
    stage = named(run, "aws:apigateway/stage:Stage", "api-public-stage")
    assert stage.inputs["stageName"] == "v1"
    plan = named(run, "aws:apigateway/usagePlan:UsagePlan", "api-public-plan-standard")
    assert plan.inputs["throttleSettings"] == {"rateLimit": 100, "burstLimit": 200}
    settings = {
        r.inputs["methodPath"]: r.inputs["settings"]
        for r in run.of_type("aws:apigateway/methodSettings:MethodSettings")
    }
    assert (settings["*/*"]["throttlingRateLimit"], settings["*/*"]["throttlingBurstLimit"]) == (100, 200)
    keys = run.of_type("aws:apigateway/apiKey:ApiKey")
    assert len(keys) == 2 and all("value" not in k.inputs for k in keys)
    body = json.loads(named(run, "aws:apigateway/restApi:RestApi", "api-public-rest-api").inputs["body"])
    assert body["paths"]["/{proxy+}"]["x-amazon-apigateway-any-method"]["security"] == [{"api_key": []}]


def test_ac4_log_groups_dashboard_and_the_p95_latency_alarm(run: StackRun) -> None:
    groups = {r.inputs["name"] for r in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert {"/troubleshooter/prod/services/api", "/troubleshooter/prod/api-public/access"} <= groups
    assert run.of_type("aws:cloudwatch/dashboard:Dashboard")
    p95 = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "api-public-latency-p95").inputs
    assert (
        p95["metricName"],
        p95["extendedStatistic"],
        p95["threshold"],
        p95["period"] * p95["evaluationPeriods"],
    ) == ("Latency", "p95", 1000, 300)
    five_xx = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "api-public-5xx-rate").inputs
    assert five_xx["threshold"] == 0.05
    assert named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "observability-api-running-tasks")


def test_ac5_tables_and_uploads_are_reachable_by_the_task_role_only(run: StackRun) -> None:
    tables = {r.inputs["name"]: r for r in run.of_type("aws:dynamodb/table:Table")}
    assert set(tables) == {"troubleshooter-prod-sessions", "troubleshooter-prod-budgets"}
    task = statements(named(run, "aws:iam/rolePolicy:RolePolicy", "api-task-policy"))
    resources = {str(arn) for s in task for arn in s["Resource"]}
    for table in tables.values():
        assert table.outputs["arn"] in resources
    uploads = named(run, "aws:s3/bucket:Bucket", "bucket-uploads-bucket")
    assert any(str(arn).startswith(uploads.outputs["arn"]) for arn in resources)
    bucket_policy = statements(named(run, "aws:s3/bucketPolicy:BucketPolicy", "bucket-uploads-policy"))
    assert all(s["Effect"] == "Deny" for s in bucket_policy)  # no principal is allowed in by the bucket itself


def test_ac6_bedrock_only_on_the_named_models_and_no_wildcard_arns_anywhere(run: StackRun) -> None:
    task = statements(named(run, "aws:iam/rolePolicy:RolePolicy", "api-task-policy"))
    bedrock = [s for s in task if any(a.startswith("bedrock:") for a in s["Action"])]
    assert sorted(arn for s in bedrock for arn in s["Resource"]) == sorted(
        f"arn:aws:bedrock:us-west-2::foundation-model/{model}" for model in MODELS
    )
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in statements(policy):
            if statement["Effect"] == "Allow":
                assert not any(covers_every_resource_of_a_kind(str(arn)) for arn in statement.get("Resource", [])), (
                    policy.name,
                    statement["Sid"],
                )
    execution = statements(named(run, "aws:iam/rolePolicy:RolePolicy", "api-execution-policy"))
    assert any("secretsmanager:GetSecretValue" in s["Action"] for s in execution)
    container = json.loads(
        named(run, "aws:ecs/taskDefinition:TaskDefinition", "api-task").inputs["containerDefinitions"]
    )[0]
    assert [s["name"] for s in container["secrets"]] == ["MODEL_API_KEY"]
    assert all(e["name"] != "MODEL_API_KEY" for e in container["environment"])


DELETION_GUARDS = {
    "aws:lb/loadBalancer:LoadBalancer": "enableDeletionProtection",
    "aws:dynamodb/table:Table": "deletionProtectionEnabled",
}


def test_ac7_a_non_prod_variant_tears_down_while_prod_protection_blocks_it_by_design(run: StackRun) -> None:
    # prod: the stateful resources carry Pulumi `protect` (and AWS deletion protection): `pulumi destroy` stops.
    protected = {r.type for r in run.resources if r.protect}
    assert {"aws:dynamodb/table:Table", "aws:s3/bucket:Bucket", "aws:kms/key:Key"} <= protected
    assert "aws:opensearch/serverlessCollection:ServerlessCollection" in protected
    assert all(r.inputs.get(DELETION_GUARDS[r.type]) is True for r in run.of_type(*DELETION_GUARDS))
    # the same file as environment staging (stack `staging`): nothing protected, no AWS deletion protection,
    # so `pulumi destroy` removes every resource it created.
    flat = stack_config("prod", config_file=TROUBLESHOOTER)
    variant = run_stack("staging", config={**flat, "platform:environment": "staging"}, config_file=TROUBLESHOOTER)
    assert [r.name for r in variant.resources if r.protect] == []
    assert [r.name for r in variant.of_type(*DELETION_GUARDS) if r.inputs.get(DELETION_GUARDS[r.type])] == []
    assert {r.type for r in variant.resources if r.custom} >= {
        "aws:dynamodb/table:Table",
        "aws:opensearch/serverlessCollection:ServerlessCollection",
        "aws:apigateway/restApi:RestApi",
        "aws:cloudfront/distribution:Distribution",
    }
