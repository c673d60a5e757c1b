"""examples/troubleshooter (seed 002, `Pulumi.prod.yaml`): every number the seed states, asserted on the recorded
resources of the example's run (shared by the session, `tests/examples/support.py`), and one test per acceptance
criterion AC1-AC7. AC1 is also proven over gRPC by the real pack (tests/policies/test_pack_e2e.py: 0 mandatory on
`up` and on a first preview); AC7's teardown runs a staging variant of the same file, judged here by the pack at
staging's levels. examples/troubleshooter/README.md maps each seed requirement to its config line or default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.tagging import takes_tag_map
from offline import preview
from offline.engine import RecordedResource, StackRun
from offline.policy_harness import PolicyHarness, format_report
from policies.guardrails.arn_scope import covers_every_resource_of_a_kind
from tests.shared_runs import shared_run
from tests.test_tagging import REQUIRED, sdk_class

from .support import EXAMPLES, example_config, example_run

TROUBLESHOOTER = EXAMPLES / "troubleshooter" / "Pulumi.prod.yaml"
MODELS = ("anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-embed-text-v2:0")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.fixture(scope="module")
def run() -> StackRun:
    return example_run("troubleshooter", stack="prod")


def staging_run() -> StackRun:
    """The same file as environment staging (stack `staging`): the teardown variant of AC7."""
    config = {**example_config("troubleshooter", "prod"), "platform:environment": "staging"}
    return shared_run("staging", config=config)


def named(run: StackRun, name: str) -> RecordedResource:
    [resource] = [r for r in run.resources if r.name == name]
    return resource


def statements(resource: RecordedResource) -> list[dict[str, Any]]:
    return json.loads(resource.inputs["policy"])["Statement"]


def subnet_ids(run: StackRun, tier: str) -> set[str]:
    return {str(r.id) for r in run.of_type("aws:ec2/subnet:Subnet") if r.name.startswith(f"network-{tier}-")}


def widget_titles(run: StackRun) -> list[str]:
    return [
        str(w["properties"].get("title"))
        for d in run.of_type("aws:cloudwatch/dashboard:Dashboard")
        for w in json.loads(d.inputs["dashboardBody"])["widgets"]
    ]


# -- AC1: provisioning -------------------------------------------------------------------------------------
def test_ac1_the_preview_cli_runs_the_config_file_and_passes_every_mandatory_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # as a user runs it (the gRPC pack test proves the same for `up` and a first preview on the shared runs)
    report = tmp_path / "report.json"
    code = preview.main(["--config-file", str(TROUBLESHOOTER), "--quiet", "--report-json", str(report)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "physical names troubleshooter-prod-*" in printed
    verdict = json.loads(report.read_text())
    assert (verdict["passed"], verdict["summary"]["mandatory"], verdict["stack"]) == (True, 0, "prod")


# -- Decisions and networking ------------------------------------------------------------------------------
def test_everything_is_in_us_west_2(run: StackRun) -> None:
    zones = {r.inputs["availabilityZone"] for r in run.of_type("aws:ec2/subnet:Subnet")}
    assert zones == {"us-west-2a", "us-west-2b"}
    arns = [str(r.outputs["arn"]) for r in run.custom_resources if str(r.outputs.get("arn", "")).count(":") >= 5]
    regional = [arn.split(":")[3] for arn in arns if arn.split(":")[3]]
    # CloudFront's certificate and web ACL, and the backup copy, live in us-east-1 by design
    assert regional.count("us-west-2") > 0.8 * len(regional)
    assert set(regional) == {"us-west-2", "us-east-1"}


def test_public_and_private_subnets_across_two_azs_with_a_nat_gateway_per_az(run: StackRun) -> None:
    [vpc] = run.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.40.0.0/16"
    public, private = subnet_ids(run, "public"), subnet_ids(run, "private")
    assert len(public) == len(private) == 2
    nats = run.of_type("aws:ec2/natGateway:NatGateway")
    assert sorted(str(n.inputs["subnetId"]) for n in nats) == sorted(public)
    # each private route table sends 0.0.0.0/0 to its own AZ's NAT gateway
    defaults = {
        r.name: str(r.inputs["natGatewayId"]) for r in run.of_type("aws:ec2/route:Route") if "private" in r.name
    }
    assert defaults == {"network-private-a-default": named(run, "network-nat-a").id,
                        "network-private-b-default": named(run, "network-nat-b").id}  # fmt: skip


def test_security_groups_app_port_from_the_alb_only_and_the_alb_from_the_nlb_only(run: StackRun) -> None:
    alb_group, nlb_group, app_group = (named(run, n).id for n in ("load-balancer-sg", "private-link-sg", "api-sg"))
    rules = run.of_type(INGRESS)
    to_app = [(r.inputs["fromPort"], r.inputs.get("referencedSecurityGroupId")) for r in rules
              if r.inputs["securityGroupId"] == app_group]  # fmt: skip
    assert to_app == [(8080, alb_group)]  # ecs_service_sg: inbound from the ALB on the app port
    to_alb_443 = [r.inputs.get("referencedSecurityGroupId") for r in rules
                  if r.inputs["securityGroupId"] == alb_group and r.inputs["fromPort"] == 443]  # fmt: skip
    assert to_alb_443 == [nlb_group]  # alb_sg: restricted source, not 0.0.0.0/0
    assert not [r.name for r in rules if r.inputs.get("cidrIpv4") == "0.0.0.0/0" or r.inputs.get("cidrIpv6")]


# -- AC2: networking and compute ---------------------------------------------------------------------------
def test_ac2_desired_count_tasks_in_the_private_subnets_behind_a_load_balancer_with_a_health_check(
    run: StackRun,
) -> None:
    [cluster] = run.of_type("aws:ecs/cluster:Cluster")
    assert cluster.inputs["name"] == "troubleshooter-prod-cluster"
    assert {"name": "containerInsights", "value": "enabled"} in cluster.inputs["settings"]
    service = named(run, "api-service")
    network = service.inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False and set(network["subnets"]) <= subnet_ids(run, "private")
    assert service.inputs["desiredCount"] == 2
    task = named(run, "api-task").inputs
    assert (task["requiresCompatibilities"], task["cpu"], task["memory"]) == (["FARGATE"], "1024", "2048")
    assert named(run, "api-tg").inputs["healthCheck"]["path"] == "/health"
    [alb] = [
        r for r in run.of_type("aws:lb/loadBalancer:LoadBalancer") if r.inputs["loadBalancerType"] == "application"
    ]
    assert alb.inputs["internal"] is True and set(alb.inputs["subnets"]) == subnet_ids(run, "private")


def test_autoscaling_between_2_and_6_tasks_on_cpu_65_and_requests_per_target(run: StackRun) -> None:
    target = named(run, "api-scaling-target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 6)
    cpu = named(run, "api-scale-cpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert cpu["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert cpu["targetValue"] == 65
    requests = named(run, "api-scale-requests").inputs["targetTrackingScalingPolicyConfiguration"]
    metrics = requests["customizedMetricSpecification"]["metrics"]
    assert {m["metricStat"]["metric"]["metricName"] for m in metrics if "metricStat" in m} >= {"RequestCount"}


# -- AC3: API ----------------------------------------------------------------------------------------------
def test_ac3_rest_api_stage_and_usage_plan_throttled_at_100_rps_burst_200(run: StackRun) -> None:
    assert named(run, "api-public-stage").inputs["stageName"] == "v1"
    plan = named(run, "api-public-plan-standard").inputs
    assert plan["throttleSettings"] == {"rateLimit": 100, "burstLimit": 200}  # per key; 429 above it
    assert plan["quotaSettings"] == {"limit": 1000000, "period": "MONTH"}
    settings = {
        r.inputs["methodPath"]: r.inputs["settings"]
        for r in run.of_type("aws:apigateway/methodSettings:MethodSettings")
    }
    throttles = {path: (s["throttlingRateLimit"], s["throttlingBurstLimit"]) for path, s in settings.items()}
    assert throttles == {"*/*": (100, 200), "health/GET": (10, 20)}
    keys = run.of_type("aws:apigateway/apiKey:ApiKey")
    assert sorted(k.inputs["name"] for k in keys) == [
        "troubleshooter-prod-api-public-support-console",
        "troubleshooter-prod-api-public-web-frontend",
    ]
    assert all("value" not in k.inputs for k in keys)  # generated by API Gateway, never in config or code
    assert len(run.of_type("aws:apigateway/usagePlanKey:UsagePlanKey")) == 2


def test_ac3_every_method_needs_a_key_and_reaches_the_service_through_the_vpc_link(run: StackRun) -> None:
    body = json.loads(named(run, "api-public-rest-api").inputs["body"])
    link = named(run, "private-link-vpc-link")
    assert link.inputs["targetArn"] == named(run, "private-link-nlb").outputs["arn"]
    for path in ("/", "/{proxy+}"):
        method = body["paths"][path]["x-amazon-apigateway-any-method"]
        assert method["security"] == [{"api_key": []}]
        integration = method["x-amazon-apigateway-integration"]
        assert (integration["connectionType"], integration["connectionId"]) == ("VPC_LINK", link.id)
        assert integration["uri"].startswith("https://origin.troubleshooter.example.com/")
    assert run.outputs["apiUrls"] == {"public": "https://api.troubleshooter.example.com"}


# -- AC4: observability ------------------------------------------------------------------------------------
def test_ac4_log_groups_for_ecs_and_api_gateway_kept_90_days_under_the_stack_key(run: StackRun) -> None:
    groups = {r.inputs["name"]: r.inputs for r in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for name in ("/troubleshooter/prod/services/api", "/troubleshooter/prod/api-public/access"):
        assert groups[name]["retentionInDays"] == 90  # the seed's "e.g., 14d": a deliberate difference (README)
        assert groups[name]["kmsKeyId"] == run.outputs["kmsKeyArn"]
    access = named(run, "api-public-stage").inputs["accessLogSettings"]
    assert access["destinationArn"].endswith(":log-group:/troubleshooter/prod/api-public/access")
    assert json.loads(access["format"])["status"] == "$context.status"


def test_ac4_the_dashboard_has_the_seeds_widgets(run: StackRun) -> None:
    assert run.outputs["dashboardUrl"].endswith("#dashboards:name=troubleshooter-prod")
    titles = widget_titles(run)
    for title in (
        "API troubleshooter-prod-api-public v1: requests and errors",  # request count, 4xx, 5xx
        "API troubleshooter-prod-api-public v1: latency (ms)",  # p50, p95, p99
        "ALB target response time (seconds)",
        "api: running vs desired tasks",
        "sessions: consumed capacity units (per minute)",
        "budgets: consumed capacity units (per minute)",
    ):
        assert title in titles
    [edge] = [r for r in run.of_type("aws:cloudwatch/dashboard:Dashboard") if r.name == "edge-dashboard"]
    latency = json.loads(edge.inputs["dashboardBody"])["widgets"][1]["properties"]["metrics"]
    assert [m[-1]["stat"] for m in latency] == ["p50", "p95", "p99"]


def test_ac4_p95_above_1_s_and_5xx_above_5_percent_for_5_minutes_alarm(run: StackRun) -> None:
    p95 = named(run, "api-public-latency-p95").inputs
    assert (p95["extendedStatistic"], p95["threshold"], p95["period"] * p95["evaluationPeriods"]) == ("p95", 1000, 300)
    five_xx = named(run, "api-public-5xx-rate").inputs
    assert (five_xx["metricName"], five_xx["statistic"], five_xx["threshold"]) == ("5XXError", "Average", 0.05)
    assert five_xx["period"] * five_xx["evaluationPeriods"] == 300
    # the same two behind the API, on the service's target group (ALB metrics, seconds and percent)
    alb_p95 = named(run, "observability-api-p95-latency").inputs
    assert (alb_p95["threshold"], alb_p95["evaluationPeriods"]) == (1, 5)
    assert {q["metric"]["period"] for q in alb_p95["metricQueries"] if "metric" in q} == {60}
    alb_5xx = named(run, "observability-api-5xx-rate").inputs
    assert (alb_5xx["threshold"], alb_5xx["evaluationPeriods"]) == (5, 1)
    assert {q["metric"]["period"] for q in alb_5xx["metricQueries"] if "metric" in q} == {300}


def test_unhealthy_tasks_above_0_and_running_below_desired_for_2_minutes_alarm(run: StackRun) -> None:
    unhealthy = named(run, "observability-api-unhealthy-hosts").inputs
    assert (unhealthy["comparisonOperator"], unhealthy["threshold"], unhealthy["evaluationPeriods"]) == (
        "GreaterThanThreshold",
        0,
        2,
    )
    missing = named(run, "observability-api-running-tasks").inputs
    [expression] = [q["expression"] for q in missing["metricQueries"] if "expression" in q]
    assert expression == "FILL(desired, 0) - FILL(running, 0)"
    assert (missing["threshold"], missing["evaluationPeriods"]) == (0, 2)
    assert {q["metric"]["period"] for q in missing["metricQueries"] if "metric" in q} == {60}


def test_alarms_page_and_post_to_slack(run: StackRun) -> None:
    topic = run.outputs["alarmTopicArn"]
    for alarm in ("api-public-latency-p95", "api-public-5xx-rate", "observability-api-running-tasks"):
        assert named(run, alarm).inputs["alarmActions"] == [topic]
    subscriptions = {
        (r.inputs["protocol"], r.inputs["endpoint"])
        for r in run.of_type("aws:sns/topicSubscription:TopicSubscription")
        if r.inputs["topic"] == topic
    }
    assert subscriptions == {
        ("email", "oncall@example.com"),
        ("https", "https://events.pagerduty.com/integration/troubleshooter-prod/enqueue"),
    }
    [slack] = run.of_type("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration")
    assert (slack.inputs["slackTeamId"], slack.inputs["slackChannelId"], slack.inputs["snsTopicArns"]) == (
        "T0TROUBLE1",
        "C0TSALERT1",
        [topic],
    )


# -- AC5: data services ------------------------------------------------------------------------------------
def test_ac5_sessions_and_budgets_tables_on_demand_encrypted_with_pitr(run: StackRun) -> None:
    tables = {r.inputs["name"]: r.inputs for r in run.of_type("aws:dynamodb/table:Table")}
    assert set(tables) == {"troubleshooter-prod-sessions", "troubleshooter-prod-budgets"}
    for table in tables.values():
        assert table["billingMode"] == "PAY_PER_REQUEST"
        assert table["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": run.outputs["kmsKeyArn"]}
        assert table["pointInTimeRecovery"]["enabled"] is True
    sessions, budgets = tables["troubleshooter-prod-sessions"], tables["troubleshooter-prod-budgets"]
    assert (sessions["hashKey"], sessions.get("rangeKey"), sessions["ttl"]["attributeName"]) == (
        "sessionId",
        None,
        "expiresAt",
    )
    assert (budgets["hashKey"], budgets["rangeKey"]) == ("tenantId", "period")


def test_ac5_the_task_role_reaches_the_tables_and_uploads_and_nothing_else(run: StackRun) -> None:
    task = statements(named(run, "api-task-policy"))
    resources = {str(arn) for s in task for arn in s["Resource"]}
    tables = [r.outputs["arn"] for r in run.of_type("aws:dynamodb/table:Table")]
    assert set(tables) <= resources
    uploads = named(run, "bucket-uploads-bucket").outputs["arn"]
    writes = {a for s in task if f"{uploads}/*" in s["Resource"] for a in s["Action"]}
    assert {"s3:GetObject", "s3:PutObject"} <= writes
    artifacts = named(run, "bucket-artifacts-bucket").outputs["arn"]
    assert not {a for s in task if f"{artifacts}/*" in s["Resource"] for a in s["Action"]} & {"s3:PutObject"}
    # no other role names the uploads bucket: an unauthorised principal has no grant to be denied by
    others = [p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.name != "api-task-policy"]
    assert not [p.name for p in others if uploads in p.inputs["policy"]]


def test_ac5_buckets_private_encrypted_tls_only_with_lifecycle(run: StackRun) -> None:
    for name in ("uploads", "artifacts"):
        block = named(run, f"bucket-{name}-public-access").inputs
        assert all(block[flag] for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                              "restrictPublicBuckets"))  # fmt: skip
        [rule] = named(run, f"bucket-{name}-encryption").inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        [deny] = [s for s in statements(named(run, f"bucket-{name}-policy")) if s.get("Condition", {}).get("Bool")]
        assert (deny["Effect"], deny["Condition"]["Bool"]) == ("Deny", {"aws:SecureTransport": "false"})
        assert named(run, f"bucket-{name}-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    rules = named(run, "bucket-uploads-lifecycle").inputs["rules"]
    [frames] = [r for r in rules if r["id"] == "frames"]
    assert (frames["filter"]["prefix"], frames["expiration"]["days"]) == ("frames/", 30)


def test_the_semantic_cache_is_a_private_encrypted_vector_collection(run: StackRun) -> None:
    [collection] = run.of_type("aws:opensearch/serverlessCollection:ServerlessCollection")
    assert (collection.inputs["name"], collection.inputs["type"]) == ("troubleshooter-prod-cache", "VECTORSEARCH")
    assert collection.inputs["standbyReplicas"] == "ENABLED"
    policies = {r.inputs["type"]: json.loads(r.inputs["policy"]) for r in
                run.of_type("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy")}  # fmt: skip
    assert policies["encryption"]["KmsARN"] == run.outputs["kmsKeyArn"]
    assert [rule["AllowFromPublic"] for rule in policies["network"]] == [False]


def test_the_frontend_is_served_by_cloudfront_from_a_private_bucket(run: StackRun) -> None:
    [distribution] = run.of_type("aws:cloudfront/distribution:Distribution")
    certificate = distribution.inputs["viewerCertificate"]
    assert certificate["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert distribution.inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert distribution.inputs["origins"][0]["originAccessControlId"]
    assert run.outputs["siteUrls"] == {"frontend": "https://app.troubleshooter.example.com"}


# -- AC6: security and least privilege ---------------------------------------------------------------------
def test_ac6_bedrock_only_on_the_named_models_and_no_wildcard_arns_anywhere(run: StackRun) -> None:
    task = statements(named(run, "api-task-policy"))
    bedrock = [s for s in task if any(a.startswith("bedrock:") for a in s["Action"])]
    assert sorted(arn for s in bedrock for arn in s["Resource"]) == sorted(
        f"arn:aws:bedrock:us-west-2::foundation-model/{model}" for model in MODELS
    )
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in statements(policy):
            if statement["Effect"] == "Allow":
                wide = [arn for arn in statement.get("Resource", []) if covers_every_resource_of_a_kind(str(arn))]
                assert wide == [], (policy.name, statement["Sid"])


def test_ac6_task_and_execution_roles_are_separate_and_secrets_come_from_secrets_manager(run: StackRun) -> None:
    task = named(run, "api-task").inputs
    assert task["taskRoleArn"] != task["executionRoleArn"]
    secret = run.outputs["secretArns"]["model-api-key"]
    execution = statements(named(run, "api-execution-policy"))
    assert [s["Resource"] for s in execution if "secretsmanager:GetSecretValue" in s["Action"]] == [[secret]]
    [container] = json.loads(task["containerDefinitions"])
    assert container["secrets"] == [{"name": "MODEL_API_KEY", "valueFrom": secret}]
    assert all(e["name"] != "MODEL_API_KEY" for e in container["environment"])
    versions = run.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert not [v.name for v in versions if "model-api-key" in v.name]  # its value is set out of band, not in state


def test_every_taggable_resource_carries_the_standard_tags(run: StackRun) -> None:
    taggable = [r for r in run.custom_resources if r.type.startswith("aws:") and takes_tag_map(sdk_class(r.type))]
    untagged = [(r.type, r.name) for r in taggable if not set(r.inputs.get("tags") or {}) >= REQUIRED]
    assert taggable and untagged == []
    assert {(r.inputs["tags"]["Project"], r.inputs["tags"]["CostCenter"]) for r in taggable} == {
        ("troubleshooter", "TS-PROD")
    }


# -- Module contracts: the seed's outputs as stack outputs -------------------------------------------------
def test_the_seeds_module_outputs_are_stack_outputs(run: StackRun) -> None:
    outputs = run.outputs
    assert outputs["vpcId"] == run.of_type("aws:ec2/vpc:Vpc")[0].id  # vpc: vpc_id, subnet_ids_public/private
    assert set(outputs["publicSubnetIds"]) == subnet_ids(run, "public")
    assert set(outputs["privateSubnetIds"]) == subnet_ids(run, "private")
    assert (outputs["clusterName"], outputs["serviceNames"]) == (  # ecs_service: cluster, service, lb DNS name
        "troubleshooter-prod-cluster",
        {"api": "troubleshooter-prod-api"},
    )
    assert outputs["loadBalancerDnsName"].endswith(".us-west-2.elb.amazonaws.com")
    assert set(outputs["apiKeyIds"]) == {"public.web-frontend", "public.support-console"}  # apigw: api_keys
    assert outputs["tableNames"] == {
        "sessions": "troubleshooter-prod-sessions",
        "budgets": "troubleshooter-prod-budgets",
    }
    assert set(outputs["bucketNames"]) == {"uploads", "artifacts"}  # s3: bucket names (ARNs follow from them)


# -- AC7: repeatability ------------------------------------------------------------------------------------
DELETION_GUARDS = {
    "aws:lb/loadBalancer:LoadBalancer": "enableDeletionProtection",
    "aws:dynamodb/table:Table": "deletionProtectionEnabled",
}


def test_ac7_prod_protection_blocks_teardown_by_design(run: StackRun) -> None:
    protected = {r.type for r in run.resources if r.protect}
    assert {"aws:dynamodb/table:Table", "aws:s3/bucket:Bucket", "aws:kms/key:Key"} <= protected
    assert "aws:opensearch/serverlessCollection:ServerlessCollection" in protected
    assert all(r.inputs.get(DELETION_GUARDS[r.type]) is True for r in run.of_type(*DELETION_GUARDS))


def test_ac7_a_staging_variant_tears_down_everything_and_passes_every_mandatory_policy(
    pack_harness: PolicyHarness,
) -> None:
    variant = staging_run()
    assert [r.name for r in variant.resources if r.protect] == []
    assert [r.name for r in variant.of_type(*DELETION_GUARDS) if r.inputs.get(DELETION_GUARDS[r.type])] == []
    assert {r.type for r in variant.resources if r.custom} >= {
        "aws:dynamodb/table:Table",
        "aws:opensearch/serverlessCollection:ServerlessCollection",
        "aws:apigateway/restApi:RestApi",
        "aws:apigateway/vpcLink:VpcLink",
        "aws:cloudfront/distribution:Distribution",
    }
    report = pack_harness.check_run(variant, policy_config=EXAMPLES.parent / "policies" / "config" / "staging.json")
    assert report.mandatory == [], format_report(report)
