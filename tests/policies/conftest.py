"""Policy tests: the stack the guardrails believe they run in is set per test (default "dev")."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies.guardrails import base


@pytest.fixture(autouse=True)
def stack_name(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Call `stack_name("prod")` to run the policies as in the prod stack (pulumi.get_stack())."""
    monkeypatch.setattr(base, "current_stack", lambda: "dev")

    def set_stack(name: str) -> None:
        monkeypatch.setattr(base, "current_stack", lambda: name)

    return set_stack
