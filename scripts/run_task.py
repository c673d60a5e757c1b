#!/usr/bin/env python3
"""Run a `kind: task` once (a migration, a backfill) with the task's own network and roles, wait for it to
stop, and exit with its container's exit code.

    make task STACK=dev TASK=migrate
    python3 scripts/run_task.py --stack dev --task migrate [--command alembic upgrade head] [--timeout 3600]

What it runs, from the stack output `tasks.<task>` (cluster, task definition family, container, private
subnets, security group, log group):

    aws ecs run-task --cluster <cluster> --task-definition <family> --launch-type FARGATE \
        --network-configuration 'awsvpcConfiguration={subnets=[...],securityGroups=[...],assignPublicIp=DISABLED}' \
        --started-by make-task --propagate-tags TASK_DEFINITION --enable-ecs-managed-tags [--overrides ...]

then `aws ecs describe-tasks` every `--poll` seconds until the task is STOPPED, and prints where its logs
are. The task runs on on-demand FARGATE (a migration should not be interrupted by a Spot reclaim), the latest
revision of its family, with the task role and execution role of its task definition. Needs the Pulumi CLI
logged in to the stack's backend and AWS credentials allowed to run-task and pass those two roles.
Exit codes: the container's exit code; 1 when the task did not start or stopped without one (the reason is
printed); 2 for usage errors, a task the stack does not have or a failing CLI call; 124 on timeout (the task
keeps running).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Runner = Callable[[Sequence[str]], str]
"""Runs a command and returns its stdout; raises CalledProcessError on failure."""


def run(argv: Sequence[str]) -> str:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, cwd=ROOT).stdout


def task_outputs(stack: str, task: str, runner: Runner) -> dict[str, Any]:
    """The stack output `tasks.<task>`; SystemExit(2) naming the tasks there are when it is not one."""
    outputs = json.loads(runner(["pulumi", "stack", "output", "--json", "--stack", stack]) or "{}")
    tasks = outputs.get("tasks") or {}
    if task not in tasks:
        known = ", ".join(sorted(tasks)) or "none (no service has kind: task)"
        print(f"run_task: stack {stack} has no task {task!r}; tasks: {known}", file=sys.stderr)
        raise SystemExit(2)
    return tasks[task]


def run_task_command(outputs: dict[str, Any], command: Sequence[str] | None = None) -> list[str]:
    """The `aws ecs run-task` argv for the task described by `outputs`."""
    network = {
        "awsvpcConfiguration": {
            "subnets": list(outputs["subnets"]),
            "securityGroups": list(outputs["securityGroups"]),
            "assignPublicIp": "DISABLED",
        }
    }
    argv = [
        "aws",
        "ecs",
        "run-task",
        "--cluster",
        outputs["cluster"],
        "--task-definition",
        outputs["taskDefinition"],
        "--launch-type",
        "FARGATE",
        "--count",
        "1",
        "--network-configuration",
        json.dumps(network),
        "--started-by",
        "make-task",
        "--propagate-tags",
        "TASK_DEFINITION",
        "--enable-ecs-managed-tags",
        "--output",
        "json",
    ]
    if command:
        overrides = {"containerOverrides": [{"name": outputs["container"], "command": list(command)}]}
        argv += ["--overrides", json.dumps(overrides)]
    return argv


def start(outputs: dict[str, Any], command: Sequence[str] | None, runner: Runner) -> str:
    """Start the task; its ARN. RunTask reports placement failures in `failures`, not as an error."""
    response = json.loads(runner(run_task_command(outputs, command)))
    started = response.get("tasks") or []
    if not started:
        reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in response.get("failures", []))
        print(f"run_task: the task did not start: {reasons or 'no reason given'}", file=sys.stderr)
        raise SystemExit(1)
    return started[0]["taskArn"]


def wait(
    outputs: dict[str, Any],
    task_arn: str,
    runner: Runner,
    *,
    poll: float,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Describe the task until it is STOPPED; the last description. SystemExit(124) after `timeout`."""
    deadline = clock() + timeout
    while True:
        described = json.loads(
            runner(
                [
                    "aws",
                    "ecs",
                    "describe-tasks",
                    "--cluster",
                    outputs["cluster"],
                    "--tasks",
                    task_arn,
                    "--output",
                    "json",
                ]
            )
        )
        tasks = described.get("tasks") or []
        if tasks and tasks[0].get("lastStatus") == "STOPPED":
            return tasks[0]
        if clock() >= deadline:
            print(
                f"run_task: {task_arn} still {tasks[0].get('lastStatus') if tasks else 'unknown'} after "
                f"{timeout:g} s; it keeps running (aws ecs stop-task --cluster {outputs['cluster']} --task "
                f"{task_arn} stops it)",
                file=sys.stderr,
            )
            raise SystemExit(124)
        sleep(poll)


def exit_code(outputs: dict[str, Any], stopped: dict[str, Any]) -> int:
    """The task's container exit code; 1 (with the reason printed) when it has none."""
    container = next((c for c in stopped.get("containers", []) if c.get("name") == outputs["container"]), {})
    code = container.get("exitCode")
    if code is None:
        reason = stopped.get("stoppedReason") or container.get("reason") or stopped.get("stopCode") or "unknown"
        print(f"run_task: the task stopped without an exit code: {reason}", file=sys.stderr)
        return 1
    return int(code)


def log_stream(outputs: dict[str, Any], task_arn: str) -> str:
    """Where the container logged: awslogs stream prefix `ecs`, then the container and the task id."""
    return f"{outputs['logGroup']} ecs/{outputs['container']}/{task_arn.rsplit('/', 1)[-1]}"


def main(argv: Sequence[str] | None = None, runner: Runner = run) -> int:
    parser = argparse.ArgumentParser(description="Run a kind: task once and exit with its exit code.")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--task", required=True)
    parser.add_argument("--command", nargs=argparse.REMAINDER, help="override the container's command")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait (default 3600)")
    parser.add_argument("--poll", type=float, default=10, help="seconds between checks (default 10)")
    args = parser.parse_args(argv)
    outputs = task_outputs(args.stack, args.task, runner)
    task_arn = start(outputs, args.command, runner)
    print(f"run_task: started {task_arn}; logs: {log_stream(outputs, task_arn)}", file=sys.stderr)
    stopped = wait(outputs, task_arn, runner, poll=args.poll, timeout=args.timeout)
    code = exit_code(outputs, stopped)
    print(f"run_task: {args.task} exited {code}", file=sys.stderr)
    return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as error:
        print(f"run_task: {' '.join(error.cmd[:3])} failed: {error.stderr.strip()}", file=sys.stderr)
        sys.exit(2)
