"""The offline preview command ends without the interpreter's teardown, and loses nothing doing so: its exit
code, everything it printed (to a pipe, where output is block-buffered) and the atexit handlers' work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`python *args` in the project directory, its output block-buffered as usual (not PYTHONUNBUFFERED):
    what is not flushed before the process ends is lost."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300
    )


def test_exit_now_runs_atexit_handlers_flushes_both_streams_and_keeps_the_code() -> None:
    done = run(
        "-c",
        "import atexit, sys\n"
        "from offline.preview import exit_now\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "print('report', end='')\n"
        "print('warning', end='', file=sys.stderr)\n"
        "exit_now(3)\n",
    )
    assert done.returncode == 3
    assert done.stdout == "reporthandler ran\n"
    assert done.stderr == "warning"


def test_the_command_prints_the_whole_report_to_a_pipe_and_exits_0() -> None:
    done = run("-m", "offline.preview", "--stack", "dev", "--quiet", "--no-policies")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("Stack platform/dev")
    assert "\nCounts by type:\n" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("Stack total: $")


def test_a_missing_stack_file_still_exits_2() -> None:
    done = run("-m", "offline.preview", "--stack", "no-such-stack")
    assert done.returncode == 2
    assert "Pulumi.no-such-stack.yaml: no such stack config file" in done.stderr
