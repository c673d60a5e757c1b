"""The prod ALB's web ACL logs to an encrypted `aws-waf-logs-` log group with credentials redacted; the rate
limit can key on a forwarded IP header."""

from __future__ import annotations

from offline.engine import StackRun

from .compute_support import LOG_GROUP, config_of
from .variants import prod_replicated_run

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
KEY = "aws:kms/key:Key"


def test_the_web_acl_logs_to_an_encrypted_waf_log_group_with_credentials_redacted(
    stack_runs: dict[str, StackRun],
) -> None:
    run = stack_runs["prod"]
    [acl] = run.of_type(WEB_ACL)
    [logging] = run.of_type(LOGGING)
    [group] = [g for g in run.of_type(LOG_GROUP) if g.inputs["name"].startswith("aws-waf-logs-")]
    key = run.named("keys-key")  # the stack key (backups copy with their own)
    assert group.inputs["name"] == "aws-waf-logs-platform-prod-alb"
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert group.inputs["retentionInDays"] == config_of("prod").log_retention_days
    assert logging.inputs["resourceArn"] == acl.outputs["arn"]
    assert logging.inputs["logDestinationConfigs"] == [group.outputs["arn"]]
    assert logging.inputs["redactedFields"] == [
        {"singleHeader": {"name": "authorization"}},
        {"singleHeader": {"name": "cookie"}},
    ]


def test_behind_a_proxy_the_rate_limit_keys_on_the_forwarded_ip_header() -> None:
    [acl] = prod_replicated_run().of_type(WEB_ACL)  # loadBalancer.waf.forwardedIpHeader: X-Forwarded-For
    [rate] = [r["statement"]["rateBasedStatement"] for r in acl.inputs["rules"] if r["name"] == "RateLimitPerIp"]
    assert rate["aggregateKeyType"] == "FORWARDED_IP"
    assert rate["forwardedIpConfig"] == {"headerName": "X-Forwarded-For", "fallbackBehavior": "MATCH"}
