"""The third-party scan's judgement: a finding not in the exceptions file fails, a stale exception is reported,
a malformed file is refused, and checkov's report is attributed to the right stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scan.__main__ import EXCEPTIONS
from scan.checkov_scan import ScanError, findings_from_report, targets, write_plans
from scan.exceptions import Accepted, ExceptionsFileError, Finding, judge, load

LOGS = Finding("prod", "CKV_AWS_145", "aws_s3_bucket.load-balancer-logs-bucket", "KMS by default")
PORT_80 = Finding("dev", "CKV_AWS_260", "aws_vpc_security_group_ingress_rule.load-balancer-in-80-ipv4-any")
ACCEPT_LOGS = Accepted("CKV_AWS_145", ("*/aws_s3_bucket.load-balancer-logs-bucket",), "ELB logs need SSE-S3", 0)


def test_a_listed_finding_is_excused() -> None:
    verdict = judge([LOGS], [ACCEPT_LOGS])
    assert verdict.ok and verdict.excused == [(LOGS, ACCEPT_LOGS)] and verdict.unexcused == []


def test_a_finding_not_listed_fails() -> None:
    verdict = judge([LOGS, PORT_80], [ACCEPT_LOGS])
    assert not verdict.ok
    assert verdict.unexcused == [PORT_80]


def test_an_exception_for_another_check_does_not_excuse_the_resource() -> None:
    other = Finding("prod", "CKV_AWS_18", LOGS.address)
    verdict = judge([LOGS, other], [ACCEPT_LOGS])
    assert verdict.unexcused == [other]


def test_a_stale_exception_is_reported_and_fails() -> None:
    stale = Accepted("CKV_AWS_2", ("dev/aws_lb_listener.load-balancer-http",), "dev has no certificate at all", 1)
    verdict = judge([LOGS], [ACCEPT_LOGS, stale])
    assert not verdict.ok
    assert verdict.stale == ["exceptions[1] CKV_AWS_2 dev/aws_lb_listener.load-balancer-http: matches no finding"]


def test_a_stale_pattern_inside_a_used_exception_is_reported() -> None:
    entry = Accepted(
        "CKV_AWS_145",
        ("prod/aws_s3_bucket.load-balancer-logs-bucket", "prod/aws_s3_bucket.gone"),
        "ELB logs need SSE-S3",
        0,
    )
    assert judge([LOGS], [entry]).stale == ["exceptions[0] CKV_AWS_145 prod/aws_s3_bucket.gone: matches no finding"]


def test_a_partial_scan_does_not_call_other_stacks_exceptions_stale() -> None:
    dev_only = Accepted("CKV_AWS_2", ("dev/aws_lb_listener.load-balancer-http",), "dev has no certificate at all", 0)
    assert judge([LOGS], [ACCEPT_LOGS, dev_only], scanned=["prod"], known=["dev", "prod"]).ok
    everywhere = Accepted("CKV_AWS_18", ("*/aws_s3_bucket.uploads",), "access logs need another bucket", 2)
    assert judge([LOGS], [ACCEPT_LOGS, everywhere], scanned=["prod"], known=["dev", "prod"]).ok
    assert judge([LOGS], [ACCEPT_LOGS, everywhere], scanned=["dev", "prod"], known=["dev", "prod"]).stale == [
        "exceptions[2] CKV_AWS_18 */aws_s3_bucket.uploads: matches no finding"
    ]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exceptions.yaml"
    path.write_text(text)
    return path


def test_every_exception_names_a_check_resources_and_a_reason(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "exceptions:\n  - check: CKV_AWS_145\n    resources: []\n    reason: x\n"
        "  - check: nope\n    resources: ['*/a']\n    reason: because it is a real trade-off\n",
    )
    with pytest.raises(ExceptionsFileError) as raised:
        load(path)
    assert str(raised.value).splitlines() == [
        "exceptions.yaml: exceptions[0].resources: a non-empty list of `<stack>/<terraform address>` patterns",
        "exceptions.yaml: exceptions[0].reason: say why this finding is an accepted trade-off (20 characters or more)",
        "exceptions.yaml: exceptions[1].check = 'nope': a checkov check id such as CKV_AWS_145",
    ]


def test_the_checked_in_exceptions_file_is_valid_and_few() -> None:
    accepted = load(EXCEPTIONS)
    assert 0 < len(accepted) <= 30
    assert len({a.check for a in accepted}) == len(accepted), "one entry per check"
    assert all(a.reason and "/" in p for a in accepted for p in a.resources)


def test_checkovs_report_is_attributed_to_each_stack_by_plan_file() -> None:
    report = [
        {
            "check_type": "terraform_plan",
            "summary": {"parsing_errors": 0},
            "results": {
                "failed_checks": [
                    {
                        "check_id": "CKV_AWS_145",
                        "file_path": "/prod.json",
                        "resource": LOGS.address,
                        "check_name": "KMS by default",
                    },
                    {
                        "check_id": "CKV_AWS_260",
                        "file_path": "/dev.json",
                        "resource": PORT_80.address,
                        "check_name": "",
                    },
                ]
            },
        }
    ]
    assert findings_from_report(report, {"prod.json": "prod", "dev.json": "dev"}) == [LOGS, PORT_80]
    with pytest.raises(ScanError, match="could not parse 1 plan"):
        findings_from_report({"check_type": "terraform_plan", "summary": {"parsing_errors": 1}}, {})


def test_the_scan_covers_every_platform_stack_and_the_account_stack() -> None:
    assert [t.label for t in targets()] == ["dev", "staging", "prod", "account-shared"]


def test_the_account_stack_converts_without_an_unmapped_type(tmp_path: Path) -> None:
    (account,) = [t for t in targets() if t.label == "account-shared"]
    plans = write_plans([account], tmp_path)
    plan = json.loads(plans["account-shared"].read_text())
    types = {r["type"] for r in plan["planned_values"]["root_module"]["resources"]}
    assert {
        "aws_cloudtrail",
        "aws_iam_openid_connect_provider",
        "aws_guardduty_detector",
        "aws_budgets_budget",
        "aws_config_configuration_recorder",
        "aws_securityhub_standards_subscription",
    } <= types


def test_a_type_without_a_terraform_mapping_stops_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import tfplan

    monkeypatch.delitem(tfplan.TERRAFORM_TYPES, "aws:cloudtrail/trail:Trail")
    (account,) = [t for t in targets() if t.label == "account-shared"]
    with pytest.raises(
        ScanError,
        match=r"account-shared: types without a Terraform mapping, invisible to checkov: "
        r"aws:cloudtrail/trail:Trail",
    ):
        write_plans([account], tmp_path)
