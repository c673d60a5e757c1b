"""cache-encrypted-and-authenticated, prod-cache-multi-az, cache-not-in-public-subnets.

ElastiCache for Valkey / Redis OSS keeps sessions, tokens and rate-limit counters: data an attacker on the
network could read or rewrite. So:

- cache-encrypted-and-authenticated (resource): a replication group encrypts at rest (`atRestEncryptionEnabled`)
  and in transit with TLS *required* (`transitEncryptionEnabled` true and `transitEncryptionMode` not
  `preferred`, which still accepts plaintext clients), and authenticates its clients: an RBAC user group
  (`userGroupIds`, e.g. IAM-authenticated users) or an AUTH token. A serverless cache is always encrypted; it must
  name a `userGroupId`. Unset counts as off: the policy never relies on an engine-version-dependent default.
  Memcached (`aws:elasticache/cluster:Cluster` with engine memcached) is not judged: the platform does not build it.
- prod-cache-multi-az (resource): in production, a replication group has a replica (`numCacheClusters` >= 2, or
  `replicasPerNodeGroup` >= 1 in cluster mode), `multiAzEnabled` and `automaticFailoverEnabled`: losing the
  primary's AZ promotes a replica in another AZ instead of emptying the cache.
- cache-not-in-public-subnets (stack): the subnets of a cache's subnet group (found from property dependencies,
  so it works while ids are unknown) are not public: no `mapPublicIpOnLaunch` and no route table associated with
  them that routes to an internet gateway. A cache is reached from the services' private subnets only.
"""

from __future__ import annotations

from pulumi_policy import Severity

from .base import (
    PRODUCTION_SETTING,
    Context,
    Resource,
    Stack,
    StackResource,
    Unknown,
    as_int,
    as_list,
    is_true,
    resource_policy,
    stack_policy,
    string_list,
)

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
CACHE_SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"

SECURE_HINT = (
    "Set at_rest_encryption_enabled=true (with kms_key_id), transit_encryption_enabled=true with "
    "transit_encryption_mode='required', and user_group_ids with IAM-authenticated users "
    "(components/cache.py does all of this)."
)


def _unknown(ctx: Context, resource: Resource, prop: str) -> None:
    ctx.defer(f".{prop} of {resource.subject}", "judged on `pulumi up`, when known")


def check_cache_security(resource: Resource, ctx: Context) -> None:
    props = resource.props
    if resource.type == SERVERLESS_CACHE:
        group = props.get("userGroupId")
        if isinstance(group, Unknown):
            _unknown(ctx, resource, "userGroupId")
        elif not group:
            ctx.violation(
                f"{resource.subject} has no user group: any client that reaches it may run any command. "
                "Set user_group_id to a group of IAM-authenticated users."
            )
        return
    for prop, what in (
        ("atRestEncryptionEnabled", "encryption at rest"),
        ("transitEncryptionEnabled", "encryption in transit (TLS)"),
    ):
        value = props.get(prop)
        if isinstance(value, Unknown):
            _unknown(ctx, resource, prop)
        elif not is_true(value):
            ctx.violation(f"{resource.subject} is without {what} ({prop} is not true). {SECURE_HINT}")
    mode = props.get("transitEncryptionMode")
    if isinstance(mode, Unknown):
        _unknown(ctx, resource, "transitEncryptionMode")
    elif mode == "preferred":
        ctx.violation(
            f"{resource.subject} sets transitEncryptionMode 'preferred', which still accepts plaintext "
            f"connections. {SECURE_HINT}"
        )
    groups = as_list(props.get("userGroupIds"))
    token = props.get("authToken") if ctx.settings["acceptAuthToken"] else None
    if (isinstance(groups, list) and groups) or (token and not isinstance(token, Unknown)):
        return  # authenticated: a user group, or an accepted AUTH token
    if isinstance(groups, Unknown) or isinstance(token, Unknown):
        _unknown(ctx, resource, "userGroupIds")
    else:
        ctx.violation(
            f"{resource.subject} authenticates no one (no userGroupIds, no authToken): any client that "
            f"reaches it may run any command. {SECURE_HINT}"
        )


CACHE_ENCRYPTED_AND_AUTHENTICATED = resource_policy(
    name="cache-encrypted-and-authenticated",
    description="ElastiCache caches are encrypted at rest and in transit (TLS required) and authenticate their "
    "clients (RBAC user group or AUTH token).",
    types=[REPLICATION_GROUP, SERVERLESS_CACHE],
    check=check_cache_security,
    settings={
        "acceptAuthToken": {
            "type": "boolean",
            "default": True,
            "description": "Accept an AUTH token (kept in Secrets Manager, never in config) as authentication beside "
            "an RBAC user group; false requires user groups.",
        }
    },
    severity=Severity.HIGH,
    remediation=SECURE_HINT,
)


MULTI_AZ_HINT = (
    "Give it a replica in another AZ (num_cache_clusters >= 2) with multi_az_enabled=true and "
    "automatic_failover_enabled=true (the prod preset of platform:caches has replicas: 1)."
)


def check_prod_multi_az(resource: Resource, ctx: Context) -> None:
    if not ctx.in_production(resource):
        return
    props = resource.props
    nodes, per_group = props.get("numCacheClusters"), props.get("replicasPerNodeGroup")
    if isinstance(nodes, Unknown) or isinstance(per_group, Unknown):
        _unknown(ctx, resource, "numCacheClusters")
    elif (as_int(nodes) or 1) < 2 and (as_int(per_group) or 0) < 1:
        ctx.violation(f"{resource.subject} is a production cache without a replica. {MULTI_AZ_HINT}")
    for prop in ("multiAzEnabled", "automaticFailoverEnabled"):
        value = props.get(prop)
        if isinstance(value, Unknown):
            _unknown(ctx, resource, prop)
        elif not is_true(value):
            ctx.violation(f"{resource.subject} is a production cache without {prop}. {MULTI_AZ_HINT}")


PROD_CACHE_MULTI_AZ = resource_policy(
    name="prod-cache-multi-az",
    description="Production ElastiCache replication groups have a replica in another AZ, Multi-AZ and automatic "
    "failover.",
    types=[REPLICATION_GROUP],
    check=check_prod_multi_az,
    settings=PRODUCTION_SETTING,
    severity=Severity.HIGH,
    remediation=MULTI_AZ_HINT,
)


PRIVATE_HINT = (
    "Put its subnet group on the isolated data subnets (components/cache.py uses the network's "
    "data subnets, which have no route to the internet)."
)


def _public_subnets(stack: Stack) -> dict[str, str]:
    """URN of every public subnet -> why: it maps public IPs, or its route table routes to an internet gateway."""
    public: dict[str, str] = {}
    gateways = {r.urn for r in stack.of_type(INTERNET_GATEWAY)}
    to_internet: set[str] = set()
    for route in stack.of_type(ROUTE):
        if set(route.property_dependencies.get("gatewayId", [])) & gateways or str(
            route.get("gatewayId", default="")
        ).startswith("igw-"):
            to_internet.update(route.property_dependencies.get("routeTableId", []))
    for table in stack.of_type(ROUTE_TABLE):
        routes = table.get("routes", default=[])
        if isinstance(routes, list) and any(
            isinstance(r, dict) and str(r.get("gatewayId") or "").startswith("igw-") for r in routes
        ):
            to_internet.add(table.urn)
    for association in stack.of_type(ROUTE_TABLE_ASSOCIATION):
        if set(association.property_dependencies.get("routeTableId", [])) & to_internet:
            for subnet in association.property_dependencies.get("subnetId", []):
                public[subnet] = "its route table routes 0.0.0.0/0 to an internet gateway"
    for subnet in stack.of_type(SUBNET):
        if is_true(subnet.get("mapPublicIpOnLaunch")):
            public[subnet.urn] = "it maps public IPs on launch"
    return public


def _subnets_of(stack: Stack, cache: StackResource) -> list[StackResource]:
    if cache.type == SERVERLESS_CACHE:
        urns = cache.property_dependencies.get("subnetIds", [])
    else:
        urns = [
            subnet
            for group in cache.property_dependencies.get("subnetGroupName", [])
            if (found := stack.by_urn.get(group)) is not None and found.type == CACHE_SUBNET_GROUP
            for subnet in found.property_dependencies.get("subnetIds", [])
        ]
    return [stack.by_urn[urn] for urn in urns if urn in stack.by_urn]


def check_cache_subnets(stack: Stack, ctx: Context) -> None:
    public = _public_subnets(stack)
    for cache in stack.of_type(*ctx.settings["cacheTypes"]):
        for subnet in _subnets_of(stack, cache):
            if subnet.urn in public:
                ctx.violation(
                    f"{cache.subject} is placed in {subnet.subject}, a public subnet ({public[subnet.urn]}). "
                    f"{PRIVATE_HINT}",
                    cache.urn,
                )


CACHE_NOT_IN_PUBLIC_SUBNETS = stack_policy(
    name="cache-not-in-public-subnets",
    description="ElastiCache caches are never placed in public subnets.",
    check=check_cache_subnets,
    settings={
        "cacheTypes": string_list(
            [REPLICATION_GROUP, SERVERLESS_CACHE],
            "The cache types judged.",
            allowed=[REPLICATION_GROUP, SERVERLESS_CACHE],
        )
    },
    severity=Severity.HIGH,
    remediation=PRIVATE_HINT,
)

POLICIES = [CACHE_ENCRYPTED_AND_AUTHENTICATED, PROD_CACHE_MULTI_AZ, CACHE_NOT_IN_PUBLIC_SUBNETS]
