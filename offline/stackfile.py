"""Read a stack's config file into the flat config map Pulumi hands a program (`ns:key` -> string).

Stacks are not environments: a stack is any `Pulumi.<name>.yaml` beside `Pulumi.yaml` (`STACKS` lists them),
or any file given with `--config-file` (as `pulumi preview --config-file` takes one), and its environment is
its `platform:environment`. Its policy-pack config is found by one rule (`pack_config`):
`policies/config/<stack>.json` first, then `policies/config/<environment>.json`.

    python -m offline.stackfile stacks                                  every stack file's stack, one a line
    python -m offline.stackfile pack-config STACK [--config-file PATH]  the stack's pack config path
    python -m offline.stackfile matrix [--environment ENV]              the CI matrix: [{"stack", "environment",
                                                                        "packConfig", "packConfigName"}]
    python -m offline.stackfile examples                                the example config files' CI matrix:
                                                                        [{"example", "configFile", "stack"}]
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import sys
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENT_ORDER = ("dev", "staging", "prod")
"""Stacks are listed environment by environment (dev first: the order a change is rolled out in)."""


def project_name(project_dir: Path = PROJECT_DIR) -> str:
    return str(yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"])


def stack_file_path(stack: str, project_dir: Path = PROJECT_DIR) -> Path:
    """`Pulumi.<stack>.yaml` beside the project file (where `pulumi` looks without --config-file)."""
    return project_dir / f"Pulumi.{stack}.yaml"


def stack_from_config_file(path: Path) -> str:
    """The stack a config file is for when no stack is named: `Pulumi.<stack>.yaml` -> `<stack>`, else the
    file's stem (`arive-prod.yaml` -> `arive-prod`)."""
    name = path.name
    if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml")) and name.count(".") >= 2:
        return name.removeprefix("Pulumi.").rsplit(".", 1)[0]
    return path.stem


def read_config_file(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a stack config file, as written (structured values still structured): a fresh
    copy on every call, so callers may change it."""
    document = copy.deepcopy(_parsed(path.read_text())) or {}
    return dict(document.get("config") or {})


@functools.lru_cache(maxsize=128)
def _parsed(text: str) -> Any:
    """The YAML document `text`, parsed once per process: stack files are read on every run and by many tests,
    and the pure-Python parser costs ~25 ms a file. Keyed by the text itself, so an edited file is parsed
    again; never handed out (read_config_file copies it)."""
    return yaml.safe_load(text)


def read_stack_file(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The `config:` mapping of `Pulumi.<stack>.yaml`, as written."""
    return read_config_file(stack_file_path(stack, project_dir))


def environment_of(values: dict[str, Any], project: str = "platform") -> str | None:
    """The `platform:environment` a stack file states (None when it states none)."""
    value = values.get(f"{project}:environment", values.get("environment"))
    return value if isinstance(value, str) else None


USAGE_FILE_SUFFIX = ".usage.yaml"
"""`Pulumi.<stack>.usage.yaml` beside a stack file holds the cost estimate's usage assumptions, not a stack."""


def stack_names(project_dir: Path = PROJECT_DIR) -> tuple[str, ...]:
    """Every stack with a `Pulumi.<stack>.yaml` beside `Pulumi.yaml`, environment by environment, then by name."""
    stacks = [
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in project_dir.glob("Pulumi.*.yaml")
        if not p.name.endswith(USAGE_FILE_SUFFIX)
    ]

    def order(stack: str) -> tuple[int, str]:
        environment = environment_of(read_stack_file(stack, project_dir))
        rank = ENVIRONMENT_ORDER.index(environment) if environment in ENVIRONMENT_ORDER else len(ENVIRONMENT_ORDER)
        return rank, stack

    return tuple(sorted(stacks, key=order))


STACKS = stack_names()
"""The repository's stacks (its `Pulumi.*.yaml` files): tests, Make targets and workflows cover each."""

EXAMPLES_DIR = PROJECT_DIR / "examples"


def example_config_files(examples_dir: Path = EXAMPLES_DIR) -> tuple[Path, ...]:
    """Every example system's stack config file (`examples/<system>/Pulumi.<stack>.yaml`, used with
    `--config-file`), by system then file name; usage-assumption files are not config."""
    return tuple(sorted(p for p in examples_dir.glob("*/Pulumi.*.yaml") if not p.name.endswith(USAGE_FILE_SUFFIX)))


def pack_config(
    stack: str, config_file: Path | None = None, project_dir: Path = PROJECT_DIR, config_dir: Path | None = None
) -> Path | None:
    """The stack's policy-pack config: `policies/config/<stack>.json` (in `config_dir`, by default the pack's),
    else `<environment>.json`."""
    # imported here: the config models are heavy, and reading stack names (`STACKS`) should not load them
    from components.config.thresholds import POLICY_CONFIG_DIR, pack_config_path

    source = config_file if config_file is not None else stack_file_path(stack, project_dir)
    values = read_config_file(source) if source.is_file() else {}
    directory = config_dir if config_dir is not None else POLICY_CONFIG_DIR
    return pack_config_path(stack, environment_of(values, project_name(project_dir)), directory)


def to_engine_config(values: dict[str, Any], project: str) -> dict[str, str]:
    """What the CLI passes the program: every value a string, structured ones as JSON; keys namespaced.

    `secure:` values cannot be decrypted offline; they become a placeholder, as a program must never need
    a secret's plaintext to build its resources."""
    flat: dict[str, str] = {}
    for key, value in values.items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            flat[full] = "[secret]"
        elif isinstance(value, str):
            flat[full] = value
        elif isinstance(value, bool):
            flat[full] = "true" if value else "false"
        else:
            flat[full] = json.dumps(value)
    return flat


def _relative(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def _matrix_row(stack: str) -> dict[str, str | None]:
    """One stack for a CI matrix: its pack config as a path and as the name between policies/config/ and .json
    (workflows spell `policies/config/${{ matrix.packConfigName }}.json`)."""
    path = pack_config(stack)
    return {
        "stack": stack,
        "environment": environment_of(read_stack_file(stack), project_name()),
        "packConfig": _relative(path),
        "packConfigName": path.stem if path is not None else None,
    }


def example_row(config_file: Path) -> dict[str, str]:
    """One example config file for a CI matrix: the system, the file and the stack it names."""
    return {
        "example": config_file.parent.name,
        "configFile": _relative(config_file),
        "stack": stack_from_config_file(config_file),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.stackfile", description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("stacks", help="every stack file's stack, one a line")
    matrix = commands.add_parser("matrix", help="every stack with its environment and pack config, as JSON")
    matrix.add_argument("--environment", help="only the stacks of this environment")
    commands.add_parser("examples", help="every example config file with its system and stack, as JSON")
    pack = commands.add_parser("pack-config", help="the stack's policy-pack config path (exit 1: none)")
    pack.add_argument("stack")
    pack.add_argument("--config-file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "stacks":
        print("\n".join(STACKS))
    elif args.command == "matrix":
        rows = [_matrix_row(stack) for stack in STACKS]
        print(json.dumps([row for row in rows if args.environment in (None, row["environment"])]))
    elif args.command == "examples":
        print(json.dumps([example_row(path) for path in example_config_files()]))
    else:
        path = pack_config(args.stack, args.config_file)
        if path is None:
            print(
                f"no pack config for stack {args.stack}: add policies/config/{args.stack}.json or "
                "policies/config/<environment>.json",
                file=sys.stderr,
            )
            return 1
        print(_relative(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
