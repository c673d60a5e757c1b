"""`platform:alarms`: the reference's thresholds as defaults, subscribers, and one line per problem naming the
stack file, the key path, the value and what is allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.data import DatabaseConfig
from components.config.observability import AlarmsConfig, default_max_connections, instance_memory_gib
from offline.engine import stack_config

from .mutate import DELETE, broken

CASES: list[tuple[str, str, Any, str]] = [
    # -- subscribers ----------------------------------------------------------------------------------
    (
        "dev",
        "platform:alarms.emails",
        ["oncall"],
        "Pulumi.dev.yaml: platform:alarms.emails[0] = 'oncall': not an email address; expected name@example.com "
        "(one address per entry)",
    ),
    (
        "staging",
        "platform:alarms.emails",
        ["ops@example.com", "a b@example.com"],
        "Pulumi.staging.yaml: platform:alarms.emails[1] = 'a b@example.com': not an email address; expected "
        "name@example.com (one address per entry)",
    ),
    (
        "prod",
        "platform:alarms.emails",
        "oncall@example.com",
        "Pulumi.prod.yaml: platform:alarms.emails = 'oncall@example.com': Input should be a valid list",
    ),
    (
        "prod",
        "platform:alarms.emails",
        [],
        "Pulumi.prod.yaml: platform:alarms.emails = []: prod needs at least one subscriber: an alarm that notifies "
        "nobody is not monitoring; add the on-call address",
    ),
    (
        "prod",
        "platform:alarms",
        DELETE,
        "Pulumi.prod.yaml: platform:alarms.emails = []: prod needs at least one subscriber: an alarm that notifies "
        "nobody is not monitoring; add the on-call address",
    ),
    # -- threshold ranges -----------------------------------------------------------------------------
    (
        "dev",
        "platform:alarms.services.cpuPercent",
        0,
        "Pulumi.dev.yaml: platform:alarms.services.cpuPercent = 0: allowed: above 0 and at most 100 %",
    ),
    (
        "staging",
        "platform:alarms.services.memoryPercent",
        120,
        "Pulumi.staging.yaml: platform:alarms.services.memoryPercent = 120: allowed: above 0 and at most 100 %",
    ),
    (
        "dev",
        "platform:alarms.services.cpuMinutes",
        0,
        "Pulumi.dev.yaml: platform:alarms.services.cpuMinutes = 0: allowed: 1 to 1440 minutes (CloudWatch evaluates "
        "at most one day)",
    ),
    (
        "prod",
        "platform:alarms.services.tasksBelowDesiredMinutes",
        1441,
        "Pulumi.prod.yaml: platform:alarms.services.tasksBelowDesiredMinutes = 1441: allowed: 1 to 1440 minutes "
        "(CloudWatch evaluates at most one day)",
    ),
    (
        "dev",
        "platform:alarms.web.latencyP95Seconds",
        0,
        "Pulumi.dev.yaml: platform:alarms.web.latencyP95Seconds = 0: allowed: above 0 and at most 86400 seconds",
    ),
    (
        "staging",
        "platform:alarms.web.errorRatePercent",
        101,
        "Pulumi.staging.yaml: platform:alarms.web.errorRatePercent = 101: allowed: above 0 and at most 100 %",
    ),
    (
        "dev",
        "platform:alarms.web.unhealthyHosts",
        -1,
        "Pulumi.dev.yaml: platform:alarms.web.unhealthyHosts = -1: allowed: 0 to 1000000 (the alarm fires above "
        "this count)",
    ),
    (
        "dev",
        "platform:alarms.queues.deadLetterMessages",
        -5,
        "Pulumi.dev.yaml: platform:alarms.queues.deadLetterMessages = -5: allowed: 0 to 1000000 (the alarm fires "
        "above this count)",
    ),
    (
        "prod",
        "platform:alarms.database.connectionsPercent",
        0,
        "Pulumi.prod.yaml: platform:alarms.database.connectionsPercent = 0: allowed: above 0 and at most 100 %",
    ),
    (
        "prod",
        "platform:alarms.database.maxConnections",
        0,
        "Pulumi.prod.yaml: platform:alarms.database.maxConnections = 0: allowed: 1 to 262143 connections",
    ),
    (
        "dev",
        "platform:alarms.loadBalancer.elb5xxMinutes",
        0,
        "Pulumi.dev.yaml: platform:alarms.loadBalancer.elb5xxMinutes = 0: allowed: 1 to 1440 minutes (CloudWatch "
        "evaluates at most one day)",
    ),
    (
        "dev",
        "platform:alarms.services.cpuPercent",
        "high",
        "Pulumi.dev.yaml: platform:alarms.services.cpuPercent = 'high': Input should be a valid number, unable to "
        "parse string as a number",
    ),
    # -- typos ------------------------------------------------------------------------------------------
    (
        "dev",
        "platform:alarms.email",
        ["oncall@example.com"],
        "Pulumi.dev.yaml: platform:alarms.email: unknown key (a typo?); allowed keys here: caches, custom, database, "
        "emails, functions, httpsEndpoints, loadBalancer, queues, services, slack, web",
    ),
    (
        "dev",
        "platform:alarms.web.latencyP90Seconds",
        2,
        "Pulumi.dev.yaml: platform:alarms.web.latencyP90Seconds: unknown key (a typo?); allowed keys here: "
        "errorRateMinutes, errorRatePercent, latencyMinutes, latencyP95Seconds, latencyP99Seconds, "
        "minimumHealthyHosts, targetErrorsMinutes, targetErrorsPerMinute, unhealthyHosts, unhealthyHostsMinutes",
    ),
    (
        "prod",
        "platform:alarms.web.targetErrorsPerMinute",
        -1,
        "Pulumi.prod.yaml: platform:alarms.web.targetErrorsPerMinute = -1: allowed: 0 to 1000000 "
        "(the alarm fires above this count)",
    ),
    (
        "dev",
        "platform:alarms.web.latencyP99Seconds",
        0,
        "Pulumi.dev.yaml: platform:alarms.web.latencyP99Seconds = 0: allowed: above 0 and at most 86400 seconds",
    ),
    (
        "prod",
        "platform:alarms.loadBalancer.activeConnections",
        -1,
        "Pulumi.prod.yaml: platform:alarms.loadBalancer.activeConnections = -1: allowed: 0 to 1000000 (the alarm "
        "fires above this count)",
    ),
    # -- cross-section --------------------------------------------------------------------------------
    (
        "staging",
        "platform:database.instanceClass",
        "db.x2g.large",
        "Pulumi.staging.yaml: platform:alarms.database.maxConnections: required for instance class db.x2g.large: "
        "its memory (and so its default max_connections) is not known to the platform; set the value from "
        "`SHOW max_connections`",
    ),
]


@pytest.mark.parametrize(
    ("stack", "path", "value", "expected"),
    CASES,
    ids=[f"{c[0]}:{c[1].removeprefix('platform:')}={c[2]!r}"[:90] for c in CASES],
)
def test_bad_alarms_config_is_reported_with_its_key_path(stack: str, path: str, value: Any, expected: str) -> None:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config(stack, broken(stack, path, value))
    assert expected in raised.value.lines, "\n".join(raised.value.lines)


def test_every_problem_of_the_alarms_section_is_reported_at_once() -> None:
    flat = broken("prod", "platform:alarms", {"emails": ["x"], "services": {"cpuPercent": 0, "cpuMinutes": 0}})
    with pytest.raises(StackConfigError) as raised:
        load_stack_config("prod", flat)
    assert [line.split(" = ")[0] for line in raised.value.lines] == [
        "Pulumi.prod.yaml: platform:alarms.emails[0]",
        "Pulumi.prod.yaml: platform:alarms.services.cpuPercent",
        "Pulumi.prod.yaml: platform:alarms.services.cpuMinutes",
    ]


def test_a_service_may_not_take_the_name_of_the_database_alarms() -> None:
    flat = stack_config("dev")
    flat["platform:services"] = flat["platform:services"].replace('"worker":', '"database":')
    with pytest.raises(StackConfigError) as raised:
        load_stack_config("dev", flat)
    assert (
        "Pulumi.dev.yaml: platform:services.database: the service name database is reserved: alarms named "
        "<project>-<stack>-database-... watch the database; rename the service"
    ) in raised.value.lines


def test_a_provisioned_class_of_unknown_memory_is_fine_once_max_connections_is_set() -> None:
    flat = broken("staging", "platform:database.instanceClass", "db.x2g.large")
    flat = broken_in(flat, "platform:alarms", {"emails": ["ops@example.com"], "database": {"maxConnections": 1500}})
    config = load_stack_config("staging", flat)
    assert config.alarms.database.max_connections == 1500


def broken_in(flat: dict[str, str], key: str, value: Any) -> dict[str, str]:
    return {**flat, key: json.dumps(value)}


def test_defaults_are_the_reference_thresholds() -> None:
    alarms = AlarmsConfig()
    web, services, queues, db, lb = (alarms.web, alarms.services, alarms.queues, alarms.database, alarms.load_balancer)
    # p95 > 1 s for 5 min; 5xx > 5 % over 5 min; unhealthy hosts > 0
    assert (web.latency_p95_seconds, web.latency_minutes) == (1.0, 5)
    assert (web.error_rate_percent, web.error_rate_minutes) == (5, 5)
    assert web.unhealthy_hosts == 0
    # CPU > 85 % for 10 min; memory > 90 %; running < desired for 2 min
    assert (services.cpu_percent, services.cpu_minutes) == (85, 10)
    assert services.memory_percent == 90
    assert services.tasks_below_desired_minutes == 2
    # DLQ depth > 0; connections > 80 % of max; ELB 5xx > 10 a minute for 2 minutes
    assert queues.dead_letter_messages == 0
    assert db.connections_percent == 80
    assert (lb.elb_5xx_per_minute, lb.elb_5xx_minutes, lb.rejected_connections) == (10, 2, 0)
    assert alarms.emails == []


@pytest.mark.parametrize(
    ("stack", "emails"),
    [
        ("dev", []),
        ("staging", ["platform-team@example.com"]),
        ("prod", ["oncall@example.com", "platform-team@example.com"]),
    ],
)
def test_stack_files_name_their_subscribers_and_keep_the_default_thresholds(stack: str, emails: list[str]) -> None:
    alarms = load_stack_config(stack, stack_config(stack)).alarms
    assert alarms.emails == emails
    assert alarms.model_dump(exclude={"emails"}) == AlarmsConfig().model_dump(exclude={"emails"})


# -- max_connections: AWS's table for Serverless v2 and formula for provisioned classes -------------------------
@pytest.mark.parametrize(
    ("min_acu", "max_acu", "expected"),
    [
        # Aurora User Guide, "Maximum connections for Aurora Serverless v2", Aurora PostgreSQL column
        (1, 1, 189),
        (1, 4, 823),
        (1, 8, 1669),
        (1, 16, 3360),
        (1, 32, 5000),
        (1, 128, 5000),
        # ...capped at 2,000 with a minimum of 0 or 0.5 ACU
        (0.5, 1, 189),
        (0.5, 16, 2000),
        (0, 64, 2000),
        # between two rows: proportional to memory
        (0, 2, 400),
        (1, 12, 2514),
    ],
)
def test_serverless_max_connections_follow_aws_table(min_acu: float, max_acu: float, expected: int) -> None:
    database = DatabaseConfig.model_validate({"minCapacity": min_acu, "maxCapacity": max_acu})
    assert default_max_connections(database) == expected
    assert instance_memory_gib(database) == 2 * max_acu


@pytest.mark.parametrize(
    ("instance_class", "memory", "expected"),
    [
        ("db.r6g.large", 16, 1678),
        ("db.r7g.xlarge", 32, 3357),
        ("db.r6g.2xlarge", 64, 5000),
        ("db.t4g.medium", 4, 419),
        ("db.x2g.large", None, None),
    ],
)
def test_provisioned_max_connections_use_the_memory_formula(
    instance_class: str, memory: float | None, expected: int | None
) -> None:
    database = DatabaseConfig.model_validate({"instanceClass": instance_class})
    assert instance_memory_gib(database) == memory
    assert default_max_connections(database) == expected
