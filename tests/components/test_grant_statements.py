"""`grant_statements` at unit level: every kind of grant resolved through the lookup, in the fixed order that keeps
a rendered policy stable, each store asked for exactly the access granted, and a grant on a store the stack did not
build refused with the error naming the grantee and the store; a service's task role adds its Bedrock models after
them. Fakes stand in for the stores (no stack run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from components.aws_context import AwsContext
from components.config.compute import GrantsConfig
from components.grants import grant_statements
from components.service import Service


@dataclass
class FakeStore:
    label: str

    def grant(self, access: str) -> list[Any]:
        return [f"{self.label}:{access}"]


@dataclass
class FakeLookup:
    built: set[str] = field(default_factory=set)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def grantable(self, section: str, name: str = "") -> FakeStore | None:
        self.asked.append((section, name))
        label = f"{section}.{name}" if name else section
        return FakeStore(label) if label in self.built else None


EVERY_KIND = GrantsConfig.model_validate(
    {
        "tables": {"sessions": "readwrite", "audit": "read"},
        "queues": {"jobs": "consume"},
        "buckets": {"uploads": "read"},
        "secrets": ["stripe", "github"],
        "database": "connect",
        "events": "publish",
        "caches": {"sessions": "connect"},
        "collections": {"search": "readwrite"},
    }
)
EVERY_STORE = {
    "tables.sessions",
    "tables.audit",
    "queues.jobs",
    "buckets.uploads",
    "secrets.stripe",
    "secrets.github",
    "database",
    "events",
    "caches.sessions",
    "collections.search",
}


def test_every_grant_becomes_its_stores_statements_in_a_fixed_order() -> None:
    statements = grant_statements(EVERY_KIND, FakeLookup(EVERY_STORE), "service api")

    assert statements == [
        "tables.audit:read",
        "tables.sessions:readwrite",
        "queues.jobs:consume",
        "buckets.uploads:read",
        "secrets.stripe:read",
        "secrets.github:read",
        "database:connect",
        "events:publish",
        "caches.sessions:connect",
        "collections.search:readwrite",
    ]


def test_no_grants_ask_for_no_store_and_give_no_statement() -> None:
    lookup = FakeLookup(EVERY_STORE)

    assert grant_statements(GrantsConfig(), lookup, "service api") == []
    assert lookup.asked == []


@pytest.mark.parametrize(
    ("missing", "what"),
    [
        ("tables.audit", "table audit"),
        ("queues.jobs", "queue jobs"),
        ("buckets.uploads", "bucket uploads"),
        ("secrets.github", "secret github"),
        ("database", "database"),
        ("events", "event bus"),
        ("caches.sessions", "cache sessions"),
        ("collections.search", "collection search"),
    ],
)
def test_a_grant_on_a_store_the_stack_did_not_build_is_refused_naming_grantee_and_store(
    missing: str, what: str
) -> None:
    with pytest.raises(ValueError, match=f"^function db-init: granted {what}, which the stack did not build$"):
        grant_statements(EVERY_KIND, FakeLookup(EVERY_STORE - {missing}), "function db-init")


def _service(grants: GrantsConfig) -> Any:
    """What `Service._grant_statements` reads: its grants, name, context and the stack's registry."""
    context = AwsContext(account_id="123456789012", region="us-west-2", partition="aws", dns_suffix="amazonaws.com")
    args = SimpleNamespace(config=SimpleNamespace(grants=grants), aws_context=context)
    return SimpleNamespace(_args=args, _name="api", _references=lambda: FakeLookup({"tables.sessions"}))


def test_a_service_invokes_exactly_its_granted_models_after_its_store_grants() -> None:
    grants = GrantsConfig.model_validate(
        {"tables": {"sessions": "read"}, "models": ["anthropic.claude-3-haiku-20240307-v1:0"]}
    )
    statements = Service._grant_statements(_service(grants))
    assert statements[0] == "tables.sessions:read"
    assert [(s.sid, s.actions, s.resources) for s in statements[1:]] == [
        (
            "ModelAnthropicClaude3Haiku20240307V10Invoke",
            ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            ["arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"],
        )
    ]


def test_a_service_with_no_models_invokes_none() -> None:
    statements = Service._grant_statements(_service(GrantsConfig.model_validate({"tables": {"sessions": "read"}})))
    assert statements == ["tables.sessions:read"]
