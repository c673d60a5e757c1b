"""opensearch-serverless-private-and-encrypted: OpenSearch Serverless security policies never open a collection
to the internet and never fall back to an AWS-owned key.

- a `network` policy with any rule set `AllowFromPublic: true` makes its collections (or dashboards) reachable
  from the internet: refused; access goes through VPC endpoints (`SourceVPCEs`);
- an `encryption` policy with `AWSOwnedKey: true`, or without `KmsARN`, encrypts with a key the account does not
  control (no key policy, no CloudTrail of its use, no revocation): refused; use the stack key.

A policy document built from a new resource's id or ARN is unknown at preview and judged on `pulumi up`.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import Severity

from .base import Context, Resource, Unknown, as_list, plain, resource_policy, string_list

SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
HINT = (
    "Build collections with components/collection.py: network access only from the stack's VPC endpoint, "
    "encryption with the stack key."
)


def _document(resource: Resource, ctx: Context) -> Any:
    value = resource.props.get("policy")
    if isinstance(value, Unknown):
        ctx.defer(
            f".policy of {resource.subject}",
            "the document embeds values known only after create; judged on `pulumi up`",
        )
        return None
    if isinstance(value, str):
        try:
            return plain(json.loads(value))
        except json.JSONDecodeError:
            ctx.violation(f"{resource.subject} policy is not valid JSON. {HINT}")
            return None
    return value


def check_security_policy(resource: Resource, ctx: Context) -> None:
    kind = resource.props.get("type")
    if isinstance(kind, Unknown):
        ctx.defer(f".type of {resource.subject}", "judged on `pulumi up`, when known")
        return
    if kind not in ctx.settings["policyTypes"]:
        return
    document = _document(resource, ctx)  # None (unknown or unparsable, already reported) judges as nothing
    if kind == "network":
        entries = as_list(document)
        if isinstance(entries, list) and any(isinstance(e, dict) and e.get("AllowFromPublic") is True for e in entries):
            ctx.violation(
                f"{resource.subject} allows public access (AllowFromPublic true): reach collections "
                f"through a VPC endpoint (SourceVPCEs) only. {HINT}"
            )
    elif (
        kind == "encryption"
        and isinstance(document, dict)
        and (document.get("AWSOwnedKey") is True or not document.get("KmsARN"))
    ):
        ctx.violation(
            f"{resource.subject} encrypts with an AWS-owned key: set AWSOwnedKey false and KmsARN to a "
            f"customer-managed key. {HINT}"
        )


OPENSEARCH_SERVERLESS_PRIVATE_AND_ENCRYPTED = resource_policy(
    name="opensearch-serverless-private-and-encrypted",
    description="OpenSearch Serverless network policies never allow public access and encryption policies use a "
    "customer-managed KMS key.",
    types=[SECURITY_POLICY],
    check=check_security_policy,
    settings={"policyTypes": string_list(["network", "encryption"], "Security policy types judged.")},
    severity=Severity.HIGH,
    remediation=HINT,
)

POLICIES = [OPENSEARCH_SERVERLESS_PRIVATE_AND_ENCRYPTED]
