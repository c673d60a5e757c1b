"""A deploy job outlives every resource timeout the platform sets.

When the runner kills a job mid-update, the stack stays locked with pending creates (see the README's
"When an update is interrupted"). A resource that hangs must therefore fail by its own timeout, which ends
the update cleanly and releases the lock, before the job's `timeout-minutes` is reached."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from offline.engine import StackRun

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"


def _minutes(duration: str) -> float:
    """Go durations as Pulumi takes them: `20m`, `1h30m`, `90s`."""
    units = {"h": 60.0, "m": 1.0, "s": 1 / 60}
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(number) * units[unit] for number, unit in parts)


def _deploy_job_minutes() -> dict[str, int]:
    jobs = yaml.safe_load(DEPLOY_WORKFLOW.read_text())["jobs"]
    return {job["environment"]: job["timeout-minutes"] for job in jobs.values() if "environment" in job}


def test_resource_timeouts_are_shorter_than_the_deploy_job(stack_run: StackRun) -> None:
    job = _deploy_job_minutes()[stack_run.stack]
    timed = [r for r in stack_run if r.custom_timeouts]
    assert any(r.type == "aws:rds/cluster:Cluster" for r in timed)
    for resource in timed:
        longest = max(_minutes(d) for d in resource.custom_timeouts.values())
        assert longest < job, f"{resource.name}: {resource.custom_timeouts} outlasts the {job}-minute job"


def test_certificate_validation_fails_fast_when_a_zone_is_not_delegated(stack_runs: dict[str, StackRun]) -> None:
    validations = stack_runs["prod"].of_type("aws:acm/certificateValidation:CertificateValidation")
    assert validations
    for validation in validations:
        assert _minutes(validation.custom_timeouts["create"]) <= 30


def test_duration_parser_refuses_what_it_does_not_understand() -> None:
    assert _minutes("1h30m") == 90
    try:
        _minutes("20 minutes")
    except AssertionError:
        return
    raise AssertionError("an unparsed duration must fail the test, not count as zero")
