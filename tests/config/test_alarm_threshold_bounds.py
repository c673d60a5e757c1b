"""The value types of `platform:alarms` thresholds at their edges: each accepted at its bound and refused one
past it (a percentage above 0 up to 100, minutes 1 to 1440, counts 0 to 1,000,000, seconds above 0 up to a
day, an email address of at most 254 characters), with the message stating the whole allowed range."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter, ValidationError

from components.config.observability import (
    Count,
    CustomAlarmConfig,
    EmailAddress,
    Minutes,
    Percent,
    Seconds,
    Statistic,
    WebThresholds,
    _between,  # pyright: ignore[reportPrivateUsage]
)

MINUTES = "allowed: 1 to 1440 minutes (CloudWatch evaluates at most one day)"
CASES: list[tuple[Any, list[Any], list[Any], str]] = [
    (Percent, [0.001, 100], [0, -1, 100.001], "allowed: above 0 and at most 100 %"),
    (Minutes, [1, 1440], [0, 1441], MINUTES),
    (Count, [0, 1_000_000], [-1, 1_000_001], "allowed: 0 to 1000000 (the alarm fires above this count)"),
    (Seconds, [0.5, 86_400], [0, 86_400.5], "allowed: above 0 and at most 86400 seconds"),
]


@pytest.mark.parametrize(("kind", "good", "bad", "message"), CASES, ids=["percent", "minutes", "count", "seconds"])
def test_a_threshold_is_accepted_at_its_bounds_and_refused_one_past_them(
    kind: Any, good: list[Any], bad: list[Any], message: str
) -> None:
    adapter = TypeAdapter(kind)
    assert [adapter.validate_python(v) for v in good] == good
    for value in bad:
        with pytest.raises(ValidationError) as caught:
            adapter.validate_python(value)
        assert [e["msg"] for e in caught.value.errors()] == [f"Value error, {message}"], value


def test_minimum_healthy_hosts_is_off_by_default_else_1_to_1000_targets() -> None:
    assert WebThresholds().minimum_healthy_hosts is None
    for value in (1, 1000):
        assert WebThresholds.model_validate({"minimumHealthyHosts": value}).minimum_healthy_hosts == value
    for value in (0, 1001):
        with pytest.raises(ValidationError) as caught:
            WebThresholds.model_validate({"minimumHealthyHosts": value})
        assert caught.value.errors()[0]["msg"] == "Value error, allowed: 1 to 1000 targets"


def test_an_email_address_is_one_address_of_at_most_254_characters() -> None:
    adapter = TypeAdapter(EmailAddress)
    longest = "a" * 64 + "@" + "b" * 185 + ".com"
    assert len(longest) == 254 and adapter.validate_python(longest) == longest
    for value in ("a" + longest, "ops@example", "ops@example.com, dev@example.com", "ops.example.com"):
        with pytest.raises(ValidationError) as caught:
            adapter.validate_python(value)
        assert caught.value.errors()[0]["msg"] == (
            "Value error, not an email address; expected name@example.com (one address per entry)"
        ), value


def _refused(kind: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    return caught.value.errors()[0]["msg"]


def test_a_custom_alarms_statistic_is_a_named_one_or_a_percentile() -> None:
    adapter = TypeAdapter(Statistic)
    for value in ("SampleCount", "Average", "Sum", "Minimum", "Maximum", "p99", "p99.9", "p0", "p100"):
        assert adapter.validate_python(value) == value
    for value in ("P99", "p101", "p99.999", "average", "tm99", ""):
        assert _refused(Statistic, value) == (
            "Value error, allowed: SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99 or p99.9"
        ), value


def test_a_custom_alarms_period_is_10_30_or_a_multiple_of_60_up_to_a_day() -> None:
    alarm = {"namespace": "Candlefish", "metric": "M", "threshold": 1}
    for value in (10, 30, 60, 120, 86_400):
        assert CustomAlarmConfig.model_validate({**alarm, "periodSeconds": value}).period_seconds == value
    for value in (0, 20, 59, 61, 90, 86_460, -60):
        with pytest.raises(ValidationError) as caught:
            CustomAlarmConfig.model_validate({**alarm, "periodSeconds": value})
        assert caught.value.errors()[0]["msg"] == (
            "Value error, allowed: 10, 30 or a multiple of 60 up to 86400 seconds"
        ), value


def test_a_fractional_bound_is_stated_as_written() -> None:
    assert _refused(Annotated[float, _between(0.5, 2.5, "s")], 3) == "Value error, allowed: 0.5 to 2.5 s"
