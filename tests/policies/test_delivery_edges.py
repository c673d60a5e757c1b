"""test-listener-not-public at its edges: how the policy follows a test rule to its listener, load balancer and
security groups when some of them are outside the stack, not what they seem, or unknown at a first preview."""

from __future__ import annotations

from policies.guardrails.delivery import TEST_LISTENER_NOT_PUBLIC

from .helpers import UNKNOWN, UNKNOWN_ARRAY, R, check_stack
from .test_delivery import INGRESS, LB, NOT_PUBLIC_HINT, SG, TEST_RULE, alb_stack

OPEN_TEST_LISTENER = (
    "aws:lb/listener:Listener 'test' carries the test traffic of aws:ecs/service:Service 'api-service' "
    "(aws:lb/listenerRule:ListenerRule 'api-test-rule'), a revision no one has checked yet, and "
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'in-test-0' admits 0.0.0.0/0 on port 8443: "
    f"the internet reaches it. {NOT_PUBLIC_HINT}"
)


def named(resources: list[R], name: str) -> R:
    return next(r for r in resources if r.name == name)


def test_dependencies_on_resources_outside_the_stack_or_of_another_type_are_skipped() -> None:
    resources, _ = alb_stack(test_sources=("0.0.0.0/0",))
    elsewhere = R(LB, "another-stacks-alb")  # not in the stack: by URN, nothing
    listener, group, rule = named(resources, "test"), named(resources, "alb-sg"), named(resources, "api-test-rule")
    listener.deps["loadBalancerArn"] = [elsewhere, group, *listener.deps["loadBalancerArn"]]
    rule.deps["listenerArn"] = [elsewhere, group, *rule.deps["listenerArn"]]
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, resources).violations == [OPEN_TEST_LISTENER]


def test_a_test_listener_whose_load_balancer_is_outside_the_stack_has_nothing_to_judge() -> None:
    resources, _ = alb_stack(test_sources=("0.0.0.0/0",))
    named(resources, "test").deps["loadBalancerArn"] = [R(LB, "another-stacks-alb")]
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, resources).passed


def test_a_test_listener_whose_port_is_unknown_is_deferred() -> None:
    resources, _ = alb_stack(test_sources=("0.0.0.0/0",))
    named(resources, "test").props["port"] = UNKNOWN
    result = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert result.violations == [] and result.deferred
    assert "the ingress of the test listener aws:lb/listener:Listener 'test'" in result.deferred[0]


def test_a_group_open_to_the_internet_but_not_on_the_load_balancer_does_not_reach_the_listener() -> None:
    resources, _ = alb_stack()
    other = R(SG, "batch-sg", {"vpcId": "vpc-1"})
    opened = R(
        INGRESS,
        "batch-in",
        {"ipProtocol": "tcp", "fromPort": 8443, "toPort": 8443, "cidrIpv4": "0.0.0.0/0"},
        deps={"securityGroupId": [other]},
    )
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, [*resources, other, opened]).passed


def test_a_load_balancer_group_whose_ingress_is_unknown_defers_the_test_listener() -> None:
    resources, _ = alb_stack()
    named(resources, "alb-sg").props["ingress"] = UNKNOWN_ARRAY
    result = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert result.violations == [] and result.deferred
    assert "the ingress of the test listener aws:lb/listener:Listener 'test'" in result.deferred[0]


def test_unknown_ingress_before_the_rule_arns_are_known_defers_the_service() -> None:
    resources, _ = alb_stack(known=False)
    named(resources, "alb-sg").props["ingress"] = UNKNOWN_ARRAY
    result = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert result.violations == [] and len(result.deferred) == 1
    assert "the ingress of the listeners of aws:ecs/service:Service 'api-service'" in result.deferred[0]


def test_the_target_group_among_a_services_dependencies_is_not_counted_as_a_listener_rule() -> None:
    # ECS services depend on their target group too; only listener rules count as production or test rules.
    resources, named_resources = alb_stack(test_on_production_listener=True, known=False)
    group = R("aws:lb/targetGroup:TargetGroup", "api-tg", {"arn": UNKNOWN, "port": 8000})
    service = named(resources, "api-service")
    service.deps["loadBalancers"] = [group, *service.deps["loadBalancers"]]
    result = check_stack(TEST_LISTENER_NOT_PUBLIC, [group, *resources])
    assert result.urns == [named_resources["service"].urn]
    assert result.violations[0].startswith(
        "aws:ecs/service:Service 'api-service' has 2 listener rules the internet reaches but only 1 production "
        "rule(s): its test listener rule is reachable too"
    )


def test_a_service_whose_load_balancers_are_unknown_leaves_its_test_listener_to_the_port_check() -> None:
    resources, _ = alb_stack(test_sources=("0.0.0.0/0",))
    named(resources, "api-service").props["loadBalancers"] = UNKNOWN_ARRAY
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, resources).violations == [
        "aws:lb/listener:Listener 'test' is a test listener (port 8443, testListenerPorts), a revision no one has "
        "checked yet, and aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule 'in-test-0' admits 0.0.0.0/0 on "
        f"port 8443: the internet reaches it. {NOT_PUBLIC_HINT}"
    ]


def test_a_known_test_rule_made_outside_the_stack_does_not_turn_the_production_rule_into_a_test_rule() -> None:
    # The service names a test rule its dependencies do not lead to (made in another stack): the production rule,
    # the one rule the policy sees, is not its test rule, and the test rule's listener is not here to judge.
    resources, _ = alb_stack(test_port=9443, test_sources=("0.0.0.0/0",))
    service = named(resources, "api-service")
    service.deps["loadBalancers"] = [named(resources, "api-rule")]
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, [r for r in resources if r.name != "api-test-rule"]).passed


def test_a_rule_made_elsewhere_is_not_counted_among_the_rules_unknown_at_preview() -> None:
    # Two test rules: one made in another stack (ARN known), one here (ARN unknown, on the production listener).
    resources, named_resources = alb_stack(test_on_production_listener=True, known=False)
    service = named(resources, "api-service")
    entry = service.props["loadBalancers"][0]
    elsewhere = {**entry, "advancedConfiguration": {**entry["advancedConfiguration"], "testListenerRule": TEST_RULE}}
    service.props["loadBalancers"].append(elsewhere)
    result = check_stack(TEST_LISTENER_NOT_PUBLIC, resources)
    assert result.urns == [named_resources["service"].urn]
    assert result.violations[0].startswith(
        "aws:ecs/service:Service 'api-service' has 2 listener rules the internet reaches but only 1 production "
        "rule(s): its test listener rule is reachable too"
    )


def test_a_test_rule_whose_listener_is_outside_the_stack_has_nothing_to_judge() -> None:
    resources, _ = alb_stack(test_port=9443, test_sources=("0.0.0.0/0",))  # 9443: not judged by port either
    named(resources, "api-test-rule").deps["listenerArn"] = [R("aws:lb/listener:Listener", "shared-listener")]
    assert check_stack(TEST_LISTENER_NOT_PUBLIC, resources).passed
