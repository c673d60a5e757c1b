"""Bad compute config (cluster, load balancer, services) is refused before anything registers, one line per
problem naming the stack file, the key path, the value and what is allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.compute import FARGATE_MEMORY, parse_image
from offline.engine import stack_config

from .mutate import DELETE, broken


def service_change(stack: str, service: str, **changes: Any) -> dict[str, str]:
    """`stack`'s config with keys of `services.<service>` changed; `a__b=x` sets `a.b`, DELETE removes."""
    flat = stack_config(stack)
    services = json.loads(flat["platform:services"])
    for dotted, value in changes.items():
        node = services[service]
        *parents, last = dotted.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        if value is DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    flat["platform:services"] = json.dumps(services)
    return flat


def with_second_web_service(stack: str, **entry: Any) -> dict[str, str]:
    """`stack`'s config plus a web service `admin` (a copy of `api` with `entry` laid over it)."""
    flat = stack_config(stack)
    services = json.loads(flat["platform:services"])
    services["admin"] = {**services["api"], **entry}
    flat["platform:services"] = json.dumps(services)
    return flat


def problems(stack: str, flat: dict[str, str]) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stack, flat)
    return caught.value.lines


ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-api"

CASES: list[tuple[str, dict[str, str], str]] = [
    # -- the must-show cases --------------------------------------------------------------------------
    (
        "bad cpu/memory pair",
        service_change("dev", "api", memory=3000),
        "Pulumi.dev.yaml: platform:services.api.memory = 3000: Fargate does not offer 3000 MiB with cpu 256; "
        "allowed: 512, 1024, 2048",
    ),
    (
        "bad cpu/memory pair, large task",
        service_change("prod", "api", cpu=4096, memory=4096),
        "Pulumi.prod.yaml: platform:services.api.memory = 4096: Fargate does not offer 4096 MiB with cpu 4096; "
        "allowed: 8192 to 30720 in steps of 1024",
    ),
    (
        "cpu Fargate does not offer",
        service_change("dev", "api", cpu=300),
        "Pulumi.dev.yaml: platform:services.api.cpu = 300: Fargate CPU units are 256, 512, 1024, 2048, 4096, 8192 "
        "or 16384",
    ),
    (
        "latest image",
        service_change("dev", "api", image=f"{ECR}:latest"),
        f"Pulumi.dev.yaml: platform:services.api.image = '{ECR}:latest': `latest` is not a version: it moves "
        "under a running service, so a redeploy or a scale-out can start different code; pin a version tag "
        "(repo:1.4.2) or a digest (repo@sha256:...)",
    ),
    (
        "untagged image",
        service_change("dev", "worker", image="nginx"),
        "Pulumi.dev.yaml: platform:services.worker.image = 'nginx': untagged image (that means `latest`); pin a "
        "version tag (repo:1.4.2) or a digest (repo@sha256:...)",
    ),
    (
        "short digest",
        service_change("dev", "api", image="nginx@sha256:abc"),
        "Pulumi.dev.yaml: platform:services.api.image = 'nginx@sha256:abc': the digest must be sha256: followed by "
        "64 lower-case hex digits",
    ),
    (
        "min > max",
        service_change("dev", "api", autoscaling__minCount=5, autoscaling__maxCount=3),
        "Pulumi.dev.yaml: platform:services.api.autoscaling.minCount = 5: must not exceed autoscaling.maxCount (3)",
    ),
    (
        "desired outside min..max",
        service_change("dev", "api", desiredCount=9),
        "Pulumi.dev.yaml: platform:services.api.desiredCount = 9: must be between autoscaling.minCount (1) and "
        "autoscaling.maxCount (4)",
    ),
    (
        "worker without a queue",
        service_change("dev", "worker", grants__queues={}),
        "Pulumi.dev.yaml: platform:services.worker.grants.queues: a worker consumes exactly one queue: grant it as "
        "{<queue>: consume}; found none",
    ),
    (
        "worker that only sends",
        service_change("staging", "worker", grants__queues={"jobs": "send"}),
        "Pulumi.staging.yaml: platform:services.worker.grants.queues: a worker consumes exactly one queue: grant "
        "it as {<queue>: consume}; found none",
    ),
    (
        "duplicate listener priority",
        with_second_web_service("dev", routing={"priority": 100, "paths": ["/admin/*"]}),
        "Pulumi.dev.yaml: platform:services.admin.routing.priority = 100: already used by services.api; each "
        "listener rule needs its own priority (1 to 50000)",
    ),
    (
        "duplicate path",
        with_second_web_service("dev", routing={"priority": 200, "paths": ["/*"]}),
        "Pulumi.dev.yaml: platform:services.admin.routing.paths = '/*': services.api already routes the same hosts "
        "and paths; the lower priority would never be reached: change paths or hosts",
    ),
    (
        "duplicate path and host",
        with_second_web_service("prod", routing={"priority": 90, "paths": ["/*"], "hosts": ["api.example.com"]}),
        "Pulumi.prod.yaml: platform:services.admin.routing.paths = '/*': services.api already routes the same "
        "hosts and paths; the lower priority would never be reached: change paths or hosts",
    ),
    # -- kinds -------------------------------------------------------------------------------------------
    (
        "web without port",
        service_change("dev", "api", port=DELETE),
        "Pulumi.dev.yaml: platform:services.api.port: a web service needs the container port the ALB forwards to",
    ),
    (
        "web without routing",
        service_change("dev", "api", routing=DELETE),
        "Pulumi.dev.yaml: platform:services.api.routing: a web service needs a listener rule: routing {priority, "
        "paths and/or hosts}",
    ),
    (
        "worker with a port",
        service_change("dev", "worker", port=8080),
        "Pulumi.dev.yaml: platform:services.worker.port = 8080: a worker takes no traffic; remove port",
    ),
    (
        "worker without health command",
        service_change("dev", "worker", healthCheck=DELETE),
        "Pulumi.dev.yaml: platform:services.worker.healthCheck.command: a worker has no port to probe: give a "
        'container health check command, e.g. ["CMD-SHELL", "test -f /tmp/alive || exit 1"]',
    ),
    (
        "web scaled to zero",
        service_change("dev", "api", autoscaling__minCount=0, desiredCount=1),
        "Pulumi.dev.yaml: platform:services.api.autoscaling.minCount = 0: a web service keeps at least 1 task "
        "(with none, the ALB has no target and no request metric to scale from)",
    ),
    (
        "health check slower than its interval",
        service_change("dev", "api", healthCheck={"timeoutSeconds": 30}),
        "Pulumi.dev.yaml: platform:services.api.healthCheck.timeoutSeconds = 30: must be less than "
        "healthCheck.intervalSeconds (30): a probe has to finish before the next one starts",
    ),
    # -- container hardening -------------------------------------------------------------------------------
    (
        "root user",
        service_change("dev", "api", user="0:0"),
        "Pulumi.dev.yaml: platform:services.api.user = '0:0': containers never run as root; use an unprivileged "
        "uid:gid such as 1000:1000",
    ),
    (
        "secret-looking variable name",
        service_change("dev", "api", environment={"DB_PASSWORD": "hunter2"}),
        "Pulumi.dev.yaml: platform:services.api.environment: DB_PASSWORD looks like a secret; a plain environment "
        "value lands in the task definition and the state: move it to secrets (valueFrom a stack secret or a "
        "Secrets Manager / SSM ARN)",
    ),
    (
        "credential in a value",
        service_change("dev", "api", environment={"DATABASE_URL": "postgres://app:hunter2@db:5432/app"}),
        "Pulumi.dev.yaml: platform:services.api.environment: the value of DATABASE_URL contains a credential (URL "
        "password, AWS key or private key); move it to secrets (valueFrom a stack secret or a Secrets Manager / "
        "SSM ARN)",
    ),
    (
        "injected secret that does not exist",
        service_change("dev", "api", secrets={"STRIPE_API_KEY": "stripe-kee"}),
        "Pulumi.dev.yaml: platform:services.api.secrets.STRIPE_API_KEY = 'stripe-kee': no secret 'stripe-kee' in "
        "platform:secrets (defined: session-signing-key, stripe-key)",
    ),
    (
        "injected secret that is not a secret ARN",
        service_change("dev", "api", secrets={"TOKEN": "arn:aws:s3:::bucket/key"}),
        "Pulumi.dev.yaml: platform:services.api.secrets.TOKEN = 'arn:aws:s3:::bucket/key': not a Secrets Manager "
        "secret ARN or SSM parameter ARN",
    ),
    # -- grants ----------------------------------------------------------------------------------------------
    (
        "grant of a table that does not exist",
        service_change("dev", "api", grants__tables={"sessoins": "readwrite"}),
        "Pulumi.dev.yaml: platform:services.api.grants.tables.sessoins = 'readwrite': no table 'sessoins' in "
        "platform:tables (defined: sessions)",
    ),
    (
        "grant of a queue that does not exist",
        service_change("prod", "worker", grants__queues={"job": "consume"}),
        "Pulumi.prod.yaml: platform:services.worker.grants.queues.job = 'consume': no queue 'job' in "
        "platform:queues (defined: jobs)",
    ),
    (
        "grant of a bucket that does not exist",
        service_change("dev", "api", grants__buckets={"upload": "read"}),
        "Pulumi.dev.yaml: platform:services.api.grants.buckets.upload = 'read': no bucket 'upload' in "
        "platform:buckets (defined: uploads)",
    ),
    (
        "grant of a secret that does not exist",
        service_change("dev", "api", grants__secrets=["nope"]),
        "Pulumi.dev.yaml: platform:services.api.grants.secrets[0] = 'nope': no secret 'nope' in platform:secrets "
        "(defined: session-signing-key, stripe-key)",
    ),
    (
        "access level a table does not offer",
        service_change("dev", "api", grants__tables={"sessions": "write"}),
        "Pulumi.dev.yaml: platform:services.api.grants.tables.sessions = 'write': Input should be 'read' or "
        "'readwrite'",
    ),
    # -- environment rules ---------------------------------------------------------------------------------
    (
        "ECS Exec in prod",
        broken("prod", "platform:cluster", {"executeCommand": True}),
        "Pulumi.prod.yaml: platform:cluster.executeCommand = true: ECS Exec opens a shell inside production tasks; "
        "allowed only outside production (set false; policies/config/prod.json: ecs-service-hardening is mandatory)",
    ),
    (
        "prod service all on Spot",
        service_change("prod", "api", capacity={"onDemandBase": 0}),
        "Pulumi.prod.yaml: platform:services.api.capacity.onDemandBase = 0: prod services keep at least 1 task on "
        "on-demand FARGATE (Spot can be reclaimed at two minutes' notice)",
    ),
    (
        "staging without HTTPS",
        broken("staging", "platform:loadBalancer", DELETE),
        "Pulumi.staging.yaml: platform:loadBalancer: web services (api) are served over HTTPS in every environment: "
        "give loadBalancer.domain {name, hostedZone} or loadBalancer.certificateArn (or, in dev only, "
        "loadBalancer.allowPlainHttp: true)",
    ),
    # -- load balancer ----------------------------------------------------------------------------------------
    (
        "ingress CIDR that is not one",
        broken("dev", "platform:loadBalancer", {"ingressCidrs": ["10.0.0.0/33"]}),
        "Pulumi.dev.yaml: platform:loadBalancer.ingressCidrs: '10.0.0.0/33' is not a network CIDR ('10.0.0.0/33' "
        "does not appear to be an IPv4 or IPv6 network); e.g. 0.0.0.0/0 or 203.0.113.0/24",
    ),
    (
        "certificate that is not an ACM ARN",
        broken("dev", "platform:loadBalancer", {"certificateArn": "arn:aws:acm:x"}),
        "Pulumi.dev.yaml: platform:loadBalancer.certificateArn = 'arn:aws:acm:x': not an ACM certificate ARN "
        "(arn:aws:acm:<region>:<account>:certificate/<uuid>)",
    ),
    (
        "domain outside its zone",
        broken("prod", "platform:loadBalancer.domain", {"name": "api.example.org", "hostedZone": "example.com"}),
        "Pulumi.prod.yaml: platform:loadBalancer.domain.name = 'api.example.org': not inside the hosted zone "
        "example.com; use a name ending in .example.com or the zone that holds it",
    ),
    (
        "TLS policy below 1.2",
        broken("prod", "platform:loadBalancer.sslPolicy", "ELBSecurityPolicy-2016-08"),
        "Pulumi.prod.yaml: platform:loadBalancer.sslPolicy = 'ELBSecurityPolicy-2016-08': Input should be "
        "'ELBSecurityPolicy-TLS13-1-2-2021-06', 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06', "
        "'ELBSecurityPolicy-TLS13-1-3-2021-06', 'ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04' or "
        "'ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04'",
    ),
    # -- image build -------------------------------------------------------------------------------------------
    (
        "build tagged latest",
        service_change("dev", "api", image=DELETE, build={"context": "./app", "tag": "latest"}),
        "Pulumi.dev.yaml: platform:services.api.build.tag = 'latest': `latest` is not a version and the "
        "repository's tags are immutable; use a release or commit id",
    ),
    (
        "both image and build",
        service_change("dev", "api", build={"context": "./app", "tag": "v1"}),
        "Pulumi.dev.yaml: platform:services.api.image: give exactly one of image (a pinned image "
        "reference) and build (a Dockerfile to build into ECR)",
    ),
    (
        "both a full image reference and build",
        service_change("dev", "api", image=f"{ECR}:1.4.2", build={"context": "./app", "tag": "v1"}),
        f"Pulumi.dev.yaml: platform:services.api.image = '{ECR}:1.4.2': give exactly one of image (a pinned image "
        "reference) and build (a Dockerfile to build into ECR)",
    ),
]


@pytest.mark.parametrize(("flat", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_compute_config_is_rejected_with_its_key_path(flat: dict[str, str], expected: str) -> None:
    stack = expected.removeprefix("Pulumi.").split(".yaml", 1)[0]
    assert problems(stack, flat) == [expected]


def test_every_compute_problem_is_reported_at_once() -> None:
    flat = service_change("dev", "api", memory=3000, image="nginx", autoscaling__minCount=5, autoscaling__maxCount=3)
    services = json.loads(flat["platform:services"])
    services["worker"]["grants"]["queues"] = {}
    flat["platform:services"] = json.dumps(services)
    lines = problems("dev", flat)
    # the image is refused by its field validator, so the cross-checks do not run yet: one pass at a time
    assert lines == [
        "Pulumi.dev.yaml: platform:services.api.image = 'nginx': untagged image (that means "
        "`latest`); pin a version tag (repo:1.4.2) or a digest (repo@sha256:...)"
    ]
    flat = service_change("dev", "api", memory=3000, autoscaling__minCount=5, autoscaling__maxCount=3)
    flat_services = json.loads(flat["platform:services"])
    flat_services["worker"]["grants"]["queues"] = {}
    flat["platform:services"] = json.dumps(flat_services)
    assert [line.split(" = ")[0].split(": ")[1] for line in problems("dev", flat)] == [
        "platform:services.api.memory",
        "platform:services.api.autoscaling.minCount",
        "platform:services.worker.grants.queues",
    ]


def test_presets_give_prod_the_safe_defaults_and_dev_the_cheap_ones() -> None:
    prod = load_stack_config("prod", stack_config("prod"))
    dev = load_stack_config("dev", stack_config("dev"))
    assert (prod.cluster.execute_command, dev.cluster.execute_command) == (False, True)
    assert (prod.load_balancer.deletion_protection, dev.load_balancer.deletion_protection) == (True, False)
    assert (prod.load_balancer.waf.enabled, dev.load_balancer.waf.enabled) == (True, False)
    assert prod.services["api"].capacity.on_demand_base >= 1
    assert prod.services["api"].capacity.spot_weight == 0
    assert dev.services["api"].capacity.spot_weight > 0 and dev.services["api"].capacity.on_demand_base == 0
    assert dev.services["api"].autoscaling.schedule is not None
    assert prod.services["api"].autoscaling.schedule is None


def test_prod_api_runs_three_or_more_tasks_with_the_reference_scaling_numbers() -> None:
    api = load_stack_config("prod", stack_config("prod")).services["api"]
    assert api.desired_count >= 3 and api.autoscaling.min_count >= 3
    scaling = api.autoscaling
    assert (scaling.cpu_target, scaling.memory_target) == (70, 75)
    assert (scaling.scale_in_cooldown_seconds, scaling.scale_out_cooldown_seconds) == (300, 60)


def test_every_stack_has_a_web_service_and_a_worker_on_the_jobs_queue() -> None:
    for stack in ("dev", "staging", "prod"):
        services = load_stack_config(stack, stack_config(stack)).services
        assert [s.kind for s in services.values()].count("web") >= 1, stack
        workers = [s for s in services.values() if s.kind == "worker"]
        assert workers and all(w.grants.queues.get("jobs") == "consume" for w in workers), stack


@pytest.mark.parametrize(
    ("reference", "tag", "digest", "account"),
    [
        ("nginx:1.27", "1.27", None, None),
        ("public.ecr.aws/docker/library/nginx:1.27-alpine", "1.27-alpine", None, None),
        ("localhost:5000/team/app:v2", "v2", None, None),
        (f"{ECR}:1.4.2", "1.4.2", None, "123456789012"),
        (f"{ECR}@sha256:{'a' * 64}", None, f"sha256:{'a' * 64}", "123456789012"),
    ],
)
def test_pinned_images_parse_with_their_registry(
    reference: str, tag: str | None, digest: str | None, account: str | None
) -> None:
    parsed = parse_image(reference)
    assert (parsed.tag, parsed.digest, parsed.ecr_account) == (tag, digest, account)


@pytest.mark.parametrize(
    "reference",
    [
        "nginx",
        "nginx:latest",
        "nginx:LATEST",
        "localhost:5000/app",
        "repo:latest@sha256:" + "a" * 64,
        "UPPER/case:1",
        "repo:bad tag",
    ],
)
def test_unpinned_or_invalid_images_are_refused(reference: str) -> None:
    with pytest.raises(ValueError, match=r"latest|untagged|valid"):
        parse_image(reference)


def test_fargate_pairs_match_the_published_table() -> None:
    assert FARGATE_MEMORY[256] == (512, 1024, 2048)
    assert FARGATE_MEMORY[512] == (1024, 2048, 3072, 4096)
    assert FARGATE_MEMORY[4096][0] == 8192 and FARGATE_MEMORY[4096][-1] == 30720
    assert FARGATE_MEMORY[16384] == tuple(range(32768, 122881, 8192))
