"""Where the program's config comes from: every `ns:key` the engine handed to this run."""

from __future__ import annotations

from typing import Any

from pulumi.runtime import config as runtime_config


def pulumi_config_values() -> dict[str, Any]:
    """All config of this run. `pulumi.Config` reads one known key at a time; listing every key is what
    lets a typo'd top-level key (`platform:netwrok`) be reported instead of silently ignored."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
