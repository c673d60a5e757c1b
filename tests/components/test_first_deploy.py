"""First deploy before secrets have values: `platform:secretsPending` holds the services that read them.

ECS cannot inject a secret that has no value: every task start fails and `pulumi up` still reports success.
With the key set, services that inject a stack secret are created with 0 tasks and autoscaling pinned to 0;
the rest of the stack deploys as usual."""

from __future__ import annotations

import json
from functools import cache

from offline.engine import StackRun, run_stack, stack_config
from tests.components.compute_support import SCHEDULED_ACTION, child, services
from tests.components.variants import dev_workloads, dev_workloads_run


@cache
def _pending_dev() -> StackRun:
    return run_stack("dev", config={**stack_config("dev"), "platform:secretsPending": "true"})


def test_a_service_reading_a_stack_secret_starts_with_no_tasks_and_cannot_scale() -> None:
    run = _pending_dev()
    api = services(run)["api"]
    assert api.inputs["desiredCount"] == 0
    target = child(run, "api", "api-scaling-target")
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (0, 0)
    for action in [r for r in run.of_type(SCHEDULED_ACTION) if r.name.startswith("api-")]:
        limits = action.inputs["scalableTargetAction"]
        assert (limits["minCapacity"], limits["maxCapacity"]) == (0, 0), f"{action.name} would lift the hold"


def test_services_without_stack_secrets_and_the_rest_of_the_stack_deploy_as_usual(
    stack_runs: dict[str, StackRun],
) -> None:
    held, usual = _pending_dev(), stack_runs["dev"]
    worker = services(held)["worker"]
    assert worker.inputs["desiredCount"] == services(usual)["worker"].inputs["desiredCount"]
    assert {r.urn for r in held} == {r.urn for r in usual}, "the hold changes counts, never what exists"


def test_without_the_key_services_start_as_configured(stack_runs: dict[str, StackRun]) -> None:
    assert services(stack_runs["dev"])["api"].inputs["desiredCount"] >= 1


def test_a_scheduled_task_reading_a_stack_secret_is_created_disabled() -> None:
    flat = dev_workloads()  # secretsPending, and the scheduled task reads a stack secret
    assert flat["platform:secretsPending"] == "true"
    services_config = json.loads(flat["platform:services"])
    scheduled = [key for key, s in services_config.items() if s.get("kind") == "task" and s.get("schedule")]
    assert scheduled, "the dev stack file has a scheduled task"
    assert all(services_config[key]["secrets"] == {"STRIPE_API_KEY": "stripe-key"} for key in scheduled)
    run = dev_workloads_run()
    states = {r.name: r.inputs["state"] for r in run.of_type("aws:scheduler/schedule:Schedule")}
    assert len(states) == len(scheduled) and set(states.values()) == {"DISABLED"}, states


def test_schedules_run_as_configured_without_the_key(stack_runs: dict[str, StackRun]) -> None:
    states = {r.inputs["state"] for r in stack_runs["dev"].of_type("aws:scheduler/schedule:Schedule")}
    assert states == {"ENABLED"}
