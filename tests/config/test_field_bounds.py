"""Every numeric setting of services (health checks, autoscaling, deployments, capacity), the load balancer,
`platform:functions`, `platform:tasks` and `platform:canaries` (and the triggers) at its edges: the documented default, accepted at its minimum and maximum, refused one past each with pydantic's
message naming the bound. The table is the documentation's (AWS's limits: Lambda memory 128 to 10240 MiB,
timeout up to 900 s, SQS batches up to 10000, Scheduler retries up to 185, Synthetics timeouts 15 to 840 s...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from components.config import compute, data, workloads
from components.config.functions import (
    CanaryConfig,
    FunctionConfig,
    QueueTriggerConfig,
    ScheduleTriggerConfig,
    TaskConfig,
)

FUNCTION = {"code": "functions/x", "handler": "handler.main", "runtime": "python3.13"}
SCHEDULE = {"expression": "rate(1 day)"}
PG = {"engine": "postgres"}
TASK = {"service": "api", "events": {"push": {"eventPattern": {"source": ["app"]}}}}


@dataclass(frozen=True)
class Bound:
    model: type[BaseModel]
    required: dict[str, Any]
    """The keys the model needs besides this one."""
    key: str
    default: Any
    low: float
    high: float
    open_low: bool = False
    """The minimum itself is refused (`gt`)."""
    allowed: str = ""
    """The data sections' bounds state the whole range (`allowed: 1 to 35 days`) on either side."""

    def value(self, value: Any) -> Any:
        return self.model.model_validate({**self.required, self.key: value}).model_dump()[self.key]


BOUNDS = [
    Bound(*row)
    for row in [
        (QueueTriggerConfig, {}, "batchSize", 10, 1, 10_000, False),
        (QueueTriggerConfig, {}, "batchingWindowSeconds", 0, 0, 300, False),
        (QueueTriggerConfig, {}, "maximumConcurrency", None, 2, 1000, False),
        (ScheduleTriggerConfig, SCHEDULE, "flexibleWindowMinutes", None, 1, 1440, False),
        (ScheduleTriggerConfig, SCHEDULE, "retryAttempts", 3, 0, 185, False),
        (ScheduleTriggerConfig, SCHEDULE, "maximumEventAgeSeconds", 3600, 60, 86_400, False),
        (FunctionConfig, FUNCTION, "memory", 256, 128, 10_240, False),
        (FunctionConfig, FUNCTION, "timeoutSeconds", 30, 1, 900, False),
        (FunctionConfig, FUNCTION, "reservedConcurrency", None, 1, 1000, False),
        (FunctionConfig, FUNCTION, "provisionedConcurrency", None, 1, 1000, False),
        (FunctionConfig, FUNCTION, "asyncRetryAttempts", 2, 0, 2, False),
        (FunctionConfig, FUNCTION, "maximumEventAgeSeconds", 21_600, 60, 21_600, False),
        (TaskConfig, TASK, "maximumRetryAttempts", 185, 0, 185, False),
        (CanaryConfig, {}, "expectedStatus", 200, 100, 599, False),
        (CanaryConfig, {}, "everyMinutes", 5, 1, 60, False),
        (CanaryConfig, {}, "timeoutSeconds", 60, 15, 840, False),
        (CanaryConfig, {}, "artifactRetentionDays", 30, 1, 455, False),
        (CanaryConfig, {}, "successPercent", 90, 0, 100, True),
        (CanaryConfig, {}, "alarmMinutes", 15, 1, 1440, False),
        (compute.WafConfig, {}, "rateLimit", 2000, 100, 2_000_000_000, False),
        (compute.TrafficTestListenerConfig, {}, "port", 8443, 1, 65535, False),
        (compute.LoadBalancerConfig, {}, "idleTimeoutSeconds", 60, 1, 4000, False),
        (compute.LoadBalancerConfig, {}, "accessLogExpirationDays", 90, 1, 3650, False),
        (compute.HealthCheckConfig, {}, "intervalSeconds", 30, 5, 300, False),
        (compute.HealthCheckConfig, {"intervalSeconds": 300}, "timeoutSeconds", 5, 2, 60, False),
        (compute.HealthCheckConfig, {}, "retries", 3, 1, 10, False),
        (compute.HealthCheckConfig, {}, "startPeriodSeconds", 60, 0, 300, False),
        (compute.HealthCheckConfig, {}, "healthyThreshold", 2, 2, 10, False),
        (compute.HealthCheckConfig, {}, "unhealthyThreshold", 3, 2, 10, False),
        (compute.AutoscalingConfig, {"maxCount": 1000}, "minCount", 1, 0, 1000, False),
        (compute.AutoscalingConfig, {"minCount": 1}, "maxCount", 4, 1, 1000, False),
        (compute.AutoscalingConfig, {}, "cpuTarget", 70, 0, 100, True),
        (compute.AutoscalingConfig, {}, "memoryTarget", 75, 0, 100, True),
        (compute.AutoscalingConfig, {}, "scaleInCooldownSeconds", 300, 0, 3600, False),
        (compute.AutoscalingConfig, {}, "scaleOutCooldownSeconds", 60, 0, 3600, False),
        (compute.CanaryConfig, {}, "bakeTimeMinutes", 10, 0, 1440, False),
        (compute.LinearConfig, {}, "stepBakeTimeMinutes", 6, 0, 1440, False),
        (compute.DeploymentConfig, {"strategy": "blue-green"}, "bakeTimeMinutes", None, 0, 1440, False),
        (compute.DeploymentConfig, {}, "minimumHealthyPercent", 100, 0, 100, False),
        (compute.DeploymentConfig, {}, "maximumPercent", 200, 100, 200, False),
        (compute.DeploymentConfig, {}, "healthCheckGraceSeconds", 120, 0, 2_147_483_647, False),
        (compute.DeploymentConfig, {}, "deregistrationDelaySeconds", 30, 0, 3600, False),
        (compute.CapacityConfig, {}, "onDemandBase", 1, 0, 100_000, False),
        (compute.CapacityConfig, {}, "onDemandWeight", 1, 0, 1000, False),
        (compute.CapacityConfig, {}, "spotWeight", 0, 0, 1000, False),
    ]
]
CORS = {"allowedOrigins": ["https://app.example.com"], "allowedMethods": ["GET"]}
RULE = {"eventPattern": {"source": ["app"]}, "queue": "jobs"}
BOUNDS += [
    Bound(model, required, key, default, low, high, allowed=allowed)
    for model, required, key, default, low, high, allowed in [
        (data.TableConfig, {}, "pointInTimeRecoveryDays", 35, 1, 35, "1 to 35 days"),
        (data.QueueConfig, {}, "visibilityTimeoutSeconds", 30, 0, 43_200, "0 to 43200 seconds"),
        (data.QueueConfig, {}, "maxReceiveCount", 5, 1, 1000, "1 to 1000 receives"),
        (data.QueueConfig, {}, "receiveWaitTimeSeconds", 20, 0, 20, "0 to 20 seconds"),
        (data.QueueConfig, {}, "delaySeconds", 0, 0, 900, "0 to 900 seconds"),
        (data.CorsRuleConfig, CORS, "maxAgeSeconds", 3000, 0, 86_400, "0 to 86400 seconds"),
        (data.EventRuleConfig, RULE, "maximumRetryAttempts", 185, 0, 185, "0 to 185 attempts"),
        (data.EventRuleConfig, RULE, "maximumEventAgeSeconds", 86_400, 60, 86_400, "60 to 86400 seconds"),
        (data.DatabaseConfig, {}, "backupRetentionDays", 7, 1, 35, "1 to 35 days"),
        (data.DatabaseConfig, {}, "slowQueryMs", 1000, 100, 60_000, "100 to 60000 ms"),
        (data.DatabaseConfig, {}, "masterSecretRotationDays", 7, 1, 365, "1 to 365 days"),
        (data.DatabaseConfig, {}, "instances", 1, 1, 16, "1 to 16 instances"),
        (data.DatabaseConfig, {}, "secondsUntilAutoPause", 900, 300, 86_400, "300 to 86400 seconds"),
        (data.PostgresConfig, PG, "allocatedStorageGib", 20, 20, 65_536, "20 to 65536 GiB"),
        (data.PostgresConfig, PG, "readReplicas", 0, 0, 5, "0 to 5 replicas"),
        (data.PostgresConfig, PG, "backupRetentionDays", 7, 1, 35, "1 to 35 days"),
        (data.RotationConfig, {}, "days", 30, 1, 1000, "1 to 1000 days"),
        (data.CacheConfig, {}, "replicas", 0, 0, 5, "0 to 5 replicas"),
        (data.CacheConfig, {}, "snapshotRetentionDays", 1, 0, 35, "0 to 35 days"),
        (data.BackupConfig, {}, "retentionDays", 35, 1, 36_500, "1 to 36500 days"),
    ]
]
BOUNDS += [
    Bound(workloads.RepositoryConfig, {}, "keepTaggedImages", 50, 1, 10_000),
    Bound(workloads.RepositoryConfig, {}, "untaggedExpiryDays", 7, 1, 3650),
    Bound(workloads.TaskScheduleConfig, SCHEDULE, "flexibleWindowMinutes", None, 1, 1440),
    Bound(workloads.TaskScheduleConfig, SCHEDULE, "retryAttempts", 2, 0, 185),
    Bound(workloads.TaskScheduleConfig, SCHEDULE, "maximumEventAgeSeconds", 3600, 60, 86_400),
]
IDS = [f"{b.model.__name__}.{b.key}" for b in BOUNDS]


@pytest.mark.parametrize("bound", BOUNDS, ids=IDS)
def test_a_setting_defaults_as_documented_and_is_accepted_at_its_bounds(bound: Bound) -> None:
    assert bound.model.model_validate(bound.required).model_dump()[bound.key] == bound.default
    smallest = bound.low + 0.5 if bound.open_low else bound.low
    assert (bound.value(smallest), bound.value(bound.high)) == (smallest, bound.high)


@pytest.mark.parametrize("bound", BOUNDS, ids=IDS)
def test_a_setting_one_past_a_bound_is_refused_naming_the_bound(bound: Bound) -> None:
    below = f"greater than {bound.low}" if bound.open_low else f"greater than or equal to {bound.low}"
    for value, message in (
        (bound.low if bound.open_low else bound.low - 1, below),
        (bound.high + 1, f"less than or equal to {bound.high}"),
    ):
        with pytest.raises(ValidationError) as caught:
            bound.value(value)
        [error] = caught.value.errors()
        expected = f"Value error, allowed: {bound.allowed}" if bound.allowed else f"Input should be {message}"
        assert (error["loc"], error["msg"]) == ((bound.key,), expected), value
