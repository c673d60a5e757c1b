"""`platform:alarms`: the alarm topic's subscribers and alarm thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import ConfigModel

if TYPE_CHECKING:
    from .problems import Problem
    from .stack import StackConfig


class AlarmsConfig(ConfigModel):
    """Alarm topic subscriptions and thresholds."""


def check(config: StackConfig) -> list[Problem]:
    """Cross-section checks of the observability config."""
    return []
