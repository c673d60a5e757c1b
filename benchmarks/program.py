"""Samples taken in fresh processes: the program under the in-process engine, the offline preview, the tests."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ProgramSample:
    seconds: float
    """Process start to the last resource registered."""
    resources: int
    peak_rss_mb: float


def program_sample(stack: str, *, services: int | None = None, save: Path | None = None) -> ProgramSample:
    """Start `python -m benchmarks.probe` and time it from just before the process starts to the moment the
    engine received the last registration."""
    command = [sys.executable, "-m", "benchmarks.probe", "--stack", stack]
    if services:
        command += ["--services", str(services)]
    if save is not None:
        command += ["--save", str(save)]
    start = time.time()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return ProgramSample(result["last_registered"] - start, result["resources"], result["max_rss_kb"] / 1024)


@dataclass(frozen=True)
class CommandSample:
    seconds: float
    returncode: int
    output: str
    cpu_seconds: float = 0.0
    """User + system CPU time of the command and of every process it waited for (the policy pack's, for the
    offline preview): unlike wall time, barely moved by other work on a shared machine."""


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command_sample(command: list[str], *, timeout: float = 900) -> CommandSample:
    """Wall time of a command from process start to exit, in the project directory, and its CPU time (the
    benchmarks run one command at a time, so the growth of this process's reaped children's CPU is its)."""
    cpu = _children_cpu_seconds()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=timeout)
    seconds = time.perf_counter() - start
    return CommandSample(seconds, done.returncode, done.stdout + done.stderr, _children_cpu_seconds() - cpu)


def preview_command_sample(stack: str, config_file: str | None = None) -> CommandSample:
    """`python -m offline.preview --stack <stack> --quiet` (or `--config-file <file>` for an example), process
    start to exit (the report printed)."""
    source = ["--config-file", config_file] if config_file is not None else ["--stack", stack]
    sample = command_sample([sys.executable, "-m", "offline.preview", *source, "--quiet"])
    if sample.returncode != 0 or "Policies (" not in sample.output:
        raise RuntimeError(f"offline preview of {stack} failed ({sample.returncode}):\n{sample.output[-3000:]}")
    return sample


def preview_sample(stack: str, config_file: str | None = None) -> float:
    """`preview_command_sample`'s wall time."""
    return preview_command_sample(stack, config_file).seconds


def suite_sample() -> tuple[float, str]:
    """`pytest -q -n 2` (the `-q` comes from pyproject's addopts; a second one would drop the summary line):
    wall time and its summary line."""
    sample = command_sample([sys.executable, "-m", "pytest", "-n", "2"])
    lines = [line.strip("= ") for line in sample.output.strip().splitlines() if line.strip()]
    summary = lines[-1] if lines else ""
    if sample.returncode != 0:
        raise RuntimeError(f"the test suite failed ({sample.returncode}): {summary}")
    return sample.seconds, summary
