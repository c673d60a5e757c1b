"""Progressive delivery as recorded: prod's api deploys by canary with both target groups, the production and
test listener rules, the test listener admitting only the VPC and the NAT addresses, the ECS infrastructure role
scoped to exactly those, and its rollback alarms and request scaling over both target groups. Every strategy
builds what AWS requires of it, and nothing more."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.delivery import ELB_DESCRIBE_ACTIONS
from offline.engine import RecordedResource, StackRun

from .compute_support import (
    ECS_SERVICE,
    INGRESS,
    LISTENER,
    LISTENER_RULE,
    ROLE,
    ROLE_POLICY,
    SCALING_POLICY,
    TARGET_GROUP,
    alb,
    alb_security_group_id,
    config_of,
    ingress_rules,
    policy,
)
from .variants import HOOK, STRATEGIES, staging_delivery_run

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _forward_groups(rule: RecordedResource) -> list[tuple[str, float]]:
    [action] = rule.inputs["actions"]
    assert action["type"] == "forward" and "targetGroupArn" not in action
    return [(g["arn"], g["weight"]) for g in action["forward"]["targetGroups"]]


def _listener(run: StackRun, port: int) -> RecordedResource:
    [listener] = [r for r in run.of_type(LISTENER) if int(r.inputs["port"]) == port]
    return listener


# -- prod's api: canary ----------------------------------------------------------------------------------------
def test_prod_api_deploys_by_canary_five_percent_with_bake_time(stack_runs: dict[str, StackRun]) -> None:
    service = stack_runs["prod"].named("api-service")
    assert service.inputs["deploymentController"] == {"type": "ECS"}
    assert service.inputs["deploymentConfiguration"] == {
        "strategy": "CANARY",
        "bakeTimeInMinutes": "10",
        "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": "10"},
    }
    # the circuit breaker stays on, and the rollback alarms are watched through the canary and the bake
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service.inputs["alarms"] == {
        "enable": True,
        "rollback": True,
        "alarmNames": ["platform-prod-api-5xx-rate", "platform-prod-api-unhealthy-hosts"],
    }
    alarm_names = {a.inputs["name"] for a in stack_runs["prod"].of_type(ALARM)}
    assert set(service.inputs["alarms"]["alarmNames"]) <= alarm_names


def test_prod_api_has_both_target_groups_alike(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    primary, alternate = run.named("api-tg"), run.named("api-alt-tg")
    assert (primary.inputs["name"], alternate.inputs["name"]) == ("platform-prod-api", "platform-prod-api-alt")
    same = ("port", "protocol", "targetType", "vpcId", "healthCheck", "deregistrationDelay")
    assert {k: primary.inputs[k] for k in same} == {k: alternate.inputs[k] for k in same}
    [attachment] = run.named("api-service").inputs["loadBalancers"]
    assert attachment["targetGroupArn"] == primary.outputs["arn"]
    assert attachment["advancedConfiguration"]["alternateTargetGroupArn"] == alternate.outputs["arn"]
    assert len([g for g in run.of_type(TARGET_GROUP) if g.name.startswith("api-")]) == 2


def test_prod_api_production_and_test_rules_forward_to_both_groups_and_are_left_to_ecs(
    stack_runs: dict[str, StackRun],
) -> None:
    run = stack_runs["prod"]
    primary, alternate = run.named("api-tg").outputs["arn"], run.named("api-alt-tg").outputs["arn"]
    production, test = run.named("api-rule"), run.named("api-test-rule")
    routing = config_of("prod").services["api"].routing
    assert routing is not None
    for rule, listener in ((production, _listener(run, 443)), (test, _listener(run, 8443))):
        assert rule.inputs["listenerArn"] == listener.outputs["arn"]
        assert rule.inputs["priority"] == routing.priority
        assert _forward_groups(rule) == [(primary, 100.0), (alternate, 0.0)]
        assert rule.ignore_changes == ["actions"]  # ECS rewrites the weights on every deployment
        conditions = {k: v["values"] for c in rule.inputs["conditions"] for k, v in c.items()}
        assert conditions == {"pathPattern": routing.paths, "hostHeader": routing.hosts}
    service = run.named("api-service")
    advanced = service.inputs["loadBalancers"][0]["advancedConfiguration"]
    assert (advanced["productionListenerRule"], advanced["testListenerRule"]) == (
        production.outputs["arn"],
        test.outputs["arn"],
    )
    assert {production.urn, test.urn} <= set(service.dependencies)  # on their listeners before ECS uses them


def test_the_test_listener_is_https_on_8443_admitting_the_vpc_and_nat_addresses_only(
    stack_runs: dict[str, StackRun],
) -> None:
    run = stack_runs["prod"]
    test = _listener(run, 8443)
    assert (test.inputs["protocol"], test.inputs["sslPolicy"]) == ("HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert test.inputs["certificateArn"] == _listener(run, 443).inputs["certificateArn"]
    assert test.inputs["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    sources = {
        r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6")
        for r in ingress_rules(run, alb_security_group_id(run))
        if int(r.inputs["fromPort"]) == 8443
    }
    nat_ips = {f"{n.outputs['publicIp']}/32" for n in run.of_type("aws:ec2/natGateway:NatGateway")}
    assert nat_ips and sources == {"10.30.0.0/16", *nat_ips}
    assert not sources & {"0.0.0.0/0", "::/0"}


def test_named_cidrs_join_the_test_listener_and_stacks_without_progressive_services_have_none(
    stack_runs: dict[str, StackRun],
) -> None:
    for stack in ("dev", "staging"):
        assert [int(r.inputs["port"]) for r in stack_runs[stack].of_type(LISTENER)] != [] and all(
            int(r.inputs["port"]) in (80, 443) for r in stack_runs[stack].of_type(LISTENER)
        ), stack
    run = staging_delivery_run()  # progressive services, testListener {port: 9443, cidrs: [198.51.100.0/24]}
    sources = {r.inputs["cidrIpv4"] for r in run.of_type(INGRESS) if r.inputs.get("fromPort") == 9443}
    assert "198.51.100.0/24" in sources and config_of("staging").network.cidr in sources


def test_the_infrastructure_role_trusts_ecs_and_may_touch_only_its_own_groups_listeners_and_rules(
    stack_runs: dict[str, StackRun],
) -> None:
    run = stack_runs["prod"]
    role = run.named("api-infrastructure-role")
    assert policy(role, "assumeRolePolicy") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrustEcs",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Principal": {"Service": ["ecs.amazonaws.com"]},
            }
        ],
    }
    groups = [run.named("api-tg").outputs["arn"], run.named("api-alt-tg").outputs["arn"]]
    listeners = [_listener(run, 443).outputs["arn"], _listener(run, 8443).outputs["arn"]]
    rules = [run.named("api-rule").outputs["arn"], run.named("api-test-rule").outputs["arn"]]
    statements = {
        s["Sid"]: (s["Action"], s["Resource"]) for s in policy(run.named("api-infrastructure-policy"))["Statement"]
    }
    assert statements == {
        "ReadLoadBalancing": (sorted(ELB_DESCRIBE_ACTIONS), ["*"]),
        "RegisterOwnTargets": (
            ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
            groups,
        ),
        "ModifyOwnListeners": (["elasticloadbalancing:ModifyListener"], listeners),
        "ShiftOwnRules": (["elasticloadbalancing:ModifyRule"], rules),
    }
    service = run.named("api-service")
    assert service.inputs["loadBalancers"][0]["advancedConfiguration"]["roleArn"] == role.outputs["arn"]
    assert run.named("api-infrastructure-policy").urn in service.dependencies  # permissions before first use
    assert not [
        r for r in run.of_type(ROLE) if "AmazonECSInfrastructureRolePolicyForLoadBalancers" in json.dumps(r.inputs)
    ]  # no AWS-managed policy with account-wide wildcards


def test_prod_api_rollback_alarms_and_request_scaling_read_both_target_groups(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    suffixes = {run.named("api-tg").outputs["arnSuffix"], run.named("api-alt-tg").outputs["arnSuffix"]}
    alarms = {a.inputs["name"]: a.inputs for a in run.of_type(ALARM)}
    for name in run.named("api-service").inputs["alarms"]["alarmNames"]:
        groups = {q["metric"]["dimensions"]["TargetGroup"] for q in alarms[name]["metricQueries"] if "metric" in q}
        assert groups == suffixes, name
    [scaling] = [p for p in run.of_type(SCALING_POLICY) if p.name == "api-scale-requests"]
    spec = scaling.inputs["targetTrackingScalingPolicyConfiguration"]["customizedMetricSpecification"]
    metrics = {m["id"]: m for m in spec["metrics"]}
    assert metrics["perTask"]["expression"] == "SUM([primary, alternate]) / running"
    assert {metrics[k]["metricStat"]["metric"]["dimensions"][1]["value"] for k in ("primary", "alternate")} == suffixes
    assert {d["value"] for d in metrics["primary"]["metricStat"]["metric"]["dimensions"]} >= {
        alb(run).outputs["arnSuffix"]
    }


def test_rolling_services_keep_one_target_group_and_no_infrastructure_role(stack_runs: dict[str, StackRun]) -> None:
    for stack in ("dev", "staging"):
        run = stack_runs[stack]
        assert not [r for r in run.resources if r.name.endswith(("-alt-tg", "-test-rule", "-infrastructure-role"))]
        for service in run.of_type(ECS_SERVICE):
            assert service.inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}
            assert all("advancedConfiguration" not in lb for lb in service.inputs.get("loadBalancers", []))
    worker = stack_runs["prod"].named("worker-service")  # prod's worker rolls: it has no load balancer
    assert worker.inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}


# -- each strategy: one staging run with a service per strategy (tests/components/variants.py) -------------------
@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("blue-green", {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "30"}),
        (
            "canary",
            {
                "strategy": "CANARY",
                "bakeTimeInMinutes": "10",
                "canaryConfiguration": {"canaryPercent": 12.5, "canaryBakeTimeInMinutes": "20"},
            },
        ),
        (
            "linear",
            {
                "strategy": "LINEAR",
                "bakeTimeInMinutes": "10",
                "linearConfiguration": {"stepPercent": 10.0, "stepBakeTimeInMinutes": "6"},
            },
        ),
        (
            "stepped",
            {
                "strategy": "LINEAR",
                "bakeTimeInMinutes": "5",
                "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": "2"},
            },
        ),
    ],
    ids=list(STRATEGIES),
)
def test_each_progressive_strategy_gets_its_settings_and_the_traffic_plumbing(
    service: str, expected: dict[str, Any]
) -> None:
    """`service` deploys by STRATEGIES[service] (blue-green baking 30 minutes, canary 12.5 % for 20 minutes,
    linear with the defaults, linear 25 % every 2 minutes baking 5)."""
    run = staging_delivery_run()
    recorded = run.named(f"{service}-service")
    assert recorded.inputs["deploymentConfiguration"] == expected
    advanced = recorded.inputs["loadBalancers"][0]["advancedConfiguration"]
    assert advanced == {
        "alternateTargetGroupArn": run.named(f"{service}-alt-tg").outputs["arn"],
        "productionListenerRule": run.named(f"{service}-rule").outputs["arn"],
        "testListenerRule": run.named(f"{service}-test-rule").outputs["arn"],
        "roleArn": run.named(f"{service}-infrastructure-role").outputs["arn"],
    }


def test_lifecycle_hooks_are_invoked_with_the_infrastructure_role_which_may_invoke_only_them() -> None:
    run = staging_delivery_run()  # the api: canary with hooks on HOOK (with details) and HOOK:live
    role = run.named("api-infrastructure-role").outputs["arn"]
    assert run.named("api-service").inputs["deploymentConfiguration"]["lifecycleHooks"] == [
        {
            "hookTargetArn": HOOK,
            "roleArn": role,
            "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
            "hookDetails": '{"path": "/health"}',
        },
        {"hookTargetArn": f"{HOOK}:live", "roleArn": role, "lifecycleStages": ["PRE_SCALE_UP", "POST_SCALE_UP"]},
    ]
    [invoke] = [
        s for s in policy(run.named("api-infrastructure-policy"))["Statement"] if s["Sid"] == "InvokeLifecycleHooks"
    ]
    assert (invoke["Action"], invoke["Resource"]) == (["lambda:InvokeFunction"], [HOOK, f"{HOOK}:live"])


def test_a_blue_green_worker_has_no_load_balancer_plumbing_and_a_role_only_for_its_hooks() -> None:
    run = staging_delivery_run()  # worker: blue-green; hooked (a copy of the worker): blue-green, one hook
    service = run.named("worker-service")
    assert service.inputs["deploymentConfiguration"] == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "10"}
    assert "loadBalancers" not in service.inputs or not service.inputs["loadBalancers"]
    assert not [r for r in run.resources if r.name.startswith("worker-infrastructure")]
    hooked = run.named("hooked-service")
    assert hooked.inputs["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert "loadBalancers" not in hooked.inputs or not hooked.inputs["loadBalancers"]
    [statement] = policy(run.named("hooked-infrastructure-policy"))["Statement"]
    assert (statement["Sid"], statement["Resource"]) == ("InvokeLifecycleHooks", [HOOK])
    assert not [r for r in run.of_type(LISTENER_RULE, ROLE_POLICY) if r.name.startswith("hooked-test")]


def test_a_hook_naming_a_stack_function_gets_that_functions_arn() -> None:
    # The functions capability will hand its functions to ServiceArgs.functions; the hook resolves against them.
    from types import SimpleNamespace

    from components.config.compute import DeploymentConfig
    from components.service import Service

    deployment = DeploymentConfig.model_validate(
        {
            "strategy": "canary",
            "lifecycleHooks": [
                {"function": "${functions.smoke-test.arn}", "stages": ["POST_TEST_TRAFFIC_SHIFT"]},
                {"function": HOOK, "stages": ["PRE_SCALE_UP"]},
            ],
        }
    )
    functions = {"smoke-test": SimpleNamespace(arn="arn:aws:lambda:us-east-1:123456789012:function:platform-smoke")}
    fake = SimpleNamespace(
        _name="api", _args=SimpleNamespace(config=SimpleNamespace(deployment=deployment), functions=functions)
    )
    hooks = Service._hooks(fake)  # type: ignore[arg-type]
    assert [(h.function_arn, list(h.stages)) for h in hooks] == [
        ("arn:aws:lambda:us-east-1:123456789012:function:platform-smoke", ["POST_TEST_TRAFFIC_SHIFT"]),
        (HOOK, ["PRE_SCALE_UP"]),
    ]
    fake._args.functions = {}
    with pytest.raises(ValueError, match=r"lifecycle hook function \$\{functions.smoke-test.arn\} is not a function"):
        Service._hooks(fake)  # type: ignore[arg-type]
