"""log-query-scoped: a saved Logs Insights query names the log groups it reads."""

from __future__ import annotations

import dataclasses

import pytest

from offline.policy_harness import PolicyHarness, format_report
from policies.guardrails.log_queries import LOG_QUERY_SCOPED
from tests.examples.support import example_run

from .helpers import UNKNOWN, UNKNOWN_ARRAY, check

QUERY = "aws:cloudwatch/queryDefinition:QueryDefinition"
PROD = "policies/config/prod.json"


def test_a_query_naming_its_log_groups_passes() -> None:
    props = {"name": "clos-v2-prod/errors", "queryString": "fields @message", "logGroupNames": ["/aws/lambda/x"]}
    assert check(LOG_QUERY_SCOPED, QUERY, props).passed
    assert check(LOG_QUERY_SCOPED, QUERY, {**props, "logGroupNames": [UNKNOWN]}).passed  # names not known yet


def test_a_query_without_log_groups_fails() -> None:
    for groups in (None, []):
        props = {"name": "q", "queryString": "fields @message", "logGroupNames": groups}
        assert check(LOG_QUERY_SCOPED, QUERY, props).violations == [
            "aws:cloudwatch/queryDefinition:QueryDefinition 'r' names no log groups: list the ones it reads "
            "(log_group_names; platform:logQueries.<q>.logGroups), so running it scans and bills only those."
        ]


def test_unknown_log_groups_are_judged_on_up() -> None:
    result = check(LOG_QUERY_SCOPED, QUERY, {"name": "q", "queryString": "x", "logGroupNames": UNKNOWN_ARRAY})
    assert result.deferred and not result.violations


def test_a_query_over_more_log_groups_than_allowed_fails() -> None:
    props = {"name": "q", "queryString": "x", "logGroupNames": ["/a", "/b", "/c"]}
    assert check(LOG_QUERY_SCOPED, QUERY, props, config={"maximumLogGroups": 2}).violations == [
        "aws:cloudwatch/queryDefinition:QueryDefinition 'r' reads 3 log groups: at most 2."
    ]
    assert check(LOG_QUERY_SCOPED, QUERY, props, config={"maximumLogGroups": 3}).passed


# -- end to end over gRPC: the real pack process judges Candlefish's saved queries -----------------------------
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_pack_flags_exactly_the_saved_query_that_names_no_log_group(
    preview: bool, pack_harness: PolicyHarness
) -> None:
    resources = list(example_run("candlefish", stack="prod", preview=preview).resources)
    [index] = [i for i, r in enumerate(resources) if r.type == QUERY and r.name.endswith("application-errors")]
    broken = resources[index]
    resources[index] = dataclasses.replace(
        broken,
        inputs={**broken.inputs, "logGroupNames": []},
        outputs={**broken.outputs, "logGroupNames": []},
    )
    clean = pack_harness.check_run(example_run("candlefish", stack="prod", preview=preview), policy_config=PROD)
    report = pack_harness.check(resources, stack="prod", preview=preview, policy_config=PROD)
    level = report.levels["log-query-scoped"]
    assert clean.violated(level) == report.violated(level) - {"log-query-scoped"}
    assert {
        (d.policy, d.resource) for d in report.diagnostics if d.policy == "log-query-scoped" and not d.deferred
    } == {("log-query-scoped", broken.urn)}, format_report(report)
