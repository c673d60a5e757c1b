"""Compute config checked across keys (components/config/compute.py `check`): HTTPS and plain HTTP per
environment, the domain inside its zone, image or build, task sizes, counts in order, what each kind of service
needs and refuses, injected secrets, deployment strategies and hooks, grants of stores that exist, listener rules
that do not collide. Every rule both ways, each refusal one line naming the stack file, the key path, the value
and what is allowed. Fast: a stack file's config changed and validated, no stack run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.engine import stack_config

from .mutate import DELETE
from .test_compute_config import service_change
from .test_compute_fields import CERTIFICATE_ARN, LAMBDA_ARN, SECRET_ARN, load_balancer, outcome

HOOK_FUNCTION = {
    "code": "examples/candlefish/functions/daily-unblock",
    "handler": "handler.main",
    "runtime": "python3.13",
}


def with_services(stack: str, flat: dict[str, str] | None = None, **services: Any) -> dict[str, str]:
    """`stack`'s config (or `flat`) with whole services set (`None` removes one, a dict is laid over the entry
    of the same name, or over `api` for a new name)."""
    flat = flat or stack_config(stack)
    current = json.loads(flat["platform:services"])
    for name, entry in services.items():
        if entry is None:
            current.pop(name, None)
        else:
            current[name] = {**current.get(name, current["api"]), **entry}
    flat["platform:services"] = json.dumps(current)
    return flat


def line(stack: str, path: str, message: str) -> str:
    return f"Pulumi.{stack}.yaml: platform:{path}: {message}"


HTTPS_EVERYWHERE = (
    "are served over HTTPS in every environment: give loadBalancer.domain {name, hostedZone} or "
    "loadBalancer.certificateArn (or, in dev only, loadBalancer.allowPlainHttp: true)"
)
PLAIN_HTTP_ONLY_IN_DEV = (
    "serves HTTPS only (plain HTTP may only redirect); allowed only in dev: remove it and give "
    "loadBalancer.certificateArn or loadBalancer.domain {name, hostedZone}"
)
PACK_REFUSES_PLAIN_HTTP = (
    "Pulumi.{0}.yaml: platform:loadBalancer.allowPlainHttp = true: plain HTTP fails policies/config/{0}.json: "
    "alb-tls-and-headers (mandatory for this stack): give loadBalancer.domain or certificateArn, or make that policy "
    "advisory there"
)
"""The pack's side (config/thresholds.py): compute's own rule lets dev serve plain HTTP; the stack's pack config
decides whether it may."""
ADMIN = {"routing": {"priority": 200, "paths": ["/admin/*"]}}


def no_domain(stack: str, **keys: Any) -> dict[str, str]:
    return load_balancer(stack, domain=DELETE, **keys)


# -- the load balancer ---------------------------------------------------------------------------------------------

LOAD_BALANCER_CASES: list[tuple[str, str, dict[str, str], list[str]]] = [
    ("plain HTTP in dev", "dev", no_domain("dev", allowPlainHttp=True), [PACK_REFUSES_PLAIN_HTTP.format("dev")]),
    (
        "plain HTTP in staging",
        "staging",
        no_domain("staging", allowPlainHttp=True),
        [
            line("staging", "loadBalancer.allowPlainHttp = true", f"staging {PLAIN_HTTP_ONLY_IN_DEV}"),
            PACK_REFUSES_PLAIN_HTTP.format("staging"),
        ],
    ),
    (
        "plain HTTP in prod beside a domain",
        "prod",
        load_balancer("prod", allowPlainHttp=True),
        [line("prod", "loadBalancer.allowPlainHttp = true", f"prod {PLAIN_HTTP_ONLY_IN_DEV}")],
    ),
    (
        "plain HTTP in dev beside a domain",
        "dev",
        load_balancer("dev", allowPlainHttp=True),
        [
            line(
                "dev",
                "loadBalancer.allowPlainHttp = true",
                "a certificate is configured, so HTTP only redirects to HTTPS; remove it",
            )
        ],
    ),
    (
        "HTTPS by certificate alone",
        "staging",
        no_domain("staging", certificateArn=CERTIFICATE_ARN),
        [],
    ),
    ("dev without a web service or a domain", "dev", with_services("dev", no_domain("dev"), api=None), []),
    (
        "dev without HTTPS",
        "dev",
        no_domain("dev"),
        [line("dev", "loadBalancer", f"web services (api) {HTTPS_EVERYWHERE}")],
    ),
    (
        "two web services without HTTPS",
        "staging",
        with_services("staging", no_domain("staging"), admin=ADMIN),
        [line("staging", "loadBalancer", f"web services (api, admin) {HTTPS_EVERYWHERE}")],
    ),
    (
        "the zone's own name",
        "prod",
        load_balancer("prod", domain={"name": "example.com", "hostedZone": "example.com"}),
        [],
    ),
    (
        "a deeper name in the zone",
        "prod",
        load_balancer("prod", domain={"name": "a.b.example.com", "hostedZone": "example.com"}),
        [],
    ),
    (
        "a name that only ends like the zone",
        "prod",
        load_balancer("prod", domain={"name": "evilexample.com", "hostedZone": "example.com"}),
        [
            line(
                "prod",
                "loadBalancer.domain.name = 'evilexample.com'",
                "not inside the hosted zone example.com; use a name ending in .example.com or the zone that holds it",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("stack", "flat", "expected"), [c[1:] for c in LOAD_BALANCER_CASES], ids=[c[0] for c in LOAD_BALANCER_CASES]
)
def test_the_load_balancer_serves_https_except_where_dev_asks_for_plain_http(
    stack: str, flat: dict[str, str], expected: list[str]
) -> None:
    assert outcome(stack, flat) == expected


# -- image, build, size, counts ------------------------------------------------------------------------------------

BUILD = {"context": "./app", "tag": "v1"}
SERVICE_CASES: list[tuple[str, str, dict[str, str], list[str]]] = [
    (
        "neither image nor build",
        "dev",
        service_change("dev", "api", image=DELETE),
        [
            line(
                "dev",
                "services.api.image",
                "give exactly one of image (a pinned image reference) and build (a Dockerfile to build into ECR)",
            )
        ],
    ),
    (
        "an ECR image and a build",
        "dev",
        service_change("dev", "api", build=BUILD),
        [
            line(
                "dev",
                "services.api.image",
                "give exactly one of image (a pinned image reference) and build (a Dockerfile to build into ECR)",
            )
        ],
    ),
    (
        "an ARM build for ARM",
        "dev",
        service_change("dev", "api", image=DELETE, architecture="ARM64", build={**BUILD, "platform": "linux/arm64"}),
        [],
    ),
    (
        "an x86 build for ARM",
        "dev",
        service_change("dev", "api", image=DELETE, architecture="ARM64", build=BUILD),
        [line("dev", "services.api.build.platform = 'linux/amd64'", "must match architecture ARM64 (linux/arm64)")],
    ),
    (
        "an ARM build for x86",
        "dev",
        service_change("dev", "api", image=DELETE, build={**BUILD, "platform": "linux/arm64"}),
        [line("dev", "services.api.build.platform = 'linux/arm64'", "must match architecture X86_64 (linux/amd64)")],
    ),
    ("1 vCPU with 8 GiB", "dev", service_change("dev", "api", cpu=1024, memory=8192), []),
    (
        "half a vCPU with 5 GiB",
        "dev",
        service_change("dev", "api", cpu=512, memory=5120),
        [
            line(
                "dev",
                "services.api.memory = 5120",
                "Fargate does not offer 5120 MiB with cpu 512; allowed: 1024 to 4096 in steps of 1024",
            )
        ],
    ),
    (
        "min equal to max",
        "dev",
        service_change("dev", "api", autoscaling__minCount=2, autoscaling__maxCount=2, desiredCount=2),
        [],
    ),
    (
        "desired at min",
        "staging",
        service_change("staging", "api", autoscaling__minCount=2, autoscaling__maxCount=3, desiredCount=2),
        [],
    ),
    (
        "desired at max",
        "staging",
        service_change("staging", "api", autoscaling__minCount=2, autoscaling__maxCount=3, desiredCount=3),
        [],
    ),
    (
        "desired below min",
        "staging",
        service_change("staging", "api", autoscaling__minCount=2, autoscaling__maxCount=3, desiredCount=1),
        [
            line(
                "staging",
                "services.api.desiredCount = 1",
                "must be between autoscaling.minCount (2) and autoscaling.maxCount (3)",
            )
        ],
    ),
    (
        "desired above max",
        "staging",
        service_change("staging", "api", autoscaling__minCount=2, autoscaling__maxCount=3, desiredCount=4),
        [
            line(
                "staging",
                "services.api.desiredCount = 4",
                "must be between autoscaling.minCount (2) and autoscaling.maxCount (3)",
            )
        ],
    ),
    (
        "a prod task on on-demand",
        "prod",
        service_change("prod", "worker", capacity={"onDemandBase": 1, "spotWeight": 2}),
        [],
    ),
    (
        "a staging service all on Spot",
        "staging",
        service_change("staging", "api", capacity={"onDemandBase": 0, "onDemandWeight": 0, "spotWeight": 1}),
        [],
    ),
    (
        "no weight at all",
        "dev",
        service_change("dev", "api", capacity={"onDemandWeight": 0, "spotWeight": 0}),
        [
            line(
                "dev",
                "services.api.capacity",
                "onDemandWeight and spotWeight are both 0; at least one must be positive",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("stack", "flat", "expected"), [c[1:] for c in SERVICE_CASES], ids=[c[0] for c in SERVICE_CASES]
)
def test_a_service_has_one_image_a_fargate_size_and_counts_in_order(
    stack: str, flat: dict[str, str], expected: list[str]
) -> None:
    assert outcome(stack, flat) == expected


STANDBY = {"role": "standby", "primaryStack": "prod-east"}


def standby(flat: dict[str, str]) -> dict[str, str]:
    flat["platform:dr"] = json.dumps(STANDBY)
    return flat


def test_a_prod_standby_may_hold_any_kind_at_zero_on_spot() -> None:
    zero = {"desiredCount": 0, "capacity": {"onDemandBase": 0}}
    flat = standby(
        with_services(
            "prod",
            api={**zero, "autoscaling": {"minCount": 0, "maxCount": 10}},
            ticker={
                **zero,
                "kind": "service",
                "port": None,
                "routing": None,
                "healthCheck": {"command": ["CMD", "/alive"]},
                "autoscaling": {"minCount": 0, "maxCount": 2},
                "grants": {},
            },
        )
    )
    assert outcome("prod", flat) == []


# -- what each kind needs ----------------------------------------------------------------------------------------

SERVICE_KIND = {"kind": "service", "healthCheck": {"command": ["CMD", "/alive"]}, "grants": {}}


def kind_service(stack: str = "dev", **entry: Any) -> dict[str, str]:
    """`stack` plus `ticker`, a `service` (a copy of the worker turned into kind: service) with `entry` over it."""
    flat = stack_config(stack)
    services = json.loads(flat["platform:services"])
    services["ticker"] = {**services["worker"], **SERVICE_KIND, **entry}
    services["ticker"] = {k: v for k, v in services["ticker"].items() if v is not DELETE}
    flat["platform:services"] = json.dumps(services)
    return flat


def routed(**routing: Any) -> dict[str, str]:
    return service_change("dev", "api", routing={"priority": 100, **routing})


KIND_CASES: list[tuple[str, dict[str, str], list[str]]] = [
    ("a service", kind_service(autoscaling={"minCount": 1, "maxCount": 2}, desiredCount=1), []),
    (
        "a service with a port and routing",
        kind_service(
            autoscaling={"minCount": 1, "maxCount": 2},
            desiredCount=1,
            port=8000,
            routing={"priority": 9, "paths": ["/t"]},
        ),
        [
            line(
                "dev",
                f"services.ticker.{key}",
                f"a service (kind: service) takes no traffic from the load balancer; remove {key}, or use kind: web",
            )
            for key in ("port", "routing")
        ],
    ),
    (
        "a service without a health command",
        kind_service(autoscaling={"minCount": 1, "maxCount": 2}, desiredCount=1, healthCheck=DELETE),
        [
            line(
                "dev",
                "services.ticker.healthCheck.command",
                "a service (kind: service) has no port to probe: give a container health check command, e.g. "
                '["CMD-SHELL", "test -f /tmp/alive || exit 1"]',
            )
        ],
    ),
    (
        "a service at zero",
        kind_service(autoscaling={"minCount": 0, "maxCount": 2}, desiredCount=0),
        [
            line(
                "dev",
                "services.ticker.autoscaling.minCount = 0",
                "a service (kind: service) scales on CPU and memory: with no task running there is no metric to "
                "scale up from; keep at least 1",
            )
        ],
    ),
    ("a web service on hosts only", routed(hosts=["api.dev.example.com"]), []),
    ("a web service on five values", routed(paths=["/a", "/b", "/c"], hosts=["a.example.com", "b.example.com"]), []),
    (
        "a web service on six values",
        routed(paths=["/a", "/b", "/c", "/d"], hosts=["a.example.com", "b.example.com"]),
        [line("dev", "services.api.routing = 6", "an ALB rule matches at most 5 values across paths and hosts")],
    ),
    (
        "a web service matching nothing",
        routed(),
        [line("dev", "services.api.routing", "give paths and/or hosts to match (e.g. paths: ['/*'])")],
    ),
    (
        "a web service at one task",
        service_change("dev", "api", autoscaling={"minCount": 1, "maxCount": 2}, desiredCount=1),
        [],
    ),
    (
        "a worker with routing",
        service_change("dev", "worker", routing={"priority": 7, "paths": ["/w"]}),
        [line("dev", "services.worker.routing", "a worker takes no traffic; remove routing")],
    ),
    (
        "a worker consuming two queues",
        service_change("dev", "worker", grants__queues={"jobs": "consume", "other": "consume"}),
        [
            line(
                "dev",
                "services.worker.grants.queues",
                "a worker consumes exactly one queue: grant it as {<queue>: consume}; found 2 (jobs, other)",
            ),
            line(
                "dev",
                "services.worker.grants.queues.other = 'consume'",
                "no queue 'other' in platform:queues (defined: jobs)",
            ),
        ],
    ),
    (
        "a worker consuming one queue and sending to it",
        service_change("dev", "worker", grants__queues={"jobs": "consume"}),
        [],
    ),
]


@pytest.mark.parametrize(("flat", "expected"), [c[1:] for c in KIND_CASES], ids=[c[0] for c in KIND_CASES])
def test_each_kind_of_service_has_what_it_needs_and_nothing_it_cannot_use(
    flat: dict[str, str], expected: list[str]
) -> None:
    assert outcome("dev", flat) == expected


# -- injected secrets ------------------------------------------------------------------------------------------------

SECRET_CASES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "a stack secret, a JSON key of one, an ARN and the database's secret",
        service_change(
            "dev",
            "api",
            secrets={
                "STRIPE_API_KEY": "stripe-key:live",
                "SIGNING": "session-signing-key",
                "DB": SECRET_ARN,
                "DB_PASSWORD": "database.masterSecret:password",
            },
        ),
        [],
    ),
    (
        "a variable set twice",
        service_change("dev", "api", secrets={"LOG_LEVEL": "stripe-key", "MODE": "session-signing-key"}),
        [line("dev", "services.api.secrets.LOG_LEVEL", "also set in environment; a variable comes from one place")],
    ),
    (
        "an ARN of a secret's wrong kind",
        service_change("dev", "api", secrets={"S": "arn:aws:secretsmanager:us-east-1:123456789012:rotation:x"}),
        [
            line(
                "dev",
                "services.api.secrets.S = 'arn:aws:secretsmanager:us-east-1:123456789012:rotation:x'",
                "not a Secrets Manager secret ARN or SSM parameter ARN",
            )
        ],
    ),
]


@pytest.mark.parametrize(("flat", "expected"), [c[1:] for c in SECRET_CASES], ids=[c[0] for c in SECRET_CASES])
def test_an_injected_secret_names_a_stack_secret_a_built_one_or_a_secret_arn(
    flat: dict[str, str], expected: list[str]
) -> None:
    assert outcome("dev", flat) == expected


# -- deployments -----------------------------------------------------------------------------------------------------


def deploying(service: str, stack: str = "dev", **deployment: Any) -> dict[str, str]:
    return service_change(stack, service, deployment=deployment)


def hook(*stages: str, function: str = LAMBDA_ARN) -> dict[str, Any]:
    return {"function": function, "stages": list(stages)}


def with_functions(flat: dict[str, str], *names: str) -> dict[str, str]:
    flat["platform:functions"] = json.dumps(dict.fromkeys(names, HOOK_FUNCTION))
    return flat


DEPLOYMENT_CASES: list[tuple[str, dict[str, str], list[str]]] = [
    ("a worker by blue-green", deploying("worker", strategy="blue-green"), []),
    ("a web service by linear", deploying("api", strategy="linear", linear={"stepPercent": 20}), []),
    ("a web service by canary", deploying("api", strategy="canary", canary={"percent": 12.5}, bakeTimeMinutes=0), []),
    (
        "a worker by canary",
        deploying("worker", strategy="canary"),
        [
            line(
                "dev",
                "services.worker.deployment.strategy = 'canary'",
                "canary shifts traffic through the load balancer and a worker has none; use rolling or blue-green",
            )
        ],
    ),
    (
        "canary settings for linear",
        deploying("api", strategy="linear", canary={}),
        [
            line(
                "dev",
                "services.api.deployment.canary",
                "settings of strategy canary, but the strategy is linear; remove deployment.canary or set "
                "deployment.strategy: canary",
            )
        ],
    ),
    (
        "linear settings for rolling",
        deploying("api", linear={}),
        [
            line(
                "dev",
                "services.api.deployment.linear",
                "settings of strategy linear, but the strategy is rolling; remove deployment.linear or set "
                "deployment.strategy: linear",
            )
        ],
    ),
    (
        "a bake time for rolling",
        deploying("api", bakeTimeMinutes=5),
        [
            line(
                "dev",
                "services.api.deployment.bakeTimeMinutes = 5",
                "rolling keeps no old revision to bake beside the new one; bake time applies to blue-green, canary "
                "and linear",
            )
        ],
    ),
    (
        "a canary percent off the 0.1 grid",
        deploying("api", strategy="canary", canary={"percent": 5.05}),
        [line("dev", "services.api.deployment.canary.percent = 5.05", "must be a multiple of 0.1 (e.g. 5 or 12.5)")],
    ),
    (
        "a hook of a rolling worker at a traffic stage",
        deploying("worker", lifecycleHooks=[hook("TEST_TRAFFIC_SHIFT")]),
        [
            line(
                "dev",
                "services.worker.deployment.lifecycleHooks[0]",
                "lifecycle hooks run in blue-green, canary and linear deployments only; the strategy is rolling",
            )
        ],
    ),
    (
        "a worker's hook at scale-up",
        deploying("worker", strategy="blue-green", lifecycleHooks=[hook("PRE_SCALE_UP")]),
        [],
    ),
    (
        "a worker's hook at two traffic stages",
        deploying(
            "worker",
            strategy="blue-green",
            lifecycleHooks=[
                hook("RECONCILE_SERVICE"),
                hook("PRE_SCALE_UP", "POST_PRODUCTION_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT"),
            ],
        ),
        [
            line(
                "dev",
                "services.worker.deployment.lifecycleHooks[1].stages",
                "POST_PRODUCTION_TRAFFIC_SHIFT, TEST_TRAFFIC_SHIFT happen only when traffic shifts through a load "
                "balancer, and a worker has none; use RECONCILE_SERVICE, PRE_SCALE_UP or POST_SCALE_UP",
            )
        ],
    ),
    (
        "a web service's hook at a traffic stage",
        deploying("api", strategy="blue-green", lifecycleHooks=[hook("POST_TEST_TRAFFIC_SHIFT")]),
        [],
    ),
    (
        "hooks naming the stack's functions and one it lacks",
        with_functions(
            deploying(
                "api",
                strategy="blue-green",
                lifecycleHooks=[
                    hook("POST_TEST_TRAFFIC_SHIFT", function="${functions.smoke.arn}"),
                    hook("POST_TEST_TRAFFIC_SHIFT", function="${functions.probe.arn}"),
                    hook("POST_TEST_TRAFFIC_SHIFT", function="${functions.smoek.arn}"),
                ],
            ),
            "smoke",
            "probe",
        ),
        [
            line(
                "dev",
                "services.api.deployment.lifecycleHooks[2].function = '${functions.smoek.arn}'",
                "no function 'smoek' in platform:functions (defined: probe, smoke); give the function's ARN "
                "(arn:aws:lambda:...)",
            )
        ],
    ),
]


@pytest.mark.parametrize(("flat", "expected"), [c[1:] for c in DEPLOYMENT_CASES], ids=[c[0] for c in DEPLOYMENT_CASES])
def test_a_deployment_strategy_fits_its_service_and_takes_only_its_own_settings(
    flat: dict[str, str], expected: list[str]
) -> None:
    assert outcome("dev", flat) == expected


# -- grants ------------------------------------------------------------------------------------------------------------


def without(stack: str, flat: dict[str, str], *sections: str) -> dict[str, str]:
    for section in sections:
        flat.pop(f"platform:{section}", None)
    return flat


def enabled_bus(flat: dict[str, str]) -> dict[str, str]:
    flat["platform:events"] = json.dumps({"enabled": True})
    return flat


GRANT_CASES: list[tuple[str, str, dict[str, str], list[str]]] = [
    ("a cache the stack has", "prod", service_change("prod", "api", grants__caches={"rate-limit": "connect"}), []),
    (
        "a cache of a stack without caches",
        "dev",
        service_change("dev", "api", grants__caches={"sessions": "connect"}),
        [
            line(
                "dev",
                "services.api.grants.caches.sessions = 'connect'",
                "no cache 'sessions' in platform:caches (none are defined)",
            )
        ],
    ),
    (
        "publishing without a bus",
        "dev",
        without("dev", service_change("dev", "api", grants__queues={}), "events"),
        [
            line(
                "dev",
                "services.api.grants.events = 'publish'",
                "the stack has no event bus (platform:events declares no rules and is not enabled); remove the grant "
                "or set events.enabled: true",
            )
        ],
    ),
    ("publishing on an enabled bus", "dev", enabled_bus(without("dev", service_change("dev", "api"), "events")), []),
    (
        "connecting without a database",
        "dev",
        without(
            "dev",
            with_services("dev", worker={"grants": {"queues": {"jobs": "consume"}}}, migrate=None),
            "database",
        ),
        [
            line(
                "dev",
                "services.api.grants.database = 'connect'",
                "the stack has no database (platform:database); remove the grant or add one",
            )
        ],
    ),
]


@pytest.mark.parametrize(("stack", "flat", "expected"), [c[1:] for c in GRANT_CASES], ids=[c[0] for c in GRANT_CASES])
def test_a_grant_names_a_store_the_stack_has(stack: str, flat: dict[str, str], expected: list[str]) -> None:
    assert outcome(stack, flat) == expected


# -- listener rules --------------------------------------------------------------------------------------------------

ROUTING_CASES: list[tuple[str, dict[str, str], list[str]]] = [
    ("two rules on different paths", with_services("dev", admin=ADMIN), []),
    (
        "two rules on the same hosts",
        with_services(
            "dev",
            api={"routing": {"priority": 100, "hosts": ["a.example.com", "b.example.com"]}},
            admin={"routing": {"priority": 200, "hosts": ["b.example.com", "a.example.com"]}},
        ),
        [
            line(
                "dev",
                "services.admin.routing.paths",
                "services.api already routes the same hosts and paths; the lower priority would never be reached: "
                "change paths or hosts",
            )
        ],
    ),
    (
        "two rules matching nothing",
        with_services("dev", api={"routing": {"priority": 100}}, admin={"routing": {"priority": 200}}),
        [
            line("dev", f"services.{name}.routing", "give paths and/or hosts to match (e.g. paths: ['/*'])")
            for name in ("api", "admin")
        ],
    ),
    (
        "a second web service without routing",
        with_services("dev", admin={"routing": None}),
        [
            line(
                "dev",
                "services.admin.routing",
                "a web service needs a listener rule: routing {priority, paths and/or hosts}",
            )
        ],
    ),
]


@pytest.mark.parametrize(("flat", "expected"), [c[1:] for c in ROUTING_CASES], ids=[c[0] for c in ROUTING_CASES])
def test_no_two_listener_rules_share_a_priority_or_a_match(flat: dict[str, str], expected: list[str]) -> None:
    assert outcome("dev", flat) == expected
