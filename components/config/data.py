"""`platform:tables`, `queues`, `buckets`, `events`, `database`, `secrets`: the stateful side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import ConfigModel

if TYPE_CHECKING:
    from .problems import Problem
    from .stack import StackConfig


class TableConfig(ConfigModel):
    """One DynamoDB table."""


class QueueConfig(ConfigModel):
    """One SQS queue with its dead-letter queue."""


class BucketConfig(ConfigModel):
    """One S3 bucket."""


class EventsConfig(ConfigModel):
    """The custom EventBridge bus and its rules."""


class DatabaseConfig(ConfigModel):
    """The Aurora PostgreSQL cluster."""


class SecretConfig(ConfigModel):
    """One Secrets Manager secret, created empty."""


def check(config: StackConfig) -> list[Problem]:
    """Cross-section checks of the data config."""
    return []
