"""The offline preview command: tree, counts, effective config, JSON; bad config exits 2 without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline import preview
from tests.config.mutate import broken


def test_preview_prints_tree_counts_and_effective_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "resources.json"
    code = preview.main(["--stack", "dev", "--no-policies", "--json", str(out_file)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "+ platform:network:Network  network" in printed
    assert "    - aws:ec2/vpc:Vpc  network-vpc" in printed
    assert "  aws:ec2/subnet:Subnet" in printed
    assert "platform:network:\n  cidr: 10.10.0.0/16\n  azCount: 2\n  natStrategy: single" in printed
    document = json.loads(out_file.read_text())
    assert document["stack"] == "dev"
    assert {r["type"] for r in document["resources"]} >= {"aws:ec2/vpc:Vpc", "pulumi:pulumi:Stack"}


def test_bad_config_exits_2_with_one_line_per_problem(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "stack_config", lambda stack: broken(stack, "platform:network.azCount", 9))
    code = preview.main(["--stack", "dev", "--no-policies"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.splitlines() == [
        "Pulumi.dev.yaml: 1 config problem:",
        "Pulumi.dev.yaml: platform:network.azCount = 9: Input should be less than or equal to 6",
    ]
    assert "Traceback" not in captured.err
