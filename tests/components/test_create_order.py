"""First-create ordering: the edges AWS needs that no input reference implies.

The engine creates a resource only after everything it depends on (explicitly or through an input's
property dependencies). Mocks cannot see AWS's eventual consistency, so these tests assert the edges on the
recorded graph of every stack: where an edge is missing, a first `pulumi up` on a new account races.
"""

from __future__ import annotations

from collections.abc import Iterable

from offline.engine import RecordedResource, StackRun

ALB = "aws:lb/loadBalancer:LoadBalancer"
ECS_SERVICE = "aws:ecs/service:Service"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _waits_for(run: StackRun, resource: RecordedResource) -> set[str]:
    """URNs `resource` transitively waits for before its create (dependencies and property dependencies)."""
    by_urn = run.by_urn()
    seen: set[str] = set()
    pending = [resource.urn]
    while pending:
        current = by_urn[pending.pop()]
        edges = {*current.dependencies, *(u for urns in current.property_dependencies.values() for u in urns)}
        for urn in edges - seen:
            seen.add(urn)
            if urn in by_urn:
                pending.append(urn)
    return seen


def _named(run: StackRun, type_: str, predicate: object) -> list[RecordedResource]:
    assert callable(predicate)
    return [r for r in run.of_type(type_) if predicate(r.name)]


def _missing(run: StackRun, resource: RecordedResource, needed: Iterable[RecordedResource]) -> list[str]:
    waits = _waits_for(run, resource)
    return sorted(r.name for r in needed if r.urn not in waits)


def test_internet_facing_alb_waits_for_the_internet_gateway_and_public_routes(stack_run: StackRun) -> None:
    needed = [
        *stack_run.of_type("aws:ec2/internetGateway:InternetGateway"),
        stack_run.named("network-public-default"),
        *_named(
            stack_run, "aws:ec2/routeTableAssociation:RouteTableAssociation", lambda n: n.startswith("network-public-")
        ),
    ]
    assert len(needed) >= 3
    albs = [r for r in stack_run.of_type(ALB) if r.inputs.get("internal") is False]
    assert albs, f"{stack_run.stack}: no internet-facing ALB recorded"
    for alb in albs:
        assert _missing(stack_run, alb, needed) == [], f"{stack_run.stack}: {alb.name} does not wait for them"


def test_services_wait_for_private_routes_endpoints_and_their_role_policies(stack_run: StackRun) -> None:
    network = [
        *_named(stack_run, "aws:ec2/route:Route", lambda n: n.startswith("network-private-")),
        *_named(
            stack_run, "aws:ec2/routeTableAssociation:RouteTableAssociation", lambda n: n.startswith("network-private-")
        ),
        *stack_run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"),
    ]
    assert any(r.type == "aws:ec2/vpcEndpoint:VpcEndpoint" for r in network)
    services = stack_run.of_type(ECS_SERVICE)
    assert services, f"{stack_run.stack}: no ECS service recorded"
    for service in services:
        own_policies = [p for p in stack_run.of_type(ROLE_POLICY) if p.parent == service.parent]
        assert {p.name.rsplit("-", 2)[-2] for p in own_policies} >= {"execution"}, service.name
        missing = _missing(stack_run, service, [*network, *own_policies])
        assert missing == [], f"{stack_run.stack}: {service.name} starts tasks before {missing} exist"


def test_nat_routes_exist_wherever_a_nat_gateway_does(stack_run: StackRun) -> None:
    """Guards the test above: with NAT gateways, the private routes it requires are really recorded."""
    nats = stack_run.of_type("aws:ec2/natGateway:NatGateway")
    routes = _named(stack_run, "aws:ec2/route:Route", lambda n: n.startswith("network-private-"))
    assert (len(routes) > 0) == (len(nats) > 0)


def test_flow_log_waits_for_its_role_policy(stack_run: StackRun) -> None:
    (flow_log,) = stack_run.of_type(FLOW_LOG)
    policy = stack_run.named("network-flow-logs-write")
    assert _missing(stack_run, flow_log, [policy]) == []


def test_a_missing_edge_is_detected(stack_runs: dict[str, StackRun]) -> None:
    """The checker itself: a service stripped of its explicit dependencies is reported."""
    run = stack_runs["prod"]
    service = run.of_type(ECS_SERVICE)[0]
    stripped = RecordedResource(**{**service.__dict__, "dependencies": [], "property_dependencies": {}})
    stripped_run = StackRun(
        run.stack,
        run.project,
        run.preview,
        [stripped if r.urn == service.urn else r for r in run.resources],
        run.outputs,
    )
    endpoints = stripped_run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert _missing(stripped_run, stripped, endpoints) == sorted(e.name for e in endpoints)
