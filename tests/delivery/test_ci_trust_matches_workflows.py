"""The workflows and the account layer agree: each job that assumes an AWS role runs in the GitHub environment
whose OIDC subject that role trusts (bootstrap/ci_roles.py), and reads the role from that environment's
variable, so a renamed environment or variable fails here instead of at the first real run."""

from __future__ import annotations

import json
from pathlib import Path

from offline.stackfile import STACKS, environment_of, read_stack_file
from tests.shared_runs import shared_run

from .invocations import load_yaml, workflow_steps

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = "aws-actions/configure-aws-credentials"


def _role_jobs(path: Path) -> dict[str, tuple[str, str]]:
    """job id -> (its environment, its role-to-assume expression) for jobs that assume a role."""
    document = load_yaml(path)
    found: dict[str, tuple[str, str]] = {}
    for job_id, job in document["jobs"].items():
        for _, _, step in workflow_steps({"jobs": {job_id: job}}):
            if str(step.get("uses", "")).startswith(f"{CREDENTIALS}@"):
                environment = job.get("environment")
                name = environment.get("name") if isinstance(environment, dict) else environment
                found[job_id] = (str(name), str(step["with"]["role-to-assume"]))
    return found


def _trusted_subjects() -> set[str]:
    run = shared_run("shared", project_dir=ROOT / "bootstrap")
    subjects = set()
    for role in run.of_type("aws:iam/role:Role"):
        for statement in json.loads(role.inputs["assumeRolePolicy"])["Statement"]:
            condition = statement.get("Condition", {}).get("StringEquals", {})
            subject = condition.get("token.actions.githubusercontent.com:sub")
            if subject:
                subjects.add(subject.split(":environment:", 1)[1])
    return subjects


def test_every_role_assuming_job_runs_in_an_environment_a_role_trusts() -> None:
    trusted = _trusted_subjects()
    assert trusted == {*STACKS, *(f"preview-{s}" for s in STACKS)}
    deploy = _role_jobs(ROOT / ".github" / "workflows" / "deploy.yml")
    assert {env for env, _ in deploy.values()} == set(STACKS)
    assert {role for _, role in deploy.values()} == {"${{ vars.AWS_DEPLOY_ROLE_ARN }}"}
    preview = _role_jobs(ROOT / ".github" / "workflows" / "pull-request.yml")
    # one preview environment per stack environment (the matrix row's `environment`, job `stacks`)
    assert list(preview.values()) == [("preview-${{ matrix.environment }}", "${{ vars.AWS_PREVIEW_ROLE_ARN }}")]
    environments = {environment_of(read_stack_file(stack)) for stack in STACKS}
    assert {f"preview-{env}" for env in environments} <= trusted
