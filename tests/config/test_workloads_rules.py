"""Images by repository, egress rules, task schedules and the service checks of components/config/workloads.py at
their edges: each model built from a dict as a stack file gives it (accepted, or refused with its exact message),
and the cross-checks on the dev stack file with one service changed. Fast: no stack runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config.workloads import EgressRuleConfig, ImageSpec, TaskScheduleConfig
from offline.engine import stack_config

from .sections import problems as stack_problems
from .sections import refusal

DIGEST = "sha256:" + "0123456789abcdef" * 4


def problems(services: dict[str, Any] | None = None, **sections: Any) -> list[str]:
    """The dev stack file's problems (none when accepted) with its services changed (`None` removes one)."""
    entries = json.loads(stack_config("dev")["platform:services"])
    for name, entry in (services or {}).items():
        if entry is None:
            entries.pop(name)
        else:
            entries[name] = {**entries.get(name, {}), **entry}
    return stack_problems("dev", services=entries, **sections)


# -- images by repository ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ab", "app", "openclaw/app", "my-app", "my__app", "a.b/c-d/e_f"])
def test_ecr_repository_names_are_accepted(name: str) -> None:
    assert ImageSpec.model_validate({"repository": name, "tag": "1"}).repository == name


@pytest.mark.parametrize("name", ["App", "app/", "-app", "my---app", "app//x"])
def test_names_ecr_refuses_are_refused(name: str) -> None:
    assert refusal(ImageSpec, {"repository": name, "tag": "1"}) == (
        ("repository",),
        "not an ECR repository name: lower-case letters, digits, `.`, `_`, `-` and `/` (e.g. app or openclaw/app)",
    )


@pytest.mark.parametrize("tag", ["1.4.2", "v1", "_build-7", "a" * 128, "latest-build", "2024.01.01"])
def test_version_tags_are_accepted(tag: str) -> None:
    image = ImageSpec.model_validate({"repository": "app", "tag": tag})
    assert (image.tag, image.digest, image.suffix) == (tag, None, f":{tag}")


@pytest.mark.parametrize("tag", [".hidden", "-x", "a" * 129, "1 2", "v1:2"])
def test_tags_docker_refuses_are_refused_naming_the_tag(tag: str) -> None:
    assert refusal(ImageSpec, {"repository": "app", "tag": tag}) == (("tag",), f"{tag!r} is not a valid image tag")


@pytest.mark.parametrize("tag", ["latest", "LATEST", "Latest"])
def test_latest_in_any_case_is_refused(tag: str) -> None:
    assert refusal(ImageSpec, {"repository": "app", "tag": tag}) == (
        ("tag",),
        "`latest` is not a version: it moves under a running service, so a redeploy or a scale-out can start "
        "different code; pin a version tag (1.4.2) or a digest",
    )


def test_a_digest_alone_is_accepted_and_follows_an_at_sign() -> None:
    image = ImageSpec.model_validate({"repository": "app", "digest": DIGEST})
    assert (image.tag, image.digest, image.suffix) == (None, DIGEST, f"@{DIGEST}")


def test_a_null_tag_beside_a_digest_is_accepted_as_no_tag() -> None:
    image = ImageSpec.model_validate({"repository": "app", "tag": None, "digest": DIGEST})
    assert (image.tag, image.suffix) == (None, f"@{DIGEST}")


@pytest.mark.parametrize(
    "digest", ["sha256:" + "A" * 64, "sha256:" + "0" * 63, "sha256:" + "0" * 65, "sha512:" + "0" * 64, "0" * 64]
)
def test_a_digest_that_is_not_sha256_of_64_lower_case_hex_is_refused(digest: str) -> None:
    assert refusal(ImageSpec, {"repository": "app", "digest": digest}) == (
        ("digest",),
        "the digest must be sha256: followed by 64 lower-case hex digits",
    )


@pytest.mark.parametrize("pins", [{}, {"tag": "1", "digest": DIGEST}])
def test_an_image_needs_exactly_one_of_tag_and_digest(pins: dict[str, str]) -> None:
    assert refusal(ImageSpec, {"repository": "app", **pins}) == (
        (),
        "give exactly one of tag (a version, e.g. 1.4.2) and digest (sha256:...)",
    )


# -- egress ------------------------------------------------------------------------------------------------
def egress(**values: Any) -> EgressRuleConfig:
    return EgressRuleConfig.model_validate({"cidr": "10.0.0.0/8", **values})


@pytest.mark.parametrize("port", [1, 65535])
def test_an_egress_port_is_accepted_from_1_to_65535(port: int) -> None:
    rule = egress(port=port)
    assert (rule.port, rule.to_port, rule.last_port) == (port, None, port)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"port": 0}, "port", "Input should be greater than or equal to 1"),
        ({"port": 65536}, "port", "Input should be less than or equal to 65535"),
        ({"port": 1, "toPort": 0}, "toPort", "Input should be greater than or equal to 1"),
        ({"port": 1, "toPort": 65536}, "toPort", "Input should be less than or equal to 65535"),
    ],
)
def test_an_egress_port_outside_1_to_65535_is_refused(values: dict[str, int], field: str, message: str) -> None:
    assert refusal(EgressRuleConfig, {"cidr": "10.0.0.0/8", **values}) == ((field,), message)


@pytest.mark.parametrize(("port", "to_port"), [(587, 587), (1, 65534), (2, 65535), (1000, 2000)])
def test_a_port_range_short_of_every_port_is_accepted(port: int, to_port: int) -> None:
    rule = egress(port=port, toPort=to_port)
    assert (rule.port, rule.last_port) == (port, to_port)


def test_a_range_ending_below_its_start_is_refused() -> None:
    assert refusal(EgressRuleConfig, {"cidr": "10.0.0.0/8", "port": 601, "toPort": 600}) == (
        (),
        "toPort (600) is below port (601)",
    )


@pytest.mark.parametrize("protocol", ["-1", "all", "ANY", "All"])
def test_all_traffic_by_any_name_is_refused(protocol: str) -> None:
    assert refusal(EgressRuleConfig, {"cidr": "10.0.0.0/8", "port": 1, "protocol": protocol}) == (
        ("protocol",),
        "all traffic is never allowed out of a task: name the protocol (tcp or udp) and the port the service needs",
    )


@pytest.mark.parametrize("protocol", ["tcp", "udp"])
def test_tcp_and_udp_are_accepted(protocol: str) -> None:
    assert egress(port=53, protocol=protocol).protocol == protocol


@pytest.mark.parametrize(("cidr", "version"), [("203.0.113.0/24", 4), ("2001:db8::/32", 6), ("10.1.2.3/32", 4)])
def test_ipv4_and_ipv6_networks_are_accepted(cidr: str, version: int) -> None:
    assert egress(cidr=cidr, port=443).ip_version == version


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("10.0.0.1/8", "not a network CIDR (10.0.0.1/8 has host bits set); e.g. 203.0.113.0/24"),
        (
            "smtp.example.com",
            "not a network CIDR ('smtp.example.com' does not appear to be an IPv4 or IPv6 network); e.g. 203.0.113.0/24",
        ),
    ],
)
def test_a_cidr_with_host_bits_or_not_a_network_is_refused(cidr: str, message: str) -> None:
    assert refusal(EgressRuleConfig, {"cidr": cidr, "port": 25}) == (("cidr",), message)


HTTPS_AGAIN = "HTTPS (443) to anywhere is already allowed by default; remove the rule"


@pytest.mark.parametrize(
    ("rule", "repeats_the_default"),
    [
        ({"cidr": "0.0.0.0/0", "port": 443}, True),
        ({"cidr": "0.0.0.0/0", "port": 400, "toPort": 443}, True),
        ({"cidr": "0.0.0.0/0", "port": 443, "toPort": 500}, True),
        ({"cidr": "0.0.0.0/0", "port": 442}, False),
        ({"cidr": "0.0.0.0/0", "port": 444}, False),
        ({"cidr": "0.0.0.0/0", "port": 400, "toPort": 442}, False),
        ({"cidr": "0.0.0.0/0", "port": 443, "protocol": "udp"}, False),
        ({"cidr": "203.0.113.0/24", "port": 443}, False),
        ({"cidr": "::/0", "port": 443}, False),
    ],
)
def test_an_egress_rule_repeating_https_to_anywhere_is_refused(rule: dict[str, Any], repeats_the_default: bool) -> None:
    expected = [f"platform:services.api.egress.extra: {HTTPS_AGAIN}"] if repeats_the_default else []
    assert problems({"api": {"egress": {"extra": rule}}}) == expected


# -- scheduled tasks -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression", ["cron(0 3 * * ? *)", "rate(1 hour)", "rate(15 minutes)", "at(2026-01-01T00:00:00)"]
)
def test_schedule_expressions_of_the_three_kinds_are_accepted(expression: str) -> None:
    schedule = TaskScheduleConfig.model_validate({"expression": expression})
    assert (schedule.expression, schedule.enabled) == (expression, True)


@pytest.mark.parametrize("expression", ["cron(0 3 * * ?)", "rate(1 week)", "every day", "rate(1 day) "])
def test_other_schedule_expressions_are_refused(expression: str) -> None:
    assert refusal(TaskScheduleConfig, {"expression": expression}) == (
        ("expression",),
        "not a schedule expression; e.g. cron(0 3 * * ? *), rate(1 hour), at(2026-01-01T00:00:00)",
    )


def test_a_task_on_a_schedule_is_accepted() -> None:
    assert problems({"migrate": {"schedule": {"expression": "rate(1 day)"}}}) == []


@pytest.mark.parametrize("kind", ["web", "worker"])
def test_a_schedule_on_anything_but_a_task_is_refused_naming_its_kind(kind: str) -> None:
    service = "api" if kind == "web" else "worker"
    assert problems({service: {"schedule": {"expression": "rate(1 day)"}}}) == [
        f"platform:services.{service}.schedule: only a `kind: task` runs on a schedule (this is a {kind}); remove "
        "schedule or set kind: task"
    ]


# -- tasks ----------------------------------------------------------------------------------------------------
def test_a_task_with_a_rolling_deployment_is_refused() -> None:
    assert problems({"migrate": {"deployment": {"minimumHealthyPercent": 50}}}) == [
        "platform:services.migrate.deployment: a task is not a long-running service: it has no task count or rolling "
        "deployment; remove it"
    ]


def test_a_task_with_a_count_and_autoscaling_reports_both_naming_each_setting() -> None:
    assert problems({"migrate": {"desiredCount": 1, "autoscaling": {"minCount": 1, "maxCount": 3}}}) == [
        "platform:services.migrate.desiredCount: a task is not a long-running service: it has no task count or "
        "rolling deployment; remove it",
        "platform:services.migrate.autoscaling: a task does not autoscale (each run is one task); remove autoscaling "
        "(maxCount, minCount)",
    ]


def test_a_worker_may_have_a_task_count_autoscaling_and_no_port() -> None:
    assert problems({"worker": {"desiredCount": 1, "autoscaling": {"minCount": 1, "maxCount": 3}}}) == []


def test_the_dev_stack_tasks_pass_with_their_preset_scale_down_schedule() -> None:
    assert problems() == []


# -- build repositories -----------------------------------------------------------------------------------------
BUILD = {"context": "./app", "tag": "v1"}


def test_a_build_into_a_declared_repository_is_accepted() -> None:
    assert problems({"api": {"image": None, "build": {**BUILD, "repository": "api"}}}) == []


def test_a_build_into_its_own_repository_is_accepted() -> None:
    assert problems({"api": {"image": None, "build": BUILD}}) == []


def test_a_build_into_a_repository_of_a_stack_without_any_says_none_are_defined() -> None:
    services = {name: {"image": None, "build": BUILD} for name in ("api", "worker", "migrate", "cleanup")}
    services["api"]["build"] = {**BUILD, "repository": "app"}
    assert problems(services, repositories=None) == [
        "platform:services.api.build.repository = 'app': no repository 'app' in platform:repositories (none are "
        "defined)"
    ]
