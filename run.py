#!/usr/bin/env python3
"""Set up and run the project's jobs with nothing but Python 3.11 installed.

    python3 run.py preview --stack dev     offline preview of a stack + its policy report
    python3 run.py cost --stack prod       estimated monthly cost per resource, component and stack
    python3 run.py test                    the test suite
    python3 run.py lint                    ruff and basedpyright
    python3 run.py bench                   the benchmarks
    python3 run.py preflight --stack prod  read-only checks of the account before an up (AWS credentials)
    python3 run.py scan                    checkov over every stack, against scan/exceptions.yaml
    python3 run.py mutate                  the mutation check (pack, config validation, grants/IAM)

The first call installs uv (pinned) into ./.tools with pip, then `uv run --frozen` builds .venv from
uv.lock. Standard library only: this file runs before any dependency exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

UV_VERSION = "0.13.8"
ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"

COMMANDS: dict[str, list[list[str]]] = {
    "preview": [["python", "-m", "offline.preview"]],
    "cost": [["python", "-m", "offline.cost"]],
    "test": [["pytest", "-n", "2"]],
    "lint": [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["basedpyright"]],
    "bench": [["python", "-m", "benchmarks"]],
    "preflight": [["python", "-m", "preflight"]],
    "scan": [["python", "-m", "scan"]],
    "mutate": [["python", "-m", "tests.mutation"]],
    "sync": [["python", "-c", "print('environment ready')"]],
}

UV_OPTIONS: dict[str, list[str]] = {
    "bench": ["--group", "bench"],  # checkov, the benchmarks' peer scanner: heavy, so not in the default groups
    "scan": ["--group", "scan"],  # checkov for the third-party scan, likewise
}


def uv() -> Path:
    """The pinned uv, installed on first use into ./.tools (pip --target: no venv, no system change)."""
    binary = TOOLS / "bin" / ("uv.exe" if os.name == "nt" else "uv")
    if not binary.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
                str(TOOLS),
                f"uv=={UV_VERSION}",
            ],
            check=True,
        )
    return binary


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print((__doc__ or "").strip(), file=sys.stderr)
        return 2
    name, extra = argv[0], argv[1:]
    base = [str(uv()), "run", "--frozen", *UV_OPTIONS.get(name, []), "--python", sys.executable, "--"]
    steps = COMMANDS[name]
    for index, step in enumerate(steps):
        args = step + (extra if index == len(steps) - 1 else [])
        code = subprocess.run([*base, *args], cwd=ROOT, check=False).returncode
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
