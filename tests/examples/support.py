"""Run an example stack config file (`examples/<name>/Pulumi.<stack>.yaml`) under the in-process engine.

The preview CLI's `--config-file` is being added on another branch; until it lands here the tests read the
example's stack file with offline/stackfile and run it with offline/engine, as `--config-file` will."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from components.config import StackConfig, load_stack_config
from offline.engine import StackRun, run_stack
from offline.stackfile import PROJECT_DIR, project_name, read_stack_file, to_engine_config

EXAMPLES = PROJECT_DIR / "examples"


def example_config(example: str, stack: str | None = None) -> dict[str, str]:
    """The flat config (`ns:key` -> string) of `examples/<example>/Pulumi.<stack>.yaml`."""
    directory: Path = EXAMPLES / example
    return to_engine_config(read_stack_file(stack or example, directory), project_name())


@cache
def example_run(example: str, *, stack: str | None = None, preview: bool = False) -> StackRun:
    """The example's stack `stack` (`examples/<example>/Pulumi.<stack>.yaml`; default: named after the example)
    as `up` (or a first preview) sees it; once per process."""
    return run_stack(stack or example, config=example_config(example, stack), preview=preview)


@cache
def example_stack_config(example: str, stack: str | None = None) -> StackConfig:
    return load_stack_config(stack or example, example_config(example, stack))
