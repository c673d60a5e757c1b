"""Compute config (components/config/compute.py) refused or accepted key by key: the image reference parser, the
plain-secret guard, the load balancer's, test listener's, health check's, schedule's, deployment's and service's
own validators, each at both sides of its rule, and each refusal one line naming the stack file, the key path, the
value and what is allowed. Fast: a stack file's config changed in one place and validated, no stack run."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.config import StackConfigError, load_stack_config
from components.config.compute import (
    AutoscalingConfig,
    CanaryConfig,
    ClusterConfig,
    DeploymentConfig,
    DomainConfig,
    EdgeWafConfig,
    LinearConfig,
    LoadBalancerConfig,
    RoutingConfig,
    ServiceConfig,
    WafConfig,
    is_secret_arn,
    parse_image,
    reads_stack_secrets,
    refuse_plain_secrets,
)
from offline.engine import stack_config

from .mutate import DELETE
from .test_compute_config import service_change
from .test_field_bounds import Bound

ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
DIGEST = "sha256:" + "0" * 64
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
PARAMETER_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/app/token"
CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test"


def outcome(stack: str, flat: dict[str, str]) -> list[str]:
    """The problem lines of `stack`'s changed config; [] when it loads."""
    try:
        load_stack_config(stack, flat)
    except StackConfigError as error:
        return error.lines
    return []


def load_balancer(stack: str, **keys: Any) -> dict[str, str]:
    """`stack`'s config with keys of `platform:loadBalancer` set (DELETE removes one)."""
    flat = stack_config(stack)
    section = {**json.loads(flat.get("platform:loadBalancer", "{}")), **keys}
    flat["platform:loadBalancer"] = json.dumps({k: v for k, v in section.items() if v is not DELETE})
    return flat


# -- the image reference --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "parts"),
    [
        ("nginx:1.27", (None, "nginx", "1.27", None)),
        ("team/app:2", (None, "team/app", "2", None)),
        ("localhost/app:1", ("localhost", "app", "1", None)),
        ("localhost:5000/team/app:v2", ("localhost:5000", "team/app", "v2", None)),
        ("registry.example.com/app:1.4.2", ("registry.example.com", "app", "1.4.2", None)),
        (f"app@{DIGEST}", (None, "app", None, DIGEST)),
        (f"{ECR}/app:1.0@{DIGEST}", (ECR, "app", "1.0", DIGEST)),
    ],
)
def test_a_pinned_reference_splits_into_registry_repository_tag_and_digest(
    reference: str, parts: tuple[str | None, ...]
) -> None:
    parsed = parse_image(reference)
    assert (parsed.registry, parsed.repository, parsed.tag, parsed.digest) == parts


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("nginx", "untagged image (that means `latest`)"),
        ("localhost:5000/team/app", "untagged image (that means `latest`)"),
        ("nginx:Latest", "`latest` is not a version"),
        ("nginx:-bad", "'-bad' is not a valid image tag"),
        (f"nginx@{DIGEST.upper()}", "the digest must be sha256: followed by 64 lower-case hex digits"),
        ("nginx@sha256:" + "0" * 63, "the digest must be sha256: followed by 64 lower-case hex digits"),
        ("Team/App:1", "not a valid image reference; expected [registry/]repository:tag or"),
        ("app//x:1", "not a valid image reference"),
    ],
)
def test_an_unpinned_or_malformed_reference_is_refused_saying_why(reference: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_image(reference)
    assert str(raised.value).startswith(message)


def test_an_ecr_registry_gives_its_account_and_region_and_any_other_registry_neither() -> None:
    ecr = parse_image(f"{ECR}/app:1")
    assert (ecr.ecr_account, ecr.ecr_region) == ("123456789012", "eu-west-1")
    for other in ("registry.example.com/app:1", "app:1"):
        parsed = parse_image(other)
        assert (parsed.ecr_account, parsed.ecr_region) == (None, None), other


def test_a_parsed_reference_cannot_be_changed_after_the_check() -> None:
    parsed = parse_image("nginx:1.27")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.tag = "latest"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("reference", "secret"),
    [
        (SECRET_ARN, True),
        (f"{SECRET_ARN}:password::", True),
        (PARAMETER_ARN, True),
        ("arn:aws:s3:::bucket/key", False),
        ("stripe-key", False),
    ],
)
def test_secrets_manager_and_ssm_parameter_arns_are_secret_references(reference: str, secret: bool) -> None:
    assert is_secret_arn(reference) is secret


def test_a_service_reads_stack_secrets_only_when_one_is_not_an_arn() -> None:
    def service(secrets: dict[str, str]) -> ServiceConfig:
        return ServiceConfig.model_validate({"kind": "worker", "image": "app:1", "secrets": secrets})

    assert not reads_stack_secrets(service({}))
    assert not reads_stack_secrets(service({"A": SECRET_ARN, "B": PARAMETER_ARN}))
    assert reads_stack_secrets(service({"A": SECRET_ARN, "B": "stripe-key"}))


# -- plain secrets in the environment -------------------------------------------------------------------------


def refused(environment: dict[str, str]) -> str | None:
    try:
        refuse_plain_secrets(environment, named_why="WHY", valued_fix="FIX")
    except ValueError as error:
        return str(error)
    return None


def test_plain_values_with_ordinary_names_pass_the_secret_guard() -> None:
    assert refused({"LOG_LEVEL": "debug", "URL": "https://example.com/a:b", "KEYS_URL": "x"}) is None


def test_a_secret_looking_name_is_refused_in_the_singular_and_the_plural() -> None:
    assert refused({"GITHUB_TOKEN": "x", "LOG_LEVEL": "debug"}) == "GITHUB_TOKEN looks like a secret; WHY"
    assert refused({"db_password": "x", "API_KEY": "y"}) == "API_KEY, db_password look like a secret; WHY"


@pytest.mark.parametrize(
    "value",
    [
        "AKIAABCDEFGHIJKLMNOP",
        "s3://AKIAABCDEFGHIJKLMNOP",
        "postgres://app:hunter2@db/app",
        "-----BEGIN RSA PRIVATE KEY",
    ],
)
def test_a_credential_value_is_refused_whatever_its_name(value: str) -> None:
    assert refused({"B": "plain", "A": value}) == (
        "the value of A contains a credential (URL password, AWS key or private key); FIX"
    )


# -- documented defaults ----------------------------------------------------------------------------------------


def test_switches_default_as_documented() -> None:
    assert ClusterConfig().execute_command is False
    assert (WafConfig().enabled, EdgeWafConfig().enabled) == (False, True)
    balancer = LoadBalancerConfig()
    assert (balancer.allow_plain_http, balancer.deletion_protection, balancer.https) == (False, False, False)


# -- bounds the field table does not hold ---------------------------------------------------------------------

UNBOUNDED = 10**9
"""No maximum: the value tried at the top, and none past it."""
BOUNDS = [
    Bound(EdgeWafConfig, {}, "rateLimit", 2000, 100, 2_000_000_000),
    Bound(ServiceConfig, {"kind": "web"}, "port", None, 1, 65535),
    Bound(ServiceConfig, {"kind": "web"}, "desiredCount", 1, 0, 1000),
    Bound(RoutingConfig, {}, "priority", None, 1, 50000),
    Bound(AutoscalingConfig, {}, "requestsPerTarget", 1000, 1, UNBOUNDED),
    Bound(AutoscalingConfig, {}, "backlogPerTask", 100, 1, UNBOUNDED),
    Bound(CanaryConfig, {}, "percent", 5.0, 0.1, 100),
    Bound(LinearConfig, {}, "stepPercent", 10.0, 3, 100),
]


@pytest.mark.parametrize("bound", BOUNDS, ids=[f"{b.model.__name__}.{b.key}" for b in BOUNDS])
def test_a_setting_is_accepted_at_its_bounds_and_refused_one_past(bound: Bound) -> None:
    if bound.key != "priority":
        assert bound.model.model_validate(bound.required).model_dump()[bound.key] == bound.default
    assert (bound.value(bound.low), bound.value(bound.high)) == (bound.low, bound.high)
    below = bound.low - 1
    for value, message in ((below, f"greater than or equal to {bound.low}"),) + (
        ((bound.high + 1, f"less than or equal to {bound.high}"),) if bound.high < UNBOUNDED else ()
    ):
        with pytest.raises(ValidationError) as caught:
            bound.value(value)
        [error] = caught.value.errors()
        assert (error["loc"], error["msg"]) == ((bound.key,), f"Input should be {message}"), value


def test_a_domain_name_is_at_most_253_characters() -> None:
    longest = ".".join(["a" * 63] * 3 + ["b" * 61])
    zone = "a" * 63 + "." + "b" * 61
    assert DomainConfig.model_validate({"name": longest, "hostedZone": zone}).name == longest
    with pytest.raises(ValidationError) as caught:
        DomainConfig.model_validate({"name": "a" + longest, "hostedZone": zone})
    assert [e["msg"] for e in caught.value.errors()] == ["String should have at most 253 characters"]


# -- one-line refusals of single keys ---------------------------------------------------------------------------

DEV = "Pulumi.dev.yaml: platform:"
FIELD_CASES: list[tuple[str, dict[str, str], list[str]]] = [
    # the test listener
    ("test listener on 8443", load_balancer("dev", testListener={"port": 8443}), []),
    (
        "test listener on 80",
        load_balancer("dev", testListener={"port": 80}),
        [
            f"{DEV}loadBalancer.testListener.port = 80: 80 and 443 are the production listeners, open to "
            "loadBalancer.ingressCidrs; give the test listener its own port, e.g. 8443"
        ],
    ),
    ("test listener for an office", load_balancer("dev", testListener={"cidrs": ["0.0.0.0/1", "::/1"]}), []),
    (
        "test listener for a host address",
        load_balancer("dev", testListener={"cidrs": ["198.51.100.7/24"]}),
        [
            f"{DEV}loadBalancer.testListener.cidrs: '198.51.100.7/24' is not a network CIDR (198.51.100.7/24 has "
            "host bits set); e.g. 198.51.100.0/24"
        ],
    ),
    (
        "test listener for the IPv6 internet",
        load_balancer("dev", testListener={"cidrs": ["198.51.100.0/24", "::/0"]}),
        [
            f"{DEV}loadBalancer.testListener.cidrs: ::/0 is the whole internet; the test listener serves a revision "
            "no one has checked yet: name the networks that may test it (office, VPN)"
        ],
    ),
    (
        "test listener network twice",
        load_balancer("dev", testListener={"cidrs": ["198.51.100.0/24", "198.51.100.0/24"]}),
        [f"{DEV}loadBalancer.testListener.cidrs: listed more than once: 198.51.100.0/24"],
    ),
    # ingress
    ("ingress from two networks", load_balancer("dev", ingressCidrs=["203.0.113.0/24", "2001:db8::/32"]), []),
    (
        "ingress from nowhere",
        load_balancer("dev", ingressCidrs=[]),
        [f"{DEV}loadBalancer.ingressCidrs: at least one CIDR is needed; the ALB would be unreachable (e.g. 0.0.0.0/0)"],
    ),
    (
        "ingress from a host address",
        load_balancer("dev", ingressCidrs=["203.0.113.9/24"]),
        [
            f"{DEV}loadBalancer.ingressCidrs: '203.0.113.9/24' is not a network CIDR (203.0.113.9/24 has host bits "
            "set); e.g. 0.0.0.0/0 or 203.0.113.0/24"
        ],
    ),
    (
        "ingress network twice",
        load_balancer("dev", ingressCidrs=["0.0.0.0/0", "203.0.113.0/24", "0.0.0.0/0"]),
        [f"{DEV}loadBalancer.ingressCidrs: listed more than once: 0.0.0.0/0"],
    ),
    # certificate
    ("an ACM certificate", load_balancer("dev", certificateArn=CERTIFICATE_ARN, domain=DELETE), []),
    (
        "a certificate of another service",
        load_balancer("dev", certificateArn="arn:aws:iam::123456789012:server-certificate/x"),
        [
            f"{DEV}loadBalancer.certificateArn = 'arn:aws:iam::123456789012:server-certificate/x': not an ACM "
            "certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)"
        ],
    ),
    # the container health check
    ("health check by CMD", service_change("dev", "worker", healthCheck={"command": ["CMD", "/bin/alive"]}), []),
    ("health check by shell", service_change("dev", "worker", healthCheck={"command": ["CMD-SHELL", "true"]}), []),
    *(
        (
            f"health check {command}",
            service_change("dev", "worker", healthCheck={"command": command}),
            [
                f'{DEV}services.worker.healthCheck.command: a container health check is ["CMD-SHELL", '
                '"<shell command>"] or ["CMD", "<executable>", "<arg>"...]'
            ],
        )
        for command in (["CMD-SHELL"], ["CMD"], [], ["sh", "-c", "true"], ["NONE", "x"])
    ),
    (
        "health check 1 s inside its interval",
        service_change("dev", "api", healthCheck={"intervalSeconds": 10, "timeoutSeconds": 9}),
        [],
    ),
    (
        "health check as long as its interval",
        service_change("dev", "api", healthCheck={"intervalSeconds": 10, "timeoutSeconds": 10}),
        [
            f"{DEV}services.api.healthCheck.timeoutSeconds = 10: must be less than healthCheck.intervalSeconds "
            "(10): a probe has to finish before the next one starts"
        ],
    ),
    # the scaling schedule
    *(
        (
            f"schedule {expression}",
            service_change("dev", "api", autoscaling={"schedule": {"stop": expression}}),
            [],
        )
        for expression in ("cron(0 22 ? * * *)", "rate(12 hours)", "at(2026-12-24T18:00:00)")
    ),
    *(
        (
            f"schedule {expression}",
            service_change("dev", "api", autoscaling={"schedule": {"start": expression}}),
            [
                f"{DEV}services.api.autoscaling.schedule.start = {expression!r}: not a schedule expression; e.g. "
                "cron(0 20 ? * MON-FRI *), rate(1 day), at(2026-01-01T00:00:00)"
            ],
        )
        for expression in ("0 7 * * *", "cron(0 7 * * *)", "rate(1 week)")
    ),
    # the image
    (
        "image by repository without a tag",
        service_change("dev", "api", image={"repository": "api"}),
        [f"{DEV}services.api.image: give exactly one of tag (a version, e.g. 1.4.2) and digest (sha256:...)"],
    ),
    (
        "image by reference, untagged",
        service_change("dev", "api", image="registry.example.com/api"),
        [
            f"{DEV}services.api.image = 'registry.example.com/api': untagged image (that means `latest`); pin a "
            "version tag (repo:1.4.2) or a digest (repo@sha256:...)"
        ],
    ),
    ("image by reference, pinned", service_change("dev", "api", image=f"registry.example.com/api@{DIGEST}"), []),
    # the user
    *(
        (f"user {user}", service_change("dev", "api", user=user), [])
        for user in ("1000", "1", "app:app", "10:0", "rooted")
    ),
    *(
        (
            f"user {user}",
            service_change("dev", "api", user=user),
            [
                f"{DEV}services.api.user = {user!r}: containers never run as root; use an unprivileged uid:gid such "
                "as 1000:1000"
            ],
        )
        for user in ("root", "0", "root:1000", "00", "000:1000")
    ),
    # the environment
    (
        "an AWS key in the environment",
        service_change("dev", "api", environment={"S3_ID": "AKIAABCDEFGHIJKLMNOP"}),
        [
            f"{DEV}services.api.environment: the value of S3_ID contains a credential (URL password, AWS key or "
            "private key); move it to secrets (valueFrom a stack secret or a Secrets Manager / SSM ARN)"
        ],
    ),
    # the build
    (
        "build tagged Latest",
        service_change("dev", "api", image=DELETE, build={"context": "./app", "tag": "Latest"}),
        [
            f"{DEV}services.api.build.tag = 'Latest': `latest` is not a version and the repository's tags are "
            "immutable; use a release or commit id"
        ],
    ),
    (
        "build tagged with a release",
        service_change("dev", "api", image=DELETE, build={"context": ".", "tag": "v2"}),
        [],
    ),
    # Bedrock models
    ("a foundation model", service_change("dev", "api", grants__models=["anthropic.claude-3-haiku-20240307-v1:0"]), []),
    (
        "a model that is not one",
        service_change("dev", "api", grants__models=["claude"]),
        [
            f"{DEV}services.api.grants.models[0] = 'claude': not a Bedrock model id (<provider>.<model>, e.g. "
            "anthropic.claude-3-haiku-20240307-v1:0) or cross-Region inference profile id (<geography>.<model id>, "
            "e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0)"
        ],
    ),
]


@pytest.mark.parametrize(("flat", "expected"), [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES])
def test_a_compute_key_is_accepted_or_refused_in_one_line(flat: dict[str, str], expected: list[str]) -> None:
    assert outcome("dev", flat) == expected


# -- lifecycle hooks ---------------------------------------------------------------------------------------------


def hooked(function: str) -> dict[str, str]:
    return service_change(
        "dev",
        "api",
        deployment={"strategy": "blue-green", "lifecycleHooks": [{"function": function, "stages": ["PRE_SCALE_UP"]}]},
    )


@pytest.mark.parametrize(
    "function", [LAMBDA_ARN, f"{LAMBDA_ARN}:live", "arn:aws-cn:lambda:cn-north-1:123456789012:function:f"]
)
def test_a_hook_may_name_a_lambda_function_by_arn(function: str) -> None:
    assert outcome("dev", hooked(function)) == []


@pytest.mark.parametrize(
    "function", ["x", "smoke-test", "arn:aws:lambda:us-east-1:123456789012:layer:x", "${functions.X.arn}"]
)
def test_a_hook_naming_no_function_is_refused(function: str) -> None:
    assert outcome("dev", hooked(function)) == [
        f"{DEV}services.api.deployment.lifecycleHooks[0].function = {function!r}: not a Lambda function ARN "
        "(arn:aws:lambda:<region>:<account>:function:<name>) or a reference ${functions.<name>.arn}"
    ]


def test_a_hook_with_no_stage_is_refused() -> None:
    flat = service_change(
        "dev", "api", deployment={"strategy": "blue-green", "lifecycleHooks": [{"function": LAMBDA_ARN, "stages": []}]}
    )
    assert outcome("dev", flat) == [
        f"{DEV}services.api.deployment.lifecycleHooks[0].stages: List should have at least 1 item after "
        "validation, not 0"
    ]


def test_a_hook_with_an_empty_function_is_refused_as_too_short() -> None:
    assert outcome("dev", hooked("")) == [
        f"{DEV}services.api.deployment.lifecycleHooks[0].function = '': String should have at least 1 character"
    ]


def test_a_deployment_is_progressive_for_every_strategy_but_rolling_and_bakes_ten_minutes_by_default() -> None:
    def deployment(**keys: Any) -> DeploymentConfig:
        return DeploymentConfig.model_validate(keys)

    assert [deployment(strategy=s).progressive for s in ("rolling", "blue-green", "canary", "linear")] == [
        False,
        True,
        True,
        True,
    ]
    assert deployment(strategy="canary").effective_bake_time_minutes == 10
    assert deployment(strategy="canary", bakeTimeMinutes=0).effective_bake_time_minutes == 0
    assert deployment(strategy="canary", bakeTimeMinutes=25).effective_bake_time_minutes == 25


# -- what a service is ------------------------------------------------------------------------------------------


def test_an_image_mapping_is_validated_as_a_repository_and_a_string_as_a_reference() -> None:
    spec = ServiceConfig.model_validate({"kind": "worker", "image": {"repository": "api", "tag": "1.0"}})
    assert spec.image_reference() is None
    full = ServiceConfig.model_validate({"kind": "worker", "image": "registry.example.com/api:1.0"})
    reference = full.image_reference()
    assert reference is not None and (reference.registry, reference.tag) == ("registry.example.com", "1.0")


@pytest.mark.parametrize(
    ("service", "command"),
    [
        ({"kind": "web", "port": 8000}, ["CMD-SHELL", "curl -sf http://localhost:8000/health || exit 1"]),
        (
            {"kind": "web", "port": 80, "healthCheck": {"path": "/ready"}},
            ["CMD-SHELL", "curl -sf http://localhost:80/ready || exit 1"],
        ),
        ({"kind": "web", "port": 80, "healthCheck": {"command": ["CMD", "/alive"]}}, ["CMD", "/alive"]),
        ({"kind": "worker", "healthCheck": {"command": ["CMD", "/alive"]}}, ["CMD", "/alive"]),
        ({"kind": "web"}, None),
        ({"kind": "worker", "port": 8000}, None),
        ({"kind": "service"}, None),
    ],
)
def test_the_container_health_check_is_the_configured_one_or_an_http_probe_of_a_web_port(
    service: dict[str, Any], command: list[str] | None
) -> None:
    assert ServiceConfig.model_validate(service).container_health_command() == command


def test_every_stack_loads_unchanged() -> None:
    for stack in ("dev", "staging", "prod"):
        assert outcome(stack, stack_config(stack)) == [], stack
