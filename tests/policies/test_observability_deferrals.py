"""log-retention and service-and-database-alarms defer, rather than pass or fail, exactly when what they judge
is unknown at preview: an unknown alarm may watch a service only if the unknown part could name it."""

from __future__ import annotations

from policies.guardrails.observability import LOG_RETENTION, SERVICE_AND_DATABASE_ALARMS

from .helpers import UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_NUMBER, UNKNOWN_OBJECT, R, check, check_stack

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SERVICE = "aws:ecs/service:Service"
NO_ALARM = (
    "aws:ecs/service:Service 'api' has no CloudWatch alarm: add an aws.cloudwatch.MetricAlarm with dimension "
    "ServiceName=<its name> (the platform's observability component creates them per service and database), "
    "notifying the alarm topic."
)


def alarms_deferred(subject: str) -> list[str]:
    return [
        "can't run policy 'service-and-database-alarms' from policy pack 'test-pack@v0.0.1' during preview: which "
        f"alarms watch {subject} can't be known during preview: alarm dimensions are judged on `pulumi up`"
    ]


def test_an_unknown_retention_defers_the_log_group() -> None:
    result = check(LOG_RETENTION, LOG_GROUP, {"retentionInDays": UNKNOWN_NUMBER})
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'log-retention' from policy pack 'test-pack@v0.0.1' during preview: .retentionInDays of "
        f"{LOG_GROUP} 'r' can't be known during preview: judged on `pulumi up`, when known"
    ]


def test_retention_at_the_minimum_passes_and_one_day_less_fails() -> None:
    config = {"minimumRetentionDays": 30}
    assert check(LOG_RETENTION, LOG_GROUP, {"retentionInDays": 30}, config=config).passed
    assert check(LOG_RETENTION, LOG_GROUP, {"retentionInDays": 29}, config=config).violations == [
        f"{LOG_GROUP} 'r' keeps its logs 29 days: keep them at least 30."
    ]


def service(name: object = "platform-dev-api") -> R:
    return R(SERVICE, "api", {"name": name})


def test_an_alarm_whose_dimensions_are_unknown_as_a_whole_defers() -> None:
    alarm = R(ALARM, "maybe", {"dimensions": UNKNOWN_OBJECT})
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [service(), alarm])
    assert result.violations == []
    assert result.deferred == alarms_deferred(f"{SERVICE} 'api'")


def test_an_alarm_whose_metric_queries_are_unknown_defers() -> None:
    alarm = R(ALARM, "maybe", {"metricQueries": UNKNOWN_ARRAY})
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [service(), alarm])
    assert result.violations == []
    assert result.deferred == alarms_deferred(f"{SERVICE} 'api'")


def test_an_unknown_value_of_another_dimension_cannot_name_the_service() -> None:
    alarm = R(ALARM, "db", {"dimensions": {"DBClusterIdentifier": UNKNOWN}})
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [service(), alarm]).violations == [NO_ALARM]


def test_malformed_dimensions_name_nothing() -> None:
    alarm = R(ALARM, "odd", {"dimensions": "ServiceName=platform-dev-api"})
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [service(), alarm]).violations == [NO_ALARM]


def test_an_alarm_for_another_service_does_not_count() -> None:
    alarm = R(ALARM, "other", {"dimensions": {"ServiceName": "platform-dev-worker"}})
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [service(), alarm]).violations == [NO_ALARM]


def test_a_service_named_only_at_up_with_every_alarm_already_counted_is_judged_now() -> None:
    # The service's name is unknown, but the one alarm in the stack surely watches it (by dependency): no other
    # alarm could, so "1 of 2" is certain at preview.
    api = service(UNKNOWN)
    alarm = R(ALARM, "api-cpu", {"dimensions": {"ServiceName": UNKNOWN}}, deps={"dimensions": [api]})
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [api, alarm], config={"minimumAlarms": 2})
    assert result.violations == [
        "aws:ecs/service:Service 'api' has 1 CloudWatch alarm(s), fewer than 2: add an aws.cloudwatch.MetricAlarm "
        "with dimension ServiceName=<its name> (the platform's observability component creates them per service "
        "and database), notifying the alarm topic."
    ]
    other = R(ALARM, "other", {"dimensions": {"ServiceName": "platform-dev-worker"}})
    deferred = check_stack(SERVICE_AND_DATABASE_ALARMS, [api, alarm, other], config={"minimumAlarms": 2})
    assert deferred.violations == []
    assert deferred.deferred == alarms_deferred(f"{SERVICE} 'api'")


def test_an_rds_instance_is_watched_by_its_instance_identifier() -> None:
    instance = R("aws:rds/instance:Instance", "db", {"identifier": "platform-dev-db"})
    watched = R(ALARM, "db-cpu", {"dimensions": {"DBInstanceIdentifier": "platform-dev-db"}})
    by_cluster = R(ALARM, "db-cpu", {"dimensions": {"DBClusterIdentifier": "platform-dev-db"}})
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [instance, watched]).passed
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [instance, by_cluster]).violations == [
        "aws:rds/instance:Instance 'db' has no CloudWatch alarm: add an aws.cloudwatch.MetricAlarm with dimension "
        "DBInstanceIdentifier=<its identifier> (the platform's observability component creates them per service "
        "and database), notifying the alarm topic."
    ]
