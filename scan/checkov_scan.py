"""Run the programs, convert each stack to a Terraform plan, scan every plan with one checkov process.

Each stack runs under the in-process engine (offline/engine.py) with its real stack file, as `up` sees it
(every value known), and becomes a plan through `benchmarks.tfplan.plan_for`. A resource type without a
Terraform mapping would be invisible to checkov, so it is an error, not a silent gap.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.tfplan import plan_for
from offline.engine import run_stack
from offline.stackfile import PROJECT_DIR, STACKS

from .exceptions import Finding

ACCOUNT_DIR = PROJECT_DIR / "bootstrap"


@dataclass(frozen=True)
class Target:
    """One stack to scan: its label in findings (`prod`, `account-shared`), stack name and project directory."""

    label: str
    stack: str
    project_dir: Path


def targets() -> list[Target]:
    """The platform's stacks and every account stack file (bootstrap/Pulumi.<stack>.yaml)."""
    found = [Target(stack, stack, PROJECT_DIR) for stack in STACKS]
    for path in sorted(ACCOUNT_DIR.glob("Pulumi.*.yaml")):
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        found.append(Target(f"account-{stack}", stack, ACCOUNT_DIR))
    return found


class ScanError(RuntimeError):
    """The scan could not judge everything (an unmapped type, a checkov parsing error, no report)."""


def write_plans(selected: Sequence[Target], directory: Path) -> dict[str, Path]:
    """Run each target and write its plan to `<directory>/<label>.json`; label -> path."""
    plans: dict[str, Path] = {}
    for target in selected:
        run = run_stack(target.stack, project_dir=target.project_dir)
        plan, mapping = plan_for(run.resources)
        if mapping.unmapped_types:
            raise ScanError(
                f"{target.label}: types without a Terraform mapping, invisible to checkov: "
                f"{', '.join(sorted(mapping.unmapped_types))} (add them to benchmarks/tfplan.py)"
            )
        path = directory / f"{target.label}.json"
        path.write_text(json.dumps(plan))
        plans[target.label] = path
    return plans


def findings_from_report(report: Any, labels: dict[str, str]) -> list[Finding]:
    """Failed checks of checkov's JSON report (`-o json`), each attributed to its stack by plan file name."""
    reports = report if isinstance(report, list) else [report]
    findings: list[Finding] = []
    for item in reports:
        if item.get("check_type") != "terraform_plan":
            continue
        errors = item.get("summary", {}).get("parsing_errors", 0)
        if errors:
            raise ScanError(f"checkov could not parse {errors} plan file(s)")
        for failed in item.get("results", {}).get("failed_checks", []):
            name = Path(str(failed["file_path"])).name
            findings.append(
                Finding(
                    labels[name], str(failed["check_id"]), str(failed["resource"]), str(failed.get("check_name", ""))
                )
            )
    return findings


def run_checkov(plans: Iterable[Path]) -> Any:
    """`checkov -f <plan>... --framework terraform_plan -o json`; exit code 1 only means checks failed."""
    paths = list(plans)
    command = [
        sys.executable,
        "-m",
        "checkov.main",
        "--framework",
        "terraform_plan",
        "-o",
        "json",
        "--skip-download",
        "--quiet",
    ]
    for path in paths:
        command += ["-f", path.name]
    done = subprocess.run(command, cwd=paths[0].parent, capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise ScanError(f"checkov printed no report (exit {done.returncode}): {done.stderr[-2000:]}") from None


def scan(selected: Sequence[Target] | None = None, *, keep: Path | None = None) -> list[Finding]:
    """Every failed check of every selected stack (all by default)."""
    chosen = list(selected or targets())
    with tempfile.TemporaryDirectory(prefix="scan-") as temporary:
        directory = keep or Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)
        plans = write_plans(chosen, directory)
        report = run_checkov(plans.values())
    return findings_from_report(report, {path.name: label for label, path in plans.items()})
