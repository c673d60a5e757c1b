"""Variant configs the component tests share: each combines one-off changes to a stack file that touch different
keys or different services, so one stack run (once per session, `tests.shared_runs.shared_run`) serves every test
that needs one of them, instead of one run per change.

Each function returns the flat config (`platform:<key>` -> JSON string, as `offline.engine.stack_config`); each
`*_run` function the shared run of it. Runs are shared objects: read them, never change them. A change that would
alter what another test of the same run asserts (a listener set, a repository count, a database engine) goes to
another variant, or stays on its own run in its test module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from offline.engine import StackRun, stack_config
from tests.shared_runs import shared_run


def _change(flat: dict[str, str], key: str, change: Callable[[Any], object]) -> None:
    """Change `platform:<key>` in place: `change` gets the parsed value and changes it."""
    document = json.loads(flat.get(f"platform:{key}", "{}"))
    change(document)
    flat[f"platform:{key}"] = json.dumps(document)


# -- dev: data stores and the api -----------------------------------------------------------------------------------
MODELS = ["anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-3-5-haiku-20241022-v1:0"]
"""The Bedrock models dev's api is granted in `dev_stores`."""


def dev_stores() -> dict[str, str]:
    """dev with data stores and the api changed where no other test of this run looks:

    - caches: one Redis cache `sessions` instead of the preset's (test_cache.py: one node, default user off);
    - queues: a queue `reports` no event rule targets (test_queue.py: only granted roles send to it);
    - database: an RDS PostgreSQL instance with one read replica instead of Aurora (test_rds_instance.py);
    - services.api: built from ./app into its own ECR repository, no named image (test_service.py);
    - services.api.grants.models: two Bedrock models (test_models.py).
    """
    flat = stack_config("dev")
    flat["platform:caches"] = json.dumps({"sessions": {"engine": "redis"}})
    _change(flat, "queues", lambda queues: queues.update(reports={"visibilityTimeoutSeconds": 60}))
    flat["platform:database"] = json.dumps({"engine": "postgres", "readReplicas": 1})

    def api(services: dict[str, Any]) -> None:
        del services["api"]["image"]
        services["api"]["build"] = {"context": "./app", "tag": "2026.01.15-abc123"}
        services["api"]["grants"]["models"] = MODELS

    _change(flat, "services", api)
    return flat


def dev_stores_run() -> StackRun:
    """The shared run of `dev_stores`."""
    return shared_run("dev", config=dev_stores())


# -- dev: workloads and the first deploy ----------------------------------------------------------------------------
WORKLOAD_REFERENCES = {
    "S3_BUCKET": "${buckets.uploads.name}",
    "DATABASE_URL": "postgresql://${database.endpoint}:${database.port}/${database.name}?sslmode=require",
    "JOBS_URL": "${queues.jobs.url}",
    "BUS": "${events.busName}",
    "SESSIONS_TABLE": "${ tables.sessions.arn }",
    "SELF": "${services.api.url}",
}
"""What `dev_workloads`'s worker is told about the stack through references (test_registry.py)."""


def dev_workloads() -> dict[str, str]:
    """dev with its services changed, the first deploy's secrets not yet set:

    - services.api: its image from an existing repository of the account (openclaw/app by digest), and named
      egress rules (SMTP over IPv4, DNS over IPv6 UDP) (test_workloads.py);
    - services.worker: built into the stack's `api` repository (test_workloads.py); told what the stack built
      through references and reading the database master secret's fields (test_registry.py);
    - services.saq: a `kind: service` (test_workloads.py);
    - every scheduled task (dev's cleanup) reads a stack secret, and platform:secretsPending is on
      (test_first_deploy.py: the schedule is created disabled). The hold changes task counts only, which no other
      test of this run reads.
    """
    flat = stack_config("dev")
    flat["platform:secretsPending"] = "true"

    def services(entries: dict[str, Any]) -> None:
        entries["api"]["image"] = {"repository": "openclaw/app", "digest": "sha256:" + "ab" * 32}
        entries["api"]["egress"] = {
            "smtp": {"cidr": "203.0.113.0/24", "port": 587},
            "dns": {"cidr": "2001:db8::/32", "port": 53, "protocol": "udp"},
        }
        worker = entries["worker"]
        del worker["image"]
        worker["build"] = {"context": "./app", "tag": "2026.01.15-abc123", "repository": "api"}
        worker["environment"] = {**WORKLOAD_REFERENCES, "LOG_LEVEL": "debug"}
        worker["secrets"] = {
            "DB_USER": "database.masterSecret:username",
            "DB_PASSWORD": "database.masterSecret:password",
        }
        entries["saq"] = {
            "kind": "service",
            "image": {"repository": "api", "tag": "1.4.2"},
            "command": ["saq", "app.worker.settings"],
            "healthCheck": {"command": ["CMD-SHELL", "test -f /tmp/alive || exit 1"]},
            "grants": {"database": "connect"},
        }
        for entry in entries.values():
            if entry.get("kind") == "task" and entry.get("schedule"):
                entry["secrets"] = {"STRIPE_API_KEY": "stripe-key"}

    _change(flat, "services", services)
    return flat


def dev_workloads_run() -> StackRun:
    """The shared run of `dev_workloads`."""
    return shared_run("dev", config=dev_workloads())


# -- staging: progressive delivery ----------------------------------------------------------------------------------
HOOK = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test"
"""The lifecycle hook function of the delivery variant's hooked services."""

TEST_LISTENER = {"port": 9443, "cidrs": ["198.51.100.0/24"]}
"""The staging delivery variant's test listener: another port, a named CIDR admitted beside the VPC."""

STRATEGIES: dict[str, dict[str, Any]] = {
    "blue-green": {"strategy": "blue-green", "bakeTimeMinutes": 30},
    "canary": {"strategy": "canary", "canary": {"percent": 12.5, "bakeTimeMinutes": 20}},
    "linear": {"strategy": "linear"},
    "stepped": {"strategy": "linear", "linear": {"stepPercent": 25, "stepBakeTimeMinutes": 2}, "bakeTimeMinutes": 5},
}
"""Staging web services (copies of the api, each on its own path) and the progressive deployment each gets."""


def staging_delivery() -> dict[str, str]:
    """staging with every progressive deployment at once, one per service (test_delivery.py):

    - services.api: canary with two lifecycle hooks (HOOK, HOOK:live);
    - services.<name> for each of STRATEGIES: a copy of the api on /<name>/* (priorities 110, 120, ...) deploying
      by that strategy, without hooks;
    - services.worker: blue-green without hooks; services.hooked: a copy of the worker, blue-green with one hook;
    - loadBalancer.testListener: TEST_LISTENER.
    """
    flat = stack_config("staging")

    def services(entries: dict[str, Any]) -> None:
        api = entries["api"]
        for offset, (name, deployment) in enumerate(STRATEGIES.items(), start=1):
            routing = {"priority": api["routing"]["priority"] + 10 * offset, "paths": [f"/{name}/*"]}
            entries[name] = {**api, "routing": routing, "deployment": deployment}
        api["deployment"] = {
            "strategy": "canary",
            "lifecycleHooks": [
                {"function": HOOK, "stages": ["POST_TEST_TRAFFIC_SHIFT"], "details": {"path": "/health"}},
                {"function": f"{HOOK}:live", "stages": ["PRE_SCALE_UP", "POST_SCALE_UP"]},
            ],
        }
        entries["hooked"] = {
            **entries["worker"],
            "deployment": {
                "strategy": "blue-green",
                "lifecycleHooks": [{"function": HOOK, "stages": ["POST_SCALE_UP"]}],
            },
        }
        entries["worker"]["deployment"] = {"strategy": "blue-green"}

    _change(flat, "services", services)
    _change(flat, "loadBalancer", lambda balancer: balancer.update(testListener=TEST_LISTENER))
    return flat


def staging_delivery_run() -> StackRun:
    """The shared run of `staging_delivery`."""
    return shared_run("staging", config=staging_delivery())


# -- prod: replication and the WAF behind a proxy -------------------------------------------------------------------
def prod_replicated() -> dict[str, str]:
    """prod with changes to its data and its edge:

    - buckets.uploads.replication: to us-west-2 as STANDARD_IA with Replication Time Control (test_replication.py);
    - loadBalancer.waf.forwardedIpHeader: X-Forwarded-For, the ALB behind a proxy (test_waf.py).
    """
    flat = stack_config("prod")
    replication = {"region": "us-west-2", "storageClass": "STANDARD_IA", "timeControl": True}
    _change(flat, "buckets", lambda buckets: buckets["uploads"].update(replication=replication))
    _change(
        flat,
        "loadBalancer",
        lambda balancer: balancer.setdefault("waf", {}).update(forwardedIpHeader="X-Forwarded-For"),
    )
    return flat


def prod_replicated_run() -> StackRun:
    """The shared run of `prod_replicated`."""
    return shared_run("prod", config=prod_replicated())


# -- prod: the edge (an API, a site, a collection) ---------------------------------------------------------------
API = {
    "public": {
        "service": "api",
        "domain": {"name": "gw.example.com", "hostedZone": "example.com"},
        "methodThrottles": {"/health/GET": {"rateLimit": 10, "burstLimit": 20}},
        "usagePlans": {
            "standard": {
                "throttle": {"rateLimit": 100, "burstLimit": 200},
                "quota": {"limit": 100000, "period": "MONTH"},
                "keys": ["partner-a"],
            }
        },
    }
}
"""`prod_edge`'s REST API in front of the api service (test_api.py)."""

SITE = {"frontend": {"domain": {"name": "app.example.com", "hostedZone": "example.com"}, "spa": True}}
"""`prod_edge`'s static site (test_site.py)."""

COLLECTIONS = {"cache": {"type": "VECTORSEARCH"}}
"""`prod_edge`'s OpenSearch Serverless collection, which the api may read and write (test_collection.py)."""


def prod_edge() -> dict[str, str]:
    """prod with what reaches it from outside the VPC or beside it, each its own resources and names:

    - apis: API, a REST API proxying the api service with keys, throttles and a domain (test_api.py);
    - sites: SITE, a static site behind CloudFront (test_site.py);
    - collections: COLLECTIONS, with `services.api.grants.collections: {cache: readwrite}` (test_collection.py).
    """
    flat = stack_config("prod")
    flat["platform:apis"] = json.dumps(API)
    flat["platform:sites"] = json.dumps(SITE)
    flat["platform:collections"] = json.dumps(COLLECTIONS)
    _change(flat, "services", lambda services: services["api"]["grants"].update(collections={"cache": "readwrite"}))
    return flat


def prod_edge_run(*, preview: bool = False) -> StackRun:
    """The shared run of `prod_edge`, as `up` sees it or (`preview`) as a first preview does."""
    return shared_run("prod", config=prod_edge(), preview=preview)
