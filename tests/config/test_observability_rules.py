"""`platform:alarms` at its edges (components/config/observability.py): threshold ranges, statistics and periods
of custom alarms, email lengths, Aurora's and RDS's default `max_connections` by capacity and instance class,
and the cross-checks (prod subscribers, an unknown class, reserved service names). Fast: no stack runs."""

from __future__ import annotations

import json

import pytest

from components.config import load_stack_config
from components.config.data import DatabaseConfig, PostgresConfig
from components.config.observability import (
    AlarmsConfig,
    CustomAlarmConfig,
    DatabaseThresholds,
    default_max_connections,
    max_connections,
)
from offline.engine import stack_config

from .sections import problems, refusal


# -- ranges ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("percent", [0.1, 100])
def test_a_percentage_above_0_up_to_100_is_accepted(percent: float) -> None:
    assert DatabaseThresholds.model_validate({"cpuPercent": percent}).cpu_percent == percent


@pytest.mark.parametrize("percent", [0, -1, 100.5])
def test_a_percentage_of_0_or_above_100_is_refused(percent: float) -> None:
    assert refusal(DatabaseThresholds, {"cpuPercent": percent}) == (
        ("cpuPercent",),
        "allowed: above 0 and at most 100 %",
    )


@pytest.mark.parametrize("minutes", [1, 1440])
def test_minutes_from_1_to_a_day_are_accepted(minutes: int) -> None:
    assert DatabaseThresholds.model_validate({"cpuMinutes": minutes}).cpu_minutes == minutes


@pytest.mark.parametrize("minutes", [0, 1441])
def test_minutes_past_a_day_or_none_are_refused(minutes: int) -> None:
    assert refusal(DatabaseThresholds, {"cpuMinutes": minutes}) == (
        ("cpuMinutes",),
        "allowed: 1 to 1440 minutes (CloudWatch evaluates at most one day)",
    )


@pytest.mark.parametrize("connections", [1, 262_143])
def test_max_connections_from_1_to_262143_is_accepted(connections: int) -> None:
    assert DatabaseThresholds.model_validate({"maxConnections": connections}).max_connections == connections


@pytest.mark.parametrize("connections", [0, 262_144])
def test_max_connections_outside_its_range_is_refused(connections: int) -> None:
    assert refusal(DatabaseThresholds, {"maxConnections": connections}) == (
        ("maxConnections",),
        "allowed: 1 to 262143 connections",
    )


@pytest.mark.parametrize("seconds", [0.5, 86_400])
def test_seconds_above_0_up_to_a_day_are_accepted(seconds: float) -> None:
    assert DatabaseThresholds.model_validate({"replicaLagSeconds": seconds}).replica_lag_seconds == seconds


@pytest.mark.parametrize("seconds", [0, 86_400.5])
def test_seconds_of_0_or_past_a_day_are_refused(seconds: float) -> None:
    assert refusal(DatabaseThresholds, {"replicaLagSeconds": seconds}) == (
        ("replicaLagSeconds",),
        "allowed: above 0 and at most 86400 seconds",
    )


# -- emails ------------------------------------------------------------------------------------------------
def address(length: int) -> str:
    domain = "@example.com"
    return "a" * (length - len(domain)) + domain


def test_an_email_of_254_characters_is_accepted() -> None:
    assert AlarmsConfig.model_validate({"emails": [address(254)]}).emails == [address(254)]


@pytest.mark.parametrize("email", [address(255), "oncall", "oncall@example", "on call@example.com"])
def test_an_email_too_long_or_malformed_is_refused(email: str) -> None:
    assert refusal(AlarmsConfig, {"emails": [email]}) == (
        ("emails", 0),
        "not an email address; expected name@example.com (one address per entry)",
    )


# -- https endpoints ---------------------------------------------------------------------------------------------
def endpoint(length: int) -> str:
    base = "https://events.pagerduty.com/integration/"
    return base + "k" * (length - len(base))


def test_an_https_endpoint_of_2048_characters_is_accepted() -> None:
    assert AlarmsConfig.model_validate({"httpsEndpoints": [endpoint(2048)]}).https_endpoints == [endpoint(2048)]


def test_an_https_endpoint_of_2049_characters_is_refused() -> None:
    assert refusal(AlarmsConfig, {"httpsEndpoints": [endpoint(2049)]}) == (
        ("httpsEndpoints", 0),
        "String should have at most 2048 characters",
    )


# -- custom alarms -----------------------------------------------------------------------------------------------
CUSTOM = {"namespace": "Candlefish", "metric": "WipLimitViolations", "threshold": 0}


@pytest.mark.parametrize(
    "statistic", ["SampleCount", "Average", "Sum", "Minimum", "Maximum", "p0", "p99", "p99.9", "p100"]
)
def test_cloudwatch_statistics_and_percentiles_are_accepted(statistic: str) -> None:
    assert CustomAlarmConfig.model_validate({**CUSTOM, "statistic": statistic}).statistic == statistic


@pytest.mark.parametrize("statistic", ["avg", "p101", "p999", "p99.999", "P99"])
def test_other_statistics_are_refused(statistic: str) -> None:
    assert refusal(CustomAlarmConfig, {**CUSTOM, "statistic": statistic}) == (
        ("statistic",),
        "allowed: SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99 or p99.9",
    )


@pytest.mark.parametrize("period", [10, 30, 60, 120, 86_400])
def test_periods_of_10_30_or_whole_minutes_up_to_a_day_are_accepted(period: int) -> None:
    assert CustomAlarmConfig.model_validate({**CUSTOM, "periodSeconds": period}).period_seconds == period


@pytest.mark.parametrize("period", [0, 20, 59, 90, 86_460])
def test_other_periods_are_refused(period: int) -> None:
    assert refusal(CustomAlarmConfig, {**CUSTOM, "periodSeconds": period}) == (
        ("periodSeconds",),
        "allowed: 10, 30 or a multiple of 60 up to 86400 seconds",
    )


# -- max_connections ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("minimum", "maximum", "connections"),
    [
        (0.5, 0.5, 94),  # below the first row: proportional to 1 ACU's 189
        (0.5, 1, 189),
        (1, 2, 400),  # between rows: 189 + (823 - 189) / 3
        (1, 4, 823),
        (1, 8, 1669),
        (1, 16, 3360),
        (0.5, 16, 2000),  # a low minimum caps it at 2000
        (1, 32, 5000),
        (1, 64, 5000),
        (0, 32, 2000),
    ],
)
def test_serverless_max_connections_follow_auroras_table(minimum: float, maximum: float, connections: int) -> None:
    database = DatabaseConfig.model_validate({"minCapacity": minimum, "maxCapacity": maximum})
    assert default_max_connections(database) == connections


@pytest.mark.parametrize(
    ("instance_class", "connections"),
    [
        ("db.r6g.large", 1678),  # 16 GiB / 9531392 bytes per connection
        ("db.r7g.xlarge", 3357),
        ("db.r6g.2xlarge", 5000),  # capped at 5000
        ("db.t4g.medium", 419),
        ("db.t3.large", 839),
        ("db.x2g.large", None),
        ("db.r6g.metal", None),
    ],
)
def test_provisioned_aurora_max_connections_follow_the_class_memory(
    instance_class: str, connections: int | None
) -> None:
    assert default_max_connections(DatabaseConfig.model_validate({"instanceClass": instance_class})) == connections


@pytest.mark.parametrize(
    ("instance_class", "connections"),
    [
        ("db.t4g.micro", 104),
        ("db.t3.small", 209),
        ("db.t4g.medium", 419),
        ("db.m6g.large", 839),  # general purpose: half the memory-optimised class's 16 GiB
        ("db.m7i.xlarge", 1678),
        ("db.r8g.large", 1678),
        ("db.m6g.metal", None),
        ("db.c6g.large", None),
    ],
)
def test_rds_postgres_max_connections_follow_the_class_memory(instance_class: str, connections: int | None) -> None:
    database = PostgresConfig.model_validate({"engine": "postgres", "instanceClass": instance_class})
    assert default_max_connections(database) == connections


# -- cross-checks -----------------------------------------------------------------------------------------------
def test_a_configured_max_connections_wins_over_the_default() -> None:
    flat = stack_config("dev")
    flat["platform:alarms"] = json.dumps({"database": {"maxConnections": 150}})
    assert max_connections(load_stack_config("dev", flat)) == 150


def test_without_a_database_there_is_no_max_connections() -> None:
    flat = stack_config("dev")
    flat.pop("platform:database")
    services = json.loads(flat["platform:services"])
    for service in services.values():
        service.get("grants", {}).pop("database", None)
    flat["platform:services"] = json.dumps(services)
    assert max_connections(load_stack_config("dev", flat)) is None


def test_an_unknown_instance_class_needs_max_connections() -> None:
    assert problems(database={"instanceClass": "db.x2g.large", "minCapacity": 0.5}) == [
        "platform:alarms.database.maxConnections: required for instance class db.x2g.large: its memory (and so its "
        "default max_connections) is not known to the platform; set the value from `SHOW max_connections`"
    ]


def test_an_unknown_instance_class_with_max_connections_is_accepted() -> None:
    database = {"instanceClass": "db.x2g.large", "minCapacity": 0.5}
    assert problems(database=database, alarms={"database": {"maxConnections": 1000}}) == []


def test_prod_without_subscribers_is_refused() -> None:
    alarms = json.loads(stack_config("prod")["platform:alarms"])
    alarms["emails"] = []
    assert problems("prod", alarms=alarms) == [
        "platform:alarms.emails = []: prod needs at least one subscriber: an alarm that notifies nobody is not "
        "monitoring; add the on-call address"
    ]


def test_dev_without_subscribers_is_accepted() -> None:
    assert problems(alarms={"emails": []}) == []


@pytest.mark.parametrize("name", ["database", "alb"])
def test_a_service_named_after_the_database_or_the_load_balancer_is_refused(name: str) -> None:
    services = json.loads(stack_config("dev")["platform:services"])
    services[name] = services.pop("worker")
    assert (
        f"platform:services.{name}: the service name {name} is reserved: alarms named <project>-<stack>-{name}-... "
        f"watch the {name}; rename the service"
    ) in problems(services=services)
