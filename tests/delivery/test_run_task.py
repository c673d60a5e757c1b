"""`make task STACK=<s> TASK=<t>` (scripts/run_task.py): runs a `kind: task` once with the network and roles
the stack gave it, waits for it to stop and exits with its container's exit code. The AWS and Pulumi CLIs are
replaced by a recorder that answers as they do; the stack output is the real one the program exports."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from offline.engine import StackRun

ROOT = Path(__file__).resolve().parents[2]
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/platform-dev-cluster/0123456789abcdef0123456789abcdef"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_task", ROOT / "scripts" / "run_task.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_task = _load()


class FakeClis:
    """`pulumi stack output --json` answers the recorded outputs; `aws ecs run-task` starts a task;
    `describe-tasks` reports RUNNING `running_polls` times, then STOPPED with `stopped`."""

    def __init__(
        self, outputs: dict[str, Any], stopped: dict[str, Any], *, running_polls: int = 1, started: bool = True
    ) -> None:
        self.outputs, self.stopped, self.running_polls, self.started = outputs, stopped, running_polls, started
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> str:
        self.calls.append(list(argv))
        if argv[:3] == ["pulumi", "stack", "output"]:
            return json.dumps(self.outputs)
        if argv[:3] == ["aws", "ecs", "run-task"]:
            if not self.started:
                return json.dumps({"tasks": [], "failures": [{"arn": "", "reason": "RESOURCE:ENI"}]})
            return json.dumps({"tasks": [{"taskArn": TASK_ARN, "lastStatus": "PROVISIONING"}], "failures": []})
        if argv[:3] == ["aws", "ecs", "describe-tasks"]:
            if self.running_polls:
                self.running_polls -= 1
                return json.dumps({"tasks": [{"taskArn": TASK_ARN, "lastStatus": "RUNNING"}]})
            return json.dumps({"tasks": [{"taskArn": TASK_ARN, "lastStatus": "STOPPED", **self.stopped}]})
        raise AssertionError(f"unexpected command {argv}")


@pytest.fixture
def outputs(stack_runs: dict[str, StackRun]) -> dict[str, Any]:
    return stack_runs["dev"].outputs


def exited(code: int) -> dict[str, Any]:
    return {"containers": [{"name": "migrate", "exitCode": code}], "stopCode": "EssentialContainerExited"}


def test_the_task_runs_with_its_own_network_and_the_exit_code_is_returned(
    outputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_task.time, "sleep", lambda _: None)
    clis = FakeClis(outputs, exited(0))
    assert run_task.main(["--stack", "dev", "--task", "migrate", "--poll", "0"], runner=clis) == 0
    [run] = [c for c in clis.calls if c[:3] == ["aws", "ecs", "run-task"]]
    migrate = outputs["tasks"]["migrate"]
    flags = dict(zip(run[3::2], run[4::2], strict=False))
    assert flags["--cluster"] == "platform-dev-cluster" and flags["--task-definition"] == "platform-dev-migrate"
    assert flags["--launch-type"] == "FARGATE"
    network = json.loads(run[run.index("--network-configuration") + 1])
    assert network == {
        "awsvpcConfiguration": {
            "subnets": migrate["subnets"],
            "securityGroups": migrate["securityGroups"],
            "assignPublicIp": "DISABLED",
        }
    }
    assert network["awsvpcConfiguration"]["subnets"] == outputs["privateSubnetIds"]
    assert "--overrides" not in run  # the task definition's own command (alembic upgrade head)
    assert sum(c[:3] == ["aws", "ecs", "describe-tasks"] for c in clis.calls) == 2  # RUNNING, then STOPPED


def test_a_failing_task_fails_the_command_with_its_exit_code(outputs: dict[str, Any]) -> None:
    assert (
        run_task.main(
            ["--stack", "dev", "--task", "migrate", "--poll", "0"], runner=FakeClis(outputs, exited(3), running_polls=0)
        )
        == 3
    )


def test_a_task_that_never_started_fails_with_the_reason(
    outputs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    stopped = {
        "containers": [{"name": "migrate"}],
        "stopCode": "TaskFailedToStart",
        "stoppedReason": "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
    }
    assert (
        run_task.main(
            ["--stack", "dev", "--task", "migrate", "--poll", "0"], runner=FakeClis(outputs, stopped, running_polls=0)
        )
        == 1
    )
    assert "stopped without an exit code: CannotPullContainerError" in capsys.readouterr().err


def test_no_capacity_is_reported_not_waited_for(outputs: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run_task.main(["--stack", "dev", "--task", "migrate"], runner=FakeClis(outputs, {}, started=False))
    assert caught.value.code == 1
    assert "the task did not start: RESOURCE:ENI" in capsys.readouterr().err


def test_a_command_override_goes_to_the_tasks_container(outputs: dict[str, Any]) -> None:
    clis = FakeClis(outputs, exited(0), running_polls=0)
    run_task.main(
        ["--stack", "dev", "--task", "migrate", "--poll", "0", "--command", "alembic", "downgrade", "-1"], runner=clis
    )
    [run] = [c for c in clis.calls if c[:3] == ["aws", "ecs", "run-task"]]
    assert json.loads(run[run.index("--overrides") + 1]) == {
        "containerOverrides": [{"name": "migrate", "command": ["alembic", "downgrade", "-1"]}]
    }


def test_an_unknown_task_names_the_tasks_there_are(outputs: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run_task.main(["--stack", "dev", "--task", "api"], runner=FakeClis(outputs, {}))
    assert caught.value.code == 2
    assert capsys.readouterr().err.strip() == "run_task: stack dev has no task 'api'; tasks: cleanup, migrate"


def test_a_timeout_leaves_the_task_running_and_says_how_to_stop_it(
    outputs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    migrate = outputs["tasks"]["migrate"]
    clock = iter([0.0, 5.0, 11.0])
    with pytest.raises(SystemExit) as caught:
        run_task.wait(
            migrate,
            TASK_ARN,
            FakeClis(outputs, {}, running_polls=5),
            poll=1,
            timeout=10,
            sleep=lambda _: None,
            clock=lambda: next(clock),
        )
    assert caught.value.code == 124
    assert f"aws ecs stop-task --cluster platform-dev-cluster --task {TASK_ARN}" in capsys.readouterr().err


def test_the_log_stream_is_where_awslogs_writes(outputs: dict[str, Any], stack_runs: dict[str, StackRun]) -> None:
    migrate = outputs["tasks"]["migrate"]
    options = json.loads(stack_runs["dev"].named("migrate-task").inputs["containerDefinitions"])[0]["logConfiguration"]
    assert options["options"]["awslogs-group"] == migrate["logGroup"]
    assert run_task.log_stream(migrate, TASK_ARN) == (
        f"/platform/dev/services/migrate {options['options']['awslogs-stream-prefix']}/migrate/"
        "0123456789abcdef0123456789abcdef"
    )


def test_make_task_runs_the_script_and_requires_a_task() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^task: require-stack.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe is not None
    assert "$(PYTHON) scripts/run_task.py --stack $(STACK) --task $(TASK)" in recipe.group(1)
    assert 'test -n "$(TASK)"' in recipe.group(1)
