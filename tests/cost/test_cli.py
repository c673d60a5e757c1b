"""`python3 run.py cost`, the offline preview's cost section, the base-vs-head difference and the pull-request
job that posts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from offline import cost, preview
from offline.engine import StackRun, stack_config

ROOT = Path(__file__).resolve().parents[2]


def test_the_cost_command_prints_every_level_and_writes_json(
    stack_runs: dict[str, StackRun], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr("offline.engine.run_stack", lambda stack, **_: stack_runs[stack])
    assert cost.main(["--stack", "prod", "--json", str(tmp_path / "cost-prod.json")]) == 0
    text = capsys.readouterr().out
    estimate = cost.estimate_run(stack_runs["prod"], stack_config("prod"))
    assert text.startswith("Estimated monthly cost of platform/prod (us-east-1), USD: prices of 2026-12-06 ")
    assert "usage from Pulumi.prod.usage.yaml" in text
    for heading in ("Per resource:", "Per component:", "Free: "):
        assert f"\n{heading}" in text
    assert f"Stack total: ${estimate.total:,.2f} / month" in text
    assert "NAT gateway hours: 730 h x $0.045" in text
    document = json.loads((tmp_path / "cost-prod.json").read_text())
    assert document["total"] == round(estimate.total, 2) and document["missing"] == []
    assert document["resources"]["aws:ec2/natGateway:NatGateway::network-nat-a"] == pytest.approx(32.85 + 150 * 0.045)


def test_the_preview_section_gives_the_components_and_the_total(stack_runs: dict[str, StackRun]) -> None:
    section = cost.preview_section(stack_runs["dev"], stack_config("dev"))
    estimate = cost.estimate_run(stack_runs["dev"], stack_config("dev"))
    assert section.startswith("\nEstimated monthly cost (python3 run.py cost --stack dev for every line):\n")
    assert "Per component:" in section and "Per resource:" not in section
    assert section.rstrip().endswith(
        f"Stack total: ${estimate.total:,.2f} / month (fixed ${estimate.fixed:,.2f}, "
        f"usage-driven ${estimate.usage:,.2f})"
    )


def test_the_difference_names_each_stack_and_each_changed_resource(tmp_path: Path) -> None:
    base = {
        "total": 100.0,
        "resources": {"aws:ec2/natGateway:NatGateway::nat": 37.35, "aws:kms/key:Key::key": 1.3},
        "missing": [],
    }
    head = {
        "total": 140.0,
        "resources": {
            "aws:ec2/natGateway:NatGateway::nat": 37.35,
            "aws:kms/key:Key::key": 1.3,
            "aws:ec2/eip:Eip::eip": 3.65,
        },
        "missing": [],
    }
    text = cost.render_diff({"dev": base, "prod": base}, {"dev": base, "prod": head})
    assert "| dev | $100.00 | $100.00 | +$0.00 |" in text
    assert "| prod | $100.00 | $140.00 | +$40.00 |" in text
    assert "<details><summary>prod: 1 resource(s) changed</summary>" in text
    assert "| `aws:ec2/eip:Eip::eip` | $0.00 | $3.65 | +$3.65 |" in text
    assert "dev: " not in text.split("| prod |")[1]  # no detail for an unchanged stack
    assert "| staging | n/a | $140.00 | +$140.00 |" in cost.render_diff({}, {"staging": head})


def test_the_pull_request_job_estimates_base_and_head_and_posts_the_difference() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    job = workflow["jobs"]["cost"]
    assert "if" not in job, "the estimate runs for forks too"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = job["steps"]
    checkouts = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert [c["with"].get("ref") for c in checkouts] == [None, "${{ github.event.pull_request.base.sha }}"]
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    assert 'python3 run.py cost --stack "$stack" --quiet --json "out/head/cost-$stack.json"' in runs
    assert 'python3 run.py cost --stack "$stack" --quiet --json "../out/base/cost-$stack.json"' in runs
    assert "python3 run.py cost diff --base out/base --head out/head" in runs and "$GITHUB_STEP_SUMMARY" in runs
    comment = next(s for s in steps if "gh pr comment" in str(s.get("run", "")))
    assert comment["if"] == "github.event.pull_request.head.repo.full_name == github.repository"


def test_a_stack_file_elsewhere_is_estimated_with_the_usage_file_beside_it(
    stack_runs: dict[str, StackRun], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text((ROOT / "Pulumi.dev.yaml").read_text())
    (tmp_path / "Pulumi.dev.usage.yaml").write_text("resources:\n  network-nat-a:\n    processedGb: 0\n")

    def run_stack(stack: str, *, config: dict[str, str], **_: object) -> StackRun:
        assert (stack, config) == ("dev", stack_config("dev"))  # the file's config, as the CLI would pass it
        return stack_runs["dev"]

    monkeypatch.setattr("offline.engine.run_stack", run_stack)
    assert cost.main(["--config-file", str(tmp_path / "Pulumi.dev.yaml"), "--quiet"]) == 0
    default = cost.estimate_run(stack_runs["dev"], stack_config("dev"))
    assert f"Stack total: ${default.total - 100 * 0.045:,.2f} / month" in capsys.readouterr().out


def test_the_preview_of_a_stack_file_elsewhere_prices_with_the_usage_file_beside_it(
    stack_runs: dict[str, StackRun], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a copy of dev elsewhere whose own usage file says its NAT gateway processes nothing
    (tmp_path / "Pulumi.dev.yaml").write_text((ROOT / "Pulumi.dev.yaml").read_text())
    (tmp_path / "Pulumi.dev.usage.yaml").write_text("resources:\n  network-nat-a:\n    processedGb: 0\n")
    monkeypatch.setattr("offline.preview.run_stack", lambda stack, **_: stack_runs[stack])
    # WHEN the offline preview shows it
    assert preview.main(["--config-file", str(tmp_path / "Pulumi.dev.yaml"), "--quiet", "--no-policies"]) == 0
    # THEN its cost section used that file (as `run.py cost --config-file` does), not the defaults
    default = cost.estimate_run(stack_runs["dev"], stack_config("dev"))
    printed = capsys.readouterr().out
    assert "usage from Pulumi.dev.usage.yaml" in printed
    assert f"Stack total: ${default.total - 100 * 0.045:,.2f} / month" in printed


def test_a_standby_stack_file_reads_its_primary_beside_it(capsys: pytest.CaptureFixture[str]) -> None:
    # the standby's StackReference is answered by Pulumi.petforce-prod.yaml in the standby file's own directory
    standby = ROOT / "examples" / "petforce" / "Pulumi.petforce-prod-us-west-2.yaml"
    assert cost.main(["--config-file", str(standby), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "platform/petforce-prod-us-west-2 (us-west-2)" in out and "Stack total: $" in out
