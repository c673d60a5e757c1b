"""Read `Pulumi.<stack>.yaml` into the flat config map Pulumi hands a program (`ns:key` -> string)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")


def project_name(project_dir: Path = PROJECT_DIR) -> str:
    return str(yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"])


def read_stack_file(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The `config:` mapping of a stack file, as written (structured values still structured)."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(path.read_text()) or {}
    return dict(document.get("config") or {})


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
