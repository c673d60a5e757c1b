"""service-and-database-alarms over many services: alarms are matched to what they watch through one index, so
each service finds exactly its own alarms however many others the stack has."""

from __future__ import annotations

from policies.guardrails.observability import SERVICE_AND_DATABASE_ALARMS

from .helpers import UNKNOWN, R, check_stack

SERVICE = "aws:ecs/service:Service"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _services(count: int) -> list[R]:
    return [R(SERVICE, f"svc-{i}", {"name": f"platform-prod-svc-{i}"}) for i in range(count)]


def test_among_many_services_only_the_one_without_its_own_alarm_is_reported() -> None:
    services = _services(60)
    alarms = [
        R(ALARM, f"svc-{i}-cpu", {"dimensions": {"ClusterName": "c", "ServiceName": f"platform-prod-svc-{i}"}})
        for i in range(60)
        if i != 41
    ]
    # metric math naming only the cluster: these watch their service through the dependency alone
    alarms += [
        R(
            ALARM,
            f"svc-{i}-math",
            {"metricQueries": [{"id": "m", "metric": {"dimensions": {"ClusterName": "c"}}}]},
            deps={"metricQueries": [services[i]]},
        )
        for i in range(0, 60, 3)
        if i != 42
    ]
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [*services, *alarms], config={"minimumAlarms": 1})
    assert result.urns == [services[41].urn]
    assert result.deferred == []
    # two per service where both kinds exist: a dimension match and a dependency count as two alarms
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [*services, *alarms], config={"minimumAlarms": 2})
    twice = {i for i in range(0, 60, 3) if i not in (41, 42)}
    assert sorted(result.urns) == sorted(s.urn for i, s in enumerate(services) if i not in twice)


def test_one_alarm_with_an_unknown_dimension_defers_only_the_services_it_might_watch() -> None:
    services = _services(5)
    alarms = [R(ALARM, f"svc-{i}-cpu", {"dimensions": {"ServiceName": f"platform-prod-svc-{i}"}}) for i in range(4)]
    alarms.append(R(ALARM, "who-knows", {"dimensions": {"ServiceName": UNKNOWN}}))
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [*services, *alarms])
    assert result.violations == [] and len(result.deferred) == 1  # svc-4: only the unknown alarm might watch it
    assert "svc-4" in result.deferred[0]
    other = [R(ALARM, "who-knows", {"dimensions": {"DBClusterIdentifier": UNKNOWN}})]  # names no service
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [*services, *alarms[:4], *other])
    assert result.urns == [services[4].urn] and result.deferred == []


def test_a_service_whose_name_is_unknown_defers_while_any_other_alarm_might_watch_it() -> None:
    service = R(SERVICE, "api", {"name": UNKNOWN})
    alarm = R(ALARM, "elsewhere", {"dimensions": {"ServiceName": "platform-prod-web"}})
    result = check_stack(SERVICE_AND_DATABASE_ALARMS, [service, alarm])
    assert result.violations == [] and len(result.deferred) == 1
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [service]).urns == [service.urn]
