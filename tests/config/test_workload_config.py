"""Config for issue 11 items 4-6 (`image: {repository, tag|digest}`, `platform:repositories`, `build.repository`,
`kind: service`, `kind: task` with `schedule`, `egress`): valid entries load; every invalid one is refused with
one line naming the stack file, the key path, the value and what is allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import load_stack_config
from components.config.workloads import ImageSpec
from offline.engine import stack_config

from .mutate import DELETE, broken
from .test_compute_config import problems, service_change

IMAGE = {"repository": "api", "tag": "1.4.2"}
HEALTH = {"command": ["CMD-SHELL", "test -f /tmp/alive || exit 1"]}


def with_service(stack: str, name: str, entry: dict[str, Any]) -> dict[str, str]:
    flat = stack_config(stack)
    entries = json.loads(flat["platform:services"])
    entries[name] = entry
    flat["platform:services"] = json.dumps(entries)
    return flat


def test_an_image_by_repository_and_tag_or_digest_loads() -> None:
    config = load_stack_config(
        "dev", service_change("dev", "api", image={"repository": "openclaw/app", "digest": "sha256:" + "0" * 64})
    )
    spec = config.services["api"].image
    assert isinstance(spec, ImageSpec) and spec.suffix == "@sha256:" + "0" * 64
    assert config.services["worker"].image == ImageSpec(repository="api", tag="1.4.2")


def test_a_full_reference_for_another_registry_is_still_accepted() -> None:
    config = load_stack_config("dev", service_change("dev", "api", image="ghcr.io/openclaw/app:v2.5.0"))
    assert config.services["api"].image == "ghcr.io/openclaw/app:v2.5.0"


def test_repositories_get_the_environment_preset_and_may_override_it() -> None:
    assert load_stack_config("prod", stack_config("prod")).repositories["api"].keep_tagged_images == 200
    relaxed = load_stack_config("dev", broken("dev", "platform:repositories.api.keepTaggedImages", 5))
    assert (relaxed.repositories["api"].keep_tagged_images, relaxed.repositories["api"].untagged_expiry_days) == (5, 3)


def test_a_background_service_and_tasks_load() -> None:
    config = load_stack_config(
        "dev", with_service("dev", "saq", {"kind": "service", "image": IMAGE, "healthCheck": HEALTH})
    )
    assert config.services["saq"].kind == "service"
    assert config.services["cleanup"].schedule is not None and config.services["migrate"].schedule is None


def test_an_egress_rule_loads_with_tcp_by_default() -> None:
    config = load_stack_config(
        "dev", service_change("dev", "api", egress={"smtp": {"cidr": "203.0.113.0/24", "port": 587}})
    )
    rule = config.services["api"].egress["smtp"]
    assert (rule.protocol, rule.port, rule.last_port) == ("tcp", 587, 587)


CASES: list[tuple[str, dict[str, str], str]] = [
    # -- images by repository --------------------------------------------------------------------------
    (
        "tag latest",
        service_change("dev", "api", image={"repository": "api", "tag": "latest"}),
        "Pulumi.dev.yaml: platform:services.api.image.tag = 'latest': `latest` is not a version: it moves under a "
        "running service, so a redeploy or a scale-out can start different code; pin a version tag (1.4.2) or a "
        "digest",
    ),
    (
        "tag and digest",
        service_change("dev", "api", image={"repository": "api", "tag": "1", "digest": "sha256:" + "a" * 64}),
        "Pulumi.dev.yaml: platform:services.api.image: give exactly one of tag (a version, e.g. 1.4.2) and digest "
        "(sha256:...)",
    ),
    (
        "neither tag nor digest",
        service_change("dev", "api", image={"repository": "api"}),
        "Pulumi.dev.yaml: platform:services.api.image: give exactly one of tag (a version, e.g. 1.4.2) and digest "
        "(sha256:...)",
    ),
    (
        "not a repository name",
        service_change("dev", "api", image={"repository": "Open Claw", "tag": "1"}),
        "Pulumi.dev.yaml: platform:services.api.image.repository = 'Open Claw': not an ECR repository name: "
        "lower-case letters, digits, `.`, `_`, `-` and `/` (e.g. app or openclaw/app)",
    ),
    (
        "bad digest",
        service_change("dev", "api", image={"repository": "api", "digest": "sha256:xyz"}),
        "Pulumi.dev.yaml: platform:services.api.image.digest = 'sha256:xyz': the digest must be sha256: followed by "
        "64 lower-case hex digits",
    ),
    (
        "unknown image key",
        service_change("dev", "api", image={"repository": "api", "tag": "1", "registry": "x"}),
        "Pulumi.dev.yaml: platform:services.api.image.registry: unknown key (a typo?); allowed keys here: digest, "
        "repository, tag",
    ),
    (
        "build into an undeclared repository",
        service_change("dev", "api", image=DELETE, build={"context": "./app", "tag": "v1", "repository": "app"}),
        "Pulumi.dev.yaml: platform:services.api.build.repository = 'app': no repository 'app' in "
        "platform:repositories (defined: api)",
    ),
    # -- repositories ----------------------------------------------------------------------------------
    (
        "keep no image",
        broken("dev", "platform:repositories.api.keepTaggedImages", 0),
        "Pulumi.dev.yaml: platform:repositories.api.keepTaggedImages = 0: Input should be greater than or equal to 1",
    ),
    (
        "mutable repository asked for",
        broken("dev", "platform:repositories.api.mutable", True),
        "Pulumi.dev.yaml: platform:repositories.api.mutable: unknown key (a typo?); allowed keys here: "
        "keepTaggedImages, untaggedExpiryDays",
    ),
    # -- kinds -----------------------------------------------------------------------------------------
    (
        "unknown kind",
        with_service("dev", "saq", {"kind": "cron", "image": IMAGE}),
        "Pulumi.dev.yaml: platform:services.saq.kind = 'cron': Input should be 'web', 'worker', 'service' or 'task'",
    ),
    (
        "service with a port",
        with_service("dev", "saq", {"kind": "service", "image": IMAGE, "port": 8000, "healthCheck": HEALTH}),
        "Pulumi.dev.yaml: platform:services.saq.port: a service (kind: service) takes no traffic from the load "
        "balancer; remove port, or use kind: web",
    ),
    (
        "service without a health command",
        with_service("dev", "saq", {"kind": "service", "image": IMAGE}),
        "Pulumi.dev.yaml: platform:services.saq.healthCheck.command: a service (kind: service) has no port to probe: "
        'give a container health check command, e.g. ["CMD-SHELL", "test -f /tmp/alive || exit 1"]',
    ),
    (
        "service scaled to zero",
        with_service(
            "dev",
            "saq",
            {
                "kind": "service",
                "image": IMAGE,
                "healthCheck": HEALTH,
                "desiredCount": 0,
                "autoscaling": {"minCount": 0},
            },
        ),
        "Pulumi.dev.yaml: platform:services.saq.autoscaling.minCount = 0: a service (kind: service) scales on CPU and "
        "memory: with no task running there is no metric to scale up from; keep at least 1",
    ),
    (
        "task with a port",
        service_change("dev", "migrate", port=8000),
        "Pulumi.dev.yaml: platform:services.migrate.port: a task takes no traffic; remove port",
    ),
    (
        "task with routing",
        service_change("dev", "migrate", routing={"priority": 5, "paths": ["/x"]}),
        "Pulumi.dev.yaml: platform:services.migrate.routing: a task takes no traffic; remove routing",
    ),
    (
        "task with autoscaling",
        service_change("dev", "migrate", autoscaling={"maxCount": 3}),
        "Pulumi.dev.yaml: platform:services.migrate.autoscaling: a task does not autoscale (each run is one task); "
        "remove autoscaling (maxCount)",
    ),
    (
        "task with a task count",
        service_change("dev", "migrate", desiredCount=2),
        "Pulumi.dev.yaml: platform:services.migrate.desiredCount: a task is not a long-running service: it has no "
        "task count or rolling deployment; remove it",
    ),
    (
        "schedule on a web service",
        service_change("dev", "api", schedule={"expression": "rate(1 hour)"}),
        "Pulumi.dev.yaml: platform:services.api.schedule: only a `kind: task` runs on a schedule (this is a web); "
        "remove schedule or set kind: task",
    ),
    (
        "not a schedule expression",
        service_change("dev", "cleanup", schedule={"expression": "every day"}),
        "Pulumi.dev.yaml: platform:services.cleanup.schedule.expression = 'every day': not a schedule expression; "
        "e.g. cron(0 3 * * ? *), rate(1 hour), at(2026-01-01T00:00:00)",
    ),
    (
        "schedule without expression",
        service_change("dev", "cleanup", schedule={"timezone": "UTC"}),
        "Pulumi.dev.yaml: platform:services.cleanup.schedule.expression: required key is missing",
    ),
    (
        "zero flexible window",
        service_change("dev", "cleanup", schedule={"expression": "rate(1 day)", "flexibleWindowMinutes": 0}),
        "Pulumi.dev.yaml: platform:services.cleanup.schedule.flexibleWindowMinutes = 0: Input should be greater than "
        "or equal to 1",
    ),
    # -- egress ----------------------------------------------------------------------------------------
    (
        "all traffic",
        service_change("dev", "api", egress={"any": {"cidr": "0.0.0.0/0", "port": 1, "protocol": "-1"}}),
        "Pulumi.dev.yaml: platform:services.api.egress.any.protocol = '-1': all traffic is never allowed out of a "
        "task: name the protocol (tcp or udp) and the port the service needs",
    ),
    (
        "every port",
        service_change("dev", "api", egress={"any": {"cidr": "10.0.0.0/8", "port": 1, "toPort": 65535}}),
        "Pulumi.dev.yaml: platform:services.api.egress.any: every port is all traffic, which is never allowed out of "
        "a task: name the port range the service needs",
    ),
    (
        "no port",
        service_change("dev", "api", egress={"smtp": {"cidr": "203.0.113.0/24"}}),
        "Pulumi.dev.yaml: platform:services.api.egress.smtp.port: required key is missing",
    ),
    (
        "host bits in the CIDR",
        service_change("dev", "api", egress={"smtp": {"cidr": "203.0.113.5/24", "port": 587}}),
        "Pulumi.dev.yaml: platform:services.api.egress.smtp.cidr = '203.0.113.5/24': not a network CIDR "
        "(203.0.113.5/24 has host bits set); e.g. 203.0.113.0/24",
    ),
    (
        "range backwards",
        service_change("dev", "api", egress={"ldap": {"cidr": "10.0.0.0/8", "port": 600, "toPort": 500}}),
        "Pulumi.dev.yaml: platform:services.api.egress.ldap: toPort (500) is below port (600)",
    ),
    (
        "https to anywhere again",
        service_change("dev", "api", egress={"web": {"cidr": "0.0.0.0/0", "port": 443}}),
        "Pulumi.dev.yaml: platform:services.api.egress.web: HTTPS (443) to anywhere is already allowed by default; "
        "remove the rule",
    ),
]


@pytest.mark.parametrize(
    ("flat", "expected"), [(flat, expected) for _, flat, expected in CASES], ids=[name for name, _, _ in CASES]
)
def test_bad_workload_config_is_rejected_with_its_key_path(flat: dict[str, str], expected: str) -> None:
    assert problems("dev", flat) == [expected]
