"""`platform:caches` and `grants.caches`: presets per environment and one line per problem."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config

from .mutate import broken

CASES: list[tuple[str, str, Any, str]] = [
    (
        "prod",
        "platform:caches.rate-limit.replicas",
        0,
        "Pulumi.prod.yaml: platform:caches.rate-limit.replicas = 0: prod needs a replica in another AZ for Multi-AZ "
        "automatic failover (allowed: 1 to 5)",
    ),
    (
        "prod",
        "platform:caches.rate-limit.replicas",
        6,
        "Pulumi.prod.yaml: platform:caches.rate-limit.replicas = 6: allowed: 0 to 5 replicas",
    ),
    (
        "prod",
        "platform:caches.rate-limit.engineVersion",
        "6.2",
        "Pulumi.prod.yaml: platform:caches.rate-limit.engineVersion = '6.2': allowed for valkey: 7.2, 8.0, 8.1 (IAM "
        "authentication needs 7 or later)",
    ),
    (
        "prod",
        "platform:caches.rate-limit.engine",
        "memcached",
        "Pulumi.prod.yaml: platform:caches.rate-limit.engine = 'memcached': Input should be 'valkey' or 'redis'",
    ),
    (
        "prod",
        "platform:caches.rate-limit.nodeType",
        "m7g.large",
        "Pulumi.prod.yaml: platform:caches.rate-limit.nodeType = 'm7g.large': String should match pattern "
        "'^cache\\.[a-z0-9]+\\.[a-z0-9]+$'",
    ),
    (
        "prod",
        "platform:caches.rate-limit.snapshotRetentionDays",
        36,
        "Pulumi.prod.yaml: platform:caches.rate-limit.snapshotRetentionDays = 36: allowed: 0 to 35 days",
    ),
    (
        "prod",
        "platform:caches.rate-limit.maintenanceWindow",
        "sun:02:30-sun:03:30",
        "Pulumi.prod.yaml: platform:caches.rate-limit.maintenanceWindow = 'sun:02:30-sun:03:30': overlaps "
        "snapshotWindow (02:00-03:00); ElastiCache rejects that",
    ),
    (
        "prod",
        "platform:caches.rate-limit.user",
        "App",
        "Pulumi.prod.yaml: platform:caches.rate-limit.user = 'App': expected lower-case letters, digits and -, 1 to "
        "16, starting with a letter",
    ),
    (
        "prod",
        "platform:caches.rate-limit.authToken",
        "x",
        "Pulumi.prod.yaml: platform:caches.rate-limit.authToken: unknown key (a typo?); allowed keys here: "
        "accessString, engine, engineVersion, maintenanceWindow, nodeType, replicas, snapshotRetentionDays, "
        "snapshotWindow, user",
    ),
    (
        "prod",
        "platform:services.api.grants.caches",
        {"sessions": "connect"},
        "Pulumi.prod.yaml: platform:services.api.grants.caches.sessions = 'connect': no cache 'sessions' in "
        "platform:caches (defined: rate-limit)",
    ),
    (
        "prod",
        "platform:services.api.grants.caches",
        {"rate-limit": "readwrite"},
        "Pulumi.prod.yaml: platform:services.api.grants.caches.rate-limit = 'readwrite': Input should be 'connect'",
    ),
]


@pytest.mark.parametrize(
    ("stack", "path", "value", "expected"),
    CASES,
    ids=[f"{c[0]}:{c[1].removeprefix('platform:')}={c[2]!r}"[:90] for c in CASES],
)
def test_bad_cache_config_is_reported_with_its_key_path(stack: str, path: str, value: Any, expected: str) -> None:
    with pytest.raises(StackConfigError) as raised:
        load_stack_config(stack, broken(stack, path, value))
    assert expected in raised.value.lines, "\n".join(raised.value.lines)


@pytest.mark.parametrize(
    ("stack", "node", "replicas", "snapshots"),
    [("dev", "cache.t4g.micro", 0, 0), ("staging", "cache.t4g.small", 1, 7), ("prod", "cache.m7g.large", 1, 35)],
)
def test_cache_presets_per_environment(stack: str, node: str, replicas: int, snapshots: int) -> None:
    flat = broken(stack, "platform:caches.sessions", {})
    cache = load_stack_config(stack, flat).caches["sessions"]
    assert (cache.node_type, cache.replicas, cache.snapshot_retention_days) == (node, replicas, snapshots)
    assert (cache.engine, cache.version, cache.multi_az) == ("valkey", "8.0", replicas >= 1)
