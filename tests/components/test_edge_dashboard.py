"""The edge dashboard draws each API's latency p50/p95/p99 and errors, each site's error rates (us-east-1) and
each collection's latency and errors; stacks without any have none."""

from __future__ import annotations

import json

from offline.engine import StackRun
from tests.examples.support import example_run


def test_the_edge_dashboard_draws_apis_sites_and_collections() -> None:
    run = example_run("troubleshooter", stack="prod")
    [dashboard] = [r for r in run.of_type("aws:cloudwatch/dashboard:Dashboard") if r.name == "edge-dashboard"]
    widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    titles = [w["properties"]["title"] for w in widgets]
    assert titles == [
        "API troubleshooter-prod-api-public v1: requests and errors",
        "API troubleshooter-prod-api-public v1: latency (ms)",
        "Site frontend: requests",
        "Site frontend: error rates (%)",
        "Collection troubleshooter-prod-cache: latency (ms)",
        "Collection troubleshooter-prod-cache: errors",
        "VPC link NLB: ALB target health",
        "VPC link NLB: new flows and TCP resets",
    ]
    latency = widgets[1]["properties"]["metrics"]
    assert [m[-1]["stat"] for m in latency] == ["p50", "p95", "p99"]
    assert widgets[3]["properties"]["region"] == "us-east-1"
    [collection] = run.of_type("aws:opensearch/serverlessCollection:ServerlessCollection")
    assert collection.id in widgets[4]["properties"]["metrics"][0]


def test_stacks_without_edge_resources_have_no_edge_dashboard(stack_runs: dict[str, StackRun]) -> None:
    for run in stack_runs.values():
        assert [r.name for r in run.of_type("aws:cloudwatch/dashboard:Dashboard")] == ["observability-dashboard"]
