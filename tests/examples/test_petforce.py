"""examples/petforce (seed 003, PetForce): the seed's stated numbers on the recorded resources of its dev, staging and
production stack files (the production standby in us-west-2 is tests/examples/test_petforce_dr.py). The pack judges
every file over gRPC on `up` and first preview in tests/policies/test_pack_e2e.py.

Every run comes from the session-wide cache (tests.shared_runs), shared with the DR pair's tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.engine import RecordedResource, StackRun
from tests.shared_runs import shared_run

from .support import EXAMPLES

DIRECTORY = EXAMPLES / "petforce"
STACKS = ("petforce-dev", "petforce-staging", "petforce-prod")
PROD = "petforce-prod"


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, bool], StackRun]:
    """Each stack file as `up` sees it (keyed (stack, False), as the DR pair's tests key theirs)."""
    return {(stack, False): shared_run(stack, config_file=DIRECTORY / f"Pulumi.{stack}.yaml") for stack in STACKS}


@pytest.fixture(scope="module")
def prod(runs: dict[tuple[str, bool], StackRun]) -> StackRun:
    return runs[(PROD, False)]


def _containers(run: StackRun, service: str) -> dict[str, Any]:
    [container] = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return container


def _alarm(run: StackRun, what: str) -> dict[str, Any]:
    return run.named(f"observability-{what}").inputs


# -- VPC design ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stack", "azs"), [("petforce-prod", "abc"), ("petforce-staging", "ab"), ("petforce-dev", "ab")]
)
def test_the_subnets_are_the_seeds_10_0_x_0_24_per_tier_and_az(
    stack: str, azs: str, runs: dict[tuple[str, bool], StackRun]
) -> None:
    run = runs[(stack, False)]
    [vpc] = run.of_type("aws:ec2/vpc:Vpc")
    assert (vpc.inputs["cidrBlock"], vpc.inputs["enableDnsHostnames"], vpc.inputs["enableDnsSupport"]) == (
        "10.0.0.0/16",
        True,
        True,
    )
    layout = {
        (s.inputs["tags"]["Tier"], s.inputs["availabilityZone"]): s.inputs["cidrBlock"]
        for s in run.of_type("aws:ec2/subnet:Subnet")
    }
    # the seed's module: cidrsubnet(vpc_cidr, 8, i + 1 / i + 11 / i + 21)
    assert layout == {
        (tier, f"us-east-1{az}"): f"10.0.{base + i}.0/24"
        for tier, base in (("public", 1), ("private", 11), ("data", 21))
        for i, az in enumerate(azs)
    }


def test_routing_public_to_the_igw_private_to_a_nat_per_az_data_nowhere(prod: StackRun) -> None:
    subnets = {s.id: s.inputs["tags"]["Tier"] for s in prod.of_type("aws:ec2/subnet:Subnet")}
    tables: dict[str, set[str]] = {}
    for association in prod.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        tables.setdefault(subnets[association.inputs["subnetId"]], set()).add(association.inputs["routeTableId"])
    routes = {r.inputs["routeTableId"]: r.inputs for r in prod.of_type("aws:ec2/route:Route")}
    [public] = tables["public"]
    assert routes[public]["destinationCidrBlock"] == "0.0.0.0/0" and routes[public]["gatewayId"].startswith("igw-")
    nats = {routes[table]["natGatewayId"] for table in tables["private"]}
    assert len(tables["private"]) == len(nats) == len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 3
    assert not tables["data"] & set(routes)  # "Data subnets -> No internet access"


# -- security groups ----------------------------------------------------------------------------------------
def test_security_groups_are_the_seeds_alb_ecs_and_rds_examples(prod: StackRun) -> None:
    groups = {g.id: g.name for g in prod.of_type("aws:ec2/securityGroup:SecurityGroup")}
    rules = prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")

    def into(group: str) -> set[tuple[float, str | None]]:
        return {
            (
                r.inputs["fromPort"],
                r.inputs.get("cidrIpv4") or groups.get(r.inputs.get("referencedSecurityGroupId", "")),
            )
            for r in rules
            if groups[r.inputs["securityGroupId"]] == group and r.inputs["fromPort"] != 8443  # the test listener
        }

    assert into("load-balancer-sg") == {(443.0, "0.0.0.0/0"), (80.0, "0.0.0.0/0"), (443.0, None), (80.0, None)}
    assert into("api-sg") == {(3000.0, "load-balancer-sg")}  # "HTTP from ALB" on 3000, by group id
    assert into("database-sg") == {(5432.0, "api-sg")}  # "PostgreSQL from ECS tasks", never 0.0.0.0/0
    assert into("cache-sessions-sg") == {(6379.0, "api-sg")}
    egress = {
        groups[r.inputs["securityGroupId"]]
        for r in prod.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    }
    assert "database-sg" not in egress  # "No egress rules needed for RDS"


# -- ECS task and service -------------------------------------------------------------------------------------
def test_the_api_task_is_the_seeds_task_definition(prod: StackRun) -> None:
    task = prod.named("api-task").inputs
    assert (task["cpu"], task["memory"], task["networkMode"], task["requiresCompatibilities"]) == (
        "256",
        "512",
        "awsvpc",
        ["FARGATE"],
    )
    assert task["executionRoleArn"] != task["taskRoleArn"]
    container = _containers(prod, "api")
    assert container["portMappings"][0]["containerPort"] == 3000
    assert {"name": "NODE_ENV", "value": "production"} in container["environment"]
    assert container["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f http://localhost:3000/health || exit 1"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 60,
    }
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    # secrets by valueFrom, never a value in the task definition
    assert {s["name"] for s in container["secrets"]} == {"DB_PASSWORD", "API_KEYS"}
    assert all(s["valueFrom"].startswith("arn:aws:secretsmanager:us-east-1:") for s in container["secrets"])
    assert ":latest" not in container["image"]


def test_the_api_service_runs_three_tasks_scaling_2_to_10_on_cpu_70(prod: StackRun) -> None:
    service = prod.named("api-service").inputs
    assert (
        service["desiredCount"],
        service["deploymentMinimumHealthyPercent"],
        service["deploymentMaximumPercent"],
    ) == (
        3,
        100,
        200,
    )
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["networkConfiguration"]["assignPublicIp"] is False
    private = {s.id for s in prod.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "private"}
    assert set(service["networkConfiguration"]["subnets"]) == private  # three AZs
    assert service["loadBalancers"][0]["containerPort"] == 3000
    target = prod.named("api-scaling-target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 10)
    cpu = prod.named("api-scale-cpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert (cpu["targetValue"], cpu["scaleInCooldown"], cpu["scaleOutCooldown"]) == (70, 300, 60)
    assert cpu["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    health = prod.named("api-tg").inputs["healthCheck"]
    assert (health["path"], health["interval"], health["timeout"]) == ("/health", 30, 5)
    assert (health["healthyThreshold"], health["unhealthyThreshold"]) == (2, 3)
    assert prod.named("cluster-cluster").inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_three_tiers_the_next_app_takes_what_the_api_does_not(prod: StackRun) -> None:
    rules = {r.name: r.inputs for r in prod.of_type("aws:lb/listenerRule:ListenerRule") if "test" not in r.name}
    paths = {name: rule["conditions"][0]["pathPattern"]["values"] for name, rule in rules.items()}
    priorities = {name: rule["priority"] for name, rule in rules.items()}
    assert paths == {"api-rule": ["/api/*", "/health"], "web-rule": ["/*"]}
    assert priorities["api-rule"] < priorities["web-rule"]


def test_production_releases_by_canary_5_percent_and_rolls_back_on_alarms(prod: StackRun) -> None:
    for service in ("api", "web"):
        inputs = prod.named(f"{service}-service").inputs
        assert inputs["deploymentConfiguration"]["strategy"] == "CANARY"
        assert inputs["deploymentConfiguration"]["canaryConfiguration"]["canaryPercent"] == 5
        assert inputs["alarms"]["rollback"] is True
        assert {f"petforce-petforce-prod-{service}-5xx-rate"} <= set(inputs["alarms"]["alarmNames"])


def _providers_used(run: StackRun, service: str) -> set[str]:
    """The capacity providers that place tasks (a base or a weight above 0)."""
    strategies = run.named(f"{service}-service").inputs["capacityProviderStrategies"]
    return {s["capacityProvider"] for s in strategies if s.get("base", 0) or s.get("weight", 0)}


def test_staging_rehearses_the_canary_on_demand_and_dev_runs_on_spot(runs: dict[tuple[str, bool], StackRun]) -> None:
    staging, dev = runs[("petforce-staging", False)], runs[("petforce-dev", False)]
    assert staging.named("api-service").inputs["deploymentConfiguration"]["strategy"] == "CANARY"
    for service in ("api", "web"):
        assert _providers_used(staging, service) == {"FARGATE"}  # "On-Demand - Development, staging"
        assert _providers_used(dev, service) == {"FARGATE_SPOT"}  # Spot for "Development/testing environments"
        assert _providers_used(runs[(PROD, False)], service) == {"FARGATE"}  # never Spot for production web servers


# -- data tier --------------------------------------------------------------------------------------------------
def test_rds_is_the_seeds_postgresql_instance(prod: StackRun) -> None:
    db = prod.named("database-instance")
    inputs = db.inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["instanceClass"], inputs["allocatedStorage"]) == (
        "postgres",
        "15",
        "db.r6g.xlarge",
        100,
    )
    assert (inputs["multiAz"], inputs["backupWindow"], inputs["maintenanceWindow"]) == (
        True,
        "03:00-04:00",
        "mon:04:00-mon:05:00",
    )
    assert inputs["backupRetentionPeriod"] == 35  # the seed's 30, raised to the pack's production floor
    assert inputs["storageEncrypted"] is True and inputs["kmsKeyId"].startswith("arn:aws:kms:us-east-1:")
    assert (inputs["skipFinalSnapshot"], inputs["deletionProtection"], inputs["publiclyAccessible"]) == (
        False,
        True,
        False,
    )
    assert db.protect
    data = {s.id for s in prod.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "data"}
    assert set(prod.named("database-subnets").inputs["subnetIds"]) == data
    params = prod.named("database-params").inputs
    assert params["family"] == "postgres15"
    assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"} in params["parameters"]
    # the seed's petforce/db-password, rotated every 30 days: the RDS-managed master secret
    assert inputs["manageMasterUserPassword"] is True and "password" not in inputs
    assert prod.named("rotations-database-master").inputs["rotationRules"] == {"automaticallyAfterDays": 30}


def test_redis_session_store_in_the_data_subnets_encrypted_in_transit(prod: StackRun) -> None:
    group = prod.named("cache-sessions-group").inputs
    assert (group["engine"], group["transitEncryptionEnabled"], group["transitEncryptionMode"]) == (
        "redis",
        True,
        "required",
    )
    assert (group["atRestEncryptionEnabled"], group["multiAzEnabled"], group["automaticFailoverEnabled"]) == (
        True,
        True,
        True,
    )
    data = {s.id for s in prod.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "data"}
    [subnets] = prod.of_type("aws:elasticache/subnetGroup:SubnetGroup")
    assert set(subnets.inputs["subnetIds"]) == data


def test_uploads_replicate_to_us_west_2_as_standard_ia_within_15_minutes(prod: StackRun) -> None:
    [rule] = prod.named("bucket-uploads-replication-config").inputs["rules"]
    destination = rule["destination"]
    assert destination["storageClass"] == "STANDARD_IA"
    assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert destination["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}
    assert destination["bucket"].endswith("-us-west-2") and rule["status"] == "Enabled"
    versioning = {v.name: v.inputs for v in prod.of_type("aws:s3/bucketVersioning:BucketVersioning")}
    assert versioning["bucket-uploads-versioning"]["versioningConfiguration"]["status"] == "Enabled"


def test_logs_move_to_standard_ia_at_30_days_glacier_at_90_and_expire_at_365(prod: StackRun) -> None:
    rules = {r["id"]: r for r in prod.named("bucket-logs-lifecycle").inputs["rules"]}
    rule = rules["transition-old-logs"]
    assert rule["status"] == "Enabled"
    assert rule["transitions"] == [{"days": 30, "storageClass": "STANDARD_IA"}, {"days": 90, "storageClass": "GLACIER"}]
    assert rule["expiration"] == {"days": 365}


def test_the_task_role_gets_only_what_the_app_needs(prod: StackRun) -> None:
    document = json.loads(prod.named("api-task-policy").inputs["policy"])
    actions = {a for s in document["Statement"] for a in s["Action"]}
    resources = {r for s in document["Statement"] for r in s["Resource"]}
    assert {"s3:GetObject", "s3:PutObject"} <= actions
    assert not [a for a in actions if a.endswith(":*") or a.startswith("iam:")]  # never s3:*, never iam:*
    assert "*" not in resources
    assert {r for r in resources if r.startswith("arn:aws:s3:::")} == {
        "arn:aws:s3:::petforce-petforce-prod-uploads-123456789012-us-east-1/*",
        "arn:aws:s3:::petforce-petforce-prod-uploads-123456789012-us-east-1",
    }


def test_static_assets_are_served_by_cloudfront_over_tls_from_a_private_bucket(prod: StackRun) -> None:
    distribution = prod.named("site-assets-distribution").inputs
    assert distribution["aliases"] == ["static.petforce.example"]
    assert distribution["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert distribution["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert [o["originAccessControlId"] for o in distribution["origins"]]  # the bucket admits only CloudFront
    assert distribution["webAclId"]


# -- security scanning, WAF -------------------------------------------------------------------------------------
def test_ecr_repositories_scan_on_push_with_immutable_tags(prod: StackRun) -> None:
    repositories = prod.of_type("aws:ecr/repository:Repository")
    assert {r.inputs["name"] for r in repositories} == {"petforce-petforce-prod-api", "petforce-petforce-prod-web"}
    for repository in repositories:
        assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repository.inputs["imageTagMutability"] == "IMMUTABLE"


def test_waf_rate_limits_2000_per_ip_then_the_common_rule_set_on_the_alb(prod: StackRun) -> None:
    acl = prod.named("load-balancer-waf")
    assert (acl.inputs["scope"], acl.inputs["defaultAction"]) == ("REGIONAL", {"allow": {}})
    rules = {r["priority"]: r for r in acl.inputs["rules"]}
    assert rules[1]["statement"]["rateBasedStatement"]["limit"] == 2000
    assert rules[1]["statement"]["rateBasedStatement"]["aggregateKeyType"] == "IP"
    assert rules[1]["action"] == {"block": {}}
    assert rules[2]["statement"]["managedRuleGroupStatement"] == {
        "vendorName": "AWS",
        "name": "AWSManagedRulesCommonRuleSet",
    }
    assert rules[2]["overrideAction"] == {"none": {}}
    association = prod.named("load-balancer-waf-association")
    assert association.inputs["resourceArn"] == prod.named("load-balancer-alb").outputs["arn"]


# -- the alert thresholds table --------------------------------------------------------------------------------
def _window(alarm: dict[str, Any]) -> float:
    period = alarm.get("period") or max(q["metric"]["period"] for q in alarm["metricQueries"] if "metric" in q)
    return period * alarm["evaluationPeriods"]


@pytest.mark.parametrize("service", ["api", "web"])
def test_alarms_fire_at_the_seeds_thresholds(service: str, prod: StackRun) -> None:
    expected = {
        "cpu": (80, 300, "GreaterThanThreshold"),  # CPU > 80 % for 5 minutes
        "memory": (90, 300, "GreaterThanThreshold"),  # memory > 90 % for 5 minutes
        "5xx-rate": (1, 300, "GreaterThanThreshold"),  # 5xx / requests > 1 % for 5 minutes
        "p99-latency": (1.0, 300, "GreaterThanThreshold"),  # p99 > 1000 ms for 5 minutes
        "healthy-hosts": (2, 120, "LessThanThreshold"),  # healthy hosts < 2
    }
    for what, (threshold, seconds, comparison) in expected.items():
        alarm = _alarm(prod, f"{service}-{what}")
        assert (alarm["threshold"], _window(alarm), alarm["comparisonOperator"]) == (threshold, seconds, comparison), (
            what
        )
    p99 = _alarm(prod, f"{service}-p99-latency")
    assert {q["metric"]["stat"] for q in p99["metricQueries"] if "metric" in q} == {"p99"}  # both target groups
    active = _alarm(prod, "alb-active-connections")  # active connections > 10,000
    assert (active["metricName"], active["statistic"], active["threshold"]) == ("ActiveConnectionCount", "Sum", 10_000)


def test_a_rolling_stack_watches_p99_on_its_one_target_group(runs: dict[tuple[str, bool], StackRun]) -> None:
    p99 = _alarm(runs[("petforce-dev", False)], "api-p99-latency")
    assert (p99["extendedStatistic"], p99["threshold"], _window(p99)) == ("p99", 1.0, 300)


def test_alarms_reach_email_and_pagerduty(prod: StackRun) -> None:
    subscriptions = {
        s.inputs["protocol"]: s.inputs["endpoint"] for s in prod.of_type("aws:sns/topicSubscription:TopicSubscription")
    }
    assert subscriptions == {
        "email": "oncall@petforce.example",
        "https": "https://events.pagerduty.com/integration/petforce-prod/enqueue",
    }


# -- the checklist's cost tags ---------------------------------------------------------------------------------
def test_cost_tags_project_environment_costcenter_on_every_tagged_resource(prod: StackRun) -> None:
    tagged: list[RecordedResource] = [r for r in prod.resources if r.custom and "tags" in r.inputs]
    assert len(tagged) > 100
    for resource in tagged:
        tags = resource.inputs["tags"]
        assert (tags["Project"], tags["Environment"], tags["CostCenter"]) == ("petforce", "prod", "Engineering"), (
            resource.name
        )
