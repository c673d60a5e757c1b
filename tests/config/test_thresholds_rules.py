"""The pack's production rules as config validation applies them (components/config/thresholds.py): ECS Exec,
plain HTTP and web ACLs on every internet entry point, each refused exactly where the pack's policy is mandatory
and the stack is production, and only on what the stack builds. `check` on the prod stack file's config with one
setting changed; no stack runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.config import StackConfig, load_stack_config
from components.config.compute import LoadBalancerCdnConfig
from components.config.thresholds import RELAX, Thresholds, check, pack_config_path
from offline.engine import stack_config

PROD = load_stack_config("prod", stack_config("prod"), guardrails=Thresholds())
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "candlefish" / "Pulumi.prod.yaml"
WAF = "internet-entry-points-have-waf"


def changed(config: Any, path: tuple[str, ...], value: Any) -> Any:
    """`config` with the attribute at `path` replaced (the models are frozen: copied level by level)."""
    if len(path) == 1:
        return config.model_copy(update={path[0]: value})
    return config.model_copy(update={path[0]: changed(getattr(config, path[0]), path[1:], value)})


def paths(config: StackConfig, limits: Thresholds | None = None, stack: str = "prod") -> list[str]:
    return [p.path for p in check(config, limits or Thresholds(source="p.json"), stack)]


def test_the_prod_stack_file_passes_the_packs_defaults() -> None:
    assert paths(PROD) == []


# -- ECS Exec ------------------------------------------------------------------------------------------------
EXEC = changed(PROD, ("cluster", "execute_command"), True)


def test_ecs_exec_in_production_is_refused_naming_the_policy() -> None:
    [problem] = check(EXEC, Thresholds(source="p.json"), "prod")
    assert (problem.path, problem.value, problem.message) == (
        "platform:cluster.executeCommand",
        True,
        "ECS Exec opens a shell inside production tasks; allowed only outside production (set false; "
        "p.json: ecs-service-hardening is mandatory)",
    )


def test_ecs_exec_outside_production_or_with_an_advisory_policy_is_accepted() -> None:
    assert paths(changed(EXEC, ("environment",), "staging"), stack="staging") == []
    assert paths(EXEC, Thresholds(config={"ecs-service-hardening": "advisory"})) == []


# -- plain HTTP ----------------------------------------------------------------------------------------------
PLAIN = changed(
    changed(changed(PROD, ("load_balancer", "allow_plain_http"), True), ("load_balancer", "domain"), None),
    ("load_balancer", "certificate_arn"),
    None,
)


def test_plain_http_for_a_web_service_is_refused_naming_the_policy() -> None:
    problems = [p for p in check(PLAIN, Thresholds(source="p.json"), "prod") if "allowPlainHttp" in p.path]
    assert [(p.path, p.value, p.message) for p in problems] == [
        (
            "platform:loadBalancer.allowPlainHttp",
            True,
            "plain HTTP fails p.json: alb-tls-and-headers (mandatory for this stack): give loadBalancer.domain or "
            "certificateArn, or make that policy advisory there",
        )
    ]


def test_plain_http_without_a_web_service_or_with_an_advisory_policy_is_not_judged() -> None:
    workers = {name: s for name, s in PLAIN.services.items() if s.kind != "web"}
    assert "platform:loadBalancer.allowPlainHttp" not in paths(changed(PLAIN, ("services",), workers))
    assert "platform:loadBalancer.allowPlainHttp" not in paths(
        PLAIN, Thresholds(config={"alb-tls-and-headers": "advisory"})
    )


def test_plain_http_allowed_beside_a_certificate_is_not_this_rules_concern() -> None:
    with_certificate = changed(PROD, ("load_balancer", "allow_plain_http"), True)
    assert "platform:loadBalancer.allowPlainHttp" not in paths(with_certificate)


# -- web ACLs ------------------------------------------------------------------------------------------------
NO_WAF = changed(PROD, ("load_balancer", "waf", "enabled"), False)
ALB_WAF = "platform:loadBalancer.waf.enabled"


def test_a_production_alb_without_a_web_acl_is_refused_naming_the_policy() -> None:
    [problem] = check(NO_WAF, Thresholds(source="p.json"), "prod")
    assert (problem.path, problem.value, problem.message) == (
        ALB_WAF,
        False,
        f"production puts a web ACL on every internet entry point (p.json: {WAF} is mandatory); set true, or {RELAX}",
    )


def test_an_alb_without_a_web_acl_is_accepted_outside_production_or_with_an_advisory_policy() -> None:
    assert paths(changed(NO_WAF, ("environment",), "staging"), stack="staging") == []
    assert paths(NO_WAF, Thresholds(config={WAF: "advisory"})) == []
    assert paths(NO_WAF, Thresholds(config={WAF: {"productionEnvironments": ["live"]}})) == []


def test_a_stack_without_a_web_service_or_http_function_has_no_alb_to_judge() -> None:
    workers = {name: s for name, s in NO_WAF.services.items() if s.kind != "web"}
    assert paths(changed(NO_WAF, ("services",), workers)) == []


def test_an_http_function_makes_the_alb_an_entry_point() -> None:
    workers = {name: s for name, s in NO_WAF.services.items() if s.kind != "web"}
    candlefish = load_stack_config("prod", stack_config("prod", config_file=EXAMPLE))
    routed = {n: f for n, f in candlefish.functions.items() if f.triggers.http is not None}
    assert routed, "the example has a function behind the ALB"
    assert paths(changed(changed(NO_WAF, ("services",), workers), ("functions",), routed)) == [ALB_WAF]


def test_pack_config_path_prefers_the_stacks_own_file_then_its_environments(tmp_path: Path) -> None:
    assert pack_config_path("eu-1", "prod", tmp_path) is None
    (tmp_path / "prod.json").write_text("{}")
    assert pack_config_path("eu-1", "prod", tmp_path) == tmp_path / "prod.json"
    (tmp_path / "eu-1.json").write_text("{}")
    assert pack_config_path("eu-1", "prod", tmp_path) == tmp_path / "eu-1.json"
    assert pack_config_path("", None, tmp_path) is None


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_stack_reads_its_own_pack_config_file(stack: str) -> None:
    limits = Thresholds.for_stack(stack, stack)
    assert limits.source == f"policies/config/{stack}.json"


def test_a_production_cloudfront_without_a_web_acl_is_refused_and_with_one_accepted() -> None:
    domain = {"name": "www.example.com", "hostedZone": "example.com"}
    off = LoadBalancerCdnConfig.model_validate({"domain": domain, "waf": {"enabled": False}})
    on = LoadBalancerCdnConfig.model_validate({"domain": domain})
    assert paths(changed(PROD, ("load_balancer", "cloud_front"), off)) == [
        "platform:loadBalancer.cloudFront.waf.enabled"
    ]
    assert paths(changed(PROD, ("load_balancer", "cloud_front"), on)) == []
