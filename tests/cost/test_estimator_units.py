"""The estimator's parts at unit level: reading properties (`dig`, `number`, unknowns), the price table, the usage
figures and files, the component totals, which resources the pack decodes, and the text of an estimate."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies.guardrails.base import Unknown
from policies.guardrails.costing import (
    Estimate,
    Item,
    Line,
    MissingPrice,
    PriceTable,
    Unpriced,
    Usage,
    UsageFileError,
    estimate_stack,
    items_from_stack,
    parse_usage,
    price_table,
    render,
)
from policies.guardrails.costing.model import Quote, UnknownValue, dig, is_custom_type, number, unknown
from policies.guardrails.costing.prices import regions
from policies.guardrails.costing.usage import Figure

SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's unknown string."""


class Proxy(Mapping[str, Any]):
    """Like the policy SDK's read-only proxy: reading an unknown key (or asking `in` about it) raises."""

    def __init__(self, values: dict[str, Any], unknown_keys: set[str]) -> None:
        self._values, self.unknown_keys = values, unknown_keys

    def __getitem__(self, key: str) -> Any:
        if key in self.unknown_keys:
            raise UnknownValueError(SENTINEL, [key])
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        if key in self.unknown_keys:
            raise UnknownValueError(SENTINEL, [str(key)])
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


# -- model --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "custom"),
    [
        ("aws:ec2/vpc:Vpc", True),
        ("random:index/randomPassword:RandomPassword", True),
        ("platform:network:Network", False),
        ("pulumi:pulumi:Stack", False),
        ("pulumi:providers:aws", False),
        ("pulumi:x/y:Z", False),
        ("aws:ec2/vpc", False),
        ("aws:ec2/vpc:Vpc:extra", False),
    ],
)
def test_provider_resources_are_the_tokens_with_a_module_path(token: str, custom: bool) -> None:
    assert is_custom_type(token) is custom


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Unknown("string"), True), (SENTINEL, True), ("vpc-1", False), (5, False), (["a"], False), ({}, False)],
)
def test_unknowns_are_the_marker_or_the_engines_sentinel_strings(value: Any, expected: bool) -> None:
    assert unknown(value) is expected


def test_dig_reads_a_dotted_path_and_none_where_it_stops() -> None:
    props = {"a": {"b": 1.0}, "n": 5.0}
    assert dig(props, "a.b") == 1.0
    assert dig(props, "a.c") is None
    assert dig(props, "x.y") is None
    assert dig(props, "n.b") is None  # a number has no keys


@pytest.mark.parametrize(
    ("props", "path"),
    [
        ({"a": Unknown("object")}, "a.b"),
        ({"a": {"b": SENTINEL}}, "a.b"),
        ({"a": SENTINEL}, "a"),
        (Proxy({"b": 1.0}, {"a"}), "a.b"),
    ],
    ids=["unknown-on-the-way", "sentinel-at-the-end", "sentinel-leaf", "proxy-raises"],
)
def test_dig_raises_when_a_step_is_unknown(props: Mapping[str, Any], path: str) -> None:
    with pytest.raises(UnknownValue) as error:
        dig(props, path)
    assert str(error.value) == f".{path}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3.0), (2.5, 2.5), ("1024", 1024.0), (True, None), ("lots", None), (None, None), ([1], None)],
)
def test_numbers_arrive_as_numbers_or_strings_never_as_booleans(value: Any, expected: float | None) -> None:
    assert number(value) == expected


def test_a_related_resource_outside_the_stack_is_skipped() -> None:
    other = Item("aws:rds/cluster:Cluster", "db", "urn:db", None, {})
    item = Item(
        "aws:rds/clusterInstance:ClusterInstance", "db-1", "urn:db-1", None, {}, True, {"c": ["urn:gone", "urn:db"]}
    )
    quote = Quote(item, price_table("us-east-1"), Usage(), "aurora", {"urn:db": other, "urn:db-1": item})
    assert quote.related("c") is other
    assert quote.related("d") is None
    alone = Quote(item, price_table("us-east-1"), Usage(), "aurora", {"urn:db-1": item})
    assert alone.related("c") is None


def test_an_item_is_a_custom_resource_unless_said_otherwise() -> None:
    assert Item("aws:sqs/queue:Queue", "q", "urn:q", None, {}).custom is True


@pytest.mark.parametrize(
    "value",
    [
        Item("aws:sqs/queue:Queue", "q", "urn:q", None, {}),
        Line("urn:q", "requests", 1.0, "million", 0.4, 0.4, "usage"),
        Unpriced("aws:sqs/queue:Queue", "q", "urn:q", "why"),
        price_table("us-east-1"),
        Figure(1.0, "default"),
        Usage(),
    ],
    ids=["item", "line", "unpriced", "table", "figure", "usage"],
)
def test_what_the_estimator_hands_out_cannot_be_changed_by_its_readers(value: Any) -> None:
    field = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, field, None)


# -- prices -------------------------------------------------------------------------------------------
def test_a_price_is_a_number_at_the_end_of_its_path() -> None:
    table = price_table("us-east-1")
    assert table.price("natGateway", "hour") == 0.045
    assert table.hours_per_month == 730.0 and table.retrieved == "2026-12-06"
    assert PriceTable("x", {"a": 2}, "today", 730.0).price("a") == 2.0
    assert regions() == ["us-east-1", "us-west-2"]


@pytest.mark.parametrize(
    ("prices", "path"),
    [
        ({"natGateway": {"hour": 0.045}}, ("natGateway",)),
        ({"natGateway": {"hour": 0.045}}, ("natGateway", "day")),
        ({"natGateway": {"hour": 0.045}}, ("natGateway", "hour", "peak")),
        ({"flag": True}, ("flag",)),
        ({"text": "0.5"}, ("text",)),
    ],
    ids=["a-section", "absent", "past-a-number", "a-boolean", "a-string"],
)
def test_anything_but_a_number_at_a_path_is_a_missing_price(prices: dict[str, Any], path: tuple[str, ...]) -> None:
    with pytest.raises(MissingPrice) as error:
        PriceTable("us-east-1", prices, "today", 730.0).price(*path)
    assert str(error.value) == f"no price for {'.'.join(path)} in us-east-1 in the price table"


# -- usage --------------------------------------------------------------------------------------------
def test_a_resources_own_figure_wins_over_the_files_default_over_the_shipped_one() -> None:
    usage = Usage(
        file="Pulumi.t.usage.yaml",
        defaults={"natGateway.processedGb": 400.0},
        resources={"nat-a": {"processedGb": 7.0}},
    )
    assert usage.figure("natGateway", "nat-a", "processedGb") == Figure(
        7.0, "Pulumi.t.usage.yaml: resources.nat-a.processedGb"
    )
    assert usage.figure("natGateway", "nat-b", "processedGb") == Figure(
        400.0, "Pulumi.t.usage.yaml: defaults.natGateway.processedGb"
    )
    assert usage.figure("interfaceEndpoint", "nat-a", "processedGb") == Figure(
        7.0, "Pulumi.t.usage.yaml: resources.nat-a.processedGb"
    )
    assert Usage().figure("natGateway", "nat-a", "processedGb") == Figure(100.0, "default natGateway.processedGb")


def test_a_default_without_a_value_takes_the_resources_own_or_is_an_error() -> None:
    assert Usage().figure("service", "web", "tasks", fallback=3.0) == Figure(3.0, "default service.tasks")
    with pytest.raises(KeyError) as error:
        Usage().figure("service", "web", "tasks")
    assert error.value.args == ("usage assumption service.tasks needs a value for web",)
    with pytest.raises(KeyError) as error:
        Usage().figure("service", "web", "colour", fallback=1.0)
    assert error.value.args == ("no usage assumption service.colour in usage_defaults.json",)


@pytest.mark.parametrize("value", [0, 0.0, 2, 1.5])
def test_zero_and_positive_numbers_are_usage_figures(value: float) -> None:
    usage = parse_usage({"defaults": {"natGateway.processedGb": value}, "resources": {"w": {"tasks": value}}}, "f")
    assert usage == Usage(file="f", defaults={"natGateway.processedGb": value}, resources={"w": {"tasks": value}})


@pytest.mark.parametrize("value", [-0.5, -1, True, "1", None])
def test_negative_boolean_and_text_figures_are_refused(value: Any) -> None:
    with pytest.raises(UsageFileError) as error:
        parse_usage({"defaults": {"natGateway.processedGb": value}}, "f")
    assert str(error.value) == (
        f"f: defaults.natGateway.processedGb = {value!r}: expected a number >= 0 (GB per gateway per month)"
    )
    with pytest.raises(UsageFileError) as error:
        parse_usage({"resources": {"w": {"tasks": value}}}, "f")
    assert str(error.value) == f"f: resources.w.tasks = {value!r}: expected a number >= 0"


@pytest.mark.parametrize(
    ("document", "usage"),
    [
        (None, Usage(file="f")),
        ({}, Usage(file="f")),
        ({"defaults": None, "resources": None}, Usage(file="f")),
    ],
)
def test_an_empty_usage_file_means_the_defaults(document: Any, usage: Usage) -> None:
    assert parse_usage(document, "f") == usage


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (["defaults"], "f: expected a mapping with `defaults:` and/or `resources:`"),
        ("defaults", "f: expected a mapping with `defaults:` and/or `resources:`"),
        ({"resources": {"web": 4}}, "f: resources.web: expected a mapping of field: number"),
        ({"resources": {"web": {"colour": 1}}}, "f: resources.web.colour: not a usage field; one of "),
    ],
)
def test_a_usage_file_of_the_wrong_shape_is_refused_naming_where(document: Any, message: str) -> None:
    with pytest.raises(UsageFileError) as error:
        parse_usage(document, "f")
    assert str(error.value).startswith(message)


# -- estimate -----------------------------------------------------------------------------------------
STACK = "urn:stack"


def node(urn: str, parent: str | None, token: str = "platform:c:C", custom: bool = False) -> Item:
    return Item(token, urn.removeprefix("urn:"), urn, parent, {}, custom)


def test_a_component_totals_every_resource_under_it_but_not_the_stack_nor_custom_parents() -> None:
    items = [
        node(STACK, None, "pulumi:pulumi:Stack"),
        node("urn:outer", STACK),
        node("urn:inner", "urn:outer"),
        node("urn:queue", "urn:inner", "aws:sqs/queue:Queue", custom=True),
        node("urn:topic", "urn:queue", "aws:sns/topic:Topic", custom=True),  # parented to a custom resource
        node("urn:orphan", "urn:elsewhere", "aws:route53/zone:Zone", custom=True),
    ]
    estimate = estimate_stack(items, stack="t", region="us-east-1")
    queue, topic = 1 * 0.4, 0.1 * 0.5
    assert estimate.per_resource() == pytest.approx({"urn:queue": queue, "urn:topic": topic, "urn:orphan": 0.5})
    assert estimate.per_component() == pytest.approx({"urn:outer": queue + topic, "urn:inner": queue + topic})


def test_a_parent_cycle_ends_the_walk() -> None:
    items = [node("urn:a", "urn:b"), node("urn:b", "urn:a"), node("urn:q", "urn:a", "aws:sqs/queue:Queue", True)]
    assert estimate_stack(items, stack="t", region="us-east-1").per_component() == pytest.approx(
        {"urn:a": 0.4, "urn:b": 0.4}
    )


def test_fixed_and_usage_driven_costs_add_up_to_the_total() -> None:
    estimate = estimate_stack(
        [node("urn:zone", None, "aws:route53/zone:Zone", True), node("urn:q", None, "aws:sqs/queue:Queue", True)],
        stack="t",
        region="us-east-1",
    )
    assert (estimate.fixed, estimate.usage, estimate.total) == pytest.approx((0.5, 0.4, 0.9))


def test_providers_and_components_are_neither_priced_free_nor_missing() -> None:
    items = [
        node("urn:provider", None, "pulumi:providers:aws", custom=True),
        node("urn:component", None),
        node("urn:vpc", None, "aws:ec2/vpc:Vpc", custom=True),
    ]
    estimate = estimate_stack(items, stack="t", region="us-east-1")
    assert estimate.lines == [] and estimate.missing == [] and estimate.unknown == []
    assert estimate.free == {"urn:vpc": "VPCs are free"}


def test_a_value_read_through_the_sdk_proxy_outside_dig_is_unknown_not_missing() -> None:
    cluster = Item(
        "aws:rds/cluster:Cluster",
        "db",
        "urn:db",
        None,
        Proxy({"engine": "aurora-postgresql"}, {"serverlessv2ScalingConfiguration"}),
    )
    instance = Item(
        "aws:rds/clusterInstance:ClusterInstance",
        "db-1",
        "urn:db-1",
        None,
        {"instanceClass": "db.serverless"},
        True,
        {"clusterIdentifier": ["urn:db"]},
    )
    estimate = estimate_stack([instance], stack="t", region="us-east-1")
    assert [u.reason for u in estimate.missing] == []  # without its cluster: priced at the floor
    estimate = estimate_stack([cluster, instance], stack="t", region="us-east-1")
    assert [(u.name, u.reason) for u in estimate.unknown] == [
        ("db-1", ".serverlessv2ScalingConfiguration is unknown until the resource exists")
    ]


def test_the_pack_decodes_the_properties_only_of_priced_and_joined_types() -> None:
    def resource(token: str, props: Any) -> SimpleNamespace:
        return SimpleNamespace(
            type=token, name="n", urn=f"urn:{token}", parent=None, raw_props=props, property_dependencies={}
        )

    props = {"a": 1}
    items = items_from_stack(
        [
            resource("aws:ec2/natGateway:NatGateway", props),
            resource("aws:ecs/taskDefinition:TaskDefinition", props),
            resource("aws:ec2/vpc:Vpc", props),
            resource("aws:sqs/queue:Queue", None),
            resource("platform:network:Network", props),
        ]
    )
    assert [(i.props, i.custom) for i in items] == [(props, True), (props, True), ({}, True), ({}, True), ({}, False)]


def rendered_estimate() -> Estimate:
    items = [
        node(STACK, None, "pulumi:pulumi:Stack"),
        node("urn:net", STACK, "platform:network:Network"),
        node("urn:edge", "urn:net", "platform:edge:Edge"),
        node("urn:zone", "urn:edge", "aws:route53/zone:Zone", custom=True),
        node("urn:queue", "urn:net", "aws:sqs/queue:Queue", custom=True),
        node("urn:vpc", "urn:net", "aws:ec2/vpc:Vpc", custom=True),
        node("urn:graph", "urn:net", "aws:neptune/cluster:Cluster", custom=True),
        Item("aws:lb/loadBalancer:LoadBalancer", "alb", "urn:alb", "urn:net", {"loadBalancerType": Unknown()}),
    ]
    return estimate_stack(items, stack="t", region="us-east-1")


RENDERED_HEAD = (
    "Estimated monthly cost of t (us-east-1), USD: prices of 2026-12-06 "
    "(policies/guardrails/costing/data/prices.json), usage from the default assumptions"
)
RENDERED_TAIL = """
Per component:
       $0.90  platform:network:Network  net
       $0.50    platform:edge:Edge  edge

Free: 1 resources of 1 types{free}
Not priced, missing from the price table (1):
  aws:neptune/cluster:Cluster  graph: type not in the price table (nor listed as free)
Not priced yet, unknown at this preview (1):
  aws:lb/loadBalancer:LoadBalancer  alb: .loadBalancerType is unknown until the resource exists

Stack total: at least $0.90 / month (fixed $0.50, usage-driven $0.40)"""


def test_an_estimate_reads_per_resource_per_component_and_what_is_not_priced() -> None:
    assert (
        render(rendered_estimate())
        == RENDERED_HEAD
        + """

Per resource:
       $0.50  aws:route53/zone:Zone  zone
       $0.50      hosted zone: 1 month x $0.5
       $0.40  aws:sqs/queue:Queue  queue
       $0.40      requests: 1 million x $0.4  [default queue.requestsMillions = 1]
"""
        + RENDERED_TAIL.format(free=": aws:ec2/vpc:Vpc x1")
    )


def test_an_estimate_without_detail_reads_totals_only() -> None:
    assert render(rendered_estimate(), detail=False) == RENDERED_HEAD + "\n" + RENDERED_TAIL.format(free="")


def test_a_fully_priced_estimate_states_its_total_exactly_and_names_its_usage_file() -> None:
    estimate = estimate_stack(
        [node("urn:zone", None, "aws:route53/zone:Zone", True)],
        stack="t",
        region="us-east-1",
        usage=Usage(file="Pulumi.t.usage.yaml"),
    )
    text = render(estimate, detail=False)
    assert "usage from Pulumi.t.usage.yaml" in text.splitlines()[0]
    assert text.endswith(
        "\n\nFree: 0 resources of 0 types\n\nStack total: $0.50 / month (fixed $0.50, usage-driven $0.00)"
    )
    assert "Per component:" not in text
