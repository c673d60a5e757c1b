"""The platform's CrossGuard guardrails, one module per concern; `__main__.py` only assembles the pack.

Importable without side effects (the pack's `__main__.py` is not: `PolicyPack(...)` serves gRPC forever).
"""

from __future__ import annotations

from pulumi_policy import Policy

from . import (
    api_gateway,
    cloudfront,
    containers,
    data_protection,
    encryption,
    iam,
    load_balancing,
    network,
    observability,
    opensearch_serverless,
    protection,
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
    *load_balancing.POLICIES,
    *observability.POLICIES,
    *waf.POLICIES,
    *cloudfront.POLICIES,
    *api_gateway.POLICIES,
    *opensearch_serverless.POLICIES,
]
"""Every policy of the pack, in report order."""

REQUIRED = ("required-tags", "no-wildcard-iam", "no-public-app-ingress", "public-ingress-only-on-internet-facing-lb")
"""The required guardrails: mandatory in every stack (no-public-app-ingress is the resource policy and its stack
half, public-ingress-only-on-internet-facing-lb)."""

__all__ = ["PACK_NAME", "POLICIES", "REQUIRED"]
