"""A REST API proxying the web service: stage logs, X-Ray, throttles, usage plan and AWS-generated keys, custom
domain, web ACL, origin-verify header from Secrets Manager required by the ALB rule, alarms; the pack passes."""

from __future__ import annotations

import json

import pytest

from offline.engine import StackRun
from offline.policy_harness import PolicyHarness, format_report

from .variants import prod_edge_run


@pytest.fixture(scope="module")
def api_run() -> StackRun:
    """prod with the REST API `public` (variants.API) proxying its api service (tests/components/variants.py)."""
    return prod_edge_run()


def one(run: StackRun, resource_type: str, name: str) -> dict:
    [resource] = [r for r in run.of_type(resource_type) if r.name == name]
    return resource.inputs


def test_the_proxy_requires_an_api_key_and_adds_the_origin_verify_header(api_run: StackRun) -> None:
    body = json.loads(one(api_run, "aws:apigateway/restApi:RestApi", "api-public-rest-api")["body"])
    value = one(api_run, "aws:secretsmanager/secretVersion:SecretVersion", "origin-verify-api-value")["secretString"]
    for path in ("/", "/{proxy+}"):
        operation = body["paths"][path]["x-amazon-apigateway-any-method"]
        integration = operation["x-amazon-apigateway-integration"]
        assert integration["type"] == "http_proxy" and integration["uri"].startswith("https://")
        assert integration["requestParameters"]["integration.request.header.X-Origin-Verify"] == f"'{value}'"
        assert operation["security"] == [{"api_key": []}]


def test_the_alb_rule_refuses_requests_without_the_header(api_run: StackRun) -> None:
    rule = one(api_run, "aws:lb/listenerRule:ListenerRule", "api-rule")
    value = one(api_run, "aws:secretsmanager/secretVersion:SecretVersion", "origin-verify-api-value")["secretString"]
    [header] = [c["httpHeader"] for c in rule["conditions"] if "httpHeader" in c]
    assert header == {"httpHeaderName": "X-Origin-Verify", "values": [value]}
    worker_rules = [r for r in api_run.of_type("aws:lb/listenerRule:ListenerRule") if not r.name.startswith("api-")]
    assert all("httpHeader" not in c for r in worker_rules for c in r.inputs["conditions"])


def test_the_stage_logs_json_to_an_encrypted_group_with_x_ray_and_throttles(api_run: StackRun) -> None:
    stage = one(api_run, "aws:apigateway/stage:Stage", "api-public-stage")
    group = one(api_run, "aws:cloudwatch/logGroup:LogGroup", "api-public-access-logs")
    assert stage["xrayTracingEnabled"] is True
    assert json.loads(stage["accessLogSettings"]["format"])["requestId"] == "$context.requestId"
    assert group["kmsKeyId"].startswith("arn:aws:kms:")
    settings = {
        r.inputs["methodPath"]: r.inputs["settings"]
        for r in api_run.of_type("aws:apigateway/methodSettings:MethodSettings")
    }
    assert settings["*/*"]["throttlingRateLimit"] == 100 and settings["*/*"]["throttlingBurstLimit"] == 200
    assert settings["*/*"]["loggingLevel"] == "ERROR" and settings["*/*"]["dataTraceEnabled"] is False
    assert settings["health/GET"]["throttlingRateLimit"] == 10


def test_usage_plan_keys_are_generated_by_aws(api_run: StackRun) -> None:
    plan = one(api_run, "aws:apigateway/usagePlan:UsagePlan", "api-public-plan-standard")
    assert plan["throttleSettings"] == {"rateLimit": 100, "burstLimit": 200}
    assert plan["quotaSettings"] == {"limit": 100000, "period": "MONTH"}
    key = one(api_run, "aws:apigateway/apiKey:ApiKey", "api-public-key-partner-a")
    assert "value" not in key
    assert (
        one(api_run, "aws:apigateway/usagePlanKey:UsagePlanKey", "api-public-plan-standard-partner-a")["keyType"]
        == "API_KEY"
    )


def test_custom_domain_waf_and_alarms(api_run: StackRun) -> None:
    domain = one(api_run, "aws:apigateway/domainName:DomainName", "api-public-domain")
    assert domain["securityPolicy"] == "TLS_1_2"
    association = one(api_run, "aws:wafv2/webAclAssociation:WebAclAssociation", "api-public-waf-association")
    assert "/restapis/" in association["resourceArn"] and association["resourceArn"].endswith("/stages/v1")
    alarms = {
        r.name: r.inputs
        for r in api_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.name.startswith("api-public-")
    }
    assert set(alarms) == {
        "api-public-5xx-rate",
        "api-public-4xx-rate",
        "api-public-latency-p95",
        "api-public-latency-p99",
    }
    assert alarms["api-public-latency-p95"]["extendedStatistic"] == "p95"
    assert alarms["api-public-5xx-rate"]["threshold"] == 0.05


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_prod_with_an_api_passes_every_mandatory_policy(preview: bool, pack_harness: PolicyHarness) -> None:
    run = prod_edge_run(preview=preview)
    report = pack_harness.check(run.resources, stack="prod", preview=preview)
    assert report.mandatory == [], format_report(report)


def test_with_a_custom_domain_clients_use_it_and_the_execute_api_endpoint_is_off(api_run: StackRun) -> None:
    api = one(api_run, "aws:apigateway/restApi:RestApi", "api-public-rest-api")
    assert api["disableExecuteApiEndpoint"] is True
    assert api_run.outputs["apiUrls"] == {"public": "https://gw.example.com"}
    assert set(api_run.outputs["apiKeyIds"]) == {"public.partner-a"}


def test_the_origin_verify_value_is_generated_once_and_kept_in_state(api_run: StackRun) -> None:
    """A RandomPassword (state), never an invoke answering a new value at every run: an `up` does not rotate it."""
    [password] = [r for r in api_run.of_type("random:index/randomPassword:RandomPassword") if "origin-verify" in r.name]
    assert (password.inputs["length"], password.inputs["special"]) == (48, False)
    version = one(api_run, "aws:secretsmanager/secretVersion:SecretVersion", "origin-verify-api-value")
    assert version["secretString"] == password.outputs["result"]
