"""The edge dashboard `<product>-<stack>-edge`: API Gateway, CloudFront and OpenSearch Serverless graphs.

Kept apart from the stack dashboard (components/dashboard.py, which draws the alarm plan of the ALB, services,
database, queues and tables) so those graphs stay one concern. Per API: requests, 4xx/5xx counts, latency
p50/p95/p99 (seed 002); per site: requests and 4xx/5xx error rates (CloudFront metrics live in us-east-1: the
widget names that Region); per collection: search and ingestion latency and errors (AWS/AOSS, dimensions
CollectionId, CollectionName, ClientId = the account).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from .naming import physical_name

WIDTH, HEIGHT = 12, 6


def _widget(title: str, metrics: list[list[Any]], region: str, index: int, *, stat: str = "Sum") -> dict[str, Any]:
    return {
        "type": "metric",
        "x": (index % 2) * WIDTH,
        "y": (index // 2) * HEIGHT,
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "stat": stat,
            "period": 60,
            "view": "timeSeries",
            "metrics": metrics,
        },
    }


def api_widgets(api_name: str, stage: str, region: str) -> list[tuple[str, list[list[Any]], str, str]]:
    dims = ["ApiName", api_name, "Stage", stage]
    return [
        (
            f"API {api_name} {stage}: requests and errors",
            [
                ["AWS/ApiGateway", "Count", *dims],
                ["AWS/ApiGateway", "4XXError", *dims],
                ["AWS/ApiGateway", "5XXError", *dims],
            ],
            region,
            "Sum",
        ),
        (
            f"API {api_name} {stage}: latency (ms)",
            [
                ["AWS/ApiGateway", "Latency", *dims, {"stat": "p50"}],
                ["AWS/ApiGateway", "Latency", *dims, {"stat": "p95"}],
                ["AWS/ApiGateway", "Latency", *dims, {"stat": "p99"}],
            ],
            region,
            "p95",
        ),
    ]


def site_widgets(distribution_id: str, label: str) -> list[tuple[str, list[list[Any]], str, str]]:
    dims = ["DistributionId", distribution_id, "Region", "Global"]
    return [
        (f"Site {label}: requests", [["AWS/CloudFront", "Requests", *dims]], "us-east-1", "Sum"),
        (
            f"Site {label}: error rates (%)",
            [["AWS/CloudFront", "4xxErrorRate", *dims], ["AWS/CloudFront", "5xxErrorRate", *dims]],
            "us-east-1",
            "Average",
        ),
    ]


def collection_widgets(
    collection_id: str, name: str, account: str, region: str
) -> list[tuple[str, list[list[Any]], str, str]]:
    dims = ["CollectionId", collection_id, "CollectionName", name, "ClientId", account]
    return [
        (
            f"Collection {name}: latency (ms)",
            [["AWS/AOSS", "SearchRequestLatency", *dims], ["AWS/AOSS", "IngestionRequestLatency", *dims]],
            region,
            "Average",
        ),
        (
            f"Collection {name}: errors",
            [["AWS/AOSS", "SearchRequestErrors", *dims], ["AWS/AOSS", "IngestionRequestErrors", *dims]],
            region,
            "Sum",
        ),
    ]


def edge_dashboard(
    *,
    region: str,
    account: str,
    apis: Mapping[str, tuple[pulumi.Input[str], str]],
    sites: Mapping[str, pulumi.Input[str]],
    collections: Mapping[str, tuple[pulumi.Input[str], str]],
    opts: pulumi.ResourceOptions,
    extra: Sequence[tuple[Callable[..., Sequence[tuple[str, list[list[Any]], str, str]]], Sequence[pulumi.Input[str]]]]
    | None = (),
) -> aws.cloudwatch.Dashboard | None:
    """`apis`: key -> (API name, stage); `sites`: key -> distribution id; `collections`: key -> (id, name);
    `extra`: (widget function, its inputs): the function gets the resolved inputs and the region (the VPC link
    NLB: components/private_link.py `nlb_widgets`). None when the stack has none of them."""
    extra = list(extra or ())
    if not (apis or sites or collections or extra):
        return None
    api_items = sorted(apis.items())
    site_items = sorted(sites.items())
    collection_items = sorted(collections.items())
    inputs: list[pulumi.Input[str]] = [
        *(v[0] for _, v in api_items),
        *(v for _, v in site_items),
        *(v[0] for _, v in collection_items),
        *(value for _, values in extra for value in values),
    ]

    def body(values: Sequence[str]) -> str:
        specs: list[tuple[str, list[list[Any]], str, str]] = []
        position = 0
        for _, (_, stage) in api_items:
            specs += api_widgets(values[position], stage, region)
            position += 1
        for key, _ in site_items:
            specs += site_widgets(values[position], key)
            position += 1
        for _, (_, name) in collection_items:
            specs += collection_widgets(values[position], name, account, region)
            position += 1
        for widgets_of, given in extra:
            specs += widgets_of(*values[position : position + len(given)], region)
            position += len(given)
        widgets = [
            _widget(title, metrics, widget_region, index, stat=stat)
            for index, (title, metrics, widget_region, stat) in enumerate(specs)
        ]
        return json.dumps({"widgets": widgets})

    return aws.cloudwatch.Dashboard(
        "edge-dashboard",
        dashboard_name=physical_name("edge"),
        dashboard_body=pulumi.Output.all(*inputs).apply(lambda values: body([str(v) for v in values])),
        opts=opts,
    )
