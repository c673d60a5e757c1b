"""prod-web-progressive-delivery and test-listener-not-public: production web services release by a progressive
strategy (or rolling with the circuit breaker), always with rollback alarms; a test listener never admits the
internet."""

from __future__ import annotations

import copy
from typing import Any

from policies.guardrails.delivery import (
    PROD_WEB_PROGRESSIVE_DELIVERY,
    RELEASE_HINT,
    TEST_LISTENER_NOT_PUBLIC,
)

from .helpers import UNKNOWN, UNKNOWN_ARRAY, R, check, check_stack

SERVICE = "aws:ecs/service:Service"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/platform-prod-api/1"
ALT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/platform-prod-api-alt/2"
PROD_RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/1/1/1"
TEST_RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/1/2/2"
ROLE = "arn:aws:iam::123456789012:role/platform-prod-api-ecs-infrastructure"
ALARMS = {
    "enable": True,
    "rollback": True,
    "alarmNames": ["platform-prod-api-5xx-rate", "platform-prod-api-unhealthy-hosts"],
}
PREFIX = "aws:ecs/service:Service 'r' serves production traffic behind a load balancer, but "
SUFFIX = f". A bad release must turn back by itself in minutes. {RELEASE_HINT}"


def canary_service(**changes: Any) -> dict[str, Any]:
    """The prod api as the platform builds it: canary, both target groups and rules, rollback alarms."""
    props: dict[str, Any] = {
        "tags": {"Environment": "prod"},
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": {
            "strategy": "CANARY",
            "bakeTimeInMinutes": "10",
            "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": "10"},
        },
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "alarms": copy.deepcopy(ALARMS),
        "loadBalancers": [
            {
                "targetGroupArn": TG,
                "containerName": "api",
                "containerPort": 8000,
                "advancedConfiguration": {
                    "alternateTargetGroupArn": ALT,
                    "roleArn": ROLE,
                    "productionListenerRule": PROD_RULE,
                    "testListenerRule": TEST_RULE,
                },
            }
        ],
    }
    props.update(changes)
    return props


def rolling_service(**changes: Any) -> dict[str, Any]:
    props = canary_service(
        deploymentConfiguration={"strategy": "ROLLING"},
        loadBalancers=[{"targetGroupArn": TG, "containerName": "api", "containerPort": 8000}],
    )
    props.update(changes)
    return props


# -- prod-web-progressive-delivery ------------------------------------------------------------------------
def test_a_prod_canary_service_with_rollback_alarms_passes() -> None:
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, canary_service()).passed
    for strategy in ("LINEAR", "BLUE_GREEN"):
        assert check(
            PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, canary_service(deploymentConfiguration={"strategy": strategy})
        ).passed


def test_a_prod_rolling_service_with_circuit_breaker_and_alarms_passes() -> None:
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, rolling_service()).passed
    absent = rolling_service()
    del absent["deploymentConfiguration"]  # no strategy is ROLLING, no controller is ECS
    del absent["deploymentController"]
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, absent).passed


def test_a_prod_rolling_service_without_the_circuit_breaker_is_refused() -> None:
    result = check(
        PROD_WEB_PROGRESSIVE_DELIVERY,
        SERVICE,
        rolling_service(deploymentCircuitBreaker={"enable": True, "rollback": False}),
    )
    assert result.violations == [
        "aws:ecs/service:Service 'r' serves production traffic behind a load balancer, but it deploys by rolling "
        "without the deployment circuit breaker rolling back (deploymentCircuitBreaker {enable: true, rollback: "
        "true}). A bad release must turn back by itself in minutes. Deploy by canary, linear or blue-green "
        "(deploymentConfiguration.strategy with each load balancer's advancedConfiguration), or by rolling with "
        "deploymentCircuitBreaker {enable, rollback}; either way with alarms {enable, rollback, alarmNames: the "
        "service's 5xx and unhealthy-host alarms}. In the platform's config: services.<name>.deployment.strategy."
    ]


def test_a_prod_web_service_without_rollback_alarms_is_refused_whatever_its_strategy() -> None:
    for props in (
        canary_service(alarms=None),
        rolling_service(alarms={**ALARMS, "rollback": False}),
        canary_service(alarms={**ALARMS, "alarmNames": []}),
    ):
        assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, props).violations == [
            f"{PREFIX}no deployment alarm rolls it back (alarms {{enable: true, rollback: true, alarmNames: "
            f"[...]}}){SUFFIX}"
        ]


def test_a_progressive_service_without_advanced_configuration_is_refused() -> None:
    bare = canary_service(loadBalancers=[{"targetGroupArn": TG, "containerName": "api", "containerPort": 8000}])
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, bare).violations == [
        f"{PREFIX}it deploys by CANARY but loadBalancers[0] has no advancedConfiguration (alternate target group, "
        f"production listener rule, role){SUFFIX}"
    ]
    partial = canary_service()
    del partial["loadBalancers"][0]["advancedConfiguration"]["roleArn"]
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, partial).violations == [
        f"{PREFIX}it deploys by CANARY but loadBalancers[0].advancedConfiguration lacks roleArn{SUFFIX}"
    ]


def test_a_code_deploy_controller_is_refused() -> None:
    code_deploy = rolling_service(deploymentController={"type": "CODE_DEPLOY"})
    result = check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, code_deploy)
    assert result.violations == [
        f"{PREFIX}its deployment controller is CODE_DEPLOY, which bypasses ECS's strategies, circuit breaker and "
        f"alarm rollback (use ECS){SUFFIX}"
    ]


def test_workers_and_non_production_services_are_not_judged() -> None:
    worker = rolling_service(loadBalancers=[], deploymentCircuitBreaker=None, alarms=None)
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, worker).passed
    dev = rolling_service(tags={"Environment": "dev"}, deploymentCircuitBreaker=None, alarms=None)
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, dev).passed
    assert check(
        PROD_WEB_PROGRESSIVE_DELIVERY,
        SERVICE,
        rolling_service(alarms=None),
        config={"productionEnvironments": ["live"]},
    ).passed  # the production names are configurable


def test_unknown_values_are_deferred_and_unknown_arns_do_not_matter() -> None:
    preview = canary_service()
    preview["loadBalancers"][0] |= {"targetGroupArn": UNKNOWN}
    preview["loadBalancers"][0]["advancedConfiguration"] = dict.fromkeys(
        preview["loadBalancers"][0]["advancedConfiguration"], UNKNOWN
    )
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, preview).passed  # a first preview of the platform's api
    deferred = check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, canary_service(loadBalancers=UNKNOWN_ARRAY))
    assert deferred.violations == [] and len(deferred.deferred) == 1
    assert ".loadBalancers of aws:ecs/service:Service 'r' can't be known during preview" in deferred.deferred[0]


# -- test-listener-not-public --------------------------------------------------------------------------------
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
NOT_PUBLIC_HINT = (
    "Put the test listener on a port of its own (e.g. 8443) admitted from the VPC and named networks "
    "only (the platform: loadBalancer.testListener.cidrs), never 0.0.0.0/0 or ::/0."
)


def alb_stack(
    *,
    test_port: int = 8443,
    test_sources: tuple[str, ...] = ("10.30.0.0/16",),
    known: bool = True,
    test_on_production_listener: bool = False,
) -> tuple[list[R], dict[str, R]]:
    """An ALB open to the internet on 443, a test listener admitting `test_sources`, a canary service."""
    group = R(SG, "alb-sg", {"vpcId": "vpc-1"})
    lb = R(LB, "alb", {"internal": False, "loadBalancerType": "application"}, deps={"securityGroups": [group]})
    https = R(LISTENER, "https", {"port": 443, "protocol": "HTTPS"}, deps={"loadBalancerArn": [lb]})
    test = R(LISTENER, "test", {"port": test_port, "protocol": "HTTPS"}, deps={"loadBalancerArn": [lb]})
    rules = [
        R(
            INGRESS,
            "in-443",
            {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
            deps={"securityGroupId": [group]},
        )
    ]
    rules += [
        R(
            INGRESS,
            f"in-test-{i}",
            {"ipProtocol": "tcp", "fromPort": test_port, "toPort": test_port, "cidrIpv4": cidr},
            deps={"securityGroupId": [group]},
        )
        for i, cidr in enumerate(test_sources)
    ]
    production = R(RULE, "api-rule", {"arn": PROD_RULE if known else UNKNOWN}, deps={"listenerArn": [https]})
    test_rule = R(
        RULE,
        "api-test-rule",
        {"arn": TEST_RULE if known else UNKNOWN},
        deps={"listenerArn": [https if test_on_production_listener else test]},
    )
    props = canary_service()
    if not known:
        props["loadBalancers"][0]["advancedConfiguration"] = dict.fromkeys(
            props["loadBalancers"][0]["advancedConfiguration"], UNKNOWN
        )
    service = R(SERVICE, "api-service", props, deps={"loadBalancers": [production, test_rule]})
    named = {"test": test, "service": service, "https": https}
    return [group, lb, https, test, *rules, production, test_rule, service], named


def test_a_test_listener_admitting_only_the_vpc_passes_known_or_not() -> None:
    for known in (True, False):
        resources, _ = alb_stack(known=known)
        assert check_stack(TEST_LISTENER_NOT_PUBLIC, resources).passed, known


def test_a_test_listener_open_to_the_internet_is_refused() -> None:
    resources, named = alb_stack(test_sources=("10.30.0.0/16", "0.0.0.0/0"))
    result = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert result.violations == [
        "aws:lb/listener:Listener 'test' carries the test traffic of aws:ecs/service:Service 'api-service' "
        "(aws:lb/listenerRule:ListenerRule 'api-test-rule'), a revision no one has checked yet, and "
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'in-test-1' admits 0.0.0.0/0 on port 8443: "
        f"the internet reaches it. {NOT_PUBLIC_HINT}"
    ]
    assert result.urns == [named["test"].urn]
    # named by no service (a listener kept for manual tests): judged by its port alone
    resources, named = alb_stack(test_sources=("0.0.0.0/0",))
    by_port = check_stack(TEST_LISTENER_NOT_PUBLIC, [r for r in resources if r.type != SERVICE])
    assert by_port.violations == [
        "aws:lb/listener:Listener 'test' is a test listener (port 8443, testListenerPorts), a revision no one has "
        "checked yet, and aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'in-test-0' admits 0.0.0.0/0 on "
        f"port 8443: the internet reaches it. {NOT_PUBLIC_HINT}"
    ]


def test_a_test_rule_on_the_internet_facing_listener_is_refused_even_before_arns_are_known() -> None:
    resources, named = alb_stack(test_on_production_listener=True)
    known = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert known.violations == [
        "aws:lb/listener:Listener 'https' carries the test traffic of aws:ecs/service:Service 'api-service' "
        "(aws:lb/listenerRule:ListenerRule 'api-test-rule'), a revision no one has checked yet, and "
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'in-443' admits 0.0.0.0/0 on port 443: the "
        f"internet reaches it. {NOT_PUBLIC_HINT}"
    ]
    resources, named = alb_stack(test_on_production_listener=True, known=False)
    preview = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert preview.urns == [named["service"].urn]
    assert preview.violations[0].startswith(
        "aws:ecs/service:Service 'api-service' has 2 listener rules the internet reaches but only 1 production "
        "rule(s): its test listener rule is reachable too"
    )


def test_a_test_listener_on_another_port_is_judged_once_its_arns_are_known() -> None:
    resources, named = alb_stack(test_port=9443, test_sources=("0.0.0.0/0",))
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, resources).urns == [named["test"].urn]
    resources, _ = alb_stack(test_port=9443, known=False)  # port outside testListenerPorts, ARNs unknown
    deferred = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert deferred.violations == [] and len(deferred.deferred) == 1
    assert "which listener rule of aws:ecs/service:Service 'api-service' is its test rule" in deferred.deferred[0]
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, resources, config={"testListenerPorts": [9443]}).passed


def test_a_stack_without_test_listeners_passes() -> None:
    resources, _ = alb_stack()
    service = next(r for r in resources if r.type == SERVICE)
    service.props = rolling_service()
    assert check_stack(
        TEST_LISTENER_NOT_PUBLIC,
        [r for r in resources if r.name not in ("test", "api-test-rule") and not r.name.startswith("in-test")],
    ).passed


def test_a_service_tagged_production_in_any_case_is_judged_and_an_unknown_tag_defers() -> None:
    for environment in ("production", "Prod"):
        props = rolling_service(tags={"Environment": environment}, alarms=None)
        assert len(check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, props).violations) == 1, environment
    unknown = check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, rolling_service(tags={"Environment": UNKNOWN}, alarms=None))
    assert unknown.violations == [] and "the Environment tag of" in unknown.deferred[0]


def test_string_booleans_from_the_bridged_provider_count() -> None:
    strings = rolling_service(
        deploymentCircuitBreaker={"enable": "true", "rollback": "true"},
        alarms={**ALARMS, "enable": "true", "rollback": "true"},
    )
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, strings).passed
    off = rolling_service(deploymentCircuitBreaker={"enable": "true", "rollback": "false"})
    assert len(check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, off).violations) == 1


def test_release_settings_unknown_at_preview_are_deferred() -> None:
    for props in (
        rolling_service(deploymentCircuitBreaker=UNKNOWN),
        rolling_service(deploymentController={"type": UNKNOWN}),
        canary_service(deploymentConfiguration={"strategy": UNKNOWN}),
        canary_service(alarms=UNKNOWN),
    ):
        result = check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, props)
        assert result.violations == [] and result.deferred, props


def test_a_load_balancer_entry_without_a_target_group_is_no_web_traffic() -> None:
    worker = rolling_service(loadBalancers=[{"containerName": "api"}], alarms=None)
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, worker).passed
    every_entry = canary_service()
    every_entry["loadBalancers"].append({"targetGroupArn": TG, "advancedConfiguration": UNKNOWN})
    every_entry["loadBalancers"].append({"targetGroupArn": TG})
    assert check(PROD_WEB_PROGRESSIVE_DELIVERY, SERVICE, every_entry).violations == [
        f"{PREFIX}it deploys by CANARY but loadBalancers[2] has no advancedConfiguration (alternate target group, "
        f"production listener rule, role){SUFFIX}"
    ]


def test_the_legacy_alb_types_are_traced_too() -> None:
    resources, _ = alb_stack(test_sources=("0.0.0.0/0",))
    legacy = {
        LB: "aws:alb/loadBalancer:LoadBalancer",
        LISTENER: "aws:alb/listener:Listener",
        RULE: "aws:alb/listenerRule:ListenerRule",
    }
    for resource in resources:
        resource.type = legacy.get(resource.type, resource.type)
    violations = check_stack(TEST_LISTENER_NOT_PUBLIC, resources).violations
    assert len(violations) == 1
    assert violations[0].startswith(
        "aws:alb/listener:Listener 'test' carries the test traffic of aws:ecs/service:Service 'api-service' "
        "(aws:alb/listenerRule:ListenerRule 'api-test-rule')"
    )


def _open_test_listener(**rule: Any) -> list[R]:
    resources, _ = alb_stack(test_sources=("0.0.0.0/0",))
    opened = next(r for r in resources if r.name == "in-test-0")
    opened.props = {"cidrIpv4": "0.0.0.0/0", **rule}
    return resources


def test_which_ingress_protocols_and_ports_reach_the_test_listener() -> None:
    for rule in (
        {"ipProtocol": "-1"},
        {"ipProtocol": "all"},
        {"ipProtocol": "6", "fromPort": 8000, "toPort": 9000},
        {"ipProtocol": "tcp", "fromPort": 8443, "toPort": 8443},
    ):
        assert len(check_stack(TEST_LISTENER_NOT_PUBLIC, _open_test_listener(**rule)).violations) == 1, rule
    for rule in (
        {"ipProtocol": "udp", "fromPort": 8443, "toPort": 8443},
        {"ipProtocol": "tcp", "fromPort": 8444, "toPort": 9000},
        {"ipProtocol": "tcp", "fromPort": 80, "toPort": 8442},
    ):
        assert check_stack(TEST_LISTENER_NOT_PUBLIC, _open_test_listener(**rule)).passed, rule
    for rule in (
        {"ipProtocol": UNKNOWN},
        {"ipProtocol": "tcp", "fromPort": UNKNOWN, "toPort": 8443},
    ):
        result = check_stack(TEST_LISTENER_NOT_PUBLIC, _open_test_listener(**rule))
        assert result.violations == [] and "the ingress of the test listener" in result.deferred[0], rule
