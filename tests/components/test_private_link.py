"""`integration: vpcLink`: API Gateway reaches an internal ALB through a VPC link and an internal NLB, and the
service has no internet-facing address at all. The troubleshooter example (which uses vpcLink), and the same file
switched back to the default `https` integration."""

from __future__ import annotations

import json

from offline.cost import estimate_run
from offline.engine import RecordedResource, StackRun, run_stack, stack_config
from tests.examples.support import EXAMPLES, example_config, example_run

LB = "aws:lb/loadBalancer:LoadBalancer"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
TROUBLESHOOTER = EXAMPLES / "troubleshooter" / "Pulumi.prod.yaml"


def vpc_link_config() -> dict[str, str]:
    """The troubleshooter example's config: its API reaches the service through a VPC link."""
    flat = example_config("troubleshooter", "prod")
    assert json.loads(flat["platform:apis"])["public"]["integration"] == "vpcLink"
    return flat


def vpc_link_run(preview: bool = False) -> StackRun:
    """The example's run, shared with tests/examples/test_troubleshooter.py (once per session)."""
    return example_run("troubleshooter", stack="prod", preview=preview)


def named(run: StackRun, name: str) -> RecordedResource:
    [resource] = [r for r in run.resources if r.name == name]
    return resource


def test_the_alb_is_internal_in_the_private_subnets_and_admits_only_the_nlb() -> None:
    run = vpc_link_run()
    private = {r.id for r in run.of_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    alb = named(run, "load-balancer-alb")
    assert alb.inputs["internal"] is True and set(alb.inputs["subnets"]) == private
    alb_group, nlb_group = named(run, "load-balancer-sg"), named(run, "private-link-sg")
    rules = [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == alb_group.id]
    on_443 = [r for r in rules if r.inputs["fromPort"] == 443]
    assert [r.inputs.get("referencedSecurityGroupId") for r in on_443] == [nlb_group.id]
    assert not [r.name for r in rules if "nat" in r.name]  # the test listener admits the VPC, not NAT addresses
    assert not [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == nlb_group.id]


def test_no_security_group_admits_the_internet() -> None:
    run = vpc_link_run()
    opened = [
        r.name
        for r in run.of_type(INGRESS)
        if r.inputs.get("cidrIpv4") == "0.0.0.0/0" or r.inputs.get("cidrIpv6") == "::/0"
    ]
    inline = [r.name for r in run.of_type(SG) for rule in r.inputs.get("ingress") or [] if rule.get("cidrBlocks")]
    assert opened == [] and inline == []


def test_the_nlb_is_internal_cross_zone_protected_and_admits_only_private_link_traffic() -> None:
    run = vpc_link_run()
    nlb = named(run, "private-link-nlb")
    private = {r.id for r in run.of_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    assert nlb.inputs["loadBalancerType"] == "network" and nlb.inputs["internal"] is True
    assert set(nlb.inputs["subnets"]) == private
    assert nlb.inputs["enableCrossZoneLoadBalancing"] is True
    assert nlb.inputs["enableDeletionProtection"] is True  # prod preset
    assert nlb.inputs["enforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    assert nlb.inputs["securityGroups"] == [named(run, "private-link-sg").id]


def test_the_nlb_passes_tcp_443_to_an_alb_target_group() -> None:
    run = vpc_link_run()
    target_group = named(run, "private-link-alb-target")
    assert (target_group.inputs["targetType"], target_group.inputs["protocol"], target_group.inputs["port"]) == (
        "alb",
        "TCP",
        443,
    )
    assert target_group.inputs["healthCheck"]["matcher"] == "200-499"
    listener = named(run, "private-link-tcp")
    assert (listener.inputs["protocol"], listener.inputs["port"]) == ("TCP", 443)
    assert listener.inputs["defaultActions"][0]["targetGroupArn"] == target_group.outputs["arn"]


def test_the_alb_target_is_registered_only_after_the_albs_https_listener_exists() -> None:
    run = vpc_link_run()
    attachment = named(run, "private-link-alb-attachment")
    https = named(run, "load-balancer-https")
    assert https.urn in attachment.property_dependencies["targetId"]
    assert attachment.inputs["targetId"] == named(run, "load-balancer-alb").outputs["arn"]


def test_the_rest_api_proxies_through_the_vpc_link_with_the_origin_verify_header() -> None:
    run = vpc_link_run()
    link = named(run, "private-link-vpc-link")
    assert link.inputs["targetArn"] == named(run, "private-link-nlb").outputs["arn"]
    body = json.loads(named(run, "api-public-rest-api").inputs["body"])
    for path in ("/", "/{proxy+}"):
        integration = body["paths"][path]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
        assert (integration["connectionType"], integration["connectionId"]) == ("VPC_LINK", link.id)
        assert integration["uri"].startswith("https://origin.troubleshooter.example.com/")
        assert "integration.request.header.X-Origin-Verify" in integration["requestParameters"]


def https_config() -> dict[str, str]:
    """The example with the default integration: an internet-facing ALB, which prod requires a web ACL on."""
    flat = stack_config("prod", config_file=TROUBLESHOOTER)
    apis = json.loads(flat["platform:apis"])
    apis["public"]["integration"] = "https"
    load_balancer = json.loads(flat["platform:loadBalancer"])
    load_balancer["waf"] = {"enabled": True}
    return {**flat, "platform:apis": json.dumps(apis), "platform:loadBalancer": json.dumps(load_balancer)}


def test_the_https_integration_stays_over_the_internet_without_a_vpc_link() -> None:
    run = run_stack("prod", config=https_config(), config_file=TROUBLESHOOTER)
    body = json.loads(named(run, "api-public-rest-api").inputs["body"])
    integration = body["paths"]["/"]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
    assert "connectionType" not in integration
    assert (
        not run.of_type("aws:apigateway/vpcLink:VpcLink")
        and named(run, "load-balancer-alb").inputs["internal"] is False
    )


def test_alarms_watch_the_alb_target_and_tcp_resets_and_the_edge_dashboard_draws_them() -> None:
    run = vpc_link_run()
    alarms = {r.name: r.inputs for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    unhealthy, resets = alarms["nlb-alb-unhealthy"], alarms["nlb-tcp-resets"]
    assert (unhealthy["namespace"], unhealthy["metricName"], unhealthy["threshold"]) == (
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        0.0,
    )
    assert set(unhealthy["dimensions"]) == {"LoadBalancer", "TargetGroup"}
    assert (resets["metricName"], resets["statistic"], resets["threshold"]) == ("TCP_ELB_Reset_Count", "Sum", 100.0)
    dashboard = named(run, "edge-dashboard")
    titles = [w["properties"]["title"] for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]]
    assert "VPC link NLB: ALB target health" in titles and "VPC link NLB: new flows and TCP resets" in titles


def test_every_new_resource_is_priced_or_known_free() -> None:
    estimate = estimate_run(vpc_link_run(), vpc_link_config())
    assert estimate.missing == []
    nlb = named(vpc_link_run(), "private-link-nlb")
    assert estimate.per_resource()[nlb.urn] > 0
