"""log-retention and service-and-database-alarms."""

from __future__ import annotations

from policies.guardrails.observability import LOG_RETENTION, SERVICE_AND_DATABASE_ALARMS

from .helpers import UNKNOWN, UNKNOWN_NUMBER, R, check, check_stack

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_log_groups_have_a_retention() -> None:
    assert check(LOG_RETENTION, LOG_GROUP, {"retentionInDays": 14}).passed
    for props in ({}, {"retentionInDays": 0}):
        assert check(LOG_RETENTION, LOG_GROUP, props).violations == [
            "aws:cloudwatch/logGroup:LogGroup 'r' keeps its logs forever (retentionInDays unset): set "
            "retention_in_days (the stack's logRetentionDays), at least 1."
        ]
    assert check(LOG_RETENTION, LOG_GROUP, {"retentionInDays": 7}, config={"minimumRetentionDays": 30}).violations == [
        "aws:cloudwatch/logGroup:LogGroup 'r' keeps its logs 7 days: keep them at least 30."
    ]
    assert check(LOG_RETENTION, LOG_GROUP, {"retentionInDays": UNKNOWN_NUMBER}).deferred


def targets() -> tuple[R, R]:
    return (
        R("aws:ecs/service:Service", "api", {"name": "platform-dev-api", "cluster": UNKNOWN}),
        R("aws:rds/cluster:Cluster", "db", {"clusterIdentifier": "platform-dev-db"}),
    )


def test_services_and_databases_alarmed_by_dimension_value_pass() -> None:
    service, database = targets()
    alarms = [
        R(ALARM, "api-cpu", {"dimensions": {"ClusterName": "c", "ServiceName": "platform-dev-api"}}),
        R(ALARM, "db-connections", {"dimensions": {"DBClusterIdentifier": "platform-dev-db"}}),
    ]
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [service, database, *alarms]).passed


def test_an_alarm_found_through_property_dependencies_counts_even_when_names_are_unknown() -> None:
    service, database = targets()
    service.props["name"] = UNKNOWN
    alarm = R(ALARM, "api-cpu", {"dimensions": {"ServiceName": UNKNOWN}}, deps={"dimensions": [service]})
    query = R(
        ALARM,
        "db-math",
        {"metricQueries": [{"id": "m", "metric": {"dimensions": {"DBClusterIdentifier": UNKNOWN}}}]},
        deps={"metricQueries": [database]},
    )
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [service, database, alarm, query]).passed


def test_a_service_or_database_without_an_alarm_is_reported() -> None:
    service, database = targets()
    alarm = R(ALARM, "db-connections", {"dimensions": {"DBClusterIdentifier": "platform-dev-db"}})
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [service, database, alarm])
    assert result.violations == [
        "aws:ecs/service:Service 'api' has no CloudWatch alarm: add an aws.cloudwatch.MetricAlarm with dimension "
        "ServiceName=<its name> (the platform's observability component creates them per service and database), "
        "notifying the alarm topic."
    ]
    assert result.urns == [service.urn]


def test_an_unknown_dimension_defers_rather_than_guessing() -> None:
    service, _ = targets()
    alarm = R(ALARM, "maybe", {"dimensions": {"ServiceName": UNKNOWN}})
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [service, alarm])
    assert result.violations == [] and len(result.deferred) == 1


def test_the_number_of_alarms_required_is_configurable() -> None:
    service, _ = targets()
    alarm = R(ALARM, "api-cpu", {"dimensions": {"ServiceName": "platform-dev-api"}})
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [service, alarm]).passed
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [service, alarm], config={"minimumAlarms": 2})
    assert result.violations == [
        "aws:ecs/service:Service 'api' has 1 CloudWatch alarm(s), fewer than 2: add an aws.cloudwatch.MetricAlarm "
        "with dimension ServiceName=<its name> (the platform's observability component creates them per service "
        "and database), notifying the alarm topic."
    ]
