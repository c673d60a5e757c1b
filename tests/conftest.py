"""Shared fixtures: each real stack run once per session under the in-process engine."""

from __future__ import annotations

import pytest

from offline.engine import StackRun, run_stack
from offline.stackfile import STACKS


@pytest.fixture(scope="session")
def stack_runs() -> dict[str, StackRun]:
    """Every real stack (dev, staging, prod), run from its own stack file, fully resolved (as `up` sees it)."""
    return {stack: run_stack(stack) for stack in STACKS}


@pytest.fixture(scope="session")
def preview_runs() -> dict[str, StackRun]:
    """Every real stack as a first `pulumi preview` sees it: computed ids and ARNs unknown."""
    return {stack: run_stack(stack, preview=True) for stack in STACKS}


@pytest.fixture(params=STACKS)
def stack_run(request: pytest.FixtureRequest, stack_runs: dict[str, StackRun]) -> StackRun:
    """One stack's run; tests using it run once per stack."""
    return stack_runs[request.param]
