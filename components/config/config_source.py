"""Where the program's config comes from: every `ns:key` the engine handed to this run."""

from __future__ import annotations

import os
from typing import Any

from pulumi.runtime import config as runtime_config


def pulumi_config_values() -> dict[str, Any]:
    """All config of this run. `pulumi.Config` reads one known key at a time; listing every key is what
    lets a typo'd top-level key (`platform:netwrok`) be reported instead of silently ignored."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


CONFIG_FILE_VARIABLE = "PLATFORM_CONFIG_FILE"
"""Set to the stack config file when it is not `Pulumi.<stack>.yaml` (`scripts/pulumi.sh --config-file`, the
offline preview's `--config-file`): the program cannot learn the file from the engine, and its config
problems should name the file the user edits."""


def stack_file_label(stack: str) -> str:
    """The stack config file that config problems name: `$PLATFORM_CONFIG_FILE`, else `Pulumi.<stack>.yaml`."""
    return os.environ.get(CONFIG_FILE_VARIABLE) or f"Pulumi.{stack}.yaml"
