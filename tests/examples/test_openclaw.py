"""The OpenClaw example (seed 000, `examples/openclaw/Pulumi.{prod,staging,dev}.yaml`) builds what the manual's golden
examples state, with its numbers, read from the recorded resources (inputs of the real resource types): the
three-tier VPC (Example 1), the ECS service, target group, autoscaling and alarms (Example 2), RDS PostgreSQL
(Example 3), the task roles (Example 4), and the manual's prod / non-prod differences. (That every file passes
every mandatory policy on up and first preview is proven over gRPC in tests/policies/test_pack_e2e.py.)"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from components.tagging import takes_tag_map
from offline.engine import RecordedResource, StackRun
from tests.test_tagging import REQUIRED, sdk_class

from .support import example_run

STACKS = ("prod", "staging", "dev")
VPC_CIDRS = {"prod": "10.0.0.0/16", "staging": "10.20.0.0/16", "dev": "10.10.0.0/16"}


def openclaw(stack: str) -> StackRun:
    return example_run("openclaw", stack=stack)


@pytest.fixture(scope="module")
def prod() -> StackRun:
    return openclaw("prod")


def one(run: StackRun, resource_type: str) -> RecordedResource:
    [resource] = run.of_type(resource_type)
    return resource


def container(run: StackRun) -> dict[str, Any]:
    [definition] = json.loads(one(run, "aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    return definition


def alarms(run: StackRun) -> dict[str, dict[str, Any]]:
    return {a.inputs["name"]: a.inputs for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


# -- Example 1: networking ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_subnets_are_the_manuals_cidrsubnet_layout(stack: str) -> None:
    # GIVEN the manual's `cidrsubnet(vpc_cidr, 4, i)`, `i + 4`, `i + 8` for public, private and data
    run = openclaw(stack)
    vpc = one(run, "aws:ec2/vpc:Vpc").inputs
    carved = list(ipaddress.IPv4Network(vpc["cidrBlock"]).subnets(new_prefix=20))
    by_tier: dict[str, list[str]] = {}
    for subnet in run.of_type("aws:ec2/subnet:Subnet"):
        by_tier.setdefault(subnet.inputs["tags"]["Tier"], []).append(subnet.inputs["cidrBlock"])
        assert subnet.inputs["mapPublicIpOnLaunch"] is False  # "never auto-assign"
    azs = 3 if stack == "prod" else 2
    # THEN the VPC has DNS on and each tier holds exactly those /20s
    assert (vpc["cidrBlock"], vpc["enableDnsSupport"], vpc["enableDnsHostnames"]) == (VPC_CIDRS[stack], True, True)
    assert {tier: sorted(cidrs) for tier, cidrs in by_tier.items()} == {
        tier: sorted(str(carved[i + offset]) for i in range(azs))
        for tier, offset in (("public", 0), ("private", 4), ("data", 8))
    }


def test_terratest_vpc_module_three_private_subnets_and_a_vpc_id(prod: StackRun) -> None:
    # the manual's TestVPCModule: vpc_id output not empty, three private subnets
    assert prod.outputs["vpcId"]
    private = [s for s in prod.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "private"]
    assert len(private) == 3


def test_one_nat_per_az_and_isolated_data_subnets(prod: StackRun) -> None:
    nats = prod.of_type("aws:ec2/natGateway:NatGateway")
    routes = {r.name: r.inputs for r in prod.of_type("aws:ec2/route:Route")}
    assert len(nats) == 3
    # each private route table routes 0.0.0.0/0 to its own AZ's NAT gateway; the data table has no route at all
    private = [r for name, r in routes.items() if name.startswith("network-private-")]
    assert sorted(r["natGatewayId"] for r in private) == sorted(str(n.id) for n in nats)
    assert not [name for name in routes if name.startswith("network-data")]


def test_flow_logs_capture_all_traffic_for_at_least_90_days(prod: StackRun) -> None:
    flow = one(prod, "aws:ec2/flowLog:FlowLog").inputs
    [group] = [g.inputs for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup") if "flow-logs" in g.inputs["name"]]
    assert flow["trafficType"] == "ALL" and flow["logDestination"].endswith(group["name"])
    assert group["retentionInDays"] >= 90 and group["kmsKeyId"]


# -- Example 2: ECS Fargate service, ALB, autoscaling, alarms ----------------------------------------------------
def test_cluster_has_container_insights_and_fargate_base_one(prod: StackRun) -> None:
    cluster = one(prod, "aws:ecs/cluster:Cluster").inputs
    providers = one(prod, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]
    assert providers["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers["defaultCapacityProviderStrategies"] == [{"capacityProvider": "FARGATE", "base": 1, "weight": 1}]


@pytest.mark.parametrize("stack", STACKS)
def test_the_service_runs_on_fargate_on_demand_only(stack: str) -> None:
    service = one(openclaw(stack), "aws:ecs/service:Service").inputs
    strategy = {s["capacityProvider"]: (s.get("base", 0), s["weight"]) for s in service["capacityProviderStrategies"]}
    assert strategy.get("FARGATE") == (1, 1) and strategy.get("FARGATE_SPOT", (0, 0))[1] == 0


def test_task_definition_is_the_manuals_container(prod: StackRun) -> None:
    task = one(prod, "aws:ecs/taskDefinition:TaskDefinition").inputs
    app = container(prod)
    assert (task["networkMode"], task["requiresCompatibilities"], task["cpu"], task["memory"]) == (
        "awsvpc",
        ["FARGATE"],
        "512",
        "1024",
    )
    assert task["executionRoleArn"] != task["taskRoleArn"]
    assert app["image"].endswith("/openclaw/app:v2.5.0") and ".dkr.ecr.us-east-1." in app["image"]
    assert (app["user"], app["readonlyRootFilesystem"], app["essential"]) == ("1000:1000", True, True)
    assert app["portMappings"][0]["containerPort"] == 3000 and app["portMappings"][0]["protocol"] == "tcp"
    assert app["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -sf http://localhost:3000/health || exit 1"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 60,
    }
    logs = app["logConfiguration"]
    assert logs["logDriver"] == "awslogs" and logs["options"]["awslogs-region"] == "us-east-1"


@pytest.mark.parametrize(("stack", "log_level", "exec_on"), [("prod", "warn", False), ("staging", "debug", True)])
def test_log_level_and_ecs_exec_follow_the_environment(stack: str, log_level: str, exec_on: bool) -> None:
    # `LOG_LEVEL = prod ? "warn" : "debug"`, `enable_execute_command = environment != "prod"`
    run = openclaw(stack)
    environment = {e["name"]: e["value"] for e in container(run)["environment"]}
    assert (environment["NODE_ENV"], environment["PORT"], environment["LOG_LEVEL"]) == (stack, "3000", log_level)
    assert one(run, "aws:ecs/service:Service").inputs["enableExecuteCommand"] is exec_on


def test_dev_has_debug_logs_and_ecs_exec() -> None:
    run = openclaw("dev")
    assert {e["name"]: e["value"] for e in container(run)["environment"]}["LOG_LEVEL"] == "debug"
    assert one(run, "aws:ecs/service:Service").inputs["enableExecuteCommand"] is True


def test_the_service_deploys_safely_in_private_subnets(prod: StackRun) -> None:
    service = one(prod, "aws:ecs/service:Service").inputs
    private = sorted(str(s.id) for s in prod.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "private")
    assert (service["platformVersion"], service["healthCheckGracePeriodSeconds"]) == ("LATEST", 120)
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["deploymentController"] == {"type": "ECS"}
    network = service["networkConfiguration"]
    assert network["assignPublicIp"] is False and sorted(network["subnets"]) == private


def test_target_group_and_host_rule_are_the_manuals(prod: StackRun) -> None:
    [group] = [g.inputs for g in prod.of_type("aws:lb/targetGroup:TargetGroup") if g.name == "app-tg"]
    assert (group["port"], group["protocol"], group["targetType"], group["deregistrationDelay"]) == (
        3000,
        "HTTP",
        "ip",
        30,
    )
    health = group["healthCheck"]
    assert (health["path"], health["protocol"], health["matcher"]) == ("/health", "HTTP", "200")
    assert (health["healthyThreshold"], health["unhealthyThreshold"], health["timeout"], health["interval"]) == (
        2,
        3,
        5,
        30,
    )
    [rule] = [r.inputs for r in prod.of_type("aws:lb/listenerRule:ListenerRule") if r.name == "app-rule"]
    assert rule["priority"] == 100 and rule["conditions"] == [{"hostHeader": {"values": ["app.openclaw.io"]}}]


def test_autoscaling_tracks_cpu_70_and_memory_75(prod: StackRun) -> None:
    target = one(prod, "aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"], target["scalableDimension"]) == (
        2,
        10,
        "ecs:service:DesiredCount",
    )
    policies = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"][
            "predefinedMetricType"
        ]: p.inputs["targetTrackingScalingPolicyConfiguration"]
        for p in prod.of_type("aws:appautoscaling/policy:Policy")
    }
    assert {
        metric: (c["targetValue"], c["scaleInCooldown"], c["scaleOutCooldown"]) for metric, c in policies.items()
    } == {
        "ECSServiceAverageCPUUtilization": (70, 300, 60),
        "ECSServiceAverageMemoryUtilization": (75, 300, 60),
    }


def test_service_alarms_are_at_the_manuals_thresholds(prod: StackRun) -> None:
    found = alarms(prod)
    cpu = found["openclaw-prod-app-cpu"]
    # "ECS service CPU above 85% for 10 minutes"
    assert (cpu["threshold"], cpu["period"] * cpu["evaluationPeriods"]) == (85, 600)
    # "Running task count below minimum": within one minute (Container Insights' RunningTaskCount)
    running = found["openclaw-prod-app-running-tasks"]
    assert running["evaluationPeriods"] == 1
    topic = one(prod, "aws:sns/topic:Topic")
    assert all(str(topic.id) in a["alarmActions"] for a in (cpu, running))


def test_more_than_10_target_5xx_a_minute_for_2_minutes_alarms(prod: StackRun) -> None:
    # Example 2's alb_5xx: HTTPCode_Target_5XX_Count > 10, Sum, period 60, 2 evaluation periods, missing data
    # not breaching; prod deploys by canary, so the count sums both target groups
    count = alarms(prod)["openclaw-prod-app-5xx-count"]
    assert (count["threshold"], count["evaluationPeriods"], count["comparisonOperator"]) == (
        10,
        2,
        "GreaterThanThreshold",
    )
    assert count["treatMissingData"] == "notBreaching"
    metrics = [q["metric"] for q in count["metricQueries"] if "metric" in q]
    assert {(m["metricName"], m["stat"], m["period"]) for m in metrics} == {("HTTPCode_Target_5XX_Count", "Sum", 60)}
    groups = {g.inputs["name"] for g in prod.of_type("aws:lb/targetGroup:TargetGroup")}
    assert {m["dimensions"]["TargetGroup"].split("/")[1] for m in metrics} == groups
    [total] = [q for q in count["metricQueries"] if "expression" in q]
    assert total["returnData"] is True and "count5xxAlt" in total["expression"]
    assert "target 5xx per minute" in one(prod, "aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]


def test_a_rolling_service_counts_its_one_target_group() -> None:
    count = alarms(openclaw("dev"))["openclaw-dev-app-5xx-count"]
    assert (count["metricName"], count["statistic"], count["period"], count["threshold"]) == (
        "HTTPCode_Target_5XX_Count",
        "Sum",
        60,
        10,
    )
    assert count["dimensions"]["TargetGroup"].startswith("targetgroup/openclaw-dev-app/")


# -- Example 3: RDS PostgreSQL -------------------------------------------------------------------------------------
def test_the_database_is_the_manuals_rds_postgresql_16_multi_az(prod: StackRun) -> None:
    instance = one(prod, "aws:rds/instance:Instance")
    inputs = instance.inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["instanceClass"]) == ("postgres", "16", "db.r8g.xlarge")
    assert (inputs["multiAz"], inputs["storageType"], inputs["allocatedStorage"], inputs["maxAllocatedStorage"]) == (
        True,
        "gp3",
        100,
        500,
    )
    assert (inputs["backupRetentionPeriod"], inputs["backupWindow"], inputs["maintenanceWindow"]) == (
        35,
        "03:00-04:00",
        "mon:04:30-mon:05:30",
    )
    assert (inputs["autoMinorVersionUpgrade"], inputs["copyTagsToSnapshot"], inputs["storageEncrypted"]) == (
        True,
        True,
        True,
    )
    assert inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert (inputs["performanceInsightsEnabled"], inputs["performanceInsightsRetentionPeriod"]) == (True, 7)
    assert inputs["kmsKeyId"] == inputs["performanceInsightsKmsKeyId"] == inputs["masterUserSecretKmsKeyId"]
    assert (inputs["deletionProtection"], inputs["skipFinalSnapshot"], inputs["publiclyAccessible"]) == (
        True,
        False,
        False,
    )
    assert inputs["finalSnapshotIdentifier"] and inputs["dbName"] == "openclaw"
    assert inputs["manageMasterUserPassword"] is True and "password" not in inputs
    assert instance.protect
    [group] = prod.of_type("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres16"
    assert {p["name"]: p["value"] for p in group.inputs["parameters"]} == {
        "rds.force_ssl": "1",
        "log_min_duration_statement": "1000",
        "log_connections": "1",
        "log_disconnections": "1",
    }


@pytest.mark.parametrize("stack", ["staging", "dev"])
def test_non_prod_databases_are_the_manuals_non_prod_ones(stack: str) -> None:
    # `multi_az`, `deletion_protection` only in prod; `backup_retention_period = prod ? 35 : 7`;
    # `skip_final_snapshot = environment != "prod"`; db.t4g.medium in dev
    run = openclaw(stack)
    instance = one(run, "aws:rds/instance:Instance")
    inputs = instance.inputs
    assert (inputs["instanceClass"], inputs["multiAz"], inputs["backupRetentionPeriod"]) == ("db.t4g.medium", False, 7)
    assert (inputs["deletionProtection"], inputs["skipFinalSnapshot"]) == (False, True)
    assert (inputs["backupWindow"], inputs["maintenanceWindow"]) == ("03:00-04:00", "mon:04:30-mon:05:30")
    assert not instance.protect


def test_the_database_lives_in_the_data_subnets_reachable_from_the_app_only(prod: StackRun) -> None:
    data = sorted(str(s.id) for s in prod.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "data")
    assert sorted(one(prod, "aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]) == data
    database_sg = one(prod, "aws:rds/instance:Instance").inputs["vpcSecurityGroupIds"]
    app_sg = next(str(g.id) for g in prod.of_type("aws:ec2/securityGroup:SecurityGroup") if g.name == "app-sg")
    ingress = [r.inputs for r in prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    egress = [r.inputs for r in prod.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")]
    into_db = [r for r in ingress if r["securityGroupId"] in database_sg]
    assert [(r["fromPort"], r["toPort"], r.get("referencedSecurityGroupId"), r.get("cidrIpv4")) for r in into_db] == [
        (5432, 5432, app_sg, None)
    ]
    assert not [r for r in egress if r["securityGroupId"] in database_sg]  # "No egress from RDS"


def test_daily_backups_kept_35_days_with_a_copy_in_a_second_region(prod: StackRun) -> None:
    # Never #9: a restorable snapshot before any change; the recovery points carry the product's Project tag
    [rule] = one(prod, "aws:backup/plan:Plan").inputs["rules"]
    assert rule["lifecycle"]["deleteAfter"] == 35 and rule["schedule"].startswith("cron(")
    [copy] = rule["copyActions"]
    assert ":us-west-2:" in copy["destinationVaultArn"] and copy["lifecycle"]["deleteAfter"] == 35
    assert rule["recoveryPointTags"] == {"Project": "openclaw", "Stack": "prod"}


def test_rds_connections_alarm_at_80_percent_of_the_maximum(prod: StackRun) -> None:
    connections = alarms(prod)["openclaw-prod-database-connections"]
    # db.r8g.xlarge: 32 GiB -> max_connections LEAST(DBInstanceClassMemory / 9531392, 5000), the platform
    # counting 32e9 bytes (components/config/observability.py) = 3357; 80 % of it, Average over 2 x 300 s
    assert connections["dimensions"] == {"DBInstanceIdentifier": "openclaw-prod-db"}
    assert (connections["metricName"], connections["namespace"]) == ("DatabaseConnections", "AWS/RDS")
    assert (connections["threshold"], connections["period"] * connections["evaluationPeriods"]) == (
        round(3357 * 0.8),
        600,
    )


# -- Example 4: IAM roles ----------------------------------------------------------------------------------------
def test_task_roles_trust_ecs_tasks_of_this_account_and_region_only(prod: StackRun) -> None:
    for name in ("app-execution-role", "app-task-role"):
        [statement] = json.loads(prod.named(name).inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Service": ["ecs-tasks.amazonaws.com"]}
        assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}


def test_the_app_reads_db_password_from_the_managed_secret(prod: StackRun) -> None:
    secrets = {s["name"]: s["valueFrom"] for s in container(prod)["secrets"]}
    secret_arn = prod.outputs["databaseMasterSecretArn"]
    assert secrets["DB_PASSWORD"] == f"{secret_arn}:password::" and set(secrets) == {"DB_PASSWORD", "API_KEY"}
    statements = json.loads(prod.named("app-execution-policy").inputs["policy"])["Statement"]
    reads = [s for s in statements if s["Action"] == ["secretsmanager:GetSecretValue"]]
    assert [secret_arn] in [s["Resource"] for s in reads]
    # the secret's key, through Secrets Manager only
    decrypt = [s for s in statements if s["Action"] == ["kms:Decrypt"]]
    key = one(prod, "aws:rds/instance:Instance").inputs["masterUserSecretKmsKeyId"]
    assert any(s["Resource"] == [key] and "kms:ViaService" in json.dumps(s.get("Condition")) for s in decrypt)


def test_the_task_role_reaches_the_app_bucket_with_named_actions_only(prod: StackRun) -> None:
    bucket = next(b for b in prod.of_type("aws:s3/bucket:Bucket") if b.name == "bucket-uploads-bucket")
    arn = f"arn:aws:s3:::{bucket.inputs['bucket']}"
    statements = [
        s
        for p in prod.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.name.startswith("app-task")
        for s in json.loads(p.inputs["policy"])["Statement"]
        if any(str(r).startswith(arn) for r in s["Resource"])
    ]
    actions = {a for s in statements for a in s["Action"]}
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"} <= actions
    assert not [a for a in actions if a.endswith("*")]


# -- Always / Never standards as recorded ------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_every_taggable_resource_carries_the_mandatory_tags(stack: str) -> None:
    run = openclaw(stack)
    classes = {t: sdk_class(t) for t in {r.type for r in run.custom_resources if r.type.startswith("aws:")}}
    taggable = [r for r in run.custom_resources if r.type in classes and takes_tag_map(classes[r.type])]
    untagged = [(r.type, r.name) for r in taggable if not set(r.inputs.get("tags") or {}) >= REQUIRED]
    assert taggable and untagged == []
    assert {(r.inputs["tags"]["Project"], r.inputs["tags"]["Environment"]) for r in taggable} == {("openclaw", stack)}


def test_only_the_alb_takes_traffic_from_the_internet(prod: StackRun) -> None:
    alb_sg = next(
        str(g.id) for g in prod.of_type("aws:ec2/securityGroup:SecurityGroup") if g.name == "load-balancer-sg"
    )
    open_rules = [
        r.inputs
        for r in prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs.get("cidrIpv4") == "0.0.0.0/0" or r.inputs.get("cidrIpv6") == "::/0"
    ]
    assert {(r["securityGroupId"], r["fromPort"]) for r in open_rules} == {(alb_sg, 80), (alb_sg, 443)}
    [into_app] = [
        r.inputs
        for r in prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.name == "app-in-alb"
    ]
    assert into_app["referencedSecurityGroupId"] == alb_sg and "cidrIpv4" not in into_app


def test_prod_stateful_resources_are_protected(prod: StackRun) -> None:
    stateful = (
        "aws:s3/bucket:Bucket",
        "aws:secretsmanager/secret:Secret",
        "aws:rds/instance:Instance",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:kms/key:Key",
    )
    assert prod.of_type(*stateful) and [r.name for r in prod.of_type(*stateful) if not r.protect] == []


def test_redis_lives_in_the_data_subnets(prod: StackRun) -> None:
    cache = one(prod, "aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert (cache["engine"], cache["transitEncryptionEnabled"], cache["atRestEncryptionEnabled"]) == (
        "redis",
        True,
        True,
    )
    data = sorted(str(s.id) for s in prod.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "data")
    assert sorted(one(prod, "aws:elasticache/subnetGroup:SubnetGroup").inputs["subnetIds"]) == data
