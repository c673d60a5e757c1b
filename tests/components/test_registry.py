"""One registry of what a stack builds: references in config values resolve through it (literal text and built
values in one string), container secrets read fields of the RDS-managed secret, grants resolve through it, a
reference grants nothing, and a new kind is one registration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from components.config import load_stack_config
from components.grants import DataStores
from components.registry import KINDS, Kind, Registry, addressable, listing, readable_secrets, register_kind
from offline.engine import StackRun
from offline.mocks import ACCOUNT_ID
from tests.config.test_compute_config import service_change

from .variants import dev_workloads_run


@pytest.fixture(scope="module")
def referencing_run() -> StackRun:
    """dev, its worker told what the stack built (WORKLOAD_REFERENCES) and reading the database's master secret
    (tests/components/variants.py)."""
    return dev_workloads_run()


def container(run: StackRun, service: str) -> dict[str, Any]:
    return json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])[0]


def statements(run: StackRun, name: str) -> list[dict[str, Any]]:
    return json.loads(run.named(name).inputs["policy"])["Statement"]


def test_references_resolve_to_what_the_stack_built_with_literal_text_kept(referencing_run: StackRun) -> None:
    run = referencing_run
    environment = {e["name"]: e["value"] for e in container(run, "worker")["environment"]}
    cluster = run.of_type("aws:rds/cluster:Cluster")[0]
    bucket = run.named("bucket-uploads-bucket")
    assert environment["S3_BUCKET"] == bucket.inputs["bucket"] == f"platform-dev-uploads-{ACCOUNT_ID}-us-east-1"
    assert environment["DATABASE_URL"] == f"postgresql://{cluster.outputs['endpoint']}:5432/app?sslmode=require"
    assert environment["JOBS_URL"] == run.named("queue-jobs-queue").outputs["url"]
    assert environment["BUS"] == run.outputs["eventBusName"]
    assert environment["SESSIONS_TABLE"] == run.named("table-sessions-table").outputs["arn"]
    assert environment["SELF"] == "https://api.dev.example.com"
    assert environment["LOG_LEVEL"] == "debug"


def test_a_secret_field_of_the_rds_managed_secret_is_injected_by_valuefrom(referencing_run: StackRun) -> None:
    run = referencing_run
    secret_arn = run.outputs["databaseMasterSecretArn"]
    assert container(run, "worker")["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": f"{secret_arn}:password::"},
        {"name": "DB_USER", "valueFrom": f"{secret_arn}:username::"},
    ]
    granted = {s["Sid"]: s for s in statements(run, "worker-execution-policy")}
    assert granted["InjectDatabaseMasterSecret"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert granted["InjectDatabaseMasterSecret"]["Resource"] == [secret_arn]
    key = granted["InjectDatabaseMasterSecretKey"]
    assert (key["Action"], key["Resource"]) == (["kms:Decrypt"], [run.outputs["kmsKeyArn"]])
    assert key["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}
    # the api reads no master secret: its execution role may not either
    assert not [s for s in statements(run, "api-execution-policy") if secret_arn in s["Resource"]]


def test_a_reference_grants_nothing(referencing_run: StackRun) -> None:
    # the worker references the sessions table and the bus, but holds no grant on them
    actions = {a for s in statements(referencing_run, "worker-task-policy") for a in s["Action"]}
    assert not {a for a in actions if a.startswith(("dynamodb:", "events:"))}


def test_the_registry_is_built_from_the_data_stores_and_grants_resolve_through_it() -> None:
    sessions, jobs, database = object(), object(), object()
    registry = Registry(DataStores(tables={"sessions": sessions}, queues={"jobs": jobs}, database=database))  # type: ignore[dict-item,arg-type]
    assert registry.grantable("tables", "sessions") is sessions
    assert registry.grantable("queues", "jobs") is jobs
    assert registry.grantable("database") is database
    assert registry.grantable("tables", "nope") is None
    with pytest.raises(KeyError, match="not something this stack built"):
        registry.attribute("tables.nope.name")


@pytest.fixture
def widgets_kind() -> Iterator[Kind]:
    """A kind no stack has: registering it is all a new kind of store needs."""
    kind = register_kind(Kind("widgets", {"endpoint": "endpoint", "port": "port"}, lambda c: ["sessions"]))
    yield kind
    KINDS.pop("widgets")


def test_a_new_kind_is_one_registration(widgets_kind: Kind) -> None:
    flat = service_change("dev", "api", environment={"REDIS": "${widgets.sessions.endpoint}"})
    config = load_stack_config("dev", flat)
    assert addressable(config)["widgets"] == ["widgets.sessions.endpoint", "widgets.sessions.port"]
    assert listing(config).endswith("services.api.url, widgets.sessions.{endpoint,port}")
    widget = object()
    registry = Registry()
    registry.add("widgets", "sessions", widget)
    assert registry.grantable("widgets", "sessions") is widget
    with pytest.raises(ValueError, match="already registered"):
        register_kind(widgets_kind)


def test_readable_secrets_exist_only_with_a_database() -> None:
    config = load_stack_config("dev", service_change("dev", "api"))
    assert readable_secrets(config) == ["database.masterSecret"]


def test_only_a_singleton_kind_registers_a_store_without_a_name() -> None:
    registry = Registry(DataStores(tables=object(), database=None))  # type: ignore[arg-type]
    assert registry.get("tables") is None
    assert registry.get("database") is None


@pytest.mark.parametrize("reference", ["database", "database.masterSecret:", "database masterSecret", ""])
def test_a_secret_reference_of_the_wrong_shape_is_refused_naming_the_shape(reference: str) -> None:
    with pytest.raises(KeyError) as caught:
        Registry(DataStores(database=object())).secret(reference, "service api")  # type: ignore[arg-type]
    assert caught.value.args[0] == f"{reference!r} is not <kind>[.<name>].<secret>[:json-key]"


@pytest.mark.parametrize(
    ("stores", "reference", "path"),
    [
        (DataStores(), "database.masterSecret:password", "database.masterSecret"),
        (DataStores(database=object()), "database.endpoint:password", "database.endpoint"),  # type: ignore[arg-type]
    ],
)
def test_a_secret_the_stack_did_not_build_is_refused(stores: DataStores, reference: str, path: str) -> None:
    with pytest.raises(KeyError) as caught:
        Registry(stores).secret(reference, "service api")
    assert caught.value.args[0] == f"`{path}` is not a secret this stack built"


@pytest.mark.parametrize(
    "path", ["widgets.sessions.endpoint", "tables.sessions", "tables.sessions.arn.extra", "database.main.endpoint"]
)
def test_a_path_of_an_unknown_kind_or_the_wrong_length_is_refused_naming_the_shape(path: str) -> None:
    registry = Registry(DataStores(tables={"sessions": object()}, database=object()))  # type: ignore[dict-item,arg-type]
    with pytest.raises(KeyError) as caught:
        registry.attribute(path)
    assert caught.value.args[0] == f"`{path}` is not <kind>.<name>.<attribute> (or <kind>.<attribute>)"
