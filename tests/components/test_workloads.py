"""Issue 11 items 4-6: images without account ids and the stack's ECR repositories; the `service` and `task`
kinds (a task on EventBridge Scheduler, with its own role, retries and failure queue, or on demand); named
egress rules and network grants that open both sides."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config.workloads import ImageSpec
from offline.engine import StackRun, stack_config

from .compute_support import (
    ECS_SERVICE,
    ROLE,
    SCALING_POLICY,
    SCALING_TARGET,
    TASK_DEFINITION,
    config_of,
    container,
    egress_rules,
    policy,
    services,
)
from .variants import dev_workloads_run

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
SCHEDULE = "aws:scheduler/schedule:Schedule"
SCHEDULE_GROUP = "aws:scheduler/scheduleGroup:ScheduleGroup"
QUEUE = "aws:sqs/queue:Queue"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def statements(resource: Any, key: str = "policy") -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy(resource, key)["Statement"]}


# -- repositories -----------------------------------------------------------------------------------------------
def test_each_declared_repository_is_immutable_scanned_and_encrypted_with_the_stack_key(stack_run: StackRun) -> None:
    key = stack_run.named("keys-key")  # the stack key (backups copy with their own)
    repository = stack_run.named("repository-api-repository")
    assert repository.inputs["name"] == f"platform-{stack_run.stack}-api"
    assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key.outputs["arn"]}]
    assert repository.inputs["forceDelete"] is False


@pytest.mark.parametrize(("stack", "keep", "days"), [("dev", 30, 3), ("staging", 50, 7), ("prod", 200, 14)])
def test_the_lifecycle_keeps_the_preset_number_of_tagged_images_and_expires_untagged_ones(
    stack_runs: dict[str, StackRun], stack: str, keep: int, days: int
) -> None:
    lifecycle = stack_runs[stack].named("repository-api-lifecycle")
    rules = json.loads(lifecycle.inputs["policy"])["rules"]
    assert [r["selection"] for r in rules] == [
        {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": days},
        {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": keep},
    ]
    assert all(r["action"] == {"type": "expire"} for r in rules)


def test_only_the_execution_roles_that_run_its_images_may_pull(stack_run: StackRun) -> None:
    config = config_of(stack_run.stack)
    users = sorted(
        n for n, s in config.services.items() if isinstance(s.image, ImageSpec) and s.image.repository == "api"
    )
    assert len(users) == 4  # api, worker and both tasks share the one repository
    roles = {r.inputs["name"]: r.outputs["arn"] for r in stack_run.of_type(ROLE)}
    [pull] = statements(stack_run.named("repository-api-policy")).values()
    assert pull == {
        "Sid": "ExecutionRolesOfThisStackPull",
        "Effect": "Allow",
        "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
        "Condition": {
            "ArnEquals": {
                "aws:PrincipalArn": sorted(roles[f"platform-{stack_run.stack}-{name}-execution"] for name in users)
            }
        },
    }
    assert "Resource" not in pull  # a repository policy applies to its repository


def test_repositories_are_protected_in_prod_only(stack_runs: dict[str, StackRun]) -> None:
    assert stack_runs["prod"].named("repository-api-repository").protect
    assert not stack_runs["dev"].named("repository-api-repository").protect


# -- images by repository ---------------------------------------------------------------------------------------
def test_an_image_named_by_repository_runs_from_this_accounts_registry(stack_run: StackRun) -> None:
    config = config_of(stack_run.stack)
    repository = stack_run.named("repository-api-repository")
    for name in ("api", "worker", "migrate", "cleanup"):
        spec = config.services[name].image
        assert isinstance(spec, ImageSpec)
        assert container(stack_run, name)["image"] == f"{REGISTRY}/platform-{stack_run.stack}-api{spec.suffix}"
        pull = next(
            s for s in policy(stack_run.named(f"{name}-execution-policy"))["Statement"] if s["Sid"] == "EcrPullOwnImage"
        )
        assert pull["Resource"] == [repository.outputs["arn"]]  # exactly the repository it uses
    assert "123456789012" not in "".join(stack_config(stack_run.stack).values())  # no account id in the file


def test_the_image_is_known_at_a_first_preview(preview_runs: dict[str, StackRun]) -> None:
    # (the worker: the api's container definitions wait for its secrets' ARNs)
    assert container(preview_runs["dev"], "worker")["image"] == f"{REGISTRY}/platform-dev-api:1.4.2"


@pytest.fixture(scope="module")
def variant_run() -> StackRun:
    """dev with: the api image from an existing repository of the account; the worker built into the stack's
    repository; a `kind: service`; and an SMTP egress rule on the api (tests/components/variants.py)."""
    return dev_workloads_run()


def test_an_undeclared_repository_is_one_that_already_exists_in_this_account(variant_run: StackRun) -> None:
    assert container(variant_run, "api")["image"] == f"{REGISTRY}/openclaw/app@sha256:{'ab' * 32}"
    pull = next(
        s for s in policy(variant_run.named("api-execution-policy"))["Statement"] if s["Sid"] == "EcrPullOwnImage"
    )
    assert pull["Resource"] == ["arn:aws:ecr:us-east-1:123456789012:repository/openclaw/app"]
    assert [r.name for r in variant_run.of_type(REPOSITORY)] == ["repository-api-repository"]  # none created for it


def test_a_build_with_a_repository_pushes_into_it_and_creates_none(variant_run: StackRun) -> None:
    [image] = variant_run.of_type("awsx:ecr:Image")
    assert image.inputs["repositoryUrl"] == f"{REGISTRY}/platform-dev-api"
    assert container(variant_run, "worker")["image"] == image.outputs["imageUri"]
    assert len(variant_run.of_type(REPOSITORY)) == 1
    pull = next(
        s for s in policy(variant_run.named("worker-execution-policy"))["Statement"] if s["Sid"] == "EcrPullOwnImage"
    )
    assert pull["Resource"] == ["arn:aws:ecr:us-east-1:123456789012:repository/platform-dev-api"]
    [puller] = statements(variant_run.named("repository-api-policy")).values()
    assert (
        "arn:aws:iam::123456789012:role/platform-dev-worker-execution"
        in puller["Condition"]["ArnEquals"]["aws:PrincipalArn"]
    )
    assert (
        "arn:aws:iam::123456789012:role/platform-dev-api-execution"
        not in puller["Condition"]["ArnEquals"]["aws:PrincipalArn"]
    )  # the api now runs openclaw/app


# -- kind: service -----------------------------------------------------------------------------------------------
def test_a_background_service_runs_without_load_balancer_or_queue_and_scales_on_cpu_and_memory(
    variant_run: StackRun,
) -> None:
    service = services(variant_run)["saq"]
    assert "loadBalancers" not in service.inputs and service.inputs["networkConfiguration"]["assignPublicIp"] is False
    assert service.inputs["tags"]["Kind"] == "service"
    metrics = sorted(
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["predefinedMetricType"]
        for p in variant_run.of_type(SCALING_POLICY)
        if p.name.startswith("saq-")
    )
    assert metrics == ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"]
    assert "portMappings" not in container(variant_run, "saq")


def test_a_background_service_gets_cpu_memory_and_task_alarms(variant_run: StackRun) -> None:
    names = {a.inputs["name"] for a in variant_run.of_type(ALARM)}
    assert {f"platform-dev-saq-{what}" for what in ("cpu", "memory", "running-tasks")} <= names
    assert not {n for n in names if n.startswith("platform-dev-saq-") and "latency" in n}


# -- egress ----------------------------------------------------------------------------------------------------
def test_named_egress_rules_add_to_https_and_never_open_all_traffic(variant_run: StackRun) -> None:
    [group_id] = services(variant_run)["api"].inputs["networkConfiguration"]["securityGroups"]
    rules = {r.name: r.inputs for r in egress_rules(variant_run, group_id)}
    assert rules["api-out-smtp"] | {"tags": None} == {
        **rules["api-out-smtp"],
        "tags": None,
        "ipProtocol": "tcp",
        "fromPort": 587,
        "toPort": 587,
        "cidrIpv4": "203.0.113.0/24",
    }
    assert rules["api-out-dns"]["ipProtocol"] == "udp" and rules["api-out-dns"]["cidrIpv6"] == "2001:db8::/32"
    assert rules["api-out-https"]["cidrIpv4"] == "0.0.0.0/0" and rules["api-out-https"]["fromPort"] == 443
    for run_rules in rules.values():
        assert run_rules["ipProtocol"] != "-1"


def test_a_granted_database_opens_its_own_port_on_both_sides(variant_run: StackRun) -> None:
    database_group = variant_run.named("database-sg").id
    [group_id] = services(variant_run)["saq"].inputs["networkConfiguration"]["securityGroups"]
    out = variant_run.named("saq-out-database").inputs
    assert (out["securityGroupId"], out["referencedSecurityGroupId"], out["fromPort"], out["toPort"]) == (
        group_id,
        database_group,
        5432,
        5432,
    )
    into = [
        r.inputs
        for r in variant_run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs.get("referencedSecurityGroupId") == group_id
    ]
    assert [(r["securityGroupId"], r["fromPort"]) for r in into] == [(database_group, 5432)]


# -- kind: task --------------------------------------------------------------------------------------------------
def test_a_task_is_a_task_definition_without_service_or_autoscaling(stack_run: StackRun) -> None:
    for task in ("migrate", "cleanup"):
        assert task not in services(stack_run)
        assert stack_run.named(f"{task}-task").type == TASK_DEFINITION
        assert not [r for r in stack_run.of_type(SCALING_TARGET, SCALING_POLICY) if r.name.startswith(f"{task}-")]
        definition = container(stack_run, task)
        assert definition["readonlyRootFilesystem"] is True and definition["user"] == "1000:1000"
    assert container(stack_run, "migrate")["command"] == ["alembic", "upgrade", "head"]
    assert not stack_run.of_type(ECS_SERVICE) or "migrate" not in stack_run.outputs["serviceNames"]


def test_a_task_gets_the_same_grants_as_a_service(stack_run: StackRun) -> None:
    grants = {s for s in statements(stack_run.named("migrate-task-policy")) if not s.startswith("Exec")}
    assert grants == {"DatabaseConnectApp"}
    assert {s for s in statements(stack_run.named("cleanup-task-policy")) if not s.startswith("Exec")} == {
        "TableSessionsReadWrite",
        "TableSessionsKey",
        "BucketUploadsObjectsReadWrite",
        "BucketUploadsList",
        "BucketUploadsKey",
    }
    assert stack_run.named("migrate-out-database").inputs["fromPort"] == 5432


def test_a_scheduled_task_runs_on_eventbridge_scheduler_with_its_network(stack_run: StackRun) -> None:
    schedule = stack_run.named("cleanup-schedule-schedule").inputs
    group = stack_run.named("cleanup-schedule-group")
    assert schedule["groupName"] == group.outputs["name"] == f"platform-{stack_run.stack}-cleanup"
    assert (schedule["scheduleExpression"], schedule["scheduleExpressionTimezone"], schedule["state"]) == (
        "cron(0 3 * * ? *)",
        "Europe/Berlin",
        "ENABLED",
    )
    assert schedule["flexibleTimeWindow"] == {"mode": "FLEXIBLE", "maximumWindowInMinutes": 15}
    target = schedule["target"]
    [cluster] = stack_run.of_type("aws:ecs/cluster:Cluster")
    assert target["arn"] == cluster.outputs["arn"]  # the cluster's ARN from its known name is its real ARN
    assert target["retryPolicy"] == {"maximumRetryAttempts": 2, "maximumEventAgeInSeconds": 3600}
    assert target["deadLetterConfig"] == {"arn": stack_run.named("cleanup-schedule-failures").outputs["arn"]}
    ecs = target["ecsParameters"]
    assert ecs["taskDefinitionArn"] == stack_run.named("cleanup-task").outputs["arn"]
    assert ecs["networkConfiguration"] == {
        "subnets": stack_run.outputs["privateSubnetIds"],
        "assignPublicIp": False,
        "securityGroups": [stack_run.named("cleanup-sg").id],
    }
    assert (ecs["propagateTags"], ecs["enableEcsManagedTags"], ecs["taskCount"]) == ("TASK_DEFINITION", True, 1)


def test_the_scheduler_role_may_run_exactly_this_task_and_pass_exactly_its_roles(stack_run: StackRun) -> None:
    stack = stack_run.stack
    role = stack_run.named("cleanup-schedule-role")
    [trust] = statements(role, "assumeRolePolicy").values()
    assert trust["Principal"] == {"Service": ["scheduler.amazonaws.com"]}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": stack_run.named("cleanup-schedule-group").outputs["arn"]},
    }
    found = statements(stack_run.named("cleanup-schedule-role-policy"))
    roles = {r.inputs["name"]: r.outputs["arn"] for r in stack_run.of_type(ROLE)}
    [cluster] = stack_run.of_type("aws:ecs/cluster:Cluster")
    key = stack_run.named("keys-key")  # the stack key (backups copy with their own)
    assert found == {
        "RunThisTask": {
            "Sid": "RunThisTask",
            "Effect": "Allow",
            "Action": ["ecs:RunTask"],
            "Resource": [f"arn:aws:ecs:us-east-1:123456789012:task-definition/platform-{stack}-cleanup:*"],
            "Condition": {"ArnEquals": {"ecs:cluster": cluster.outputs["arn"]}},
        },
        "PassThisTasksRoles": {
            "Sid": "PassThisTasksRoles",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [roles[f"platform-{stack}-cleanup-execution"], roles[f"platform-{stack}-cleanup-task"]],
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
        "TagTheStartedTask": {
            "Sid": "TagTheStartedTask",
            "Effect": "Allow",
            "Action": ["ecs:TagResource"],
            "Resource": [f"arn:aws:ecs:us-east-1:123456789012:task/platform-{stack}-cluster/*"],
            "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
        },
        "RecordFailedRuns": {
            "Sid": "RecordFailedRuns",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [stack_run.named("cleanup-schedule-failures").outputs["arn"]],
        },
        "RecordFailedRunsKey": {
            "Sid": "RecordFailedRunsKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [key.outputs["arn"]],
            "Condition": {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}},
        },
    }


def test_failed_runs_reach_the_failure_queue_and_raise_an_alarm(stack_run: StackRun) -> None:
    stack = stack_run.stack
    rule = stack_run.named("cleanup-schedule-failed")
    [cluster] = stack_run.of_type("aws:ecs/cluster:Cluster")
    assert "eventBusName" not in rule.inputs  # ECS task state changes arrive on the default bus
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "clusterArn": [cluster.outputs["arn"]],
            "group": [f"family:platform-{stack}-cleanup"],
            "lastStatus": ["STOPPED"],
            "$or": [{"containers": {"exitCode": [{"anything-but": 0}]}}, {"stopCode": ["TaskFailedToStart"]}],
        },
    }
    queue = stack_run.named("cleanup-schedule-failures")
    assert stack_run.named("cleanup-schedule-failed-target").inputs["arn"] == queue.outputs["arn"]
    queue_policy = statements(stack_run.named("cleanup-schedule-failures-policy"))
    assert queue_policy["FailedRunEventsSend"]["Condition"] == {"ArnEquals": {"aws:SourceArn": rule.outputs["arn"]}}
    assert queue_policy["DenyInsecureTransport"]["Effect"] == "Deny"
    assert queue.inputs["kmsMasterKeyId"] == stack_run.of_type("aws:kms/key:Key")[0].outputs["arn"]
    assert queue.protect is (stack == "prod")
    alarm = next(
        a.inputs for a in stack_run.of_type(ALARM) if a.inputs["name"] == f"platform-{stack}-cleanup-failed-runs"
    )
    assert (alarm["namespace"], alarm["metricName"], alarm["dimensions"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": queue.outputs["name"]},
    )
    assert (alarm["comparisonOperator"], alarm["threshold"]) == ("GreaterThanThreshold", 0)


def test_an_on_demand_task_has_no_schedule_and_its_run_parameters_are_stack_outputs(stack_run: StackRun) -> None:
    assert [s.name for s in stack_run.of_type(SCHEDULE)] == ["cleanup-schedule-schedule"]
    assert len(stack_run.of_type(SCHEDULE_GROUP)) == 1
    migrate = stack_run.outputs["tasks"]["migrate"]
    assert migrate == {
        "cluster": f"platform-{stack_run.stack}-cluster",
        "taskDefinition": f"platform-{stack_run.stack}-migrate",
        "container": "migrate",
        "subnets": stack_run.outputs["privateSubnetIds"],
        "securityGroups": [stack_run.named("migrate-sg").id],
        "logGroup": f"/platform/{stack_run.stack}/services/migrate",
    }
    assert stack_run.named("migrate-task").inputs["family"] == migrate["taskDefinition"]


def test_a_task_admits_no_ingress(stack_run: StackRun) -> None:
    group_id = stack_run.named("migrate-sg").id
    assert group_id is not None
    assert not [
        r
        for r in stack_run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == group_id
    ]
    assert {r.inputs["fromPort"] for r in egress_rules(stack_run, group_id)} == {443, 5432}


def test_the_dashboard_draws_each_scheduled_task_and_background_service(variant_run: StackRun) -> None:
    [dashboard] = variant_run.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    titles = [w["properties"].get("title") for w in body["widgets"] if w["type"] == "metric"]
    assert {
        "cleanup: failed runs (failure queue)",
        "cleanup: scheduler invocations (per period)",
        "saq: CPU and memory (%)",
        "saq: running vs desired tasks",
    } <= set(titles)
    rows = [m for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]]
    scheduler = [r for r in rows if r[0] == "AWS/Scheduler"]
    assert {r[1] for r in scheduler} == {"InvocationAttemptCount", "TargetErrorCount", "InvocationDroppedCount"}
    assert all(r[2:4] == ["ScheduleGroup", "platform-dev-cleanup"] for r in scheduler)
    assert not [t for t in titles if t and t.startswith("migrate:")]  # on demand: no schedule to watch
