"""Adoption keys: the product name, any stack name, references in config values, HTTPS in every environment,
and guardrail thresholds read from the stack's pack config. Each bad value is one line naming the file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.thresholds import PACK_DEFAULTS, Thresholds, pack_config_path
from offline.engine import stack_config
from policies.guardrails import POLICIES

from .mutate import DELETE, broken
from .test_compute_config import service_change

LISTING = (
    "buckets.uploads.{name,arn}, tables.sessions.{name,arn}, queues.jobs.{name,url,arn}, "
    "secrets.session-signing-key.{name,arn}, secrets.stripe-key.{name,arn}, events.{busName,busArn}, "
    "database.{endpoint,readerEndpoint,port,name}, services.api.url"
)


def problems(stack: str, flat: dict[str, str], **kwargs: object) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stack, flat, **kwargs)  # type: ignore[arg-type]
    return caught.value.lines


# -- product name ------------------------------------------------------------------------------------------
def test_the_product_name_defaults_to_the_project_and_can_be_set() -> None:
    assert load_stack_config("dev", stack_config("dev")).name == "platform"
    assert load_stack_config("dev", broken("dev", "platform:name", "arive")).name == "arive"


@pytest.mark.parametrize("name", ["Arive", "a", "arive_app", "arive-", "a-name-longer-than-twenty"])
def test_a_product_name_aws_cannot_use_is_refused_at_its_key(name: str) -> None:
    assert problems("dev", broken("dev", "platform:name", name)) == [
        f"Pulumi.dev.yaml: platform:name = {name!r}: lower-case letters, digits and hyphens, 2 to 20 characters, "
        "starting with a letter and not ending with a hyphen (it starts every physical name, S3 buckets included)"
    ]


# -- any stack, any config file --------------------------------------------------------------------------
def test_the_environment_comes_from_the_config_never_from_the_stack_name() -> None:
    config = load_stack_config("prod-us-west-2", stack_config("prod"))
    assert config.environment == "prod"
    assert load_stack_config("dev-alice", stack_config("dev")).environment == "dev"
    # a stack named like an environment does not make it that environment
    assert load_stack_config("dev", stack_config("staging")).environment == "staging"


def test_problems_name_the_config_file_given() -> None:
    lines = problems("prod", broken("prod", "platform:network.azCount", 9), stack_file="examples/x/Pulumi.prod.yaml")
    assert lines == [
        "examples/x/Pulumi.prod.yaml: platform:network.azCount = 9: Input should be less than or equal to 6"
    ]


def test_a_stacks_pack_config_is_its_own_file_first_then_its_environments(tmp_path: Path) -> None:
    (tmp_path / "prod.json").write_text("{}")
    assert pack_config_path("prod-us-west-2", "prod", tmp_path) == tmp_path / "prod.json"
    (tmp_path / "prod-us-west-2.json").write_text("{}")
    assert pack_config_path("prod-us-west-2", "prod", tmp_path) == tmp_path / "prod-us-west-2.json"
    assert pack_config_path("dev-alice", "dev", tmp_path) is None


# -- references ------------------------------------------------------------------------------------------
def test_references_to_what_the_stack_builds_are_accepted() -> None:
    flat = service_change(
        "dev",
        "api",
        environment={
            "S3_BUCKET": "${buckets.uploads.name}",
            "TABLE": "${tables.sessions.arn}",
            "JOBS": "${queues.jobs.url}",
            "BUS": "${events.busName}",
            "SELF": "${services.api.url}",
            "DATABASE_URL": "postgresql://${database.endpoint}:${database.port}/${database.name}",
        },
        secrets={"DB_PASSWORD": "database.masterSecret:password"},
    )
    config = load_stack_config("dev", flat)
    assert config.services["api"].secrets["DB_PASSWORD"] == "database.masterSecret:password"


def test_a_reference_to_something_missing_lists_what_can_be_referenced() -> None:
    flat = service_change("dev", "api", environment={"S3_BUCKET": "${buckets.upload.name}"})
    assert problems("dev", flat) == [
        "Pulumi.dev.yaml: platform:services.api.environment.S3_BUCKET = '${buckets.upload.name}': "
        f"${{buckets.upload.name}} is not something this stack builds; can be referenced: {LISTING}"
    ]


@pytest.mark.parametrize(
    "value", ["${buckets.uploads.size}", "${database.endpoint.name}", "${caches.x.url}", "${services.worker.url}"]
)
def test_unknown_attributes_kinds_and_workers_urls_are_not_references(value: str) -> None:
    [line] = problems("dev", service_change("dev", "api", environment={"X": value}))
    assert line.startswith(
        f"Pulumi.dev.yaml: platform:services.api.environment.X = {value!r}: {value} is not "
        "something this stack builds; can be referenced: buckets.uploads.{name,arn}"
    )


def test_an_unterminated_reference_is_refused() -> None:
    assert problems("dev", service_change("dev", "api", environment={"X": "${buckets.uploads.name"})) == [
        "Pulumi.dev.yaml: platform:services.api.environment.X = '${buckets.uploads.name': an unterminated "
        "reference; write ${kind.name.attribute}, e.g. ${buckets.uploads.name}"
    ]


def test_a_reference_to_the_database_of_a_stack_without_one_is_refused() -> None:
    flat = broken("dev", "platform:database", DELETE)
    services = json.loads(flat["platform:services"])
    for service in services.values():
        service.get("grants", {}).pop("database", None)
    services["api"]["environment"] = {"DB_HOST": "${database.endpoint}"}
    services["api"]["secrets"] = {"DB_PASSWORD": "database.masterSecret:password"}
    flat["platform:services"] = json.dumps(services)
    lines = problems("dev", flat)
    assert lines[0].startswith(
        "Pulumi.dev.yaml: platform:services.api.environment.DB_HOST = '${database.endpoint}': "
        "${database.endpoint} is not something this stack builds; can be referenced: "
    )
    assert "database." not in lines[0].split("can be referenced: ")[1]
    assert lines[1] == (
        "Pulumi.dev.yaml: platform:services.api.secrets.DB_PASSWORD = 'database.masterSecret:password'"
        ": database.masterSecret is not a secret this stack builds; readable: none (the stack has "
        "no database) (or a platform:secrets name, or a secret ARN)"
    )


# -- HTTPS everywhere ------------------------------------------------------------------------------------
def test_a_dev_stack_with_a_certificate_serves_https() -> None:
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d6bb4b2-6b5c-4f6a-9b5b-2a3b4c5d6e7f"
    config = load_stack_config("dev", broken("dev", "platform:loadBalancer", {"certificateArn": arn}))
    assert config.load_balancer.https and not config.load_balancer.allow_plain_http


def test_a_web_service_without_a_certificate_is_refused_in_dev_too() -> None:
    assert problems("dev", broken("dev", "platform:loadBalancer", DELETE)) == [
        "Pulumi.dev.yaml: platform:loadBalancer: web services (api) are served over HTTPS in every environment: "
        "give loadBalancer.domain {name, hostedZone} or loadBalancer.certificateArn (or, in dev only, "
        "loadBalancer.allowPlainHttp: true)"
    ]


def test_plain_http_is_refused_in_staging_and_prod() -> None:
    for stack in ("staging", "prod"):
        assert problems(stack, broken(stack, "platform:loadBalancer", {"allowPlainHttp": True}))[0] == (
            f"Pulumi.{stack}.yaml: platform:loadBalancer.allowPlainHttp = true: {stack} serves HTTPS only (plain "
            "HTTP may only redirect); allowed only in dev: remove it and give loadBalancer.certificateArn or "
            "loadBalancer.domain {name, hostedZone}"
        )


def test_plain_http_in_dev_needs_the_tls_policy_relaxed_in_the_pack_config_too(tmp_path: Path) -> None:
    flat = broken("dev", "platform:loadBalancer", {"allowPlainHttp": True})
    assert problems("dev", flat) == [
        "Pulumi.dev.yaml: platform:loadBalancer.allowPlainHttp = true: plain HTTP fails policies/config/dev.json: "
        "alb-tls-and-headers (mandatory for this stack): give loadBalancer.domain or certificateArn, or make that "
        "policy advisory there"
    ]
    relaxed = tmp_path / "dev.json"
    relaxed.write_text(json.dumps({"all": "mandatory", "alb-tls-and-headers": "advisory"}))
    assert load_stack_config("dev", flat, guardrails=Thresholds.from_file(relaxed)).load_balancer.allow_plain_http


def test_allow_plain_http_with_a_certificate_is_pointless_and_refused() -> None:
    flat = broken("dev", "platform:loadBalancer.allowPlainHttp", True)
    assert problems("dev", flat) == [
        "Pulumi.dev.yaml: platform:loadBalancer.allowPlainHttp = true: a certificate is configured, so HTTP only "
        "redirects to HTTPS; remove it"
    ]


# -- one source per threshold ------------------------------------------------------------------------------
def test_the_thresholds_config_reads_default_to_the_packs_own_schema_defaults() -> None:
    schemas = {p.name: p.config_schema.properties if p.config_schema else {} for p in POLICIES}
    for policy, settings in PACK_DEFAULTS.items():
        assert policy in schemas, policy
        for setting, default in settings.items():
            assert schemas[policy][setting]["default"] == default, (policy, setting)


def test_a_relaxation_in_the_pack_config_relaxes_the_config_validation_too(tmp_path: Path) -> None:
    low_cost = broken("prod", "platform:database.backupRetentionDays", 7)
    assert problems("prod", low_cost) == [
        "Pulumi.prod.yaml: platform:database.backupRetentionDays = 7: production keeps database backups at least "
        "35 days (policies/config/prod.json: prod-data-protection.minimumBackupRetentionDays); a relaxation goes in "
        "that file (reviewed by the platform owners)"
    ]
    relaxed = tmp_path / "prod-low-cost.json"
    relaxed.write_text(json.dumps({"all": "mandatory", "prod-data-protection": {"minimumBackupRetentionDays": 7}}))
    config = load_stack_config(
        "prod-low-cost", low_cost, guardrails=Thresholds.for_stack("prod-low-cost", "prod", tmp_path)
    )
    assert config.database is not None and config.database.backup_retention_days == 7


def test_production_rules_follow_the_packs_production_names(tmp_path: Path) -> None:
    # a staging stack is not production: ECS Exec is fine there ...
    assert load_stack_config("staging", stack_config("staging")).cluster.execute_command
    # ... unless the stack's pack config counts it as production, as the pack then would
    (tmp_path / "staging.json").write_text(
        json.dumps({"ecs-service-hardening": {"productionEnvironments": ["prod", "staging"]}})
    )
    guardrails = Thresholds.for_stack("staging", "staging", tmp_path)
    lines = problems("staging", stack_config("staging"), guardrails=guardrails)
    assert lines == [
        f"Pulumi.staging.yaml: platform:cluster.executeCommand = true: ECS Exec opens a shell inside "
        f"production tasks; allowed only outside production (set false; {tmp_path}/staging.json: "
        "ecs-service-hardening is mandatory)"
    ]


def test_an_advisory_policy_does_not_fail_the_config(tmp_path: Path) -> None:
    (tmp_path / "prod.json").write_text(json.dumps({"all": "mandatory", "vpc-flow-logs": "advisory"}))
    flat = broken("prod", "platform:network.flowLogs", {"retentionDays": 30})
    assert load_stack_config("prod", flat, guardrails=Thresholds.for_stack("prod", "prod", tmp_path))
    assert problems("prod", flat)[0].startswith(
        "Pulumi.prod.yaml: platform:network.flowLogs.retentionDays = 30: flow logs must be kept at least 90 days"
    )
