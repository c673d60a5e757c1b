"""Cache: ElastiCache (Valkey by default) in the data subnets, TLS required, encrypted with the stack key, IAM
authentication through an RBAC user group (no password anywhere), Multi-AZ with failover in prod, snapshots per
environment, protected in prod, and a security group opened only by `caches: {<name>: connect}` grants."""

from __future__ import annotations

import json

from offline.engine import StackRun

from .data_support import children, key_arn, statements
from .variants import dev_stores_run


def test_prod_cache_is_multi_az_encrypted_and_authenticated_by_iam(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    group = run.named("cache-rate-limit-group")
    inputs = group.inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["nodeType"]) == ("valkey", "8.0", "cache.m7g.large")
    assert (inputs["numCacheClusters"], inputs["multiAzEnabled"], inputs["automaticFailoverEnabled"]) == (2, True, True)
    assert inputs["preferredCacheClusterAzs"] == ["us-east-1a", "us-east-1b"]
    assert (inputs["atRestEncryptionEnabled"], inputs["kmsKeyId"]) == (True, key_arn(run))
    assert (inputs["transitEncryptionEnabled"], inputs["transitEncryptionMode"]) == (True, "required")
    assert not {"authToken", "authTokenWo"} & set(inputs)
    assert (inputs["snapshotRetentionLimit"], inputs["snapshotWindow"], inputs["maintenanceWindow"]) == (
        35,
        "02:00-03:00",
        "sun:05:00-sun:06:00",
    )
    assert inputs["finalSnapshotIdentifier"] == "platform-prod-rate-limit-final"
    assert group.protect and not inputs["applyImmediately"]
    [user] = run.of_type("aws:elasticache/user:User")
    assert user.inputs["userId"] == user.inputs["userName"] == "platform-prod-rate-limit-app"
    assert user.inputs["authenticationMode"] == {"type": "iam"} and user.inputs["engine"] == "valkey"
    [users] = run.of_type("aws:elasticache/userGroup:UserGroup")
    assert users.inputs["userIds"] == ["platform-prod-rate-limit-app"]
    assert inputs["userGroupIds"] == [users.outputs["userGroupId"]]


def test_cache_logs_go_to_encrypted_retained_log_groups(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    deliveries = run.named("cache-rate-limit-group").inputs["logDeliveryConfigurations"]
    assert [(d["logType"], d["destinationType"], d["logFormat"]) for d in deliveries] == [
        ("slow-log", "cloudwatch-logs", "json"),
        ("engine-log", "cloudwatch-logs", "json"),
    ]
    for delivery in deliveries:
        [group] = [
            g for g in run.of_type("aws:cloudwatch/logGroup:LogGroup") if g.inputs["name"] == delivery["destination"]
        ]
        assert (group.inputs["retentionInDays"], group.inputs["kmsKeyId"]) == (90, key_arn(run))


def test_cache_lives_in_the_data_subnets_and_only_granted_services_reach_it(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    data = sorted(str(s.id) for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "data")
    assert sorted(run.named("cache-rate-limit-subnets").inputs["subnetIds"]) == data
    group = run.named("cache-rate-limit-sg")
    assert run.named("cache-rate-limit-group").inputs["securityGroupIds"] == [group.id]
    ingress = children(run, "cache-rate-limit", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert [(r.name, r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in ingress] == [
        ("cache-rate-limit-from-api", 6379, run.named("api-sg").id)
    ]
    egress = run.named("api-out-cache-rate-limit").inputs
    assert (egress["fromPort"], egress["toPort"], egress["referencedSecurityGroupId"]) == (6379, 6379, group.id)
    assert not children(run, "worker", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") or all(
        r.inputs.get("referencedSecurityGroupId") != group.id
        for r in children(run, "worker", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    )


def test_a_connect_grant_is_elasticache_connect_on_the_group_and_its_user_only(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    policy = statements(run.named("api-task-policy"))
    assert policy["CacheRateLimitConnect"] == {
        "Sid": "CacheRateLimitConnect",
        "Effect": "Allow",
        "Action": ["elasticache:Connect"],
        "Resource": [
            "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:platform-prod-rate-limit",
            "arn:aws:elasticache:us-east-1:123456789012:user:platform-prod-rate-limit-app",
        ],
    }
    assert all(
        "CacheRateLimitConnect" not in json.loads(r.inputs["policy"])["Statement"]
        for r in run.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name.startswith("worker")
    )


def test_the_cache_endpoint_and_port_are_stack_outputs(stack_runs: dict[str, StackRun]) -> None:
    caches = stack_runs["prod"].outputs["caches"]
    assert caches["rate-limit"]["endpoint"].startswith("master.platform-prod-rate-limit.")
    assert caches["rate-limit"]["port"] == 6379


def test_a_dev_redis_cache_is_one_node_with_the_mandatory_default_user_switched_off() -> None:
    run = dev_stores_run()  # caches: {sessions: {engine: redis}}
    inputs = run.named("cache-sessions-group").inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["nodeType"]) == ("redis", "7.1", "cache.t4g.micro")
    assert (inputs["numCacheClusters"], inputs["multiAzEnabled"], inputs["automaticFailoverEnabled"]) == (
        1,
        False,
        False,
    )
    assert inputs["snapshotRetentionLimit"] == 0 and "finalSnapshotIdentifier" not in inputs
    assert not run.named("cache-sessions-group").protect
    users = {u.inputs["userName"]: u.inputs for u in run.of_type("aws:elasticache/user:User")}
    assert users["default"]["accessString"] == "off -@all"
    assert users["default"]["authenticationMode"] == {"type": "no-password-required"}
    assert users["platform-dev-sessions-app"]["authenticationMode"] == {"type": "iam"}
    alarms = {a.inputs["name"] for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert {
        f"platform-dev-cache-sessions-{w}" for w in ("engine-cpu", "cpu", "memory", "evictions", "connections")
    } <= alarms
    assert "platform-dev-cache-sessions-replication-lag" not in alarms  # no replica, no lag


def test_cache_alarms_take_the_worst_node_so_a_failover_changes_nothing(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    alarm = next(
        a.inputs
        for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["name"] == "platform-prod-cache-rate-limit-replication-lag"
    )
    queries = {q["id"]: q for q in alarm["metricQueries"]}
    assert queries["lag"] == {
        "id": "lag",
        "expression": "MAX([lag1, lag2])",
        "label": "Replication lag (s) (worst node)",
        "returnData": True,
    }
    assert [queries[i]["metric"]["dimensions"] for i in ("lag1", "lag2")] == [
        {"CacheClusterId": "platform-prod-rate-limit-001"},
        {"CacheClusterId": "platform-prod-rate-limit-002"},
    ]
    assert (alarm["threshold"], alarm["evaluationPeriods"], alarm["comparisonOperator"]) == (
        10,
        5,
        "GreaterThanThreshold",
    )
