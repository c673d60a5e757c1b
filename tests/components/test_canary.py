"""Synthetics canaries of the Candlefish example: on the stack's own URL, a current runtime, artifacts in the
platform's encrypted bucket with expiry, a least-privilege role, an alarm on success percent, a widget."""

from __future__ import annotations

import json

import pulumi
import pytest

from components import naming
from components.canary import canary_name
from components.config.functions import CANARY_RUNTIMES
from offline.engine import RecordedResource, StackRun
from tests.examples.support import example_run, example_stack_config

from .compute_support import child, policy

CANARY = "aws:synthetics/canary:Canary"


@pytest.fixture(scope="module")
def run() -> StackRun:
    return example_run("candlefish", stack="prod")


def canaries(run: StackRun) -> dict[str, RecordedResource]:
    return {r.name.removesuffix("-canary"): r for r in run.of_type(CANARY)}


def test_each_canary_probes_the_stacks_own_url_on_its_path(run: StackRun, monkeypatch: pytest.MonkeyPatch) -> None:
    # canary_name reads the product and stack of the run in progress: name them as the example's run had them
    # (the run may have been computed in another process, or other runs may have followed it here).
    monkeypatch.setattr(naming, "product_name", lambda: example_stack_config("candlefish", "prod").name)
    monkeypatch.setattr(pulumi, "get_stack", lambda: run.stack)
    found = canaries(run)
    assert set(found) == {"api-health", "stage-gate", "wip-limit"}
    for key, canary in found.items():
        variables = canary.inputs["runConfig"]["environmentVariables"]
        assert variables["TARGET_URL"] == run.outputs["url"] == "https://api.candlefish.example.com"
        assert canary.inputs["runtimeVersion"] in CANARY_RUNTIMES
        assert canary.inputs["name"] == canary_name(key) and len(canary.inputs["name"]) <= 21
        assert canary.inputs["startCanary"] is True
    assert found["stage-gate"].inputs["runConfig"]["environmentVariables"]["CHECK_PATH"] == "/api/v1/stage-gates/health"
    assert found["wip-limit"].inputs["schedule"] == {"expression": "rate(10 minutes)"}


def test_artifacts_are_kms_encrypted_in_the_platform_bucket_and_expire(run: StackRun) -> None:
    bucket = child(run, "canaries-artifacts", "canaries-artifacts-bucket")
    for canary in canaries(run).values():
        assert canary.inputs["artifactConfig"]["s3Encryption"]["encryptionMode"] == "SSE_KMS"
        assert canary.inputs["artifactConfig"]["s3Encryption"]["kmsKeyArn"].startswith("arn:aws:kms:")
        assert (
            canary.inputs["artifactS3Location"] == f"s3://{bucket.inputs['bucket']}/artifacts/{canary.inputs['name']}/"
        )
    lifecycle = child(run, "canaries-artifacts", "canaries-artifacts-lifecycle")
    rule = next(r for r in lifecycle.inputs["rules"] if r["id"] == "artifacts")
    assert rule["expiration"] == {"days": 30.0} and rule["filter"]["prefix"] == "artifacts/"
    assert bucket.protect  # prod


def test_the_canary_role_writes_only_its_own_prefix_and_logs(run: StackRun) -> None:
    name = canaries(run)["api-health"].inputs["name"]
    bucket = child(run, "canaries-artifacts", "canaries-artifacts-bucket").outputs["arn"]
    found = {s["Sid"]: s for s in policy(child(run, "canaries", "api-health-canary-policy"))["Statement"]}
    assert found["WriteOwnArtifacts"]["Resource"] == [f"{bucket}/artifacts/{name}/*"]
    assert found["PutSyntheticsMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}
    }
    assert (
        found["WriteOwnLogs"]["Resource"][0]
        == f"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cwsyn-{name}-*"
    )
    assert {s for s, v in found.items() if "*" in v.get("Resource", [])} == {"ListBuckets", "PutSyntheticsMetrics"}


def test_every_canary_has_a_success_alarm_and_a_widget(run: StackRun) -> None:
    alarms = {r.inputs["name"]: r for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    for key, canary in canaries(run).items():
        alarm = alarms[f"clos-v2-prod-canary-{key}-success"]
        assert alarm.inputs["dimensions"] == {"CanaryName": canary.inputs["name"]}
        assert (alarm.inputs["metricName"], alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
            "SuccessPercent",
            "LessThanThreshold",
            90.0,
        )
        assert alarm.inputs["treatMissingData"] == "breaching"
    [dashboard] = run.of_type("aws:cloudwatch/dashboard:Dashboard")
    titles = {w["properties"].get("title") for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]}
    assert "Canary stage-gate: successful runs (%)" in titles


# -- custom alarms and notification targets (alarms.custom, httpsEndpoints, slack) --------------------------
def test_the_custom_wip_limit_alarm_is_exactly_as_configured(run: StackRun) -> None:
    alarms = {r.inputs["name"]: r for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    wip = alarms["clos-v2-prod-custom-wip-limit-violations"]
    assert (wip.inputs["namespace"], wip.inputs["metricName"], wip.inputs["statistic"]) == (
        "Candlefish",
        "WipLimitViolations",
        "Sum",
    )
    assert (wip.inputs["threshold"], wip.inputs["period"], wip.inputs["evaluationPeriods"]) == (0.0, 300.0, 1.0)
    p99 = alarms["clos-v2-prod-custom-webhook-p99"]
    assert p99.inputs["extendedStatistic"] == "p99" and "statistic" not in p99.inputs
    assert p99.inputs["dimensions"] == {"FunctionName": "clos-v2-prod-github-webhook"}
    assert p99.inputs["evaluateLowSampleCountPercentiles"] == "ignore"


def test_minimum_healthy_hosts_alarms_below_the_configured_count(run: StackRun) -> None:
    alarms = {r.inputs["name"]: r for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    healthy = alarms["clos-v2-prod-core-api-healthy-hosts"]
    # a progressive service (prod's canary preset): the healthy targets of both of its target groups
    queries = [q["metric"] for q in healthy.inputs.get("metricQueries", []) if q.get("metric")]
    names = {m["metricName"] for m in queries} if queries else {healthy.inputs["metricName"]}
    assert names == {"HealthyHostCount"}
    assert (healthy.inputs["comparisonOperator"], healthy.inputs["threshold"]) == ("LessThanThreshold", 2.0)


def test_pagerduty_and_slack_are_subscribed_to_the_alarm_topic(run: StackRun) -> None:
    [topic] = run.of_type("aws:sns/topic:Topic")
    subscriptions = {r.inputs["protocol"]: r for r in run.of_type("aws:sns/topicSubscription:TopicSubscription")}
    https = subscriptions["https"]
    assert https.inputs["endpoint"].startswith("https://events.pagerduty.com/")
    assert https.inputs["topic"] == topic.outputs["arn"] and https.inputs["endpointAutoConfirms"] is True
    [slack] = run.of_type("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration")
    assert slack.inputs["snsTopicArns"] == [topic.outputs["arn"]]
    assert slack.inputs["guardrailPolicyArns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]
    role = child(run, "observability", "observability-chatbot-role")
    assert policy(role, "assumeRolePolicy")["Statement"][0]["Principal"] == {"Service": ["chatbot.amazonaws.com"]}
    assert not [r for r in run.of_type("aws:iam/rolePolicy:RolePolicy") if r.inputs["role"] == role.id]
