"""A peer for scale: checkov's terraform_plan scan of the same recorded prod graph.

checkov is in the `bench` dependency group (`uv run --group bench`, which `run.py bench` and `make bench`
use); without it the section says so and is skipped.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .tfplan import PlanMapping, plan_for


def checkov_available() -> bool:
    return importlib.util.find_spec("checkov") is not None


@dataclass(frozen=True)
class ScanResult:
    seconds: float
    passed: int
    failed: int
    resources: int
    parsing_errors: int
    version: str
    top_failed: list[tuple[str, int]]

    def summary(self) -> str:
        return (
            f"checkov {self.version}: {self.resources} resources, {self.passed} checks passed, "
            f"{self.failed} failed, {self.parsing_errors} parsing errors"
        )


def scan(plan: Path) -> ScanResult:
    """`checkov -f <plan> --framework terraform_plan -o json`, process start to report. Exit code 1 only means
    some check failed; no report at all is an error."""
    command = [
        sys.executable,
        "-m",
        "checkov.main",
        "-f",
        str(plan),
        "--framework",
        "terraform_plan",
        "-o",
        "json",
        "--skip-download",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=plan.parent, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    try:
        report: Any = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"checkov printed no report (exit {done.returncode}): {done.stderr[-2000:]}") from None
    if isinstance(report, list):  # one report per framework
        report = next(r for r in report if r.get("check_type") == "terraform_plan")
    summary = report.get("summary", {})
    failed = collections.Counter(c["check_id"] for c in report.get("results", {}).get("failed_checks", []))
    return ScanResult(
        seconds,
        summary.get("passed", 0),
        summary.get("failed", 0),
        summary.get("resource_count", 0),
        summary.get("parsing_errors", 0),
        summary.get("checkov_version", "?"),
        failed.most_common(5),
    )


__all__ = ["PlanMapping", "ScanResult", "checkov_available", "plan_for", "scan"]
