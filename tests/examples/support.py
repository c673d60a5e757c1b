"""Run an example stack config file (`examples/<name>/Pulumi.<stack>.yaml`) under the in-process engine, as
`pulumi preview --config-file <file> --stack <stack>` does: the file's config replaces the stack file's.

Each example run happens once per test session (`tests.shared_runs`), whichever modules and workers need it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from components.config import StackConfig, load_stack_config
from offline.engine import StackRun
from offline.stackfile import PROJECT_DIR, project_name, read_stack_file, to_engine_config
from tests.shared_runs import shared_run

EXAMPLES = PROJECT_DIR / "examples"


def example_config(example: str, stack: str | None = None) -> dict[str, str]:
    """The flat config (`ns:key` -> string) of `examples/<example>/Pulumi.<stack>.yaml` (stack: the example's
    name unless given)."""
    directory: Path = EXAMPLES / example
    return to_engine_config(read_stack_file(stack or example, directory), project_name())


def example_run(example: str, *, stack: str | None = None, preview: bool = False) -> StackRun:
    """The example's stack (`stack`, else named after the example) as `up` (or a first preview) sees it."""
    return shared_run(stack or example, config=example_config(example, stack), preview=preview)


@cache
def example_stack_config(example: str, stack: str | None = None) -> StackConfig:
    return load_stack_config(stack or example, example_config(example, stack))
