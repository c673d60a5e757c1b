"""prod-web-progressive-delivery and test-listener-not-public: how services are released.

- `prod-web-progressive-delivery` (resource, `aws:ecs/service:Service`, production only: the stack or the
  `Environment` tag is a production name). A service behind a load balancer (a `loadBalancers` entry with a
  target group) must release safely: either a progressive strategy (`deploymentConfiguration.strategy`
  BLUE_GREEN, CANARY or LINEAR) with every load balancer entry's `advancedConfiguration` (alternate target
  group, production listener rule, role), or ROLLING (the default) with the deployment circuit breaker on and
  rolling back. Both need deployment alarms that roll back (`alarms` enabled, rollback on, at least one alarm):
  during a canary and the bake they are what turns a bad release back in minutes. The deployment controller
  must be ECS (the default; CODE_DEPLOY and EXTERNAL bypass all of this). Services without a load balancer
  (workers) are not judged: the reference asks this of web services.
- `test-listener-not-public` (stack). A test listener carries traffic to a revision no one has checked yet:
  the listener of any rule an ECS service names as `advancedConfiguration.testListenerRule`. No ingress rule
  of its load balancer's security groups may admit a /0 (0.0.0.0/0, ::/0) on its port; that also refuses a
  test rule placed on the internet-facing 80/443 listener. The rule, its listener, the load balancer and the
  groups are traced through property dependencies; which of a service's rules is the test one is read from
  the rule ARNs. When those are unknown (a first preview), a service none of whose rules is reachable from the
  internet passes, one with more reachable rules than production rules fails, one whose other rules sit on
  `testListenerPorts` listeners (judged by port) passes, and otherwise the check is deferred to `pulumi up`.
  Listeners on the `testListenerPorts` (default 8443, the platform's) are test listeners too, judged from their
  port alone, so a first preview already sees them.
"""

from __future__ import annotations

from pulumi_policy import Severity

from .base import (
    PRODUCTION_SETTING,
    Context,
    Resource,
    Stack,
    StackResource,
    Unknown,
    as_int,
    as_list,
    dig,
    is_true,
    resource_policy,
    stack_policy,
)
from .network import SECURITY_GROUPS, SG_RULE, VPC_INGRESS_RULE, Ingress, ingress_rules, open_sources

ECS_SERVICE = "aws:ecs/service:Service"
LISTENER_RULES = {"aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"}
LISTENERS = {"aws:lb/listener:Listener", "aws:alb/listener:Listener"}
LOAD_BALANCERS = {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
PROGRESSIVE = ("BLUE_GREEN", "CANARY", "LINEAR")
TEST_PORTS_SETTING: dict[str, dict[str, object]] = {
    "testListenerPorts": {
        "type": "array",
        "items": {"type": "integer", "minimum": 1, "maximum": 65535},
        "default": [8443],
        "description": "Listener ports that are test listeners whether or not a service names them (the platform's "
        "test listener is on 8443): judged even before any ARN is known.",
    },
}
DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html"
RELEASE_HINT = (
    "Deploy by canary, linear or blue-green (deploymentConfiguration.strategy with each load balancer's "
    "advancedConfiguration), or by rolling with deploymentCircuitBreaker {enable, rollback}; either way "
    "with alarms {enable, rollback, alarmNames: the service's 5xx and unhealthy-host alarms}. In the "
    "platform's config: services.<name>.deployment.strategy."
)


# -- prod-web-progressive-delivery ------------------------------------------------------------------------
def _balanced(resource: Resource) -> bool | Unknown:
    entries = as_list(resource.get("loadBalancers"))
    if isinstance(entries, Unknown):
        return entries
    return any(isinstance(e, Unknown) or (isinstance(e, dict) and e.get("targetGroupArn")) for e in entries)


def check_release(resource: Resource, ctx: Context) -> None:
    if not ctx.in_production(resource):
        return
    balanced = _balanced(resource)
    if isinstance(balanced, Unknown):
        ctx.defer(f".loadBalancers of {resource.subject}", "judged on `pulumi up`, when known")
        return
    if not balanced:
        return
    values = {
        "controller": resource.get("deploymentController", "type", default="ECS"),
        "strategy": resource.get("deploymentConfiguration", "strategy", default="ROLLING"),
        "alarms": resource.get("alarms"),
    }
    unknown = [key for key, value in values.items() if isinstance(value, Unknown)]
    if unknown:
        ctx.defer(f"{', '.join(unknown)} of {resource.subject}", "judged on `pulumi up`, when known")
        return
    problems: list[str] = []
    if values["controller"] != "ECS":
        problems.append(
            f"its deployment controller is {values['controller']}, which bypasses ECS's strategies, "
            "circuit breaker and alarm rollback (use ECS)"
        )
    strategy = str(values["strategy"])
    if strategy in PROGRESSIVE:
        missing = _missing_advanced(resource)
        if missing:
            problems.append(f"it deploys by {strategy} but {missing}")
    else:
        breaker = resource.get("deploymentCircuitBreaker")
        if isinstance(breaker, Unknown):
            ctx.defer(f".deploymentCircuitBreaker of {resource.subject}", "judged on `pulumi up`, when known")
        elif not (is_true(dig(breaker, "enable")) and is_true(dig(breaker, "rollback"))):
            problems.append(
                f"it deploys by {strategy.lower()} without the deployment circuit breaker rolling back "
                "(deploymentCircuitBreaker {enable: true, rollback: true})"
            )
    alarms = values["alarms"]
    names = as_list(dig(alarms, "alarmNames"))  # unknown names still are names: that some are given counts
    if not (is_true(dig(alarms, "enable")) and is_true(dig(alarms, "rollback")) and names):
        problems.append("no deployment alarm rolls it back (alarms {enable: true, rollback: true, alarmNames: [...]})")
    if problems:
        ctx.violation(
            f"{resource.subject} serves production traffic behind a load balancer, but "
            f"{'; '.join(problems)}. A bad release must turn back by itself in minutes. {RELEASE_HINT}"
        )


def _missing_advanced(resource: Resource) -> str | None:
    """What a progressive service's load balancer entries lack for ECS to shift traffic, or None."""
    entries = as_list(resource.get("loadBalancers"))
    if isinstance(entries, Unknown):
        return None
    for index, entry in enumerate(entries):
        advanced = dig(entry, "advancedConfiguration")
        if isinstance(advanced, Unknown):
            continue
        if not isinstance(advanced, dict):
            return (
                f"loadBalancers[{index}] has no advancedConfiguration (alternate target group, production "
                "listener rule, role)"
            )
        absent = [k for k in ("alternateTargetGroupArn", "productionListenerRule", "roleArn") if not advanced.get(k)]
        if absent:
            return f"loadBalancers[{index}].advancedConfiguration lacks {', '.join(absent)}"
    return None


PROD_WEB_PROGRESSIVE_DELIVERY = resource_policy(
    name="prod-web-progressive-delivery",
    description="Production services behind a load balancer deploy by canary, linear or blue-green, or by rolling "
    "with the circuit breaker, and deployment alarms roll a bad release back.",
    types=[ECS_SERVICE],
    check=check_release,
    settings=PRODUCTION_SETTING,
    severity=Severity.HIGH,
    remediation="deploymentConfiguration.strategy CANARY (or LINEAR, BLUE_GREEN) with advancedConfiguration, or "
    "ROLLING with deploymentCircuitBreaker {enable, rollback}; alarms {enable, rollback, alarmNames}.",
    url=DOCS,
)


# -- test-listener-not-public -------------------------------------------------------------------------------
def _one(stack: Stack, resource: StackResource, key: str, types: set[str]) -> StackResource | None:
    for urn in resource.property_dependencies.get(key, []):
        found = stack.by_urn.get(urn)
        if found is not None and found.type in types:
            return found
    return None


def _covers(rule: Ingress, port: int) -> bool | Unknown:
    protocol = rule.protocol
    if isinstance(protocol, Unknown):
        return protocol
    name = str(as_int(protocol) if as_int(protocol) is not None else protocol).lower()
    if name in {"-1", "all"}:
        return True
    if name not in {"tcp", "6"}:
        return False
    if isinstance(rule.from_port, Unknown) or isinstance(rule.to_port, Unknown):
        return Unknown("number")
    low, high = as_int(rule.from_port), as_int(rule.to_port)
    return low is None or high is None or low <= port <= high


def _internet_admissions(stack: Stack, listener: StackResource) -> list[str] | Unknown:
    """`<rule> admits <cidr>` for each /0 admitted on the listener's port by its load balancer's groups."""
    port = as_int(listener.get("port"))
    lb = _one(stack, listener, "loadBalancerArn", LOAD_BALANCERS)
    if port is None or lb is None:
        return Unknown("number") if isinstance(listener.get("port"), Unknown) else []
    groups = set(lb.property_dependencies.get("securityGroups", []))
    found: list[str] = []
    for resource in stack.of_type(*SECURITY_GROUPS, SG_RULE, VPC_INGRESS_RULE):
        attached = (
            {resource.urn}
            if resource.type in SECURITY_GROUPS
            else set(resource.property_dependencies.get("securityGroupId", []))
        )
        if not attached & groups:
            continue
        rules = ingress_rules(resource.type, resource.props)
        if isinstance(rules, Unknown):
            return rules
        for rule in rules:
            opened, _ = open_sources(rule)
            covered = _covers(rule, port) if opened else False
            if isinstance(covered, Unknown):
                return covered
            if covered:
                found.append(f"{resource.subject} {rule.label}admits {', '.join(opened)} on port {port}")
    return found


def _rules_of(stack: Stack, service: StackResource) -> list[StackResource]:
    return [
        r
        for urn in service.property_dependencies.get("loadBalancers", [])
        if (r := stack.by_urn.get(urn)) is not None and r.type in LISTENER_RULES
    ]


def check_test_listeners(stack: Stack, ctx: Context) -> None:
    hint = (
        "Put the test listener on a port of its own (e.g. 8443) admitted from the VPC and named networks only "
        "(the platform: loadBalancer.testListener.cidrs), never 0.0.0.0/0 or ::/0."
    )
    judged: set[str] = set()
    for service in stack.of_type(ECS_SERVICE):
        entries = as_list(service.get("loadBalancers"))
        if isinstance(entries, Unknown):
            continue
        tests = [dig(e, "advancedConfiguration", "testListenerRule") for e in entries]
        named = [t for t in tests if t]
        if not named:
            continue
        rules = _rules_of(stack, service)
        by_arn = {r.get("arn"): r for r in rules if isinstance(r.get("arn"), str)}
        outside = [t for t in named if isinstance(t, str) and t not in by_arn]  # rules made elsewhere
        if all(isinstance(t, str) for t in named):
            for arn in named:
                if arn in by_arn:  # a rule outside this stack: nothing here to judge (its listener, by port)
                    judged |= _judge(stack, ctx, service, by_arn[arn], hint)
            continue
        _judge_without_arns(stack, ctx, service, rules, tests=len(named) - len(outside), hint=hint)
    ports = {as_int(p) for p in ctx.settings["testListenerPorts"]}
    for listener in stack.of_type(*LISTENERS):
        if as_int(listener.get("port")) in ports and listener.urn not in judged:
            _judge_listener(
                stack,
                ctx,
                listener,
                f"{listener.subject} is a test listener (port {as_int(listener.get('port'))}, testListenerPorts)",
                hint,
            )


def _judge(stack: Stack, ctx: Context, service: StackResource, rule: StackResource, hint: str) -> set[str]:
    """Judge the listener of a service's test rule; returns its URN (judged), or nothing."""
    listener = _one(stack, rule, "listenerArn", LISTENERS)
    if listener is None:
        return set()  # a listener outside this stack: nothing here to judge
    _judge_listener(
        stack, ctx, listener, f"{listener.subject} carries the test traffic of {service.subject} ({rule.subject})", hint
    )
    return {listener.urn}


def _judge_listener(stack: Stack, ctx: Context, listener: StackResource, what: str, hint: str) -> None:
    admissions = _internet_admissions(stack, listener)
    if isinstance(admissions, Unknown):
        ctx.defer(f"the ingress of the test listener {listener.subject}", "judged on `pulumi up`, when known")
    elif admissions:
        ctx.violation(
            f"{what}, a revision no one has checked yet, and {'; '.join(admissions)}: the internet reaches it. {hint}",
            listener.urn,
        )


def _judge_without_arns(
    stack: Stack, ctx: Context, service: StackResource, rules: list[StackResource], *, tests: int, hint: str
) -> None:
    """ARNs unknown (first preview): count the service's rules the internet reaches. At most the production ones
    may be; fewer or equal is ambiguous unless none is."""
    reachable: list[tuple[StackResource, list[str]]] = []
    for rule in rules:
        listener = _one(stack, rule, "listenerArn", LISTENERS)
        admissions = _internet_admissions(stack, listener) if listener is not None else []
        if isinstance(admissions, Unknown):
            ctx.defer(f"the ingress of the listeners of {service.subject}", "judged on `pulumi up`, when known")
            return
        if admissions:
            reachable.append((rule, admissions))
    production = max(len(rules) - tests, 0)
    ports = {as_int(p) for p in ctx.settings["testListenerPorts"]}
    on_test_ports = [
        r
        for r in rules
        if r not in [x for x, _ in reachable]
        and (listener := _one(stack, r, "listenerArn", LISTENERS)) is not None
        and as_int(listener.get("port")) in ports
    ]
    if len(reachable) > production:
        shown = "; ".join(a for _, admissions in reachable for a in admissions)
        ctx.violation(
            f"{service.subject} has {len(reachable)} listener rules the internet reaches but only "
            f"{production} production rule(s): its test listener rule is reachable too ({shown}). {hint}",
            service.urn,
        )
    elif reachable and len(on_test_ports) < tests:  # else the test rules are on test ports, judged above
        ctx.defer(
            f"which listener rule of {service.subject} is its test rule",
            "the rule ARNs are known on `pulumi up`, where the test listener is judged",
        )


TEST_LISTENER_NOT_PUBLIC = stack_policy(
    name="test-listener-not-public",
    description="A test listener (the listener of an ECS service's testListenerRule) admits no 0.0.0.0/0 or ::/0 "
    "on its port.",
    check=check_test_listeners,
    settings=TEST_PORTS_SETTING,
    severity=Severity.HIGH,
    remediation="Give the test listener its own port (e.g. 8443) and admit only the VPC and named CIDRs on it.",
    url=DOCS,
)

POLICIES = [PROD_WEB_PROGRESSIVE_DELIVERY, TEST_LISTENER_NOT_PUBLIC]

__all__ = [
    "POLICIES",
    "PROD_WEB_PROGRESSIVE_DELIVERY",
    "TEST_LISTENER_NOT_PUBLIC",
    "check_release",
    "check_test_listeners",
]
