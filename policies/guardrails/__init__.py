"""The platform's CrossGuard guardrails, one module per concern; `__main__.py` only assembles the pack.

Importable without side effects (the pack's `__main__.py` is not: `PolicyPack(...)` serves gRPC forever).
"""

from __future__ import annotations

from pulumi_policy import Policy

from . import (
    access_logging,
    account,
    api_gateway,
    backup,
    budget,
    caches,
    canaries,
    cloudfront,
    cloudfront_origins,
    containers,
    data_protection,
    delivery,
    dr,
    ecr,
    encryption,
    functions,
    iam,
    load_balancing,
    log_queries,
    network,
    network_load_balancers,
    observability,
    opensearch_serverless,
    protection,
    rds,
    rotation,
    tagging,
    waf,
)

PACK_NAME = "platform-guardrails"

POLICIES: list[Policy] = [
    *tagging.POLICIES,
    *iam.POLICIES,
    *network.POLICIES,
    *encryption.POLICIES,
    *data_protection.POLICIES,
    *protection.POLICIES,
    *containers.POLICIES,
    *ecr.POLICIES,
    *load_balancing.POLICIES,
    *observability.POLICIES,
    *budget.POLICIES,
    *delivery.POLICIES,
    *caches.POLICIES,
    *rds.POLICIES,
    *backup.POLICIES,
    *access_logging.POLICIES,
    *functions.POLICIES,
    *canaries.POLICIES,
    *rotation.POLICIES,
    *account.POLICIES,
    *waf.POLICIES,
    *cloudfront.POLICIES,
    *api_gateway.POLICIES,
    *opensearch_serverless.POLICIES,
    *network_load_balancers.POLICIES,
    *cloudfront_origins.POLICIES,
    *dr.POLICIES,
]
POLICIES += log_queries.POLICIES
"""Every policy of the pack, in report order."""

REQUIRED = ("required-tags", "no-wildcard-iam", "no-public-app-ingress", "public-ingress-only-on-internet-facing-lb")
"""The required guardrails: mandatory in every stack (no-public-app-ingress is the resource policy and its stack
half, public-ingress-only-on-internet-facing-lb)."""

__all__ = ["PACK_NAME", "POLICIES", "REQUIRED"]
