"""The network each real stack creates is exactly right for its config."""

from __future__ import annotations

import ipaddress

from components.config import load_stack_config
from offline.engine import RecordedResource, StackRun, stack_config

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"


def _config(run: StackRun):
    return load_stack_config(run.stack, stack_config(run.stack)).network


def _by_id(run: StackRun, *types: str) -> dict[str | None, RecordedResource]:
    return {r.id: r for r in run.of_type(*types)}


def _subnets_by_tier(run: StackRun) -> dict[str, list]:
    tiers: dict[str, list] = {"public": [], "private": [], "data": []}
    for subnet in run.of_type(SUBNET):
        tiers[subnet.inputs["tags"]["Tier"]].append(subnet)
    return tiers


def _table_of_subnet(run: StackRun) -> dict[str, str]:
    return {a.inputs["subnetId"]: a.inputs["routeTableId"] for a in run.of_type(ASSOCIATION)}


def test_each_tier_has_one_subnet_per_az_inside_the_vpc_cidr(stack_run: StackRun) -> None:
    config = _config(stack_run)
    vpc_cidr = ipaddress.IPv4Network(config.cidr)
    tiers = _subnets_by_tier(stack_run)
    for subnets in tiers.values():
        assert len(subnets) == config.az_count
        assert len({s.inputs["availabilityZone"] for s in subnets}) == config.az_count
        for subnet in subnets:
            assert ipaddress.IPv4Network(subnet.inputs["cidrBlock"]).subnet_of(vpc_cidr)
            assert subnet.inputs["mapPublicIpOnLaunch"] is False
    cidrs = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in stack_run.of_type(SUBNET)]
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])


def test_vpc_has_dns_and_the_configured_cidr(stack_run: StackRun) -> None:
    [vpc] = stack_run.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == _config(stack_run).cidr
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_nat_count_follows_the_strategy(stack_run: StackRun) -> None:
    config = _config(stack_run)
    expected = {"none": 0, "single": 1, "per-az": config.az_count}[config.nat_strategy]
    assert len(stack_run.of_type(NAT)) == expected
    assert len(stack_run.of_type("aws:ec2/eip:Eip")) == expected


def test_private_subnets_route_to_a_nat_in_their_own_az(stack_run: StackRun) -> None:
    config = _config(stack_run)
    nats = _by_id(stack_run, NAT)
    subnet_az = {s.id: s.inputs["availabilityZone"] for s in stack_run.of_type(SUBNET)}
    table_of = _table_of_subnet(stack_run)
    default_routes = {
        r.inputs["routeTableId"]: r for r in stack_run.of_type(ROUTE) if r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    }
    for subnet in _subnets_by_tier(stack_run)["private"]:
        route = default_routes[table_of[subnet.id]]
        nat = nats[route.inputs["natGatewayId"]]
        nat_az = subnet_az[nat.inputs["subnetId"]]
        if config.nat_strategy == "per-az":
            assert nat_az == subnet.inputs["availabilityZone"]


def test_each_private_subnet_has_its_own_route_table(stack_run: StackRun) -> None:
    table_of = _table_of_subnet(stack_run)
    private = _subnets_by_tier(stack_run)["private"]
    assert len({table_of[s.id] for s in private}) == len(private)


def test_data_subnets_have_no_route_to_the_internet(stack_run: StackRun) -> None:
    table_of = _table_of_subnet(stack_run)
    data_tables = {table_of[s.id] for s in _subnets_by_tier(stack_run)["data"]}
    routes_out = [r for r in stack_run.of_type(ROUTE) if r.inputs["routeTableId"] in data_tables]
    assert routes_out == []
    tables = _by_id(stack_run, ROUTE_TABLE)
    for table_id in data_tables:
        assert tables[table_id].inputs.get("routes", []) == []


def test_public_subnets_route_to_the_internet_gateway(stack_run: StackRun) -> None:
    [igw] = stack_run.of_type("aws:ec2/internetGateway:InternetGateway")
    table_of = _table_of_subnet(stack_run)
    public_tables = {table_of[s.id] for s in _subnets_by_tier(stack_run)["public"]}
    [route] = [r for r in stack_run.of_type(ROUTE) if r.inputs["routeTableId"] in public_tables]
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["gatewayId"] == igw.id


def test_gateway_endpoints_serve_private_and_data_route_tables(stack_run: StackRun) -> None:
    table_of = _table_of_subnet(stack_run)
    tiers = _subnets_by_tier(stack_run)
    expected = {table_of[s.id] for s in tiers["private"] + tiers["data"]}
    gateways = {
        e.inputs["serviceName"]: e
        for e in stack_run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if e.inputs["vpcEndpointType"] == "Gateway"
    }
    assert set(gateways) == {"com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.dynamodb"}
    for endpoint in gateways.values():
        assert set(endpoint.inputs["routeTableIds"]) == expected


def test_interface_endpoints_admit_https_from_the_vpc_only(stack_run: StackRun) -> None:
    config = _config(stack_run)
    interfaces = [
        e for e in stack_run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Interface"
    ]
    services = sorted(e.inputs["serviceName"].removeprefix("com.amazonaws.us-east-1.") for e in interfaces)
    assert services == sorted(config.interface_endpoints)
    if not interfaces:
        return
    private_ids = {s.id for s in _subnets_by_tier(stack_run)["private"]}
    group_ids = {g for e in interfaces for g in e.inputs["securityGroupIds"]}
    [group_id] = group_ids
    rules = [
        r
        for r in stack_run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == group_id
    ]
    assert [(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"]) for r in rules] == [
        (443, 443, config.cidr)
    ]
    for endpoint in interfaces:
        assert set(endpoint.inputs["subnetIds"]) == private_ids
        assert endpoint.inputs["privateDnsEnabled"] is True


def test_flow_logs_capture_all_traffic_into_a_retained_group(stack_run: StackRun) -> None:
    [vpc] = stack_run.of_type("aws:ec2/vpc:Vpc")
    [flow_log] = stack_run.of_type("aws:ec2/flowLog:FlowLog")
    groups = {g.outputs["arn"]: g for g in stack_run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    group = groups[flow_log.inputs["logDestination"]]
    assert flow_log.inputs["vpcId"] == vpc.id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert group.inputs["retentionInDays"] >= 90
    assert group.inputs["retentionInDays"] == _config(stack_run).flow_logs.retention_days


def test_flow_log_role_can_write_only_its_own_log_group(stack_run: StackRun) -> None:
    import json

    [flow_log] = stack_run.of_type("aws:ec2/flowLog:FlowLog")
    roles = {r.outputs["arn"]: r for r in stack_run.of_type("aws:iam/role:Role")}
    role = roles[flow_log.inputs["iamRoleArn"]]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": ["vpc-flow-logs.amazonaws.com"]}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    [policy] = [p for p in stack_run.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    group_arn = flow_log.inputs["logDestination"]
    assert statement["Resource"] == [group_arn, f"{group_arn}:*"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]


def test_default_security_group_is_managed_with_no_rules(stack_run: StackRun) -> None:
    [vpc] = stack_run.of_type("aws:ec2/vpc:Vpc")
    [default] = stack_run.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["vpcId"] == vpc.id
    assert default.inputs.get("ingress", []) == []
    assert default.inputs.get("egress", []) == []


def test_network_outputs_are_narrow(stack_run: StackRun) -> None:
    [network] = stack_run.of_type("platform:network:Network")
    children = stack_run.children_of(network.urn)
    assert {c.type for c in children} >= {"aws:ec2/vpc:Vpc", SUBNET}
    config = _config(stack_run)
    assert len(stack_run.outputs["privateSubnetIds"]) == config.az_count
    assert stack_run.outputs["vpcCidr"] == config.cidr


def test_prod_flow_log_group_is_protected_and_dev_is_not(stack_runs: dict[str, StackRun]) -> None:
    [prod_group] = [
        g for g in stack_runs["prod"].of_type("aws:cloudwatch/logGroup:LogGroup") if g.name == "network-flow-logs"
    ]
    [dev_group] = [
        g for g in stack_runs["dev"].of_type("aws:cloudwatch/logGroup:LogGroup") if g.name == "network-flow-logs"
    ]
    assert prod_group.protect is True
    assert dev_group.protect is False
