"""Stacks are not environments: any `Pulumi.<stack>.yaml` or `--config-file`, the environment from the file, the
pack config by the documented rule. (The arive example previewed as a user would: tests/examples/test_arive.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from offline import preview, stackfile
from offline.engine import run_stack, stack_config

ROOT = Path(__file__).resolve().parent.parent


def test_the_stacks_are_the_stack_files_in_the_repository_environment_by_environment() -> None:
    files = {
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in ROOT.glob("Pulumi.*.yaml")
        if not p.name.endswith(stackfile.USAGE_FILE_SUFFIX)
    }
    assert set(stackfile.STACKS) == files
    assert stackfile.STACKS[:3] == ("dev", "staging", "prod")


def test_a_config_files_stack_is_named_by_the_file() -> None:
    assert stackfile.stack_from_config_file(Path("examples/arive/Pulumi.prod.yaml")) == "prod"
    assert stackfile.stack_from_config_file(Path("Pulumi.prod-us-west-2.yaml")) == "prod-us-west-2"
    assert stackfile.stack_from_config_file(Path("configs/arive-prod.yaml")) == "arive-prod"


def test_the_pack_config_command_applies_the_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "Pulumi.prod-us-west-2.yaml"
    shutil.copy(ROOT / "Pulumi.prod.yaml", copy)
    assert stackfile.main(["pack-config", "prod-us-west-2", "--config-file", str(copy)]) == 0
    assert capsys.readouterr().out.strip() == "policies/config/prod.json"  # its environment's: no own file
    assert stackfile.main(["pack-config", "staging"]) == 0
    assert capsys.readouterr().out.strip() == "policies/config/staging.json"
    assert stackfile.main(["pack-config", "nowhere"]) == 1
    assert "add policies/config/nowhere.json or policies/config/<environment>.json" in capsys.readouterr().err
    assert stackfile.main(["matrix"]) == 0
    matrix = json.loads(capsys.readouterr().out)
    assert [row["stack"] for row in matrix] == list(stackfile.STACKS)
    assert all(row["packConfig"] == f"policies/config/{row['environment']}.json" for row in matrix)


def test_a_stack_named_after_no_environment_runs_with_its_files_environment() -> None:
    run = run_stack("dev-alice", config=stack_config("dev"))
    names = [r.inputs.get("name") for r in run.of_type("aws:ecs/service:Service", "aws:iam/role:Role")]
    assert names and all(str(n).startswith("platform-dev-alice-") for n in names)
    tags = run.of_type("aws:ec2/vpc:Vpc")[0].inputs["tags"]
    assert (tags["Environment"], tags["Project"]) == ("dev", "platform")


NAME_LIMITS = {  # (resource type, name input) -> AWS's limit
    ("aws:s3/bucket:Bucket", "bucket"): 63,
    ("aws:lb/loadBalancer:LoadBalancer", "name"): 32,
    ("aws:lb/targetGroup:TargetGroup", "name"): 32,
    ("aws:iam/role:Role", "name"): 64,
    ("aws:rds/cluster:Cluster", "clusterIdentifier"): 63,
    ("aws:rds/clusterInstance:ClusterInstance", "identifier"): 63,
    ("aws:sqs/queue:Queue", "name"): 80,
    ("aws:ec2/securityGroup:SecurityGroup", "name"): 255,
}


def test_a_long_product_and_stack_name_stay_within_aws_name_limits() -> None:
    flat = {**stack_config("prod"), "platform:name": "a-product-of-20-char"}
    run = run_stack("Prod-EU-Central-1-Blue", config=flat)
    checked = 0
    for (resource_type, key), limit in NAME_LIMITS.items():
        for resource in run.of_type(resource_type):
            name = resource.inputs[key]
            assert len(name) <= limit and name == name.lower(), (resource_type, name)
            assert name.startswith("a-product-of-20-char-"), name
            checked += 1
    assert checked >= 15


def test_preview_of_any_config_file_names_it_and_uses_its_environments_pack_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "Pulumi.dev-alice.yaml"
    shutil.copy(ROOT / "Pulumi.dev.yaml", copy)
    assert preview.main(["--config-file", str(copy), "--no-policies", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Stack platform/dev-alice — dev, us-east-1")
    assert f"Config {copy}; physical names platform-dev-alice-*; policy config policies/config/dev.json" in printed
    # a problem names the file given, not Pulumi.<stack>.yaml
    copy.write_text(copy.read_text().replace("cidr: 10.10.0.0/16", "cidr: 10.10.0.0/33"))
    assert preview.main(["--config-file", str(copy), "--stack", "alice", "--no-policies"]) == 2
    assert capsys.readouterr().err.splitlines()[1].startswith(f"{copy}: platform:network.cidr = '10.10.0.0/33'")


def test_preview_of_a_stack_without_a_file_says_which_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert preview.main(["--stack", "nope", "--no-policies"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"Pulumi.nope.yaml: no such stack config file (stack files here: {', '.join(stackfile.STACKS)}; or give "
        "--config-file PATH)"
    )
