"""cache-encrypted-and-authenticated, prod-cache-multi-az, cache-not-in-public-subnets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies.guardrails.caches import (
    CACHE_ENCRYPTED_AND_AUTHENTICATED,
    CACHE_NOT_IN_PUBLIC_SUBNETS,
    MULTI_AZ_HINT,
    PRIVATE_HINT,
    PROD_CACHE_MULTI_AZ,
    SECURE_HINT,
)

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_BOOL, R, check, check_stack

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
SECURE = {
    "atRestEncryptionEnabled": True,
    "transitEncryptionEnabled": True,
    "transitEncryptionMode": "required",
    "userGroupIds": ["platform-dev-sessions"],
    "tags": STANDARD_TAGS,
}
PROD_TAGS = {**STANDARD_TAGS, "Environment": "prod"}
MULTI_AZ = {"numCacheClusters": 2, "multiAzEnabled": True, "automaticFailoverEnabled": True, "tags": PROD_TAGS}


def test_an_encrypted_cache_with_a_user_group_passes() -> None:
    assert check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, SECURE).passed
    assert check(CACHE_ENCRYPTED_AND_AUTHENTICATED, SERVERLESS, {"userGroupId": "g"}).passed


def test_a_cache_without_encryption_is_refused_for_each_missing_layer() -> None:
    result = check(
        CACHE_ENCRYPTED_AND_AUTHENTICATED,
        GROUP,
        {**SECURE, "atRestEncryptionEnabled": False, "transitEncryptionEnabled": None},
    )
    assert result.violations == [
        f"{GROUP} 'r' is without encryption at rest (atRestEncryptionEnabled is not true). {SECURE_HINT}",
        f"{GROUP} 'r' is without encryption in transit (TLS) (transitEncryptionEnabled is not true). {SECURE_HINT}",
    ]


def test_preferred_transit_mode_still_accepts_plaintext_and_is_refused() -> None:
    result = check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, {**SECURE, "transitEncryptionMode": "preferred"})
    assert result.violations == [
        f"{GROUP} 'r' sets transitEncryptionMode 'preferred', which still accepts plaintext connections. {SECURE_HINT}"
    ]


def test_a_cache_that_authenticates_no_one_is_refused() -> None:
    result = check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, {**SECURE, "userGroupIds": []})
    assert result.violations == [
        f"{GROUP} 'r' authenticates no one (no userGroupIds, no authToken): any client that reaches it may run "
        f"any command. {SECURE_HINT}"
    ]
    assert check(CACHE_ENCRYPTED_AND_AUTHENTICATED, SERVERLESS, {}).violations == [
        f"{SERVERLESS} 'r' has no user group: any client that reaches it may run any command. Set user_group_id "
        "to a group of IAM-authenticated users."
    ]


def test_an_auth_token_counts_unless_the_setting_requires_user_groups() -> None:
    token = {**SECURE, "userGroupIds": [], "authToken": "from-secrets-manager"}
    assert check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, token).passed
    assert check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, token, config={"acceptAuthToken": False}).violations


def test_unknown_encryption_and_groups_are_judged_on_up() -> None:
    result = check(
        CACHE_ENCRYPTED_AND_AUTHENTICATED,
        GROUP,
        {**SECURE, "atRestEncryptionEnabled": UNKNOWN_BOOL, "userGroupIds": [UNKNOWN]},
    )
    assert result.violations == [] and len(result.deferred) == 1
    assert ".atRestEncryptionEnabled of" in result.deferred[0]


def test_a_production_cache_needs_a_replica_multi_az_and_failover(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    assert check(PROD_CACHE_MULTI_AZ, GROUP, MULTI_AZ).passed
    assert check(PROD_CACHE_MULTI_AZ, GROUP, {**MULTI_AZ, "numCacheClusters": None, "replicasPerNodeGroup": 1}).passed
    result = check(PROD_CACHE_MULTI_AZ, GROUP, {"numCacheClusters": 1, "tags": PROD_TAGS})
    assert result.violations == [
        f"{GROUP} 'r' is a production cache without a replica. {MULTI_AZ_HINT}",
        f"{GROUP} 'r' is a production cache without multiAzEnabled. {MULTI_AZ_HINT}",
        f"{GROUP} 'r' is a production cache without automaticFailoverEnabled. {MULTI_AZ_HINT}",
    ]


def test_outside_production_a_single_node_cache_is_fine() -> None:
    assert check(PROD_CACHE_MULTI_AZ, GROUP, {"numCacheClusters": 1, "tags": STANDARD_TAGS}).passed


def _network(public: bool) -> tuple[list[R], R]:
    igw = R("aws:ec2/internetGateway:InternetGateway", "igw")
    table = R("aws:ec2/routeTable:RouteTable", "rt")
    route = R(
        "aws:ec2/route:Route",
        "default",
        {"destinationCidrBlock": "0.0.0.0/0"},
        deps={"routeTableId": [table], "gatewayId": [igw]},
    )
    subnet = R("aws:ec2/subnet:Subnet", "data-a", {"mapPublicIpOnLaunch": False})
    association = R(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "data-a-rta",
        deps={"subnetId": [subnet], "routeTableId": [table if public else R(table.type, "isolated")]},
    )
    subnets = R("aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets", deps={"subnetIds": [subnet]})
    cache = R(GROUP, "cache", deps={"subnetGroupName": [subnets]})
    return [igw, table, route, subnet, association, subnets, cache], cache


def test_a_cache_in_isolated_subnets_passes() -> None:
    resources, _ = _network(public=False)
    assert check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, resources).passed


def test_a_cache_in_a_subnet_routed_to_the_internet_is_refused() -> None:
    resources, cache = _network(public=True)
    result = check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, resources)
    assert result.violations == [
        f"{GROUP} 'cache' is placed in aws:ec2/subnet:Subnet 'data-a', a public subnet (its route table routes "
        f"0.0.0.0/0 to an internet gateway). {PRIVATE_HINT}"
    ]
    assert result.urns == [cache.urn]


def test_a_subnet_that_maps_public_ips_is_public() -> None:
    subnet = R("aws:ec2/subnet:Subnet", "public-a", {"mapPublicIpOnLaunch": True})
    serverless = R(SERVERLESS, "cache", deps={"subnetIds": [subnet]})
    result = check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, [subnet, serverless])
    assert result.violations == [
        f"{SERVERLESS} 'cache' is placed in aws:ec2/subnet:Subnet 'public-a', a public subnet (it maps public IPs "
        f"on launch). {PRIVATE_HINT}"
    ]


def test_authentication_unknown_at_preview_defers_unless_a_known_credential_already_suffices() -> None:
    def verdict(props: dict[str, object], **config: object) -> tuple[list[str], int]:
        result = check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, {**SECURE, **props}, config=config or None)
        return result.violations, len(result.deferred)

    assert verdict({"userGroupIds": UNKNOWN}) == ([], 1)
    assert verdict({"userGroupIds": [], "authToken": UNKNOWN}) == ([], 1)
    assert verdict({"userGroupIds": UNKNOWN, "authToken": "from-secrets-manager"}) == ([], 0)
    assert verdict({"authToken": UNKNOWN}) == ([], 0)  # the user group already authenticates
    # A token that does not count (the setting requires user groups) cannot settle unknown groups.
    assert verdict({"userGroupIds": UNKNOWN, "authToken": "t"}, acceptAuthToken=False) == ([], 1)


def test_unknown_serverless_user_group_and_transit_mode_are_deferred() -> None:
    result = check(CACHE_ENCRYPTED_AND_AUTHENTICATED, SERVERLESS, {"userGroupId": UNKNOWN})
    assert result.violations == [] and ".userGroupId of" in result.deferred[0]
    result = check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, {**SECURE, "transitEncryptionMode": UNKNOWN})
    assert result.violations == [] and ".transitEncryptionMode of" in result.deferred[0]


def test_string_booleans_from_the_bridged_provider_are_read_as_booleans() -> None:
    strings = {**SECURE, "atRestEncryptionEnabled": "true", "transitEncryptionEnabled": "false"}
    assert check(CACHE_ENCRYPTED_AND_AUTHENTICATED, GROUP, strings).violations == [
        f"{GROUP} 'r' is without encryption in transit (TLS) (transitEncryptionEnabled is not true). {SECURE_HINT}"
    ]


def test_a_production_cache_replica_count_boundaries(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    no_replica = f"{GROUP} 'r' is a production cache without a replica. {MULTI_AZ_HINT}"

    def violations(**props: object) -> list[str]:
        return check(PROD_CACHE_MULTI_AZ, GROUP, {**MULTI_AZ, **props}).violations

    assert violations(numCacheClusters=2) == []
    assert violations(numCacheClusters="2") == []
    assert violations(numCacheClusters=1) == [no_replica]
    assert violations(numCacheClusters=None, replicasPerNodeGroup=1) == []
    assert violations(numCacheClusters=None, replicasPerNodeGroup=0) == [no_replica]
    assert violations(numCacheClusters=None) == [no_replica]
    assert violations(multiAzEnabled="true", automaticFailoverEnabled="true") == []


def test_unknown_replica_settings_of_a_production_cache_are_deferred(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    for prop in ("numCacheClusters", "replicasPerNodeGroup", "multiAzEnabled", "automaticFailoverEnabled"):
        result = check(PROD_CACHE_MULTI_AZ, GROUP, {**MULTI_AZ, prop: UNKNOWN})
        assert result.violations == [] and result.deferred, prop


def test_a_cache_tagged_production_in_a_dev_stack_is_judged_as_production() -> None:
    for environment in ("production", "Prod"):
        tags = {**STANDARD_TAGS, "Environment": environment}
        assert not check(PROD_CACHE_MULTI_AZ, GROUP, {"numCacheClusters": 1, "tags": tags}).passed
    result = check(PROD_CACHE_MULTI_AZ, GROUP, {"numCacheClusters": 1, "tags": {"Environment": UNKNOWN}})
    assert result.violations == [] and "the Environment tag of" in result.deferred[0]


def _placed_behind(table: R, *extra: R) -> tuple[list[R], R]:
    """A cache in one subnet associated with `table` (plus whatever routes `extra` adds)."""
    subnet = R("aws:ec2/subnet:Subnet", "data-a", {"mapPublicIpOnLaunch": False})
    association = R(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "data-a-rta",
        deps={"subnetId": [subnet], "routeTableId": [table]},
    )
    subnets = R("aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets", deps={"subnetIds": [subnet]})
    cache = R(GROUP, "cache", deps={"subnetGroupName": [subnets]})
    return [table, *extra, subnet, association, subnets, cache], cache


PUBLIC_BY_ROUTE = (
    f"{GROUP} 'cache' is placed in aws:ec2/subnet:Subnet 'data-a', a public subnet (its route table routes "
    f"0.0.0.0/0 to an internet gateway). {PRIVATE_HINT}"
)


def test_a_route_to_an_internet_gateway_named_by_id_makes_the_subnet_public() -> None:
    table = R("aws:ec2/routeTable:RouteTable", "rt")
    route = R("aws:ec2/route:Route", "default", {"gatewayId": "igw-0abc"}, deps={"routeTableId": [table]})
    resources, _ = _placed_behind(table, route)
    assert check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, resources).violations == [PUBLIC_BY_ROUTE]


def test_a_route_to_a_nat_gateway_leaves_the_subnet_private() -> None:
    table = R("aws:ec2/routeTable:RouteTable", "rt")
    route = R("aws:ec2/route:Route", "default", {"natGatewayId": "nat-0abc"}, deps={"routeTableId": [table]})
    resources, _ = _placed_behind(table, route)
    assert check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, resources).passed


def test_an_inline_route_to_an_internet_gateway_makes_the_subnet_public() -> None:
    routes = [
        {"cidrBlock": "10.1.0.0/16", "natGatewayId": "nat-0abc"},
        {"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0"},
    ]
    resources, _ = _placed_behind(R("aws:ec2/routeTable:RouteTable", "rt", {"routes": routes}))
    assert check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, resources).violations == [PUBLIC_BY_ROUTE]


@pytest.mark.parametrize(
    "routes", [[{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0abc", "gatewayId": None}], [], ["igw-0"], "igw-0"]
)
def test_inline_routes_without_an_internet_gateway_leave_the_subnet_private(routes: object) -> None:
    resources, _ = _placed_behind(R("aws:ec2/routeTable:RouteTable", "rt", {"routes": routes}))
    assert check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, resources).passed


def test_a_subnet_group_dependency_that_is_not_a_subnet_group_places_the_cache_nowhere() -> None:
    subnet = R("aws:ec2/subnet:Subnet", "public-a", {"mapPublicIpOnLaunch": True})
    other = R("aws:ec2/securityGroup:SecurityGroup", "not-a-group", deps={"subnetIds": [subnet]})
    cache = R(GROUP, "cache", deps={"subnetGroupName": [other]})
    assert check_stack(CACHE_NOT_IN_PUBLIC_SUBNETS, [subnet, other, cache]).passed
