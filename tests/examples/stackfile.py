"""Run an example stack config file (`examples/<name>/Pulumi.<stack>.yaml`) under the in-process engine, as
`pulumi preview --config-file <file> --stack <stack>` does: the file's config replaces the stack file's."""

from __future__ import annotations

from pathlib import Path

import yaml

from offline.engine import StackRun, run_stack
from offline.stackfile import PROJECT_DIR, project_name, to_engine_config

EXAMPLES = PROJECT_DIR / "examples"


def example_config(path: Path) -> dict[str, str]:
    """The flat config the CLI hands the program for `--config-file path`."""
    document = yaml.safe_load(path.read_text()) or {}
    return to_engine_config(dict(document.get("config") or {}), project_name())


def run_example(path: Path, *, preview: bool = False) -> StackRun:
    """`Pulumi.<stack>.yaml` -> the stack `<stack>` run from that file's config."""
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    return run_stack(stack, config=example_config(path), preview=preview)
