"""Each pricer at unit level: one resource's properties -> its priced lines, hand-computed from
`policies/guardrails/costing/data/prices.json` (us-east-1) and the usage defaults, at the boundaries that change
the bill (free configurations, minimums, high resolution, zero tasks, what AWS does not bill, what the table cannot
price). Every line is compared whole: what, quantity, unit, unit price, monthly, basis and assumption."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from policies.guardrails.costing import Estimate, Item, Usage, estimate_stack

HOURS = 730.0
"""prices.json `hoursPerMonth`."""

Expected = tuple[str, float, str, float, str, str | None]


def item(token: str, name: str = "r", deps: dict[str, list[str]] | None = None, **props: Any) -> Item:
    return Item(token, name, f"urn:pulumi:test::platform::{token}::{name}", None, props, True, deps or {})


def estimate(*items: Item, usage: Usage | None = None) -> Estimate:
    return estimate_stack(list(items), stack="test", region="us-east-1", usage=usage)


def fixed(what: str, quantity: float, unit: str, price: float) -> Expected:
    return (what, quantity, unit, price, "fixed", None)


def used(what: str, quantity: float, unit: str, price: float, assumption: str) -> Expected:
    return (what, quantity, unit, price, "usage", assumption)


def assert_lines(result: Estimate, target: Item, expected: Sequence[Expected]) -> None:
    """The target's lines are exactly `expected` (monthly = quantity x unit price), and nothing is left unpriced."""
    assert result.missing == [] and result.unknown == []
    actual = [line for line in result.lines if line.resource == target.urn]
    assert [(line.what, line.unit, line.unit_price, line.basis, line.assumption) for line in actual] == [
        (what, unit, price, basis, assumption) for what, _, unit, price, basis, assumption in expected
    ]
    assert [line.quantity for line in actual] == pytest.approx([e[1] for e in expected], rel=1e-9)
    assert [line.monthly for line in actual] == pytest.approx([e[1] * e[3] for e in expected], rel=1e-9)


def priced(target: Item, *expected: Expected, others: Sequence[Item] = (), usage: Usage | None = None) -> None:
    assert_lines(estimate(*others, target, usage=usage), target, expected)


def missing(target: Item, *others: Item) -> str:
    result = estimate(*others, target)
    assert result.lines == [] and [e.urn for e in result.missing] == [target.urn]
    return result.missing[0].reason


def free(target: Item, *others: Item) -> str | None:
    result = estimate(*others, target)
    assert result.missing == [] and result.lines == []
    return result.free.get(target.urn)


# -- network ------------------------------------------------------------------------------------------
def test_a_nat_gateway_is_billed_by_the_hour_and_per_gb_processed() -> None:
    priced(
        item("aws:ec2/natGateway:NatGateway"),
        fixed("NAT gateway hours", HOURS, "h", 0.045),
        used("data processed", 100, "GB", 0.045, "default natGateway.processedGb = 100"),
    )


def test_an_elastic_ip_is_billed_as_a_public_ipv4_address() -> None:
    priced(item("aws:ec2/eip:Eip"), fixed("public IPv4 address hours", HOURS, "h", 0.005))


def test_a_gateway_endpoint_is_free_by_default_type() -> None:
    reason = "gateway endpoints (S3, DynamoDB) have no hourly or data charge"
    assert free(item("aws:ec2/vpcEndpoint:VpcEndpoint")) == reason
    assert free(item("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="Gateway")) == reason


def test_an_interface_endpoint_is_billed_per_az_it_has_a_subnet_in() -> None:
    endpoint = item("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="Interface", subnetIds=["a", "b", "c"])
    priced(
        endpoint,
        fixed("endpoint hours in 3 AZ(s)", 3 * HOURS, "AZ-h", 0.01),
        used("data processed", 10, "GB", 0.01, "default interfaceEndpoint.processedGb = 10"),
    )


@pytest.mark.parametrize("subnets", [None, [], "subnet-a"], ids=["absent", "empty", "a-string"])
def test_an_interface_endpoint_without_a_list_of_subnets_counts_one_az(subnets: Any) -> None:
    endpoint = item("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="Interface", subnetIds=subnets)
    priced(
        endpoint,
        fixed("endpoint hours in 1 AZ(s)", HOURS, "AZ-h", 0.01),
        used("data processed", 10, "GB", 0.01, "default interfaceEndpoint.processedGb = 10"),
    )


def test_a_gateway_load_balancer_endpoint_is_reported_missing_not_free() -> None:
    endpoint = item("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="GatewayLoadBalancer")
    assert missing(endpoint) == "no price for GatewayLoadBalancer VPC endpoints in the price table"


@pytest.mark.parametrize("subnets", [["a", "b"], None], ids=["two-subnets", "no-subnets"])
def test_an_opensearch_serverless_endpoint_is_billed_per_az_like_an_interface_endpoint(subnets: Any) -> None:
    zones = len(subnets) if subnets else 1
    priced(
        item("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint", subnetIds=subnets),
        fixed(f"endpoint hours in {zones} AZ(s)", zones * HOURS, "AZ-h", 0.01),
        used("data processed", 10, "GB", 0.01, "default interfaceEndpoint.processedGb = 10"),
    )


@pytest.mark.parametrize("token", ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"])
def test_a_load_balancer_without_a_type_is_an_application_load_balancer(token: str) -> None:
    priced(
        item(token),
        fixed("load balancer hours", HOURS, "h", 0.0225),
        used("capacity units", HOURS, "LCU-h", 0.008, "default loadBalancer.lcu = 1"),
    )


def test_a_network_load_balancer_is_billed_in_nlcus() -> None:
    priced(
        item("aws:lb/loadBalancer:LoadBalancer", loadBalancerType="network"),
        fixed("load balancer hours", HOURS, "h", 0.0225),
        used("capacity units", HOURS, "NLCU-h", 0.006, "default loadBalancer.lcu = 1"),
    )


def test_a_gateway_load_balancer_is_reported_missing() -> None:
    balancer = item("aws:lb/loadBalancer:LoadBalancer", loadBalancerType="gateway")
    assert missing(balancer) == "no price for gateway load balancers in the price table"


# -- ECS services -------------------------------------------------------------------------------------
TASK = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"


def task(name: str = "task", cpu: str = "1024", memory: str = "2048", **props: Any) -> Item:
    return item(TASK, name, cpu=cpu, memory=memory, **props)


def service(definition: Item | None, name: str = "web", **props: Any) -> Item:
    return item(SERVICE, name, deps={"taskDefinition": [definition.urn]} if definition else None, **props)


def x86(tasks: float, share: float, vcpu: float, gb: float, assumption: str) -> list[Expected]:
    count = tasks * share
    return [
        used(f"{count:g} task(s) x {vcpu:g} vCPU, X86_64", tasks * share * vcpu * HOURS, "vCPU-h", 0.04048, assumption),
        used(f"{count:g} task(s) x {gb:g} GB, X86_64", tasks * share * gb * HOURS, "GB-h", 0.004445, assumption),
    ]


def test_a_fargate_service_pays_its_desired_tasks_size_on_x86_by_default() -> None:
    definition = task()
    priced(
        service(definition, desiredCount=2.0),
        *x86(2, 1.0, 1, 2, "default service.tasks = 2"),
        others=[definition],
    )


def test_a_service_without_a_desired_count_runs_one_task() -> None:
    definition = task()
    priced(service(definition), *x86(1, 1.0, 1, 2, "default service.tasks = 1"), others=[definition])


def test_an_arm64_service_pays_the_graviton_rates() -> None:
    definition = task(cpu="512", memory="1024", runtimePlatform={"cpuArchitecture": "ARM64"})
    priced(
        service(definition),
        used("1 task(s) x 0.5 vCPU, ARM64", 0.5 * HOURS, "vCPU-h", 0.03238, "default service.tasks = 1"),
        used("1 task(s) x 1 GB, ARM64", HOURS, "GB-h", 0.00356, "default service.tasks = 1"),
        others=[definition],
    )


@pytest.mark.parametrize(("size", "extra"), [(20.0, 0.0), (21.0, 1.0), (30.0, 10.0)])
def test_ephemeral_storage_is_billed_only_above_the_free_20_gib(size: float, extra: float) -> None:
    definition = task(ephemeralStorage={"sizeInGib": size})
    storage = (
        [
            used(
                "2 task(s) x 1 GiB storage above 20".replace("1 GiB", f"{extra:g} GiB"),
                2 * extra * HOURS,
                "GB-h",
                0.000111,
                "default service.tasks = 2",
            )
        ]
        if extra
        else []
    )
    priced(
        service(definition, desiredCount=2.0),
        *x86(2, 1.0, 1, 2, "default service.tasks = 2"),
        *storage,
        others=[definition],
    )


def test_the_dependency_on_the_task_definition_wins_over_any_other_task_definition() -> None:
    decoy, definition = task("decoy", cpu="4096", memory="8192"), task()
    priced(service(definition), *x86(1, 1.0, 1, 2, "default service.tasks = 1"), others=[decoy, definition])


@pytest.mark.parametrize("key", ["arn", "family"])
def test_without_a_dependency_the_task_definition_is_found_by_its_arn_or_family(key: str) -> None:
    other = task("other", cpu="4096", memory="8192", **{key: "web-other"})
    definition = task(**{key: "web-task"})
    priced(
        service(None, taskDefinition="web-task"),
        *x86(1, 1.0, 1, 2, "default service.tasks = 1"),
        others=[other, definition],
    )


def test_a_service_whose_task_definition_is_not_in_the_stack_is_reported_missing() -> None:
    elsewhere = task("elsewhere", family="other")
    assert missing(service(None, taskDefinition="web-task"), elsewhere) == (
        "its task definition is not among the stack's resources, so its size is not known"
    )


@pytest.mark.parametrize("launch", ["EC2", "EXTERNAL"])
def test_a_service_on_its_own_instances_is_free_its_instances_are_priced(launch: str) -> None:
    assert free(service(None, launchType=launch)) == (
        f"launch type {launch}: the instances it runs on are priced, not the service"
    )


def test_a_service_scaled_to_zero_costs_nothing_and_says_so() -> None:
    definition = task(cpu="256", memory="512")
    usage = Usage(file="Pulumi.test.usage.yaml", resources={"web": {"tasks": 0.0}})
    priced(
        service(definition, desiredCount=2.0),
        used(
            "no running task (0.25 vCPU, 0.5 GB each)",
            0,
            "task",
            0.0,
            "Pulumi.test.usage.yaml: resources.web.tasks = 0",
        ),
        others=[definition],
        usage=usage,
    )


def test_base_tasks_go_first_and_the_rest_split_by_weight_spot_at_its_own_rate() -> None:
    definition = task(cpu="256", memory="512")
    strategies = [
        {"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3.0},
    ]
    web = service(definition, desiredCount=5.0, capacityProviderStrategies=strategies)
    tasks = "default service.tasks = 5"
    priced(
        web,
        *x86(5, 2 / 5, 0.25, 0.5, tasks),  # 1 base + 1 of the 4 by weight
        used("3 task(s) x 0.25 vCPU, Spot", 3 * 0.25 * HOURS, "vCPU-h", 0.012144, tasks),
        used("3 task(s) x 0.5 GB, Spot", 3 * 0.5 * HOURS, "GB-h", 0.0013335, tasks),
        others=[definition],
    )


def test_a_provider_with_no_share_of_the_tasks_gets_no_line() -> None:
    definition = task(cpu="256", memory="512")
    strategies = [{"capacityProvider": "FARGATE", "weight": 0.0}, {"capacityProvider": "FARGATE_SPOT", "weight": 1.0}]
    tasks = "default service.tasks = 2"
    priced(
        service(definition, desiredCount=2.0, capacityProviderStrategies=strategies),
        used("2 task(s) x 0.25 vCPU, Spot", 2 * 0.25 * HOURS, "vCPU-h", 0.012144, tasks),
        used("2 task(s) x 0.5 GB, Spot", 2 * 0.5 * HOURS, "GB-h", 0.0013335, tasks),
        others=[definition],
    )


def test_base_tasks_with_no_weight_anywhere_price_only_the_base() -> None:
    # AWS refuses a strategy without a positive weight; the estimator divides nothing by zero.
    definition = task(cpu="256", memory="512")
    strategies = [{"capacityProvider": "FARGATE", "base": 1.0}]
    priced(
        service(definition, desiredCount=3.0, capacityProviderStrategies=strategies),
        *x86(3, 1 / 3, 0.25, 0.5, "default service.tasks = 3"),
        others=[definition],
    )


def test_a_capacity_provider_other_than_fargate_is_reported_missing() -> None:
    definition = task()
    strategies = [{"capacityProvider": "asg-provider", "weight": 1.0}]
    reason = missing(service(definition, capacityProviderStrategies=strategies), definition)
    assert reason == "capacity provider asg-provider is not Fargate: no price in the table"


# -- ECS clusters, functions, instances -----------------------------------------------------------------
@pytest.mark.parametrize("mode", ["enabled", "enhanced"])
def test_container_insights_is_billed_as_metrics_and_logs(mode: str) -> None:
    settings = [{"name": "other", "value": "disabled"}, {"name": "containerInsights", "value": mode}]
    priced(
        item("aws:ecs/cluster:Cluster", settings=settings),
        used("Container Insights metrics", 30, "metric-month", 0.3, "default containerInsights.metrics = 30"),
        used("Container Insights performance logs", 1, "GB", 0.5, "default containerInsights.ingestGb = 1"),
    )


@pytest.mark.parametrize(
    "settings",
    [None, [{"name": "containerInsights", "value": "disabled"}], [{"name": "other", "value": "enabled"}]],
    ids=["no-settings", "disabled", "another-setting"],
)
def test_a_cluster_without_container_insights_is_free(settings: Any) -> None:
    reason = "an ECS cluster itself is free; Container Insights is off"
    assert free(item("aws:ecs/cluster:Cluster", settings=settings)) == reason


def test_a_function_defaults_to_128_mb_on_x86() -> None:
    requests = "default function.requestsMillions = 1"
    priced(
        item("aws:lambda/function:Function", architectures=[]),
        used("requests", 1, "million", 0.2, requests),
        used(
            "compute at 128 MB, 200 ms (default function.durationMs)", 1e6 * 0.2 * 0.125, "GB-s", 1.66667e-05, requests
        ),
    )


def test_an_arm64_function_pays_the_arm_rate_for_its_memory() -> None:
    requests = "default function.requestsMillions = 1"
    priced(
        item("aws:lambda/function:Function", architectures=["arm64"], memorySize=1024.0),
        used("requests", 1, "million", 0.2, requests),
        used("compute at 1024 MB, 200 ms (default function.durationMs)", 1e6 * 0.2 * 1, "GB-s", 1.33334e-05, requests),
    )


def test_architectures_that_are_not_a_list_are_not_read_letter_by_letter() -> None:
    requests = "default function.requestsMillions = 1"
    priced(
        item("aws:lambda/function:Function", architectures="arm64"),
        used("requests", 1, "million", 0.2, requests),
        used(
            "compute at 128 MB, 200 ms (default function.durationMs)", 1e6 * 0.2 * 0.125, "GB-s", 1.66667e-05, requests
        ),
    )


@pytest.mark.parametrize(("root", "size"), [(None, 8.0), ({"volumeSize": 30.0}, 30.0)])
def test_an_instance_pays_its_type_and_its_gp3_root_volume(root: Any, size: float) -> None:
    priced(
        item("aws:ec2/instance:Instance", instanceType="t3.micro", rootBlockDevice=root),
        fixed("t3.micro hours", HOURS, "h", 0.0104),
        fixed("root volume (gp3)", size, "GB-month", 0.08),
    )


# -- Aurora -------------------------------------------------------------------------------------------
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


def aurora(name: str = "db", minimum: float | None = 0.5, **props: Any) -> Item:
    scaling = {"minCapacity": minimum, "maxCapacity": 8.0} if minimum is not None else None
    return item(CLUSTER, name, engine="aurora-postgresql", serverlessv2ScalingConfiguration=scaling, **props)


def member(cluster: Item | None, name: str = "db-1", **props: Any) -> Item:
    return item(INSTANCE, name, deps={"clusterIdentifier": [cluster.urn]} if cluster else None, **props)


def test_an_aurora_cluster_pays_storage_and_io() -> None:
    priced(
        aurora(),
        used("storage", 20, "GB-month", 0.1, "default aurora.storageGb = 20"),
        used("I/O requests", 10, "million", 0.2, "default aurora.ioMillions = 10"),
    )


def test_an_io_optimized_cluster_pays_its_storage_rate_and_no_io() -> None:
    priced(
        aurora(storageType="aurora-iopt1"),
        used("storage (I/O-Optimized)", 20, "GB-month", 0.225, "default aurora.storageGb = 20"),
    )


@pytest.mark.parametrize("engine", ["postgres", None])
def test_a_multi_az_db_cluster_of_another_engine_is_reported_missing(engine: str | None) -> None:
    reason = missing(item(CLUSTER, engine=engine))
    assert reason == f"no price for Multi-AZ DB clusters of engine {engine or ''!r} in the price table"


@pytest.mark.parametrize(
    ("minimum", "acu", "hours"),
    [(0.5, 0.5, HOURS), (2.0, 2.0, HOURS), (0.0, 0.5, 176.0), (None, 0.5, 176.0)],
    ids=["half-acu-always-on", "two-acu-always-on", "scales-to-zero", "no-scaling-configuration"],
)
def test_a_serverless_instance_pays_its_cluster_minimum_acus_for_its_active_hours(
    minimum: float | None, acu: float, hours: float
) -> None:
    decoy, cluster = aurora("decoy", minimum=4.0), aurora(minimum=minimum)
    priced(
        member(cluster, instanceClass="db.serverless"),
        used(
            f"serverless v2 capacity, {acu:g} ACU (default aurora.averageAcu) x hours",
            acu * hours,
            "ACU-h",
            0.12,
            f"default aurora.activeHours = {hours:g}",
        ),
        others=[decoy, cluster],
    )


def test_a_serverless_instance_of_an_io_optimized_cluster_pays_the_optimized_acu_rate() -> None:
    cluster = aurora(storageType="aurora-iopt1")
    priced(
        member(cluster, instanceClass="db.serverless"),
        used(
            "serverless v2 capacity, 0.5 ACU (default aurora.averageAcu) x hours",
            0.5 * HOURS,
            "ACU-h",
            0.156,
            f"default aurora.activeHours = {HOURS:g}",
        ),
        others=[cluster],
    )


def test_without_a_dependency_the_cluster_is_found_by_its_identifier() -> None:
    sibling = member(None, "db-0", instanceClass="db.serverless", clusterIdentifier="db-cluster")
    other, cluster = aurora("other", minimum=4.0, clusterIdentifier="other"), aurora(clusterIdentifier="db-cluster")
    target = member(None, instanceClass="db.serverless", clusterIdentifier="db-cluster")
    result = estimate(sibling, other, cluster, target)
    assert_lines(
        result,
        target,
        [
            used(
                "serverless v2 capacity, 0.5 ACU (default aurora.averageAcu) x hours",
                0.5 * HOURS,
                "ACU-h",
                0.12,
                f"default aurora.activeHours = {HOURS:g}",
            )
        ],
    )


def test_a_provisioned_instance_pays_its_class_and_engine_rate() -> None:
    cluster = aurora()
    priced(
        member(cluster, instanceClass="db.r6g.large", engine="aurora-postgresql"),
        fixed("db.r6g.large hours", HOURS, "h", 0.26),
        others=[cluster],
    )


def test_a_provisioned_instance_without_its_cluster_in_the_stack_is_not_io_optimized() -> None:
    priced(
        member(None, instanceClass="db.r6g.large", engine="aurora-mysql"), fixed("db.r6g.large hours", HOURS, "h", 0.26)
    )


def test_a_provisioned_instance_of_an_io_optimized_cluster_pays_30_percent_more() -> None:
    cluster = aurora(storageType="aurora-iopt1")
    priced(
        member(cluster, instanceClass="db.r6g.large", engine="aurora-postgresql"),
        fixed("db.r6g.large hours (I/O-Optimized +30 %)", HOURS, "h", 0.26 * 1.3),
        others=[cluster],
    )


def test_a_provisioned_instance_without_an_engine_takes_its_clusters() -> None:
    cluster = aurora()  # aurora-postgresql: db.r7g.xlarge has a PostgreSQL price only
    priced(
        member(cluster, instanceClass="db.r7g.xlarge"),
        fixed("db.r7g.xlarge hours", HOURS, "h", 0.552),
        others=[cluster],
    )


# -- RDS instances, caches, tables -----------------------------------------------------------------------
RDS = "aws:rds/instance:Instance"
BACKUP = used("backup storage beyond the free allowance", 0, "GB-month", 0.095, "default rds.backupGb = 0")


def test_a_single_az_instance_pays_its_class_and_20_gb_of_gp2_by_default() -> None:
    priced(
        item(RDS, engine="postgres", instanceClass="db.t3.micro"),
        fixed("db.t3.micro hours", HOURS, "h", 0.018),
        fixed("gp2 storage", 20, "GB-month", 0.115),
        BACKUP,
    )


def test_a_multi_az_instance_pays_twice_and_says_so() -> None:
    priced(
        item(RDS, engine="postgres", instanceClass="db.t3.micro", multiAz=True, storageType="gp3", allocatedStorage=50),
        fixed("db.t3.micro Multi-AZ hours", 2 * HOURS, "h", 0.018),
        fixed("gp3 storage Multi-AZ", 100, "GB-month", 0.115),
        BACKUP,
    )


def test_provisioned_iops_are_billed_on_io_storage_only() -> None:
    priced(
        item(RDS, engine="mysql", instanceClass="db.t3.small", storageType="io1", allocatedStorage=100, iops=1000),
        fixed("db.t3.small hours", HOURS, "h", 0.034),
        fixed("io1 storage", 100, "GB-month", 0.125),
        fixed("provisioned IOPS", 1000, "IOPS-month", 0.1),
        BACKUP,
    )
    priced(
        item(RDS, engine="mysql", instanceClass="db.t3.small", storageType="gp3", allocatedStorage=100, iops=3000),
        fixed("db.t3.small hours", HOURS, "h", 0.034),
        fixed("gp3 storage", 100, "GB-month", 0.115),
        BACKUP,
    )


CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"


@pytest.mark.parametrize(
    ("props", "nodes"),
    [
        ({"numNodeGroups": 2.0, "replicasPerNodeGroup": 1.0}, 4),
        ({"numNodeGroups": 2.0}, 2),
        ({"numCacheClusters": 3.0}, 3),
        ({}, 1),
    ],
    ids=["shards-with-replicas", "shards-alone", "cache-clusters", "nothing-said"],
)
def test_a_replication_group_pays_every_node(props: dict[str, Any], nodes: int) -> None:
    priced(
        item(CACHE, nodeType="cache.t4g.small", **props),
        fixed(f"{nodes} x cache.t4g.small node hours", nodes * HOURS, "node-h", 0.032),
    )


def test_valkey_nodes_pay_the_valkey_discount() -> None:
    priced(
        item(CACHE, nodeType="cache.t4g.small", engine="valkey"),
        fixed("1 x cache.t4g.small node hours", HOURS, "node-h", 0.032 * 0.8),
    )


def test_a_standalone_cache_cluster_pays_its_nodes() -> None:
    priced(
        item("aws:elasticache/cluster:Cluster", nodeType="cache.t3.micro", numCacheNodes=2.0),
        fixed("2 x cache.t3.micro node hours", 2 * HOURS, "node-h", 0.017),
    )


@pytest.mark.parametrize("node_type", [None, "cache.t4g.small"], ids=["as-declared", "as-read-after-create"])
def test_a_member_of_a_replication_group_is_priced_on_the_group_not_twice(node_type: str | None) -> None:
    # The provider's output nodeType is always set: a member reads the group's node type after create.
    member_cluster = item("aws:elasticache/cluster:Cluster", replicationGroupId="sessions", nodeType=node_type)
    assert free(member_cluster) == "a member of a replication group, priced there"


@pytest.mark.parametrize(("engine", "gb", "ecpu"), [(None, 0.125, 0.0034), ("valkey", 0.084, 0.0023)])
def test_a_serverless_cache_pays_storage_by_the_hour_and_ecpus(engine: str | None, gb: float, ecpu: float) -> None:
    priced(
        item("aws:elasticache/serverlessCache:ServerlessCache", engine=engine),
        used("data stored", HOURS, "GB-h", gb, "default elasticache.storageGb = 1"),
        used("ElastiCache processing units", 100, "million ECPU", ecpu, "default elasticache.ecpuMillions = 100"),
    )


TABLE = "aws:dynamodb/table:Table"
STORAGE = used("storage", 1, "GB-month", 0.25, "default dynamodb.storageGb = 1")


def test_an_on_demand_table_pays_writes_for_itself_and_each_index() -> None:
    priced(
        item(TABLE, globalSecondaryIndexes=[{"name": "a"}, {"name": "b"}]),
        used("write requests (table + 2 index(es))", 3, "million", 0.625, "default dynamodb.writeMillions = 1"),
        used("read requests", 5, "million", 0.125, "default dynamodb.readMillions = 5"),
        STORAGE,
    )
    priced(
        item(TABLE),
        used("write requests (table + 0 index(es))", 1, "million", 0.625, "default dynamodb.writeMillions = 1"),
        used("read requests", 5, "million", 0.125, "default dynamodb.readMillions = 5"),
        STORAGE,
    )


def test_a_provisioned_table_pays_its_and_its_indexes_capacity_and_pitr_its_storage() -> None:
    priced(
        item(
            TABLE,
            billingMode="PROVISIONED",
            readCapacity=5.0,
            writeCapacity=5.0,
            globalSecondaryIndexes=[{"readCapacity": 2.0, "writeCapacity": 1.0}],
            pointInTimeRecovery={"enabled": True},
        ),
        fixed("provisioned write capacity", 6 * HOURS, "WCU-h", 0.00065),
        fixed("provisioned read capacity", 7 * HOURS, "RCU-h", 0.00013),
        STORAGE,
        used("point-in-time recovery", 1, "GB-month", 0.2, "default dynamodb.storageGb = 1"),
    )


# -- storage ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"])
def test_a_bucket_pays_standard_storage_and_requests(token: str) -> None:
    priced(
        item(token),
        used("Standard storage", 10, "GB-month", 0.023, "default s3.storageGb = 10"),
        used("PUT/POST/LIST requests", 100, "x 1k requests", 0.005, "default s3.putThousands = 100"),
        used("GET requests", 1000, "x 1k requests", 0.0004, "default s3.getThousands = 1000"),
    )


def test_file_systems_repositories_and_backup_plans_pay_their_storage() -> None:
    priced(
        item("aws:efs/fileSystem:FileSystem"),
        used("Standard storage", 10, "GB-month", 0.3, "default fileSystem.storageGb = 10"),
    )
    priced(
        item("aws:ecr/repository:Repository"),
        used("image storage", 1, "GB-month", 0.1, "default repository.storageGb = 1"),
    )
    priced(
        item("aws:backup/plan:Plan"),
        used("warm backup storage", 50, "GB-month", 0.05, "default backup.storageGb = 50"),
    )


# -- observability ------------------------------------------------------------------------------------
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.mark.parametrize(("period", "high"), [(60.0, False), (300.0, False), (None, False), (59.0, True), (10.0, True)])
def test_an_alarm_on_a_period_under_60_seconds_is_high_resolution(period: float | None, high: bool) -> None:
    what, price = ("alarm metric (high resolution)", 0.3) if high else ("alarm metric", 0.1)
    priced(item(ALARM, period=period), fixed(what, 1, "metric-month", price))


def metric(name: str, period: float = 60.0) -> dict[str, Any]:
    return {"id": name, "metric": {"metricName": name, "period": period, "stat": "Sum"}}


def test_a_metric_math_alarm_pays_one_alarm_metric_per_metric_it_queries() -> None:
    queries = [metric("m1"), metric("m2"), {"id": "e1", "expression": "m1 + m2", "returnData": True}]
    priced(item(ALARM, metricQueries=queries), fixed("metric math alarm, 2 alarm metric(s)", 2, "metric-month", 0.1))


def test_a_metric_math_alarm_on_a_high_resolution_metric_is_high_resolution() -> None:
    queries = [metric("m1", 10.0), {"id": "e1", "expression": "m1 * 2", "returnData": True}]
    priced(
        item(ALARM, metricQueries=queries),
        fixed("metric math alarm, 1 alarm metric(s) (high resolution)", 1, "metric-month", 0.3),
    )


def test_an_anomaly_detection_alarm_pays_three_alarm_metrics_per_metric() -> None:
    queries = [metric("m1"), {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "returnData": True}]
    priced(
        item(ALARM, metricQueries=queries),
        fixed("anomaly detection alarm, 3 alarm metric(s)", 3, "metric-month", 0.1),
    )


def test_composite_alarms_and_dashboards_have_a_monthly_price() -> None:
    priced(item("aws:cloudwatch/compositeAlarm:CompositeAlarm"), fixed("composite alarm", 1, "month", 0.5))
    priced(item("aws:cloudwatch/dashboard:Dashboard"), fixed("dashboard", 1, "month", 3.0))


LOGS = "aws:cloudwatch/logGroup:LogGroup"
INGEST = "default logs.ingestGb = 5"


@pytest.mark.parametrize(
    ("retention", "months"),
    [(30.0, 1.0), (365.0, 365 / 30), (None, 12.0), (0.0, 12.0)],
    ids=["a-month", "a-year", "never-expires", "zero-is-never"],
)
def test_a_log_group_stores_what_it_keeps_compressed(retention: float | None, months: float) -> None:
    priced(
        item(LOGS, retentionInDays=retention),
        used("ingestion", 5, "GB", 0.5, INGEST),
        used(f"storage: {months:g} months kept, 0.15 compressed", 5 * months * 0.15, "GB-month", 0.03, INGEST),
    )


def test_an_infrequent_access_log_group_pays_the_lower_ingestion_rate() -> None:
    priced(
        item(LOGS, retentionInDays=30.0, logGroupClass="INFREQUENT_ACCESS"),
        used("ingestion (Infrequent Access)", 5, "GB", 0.25, INGEST),
        used("storage: 1 months kept, 0.15 compressed", 0.75, "GB-month", 0.03, INGEST),
    )


CANARY = "aws:synthetics/canary:Canary"


@pytest.mark.parametrize(
    ("expression", "runs"),
    [("rate(5 minutes)", HOURS * 12), ("rate(1 minute)", HOURS * 60), ("rate(1 hour)", HOURS), ("rate(2 hours)", 365)],
)
def test_a_rate_scheduled_canary_pays_every_run_of_the_month(expression: str, runs: float) -> None:
    priced(item(CANARY, schedule={"expression": expression}), fixed(f"runs at {expression}", runs, "run", 0.0012))


def test_a_canary_at_rate_zero_runs_once() -> None:
    priced(item(CANARY, schedule={"expression": "rate(0 minutes)"}), fixed("one run", 1, "run", 0.0012))


def test_a_cron_scheduled_canary_pays_the_assumed_runs() -> None:
    priced(
        item(CANARY, schedule={"expression": "cron(0 * * * ? *)"}),
        used("runs at cron(0 * * * ? *)", 720, "run", 0.0012, "default canary.cronRunsPerMonth = 720"),
    )


# -- edge and security --------------------------------------------------------------------------------
ACL = "aws:wafv2/webAcl:WebAcl"
INSPECTED = used("requests inspected", 10, "million", 0.6, "default waf.requestsMillions = 10")


def test_a_web_acl_pays_itself_each_rule_and_the_requests_it_inspects() -> None:
    priced(
        item(ACL, rules=[{"name": "a"}, {"name": "b"}, {"name": "c"}]),
        fixed("web ACL", 1, "month", 5.0),
        fixed("3 rule(s) (a managed rule group counts as one)", 3, "rule-month", 1.0),
        INSPECTED,
    )


def test_a_web_acl_counts_the_rules_of_its_rule_json() -> None:
    priced(
        item(ACL, ruleJson='[{"name": "a"}, {"name": "b"}]'),
        fixed("web ACL", 1, "month", 5.0),
        fixed("2 rule(s) (a managed rule group counts as one)", 2, "rule-month", 1.0),
        INSPECTED,
    )


@pytest.mark.parametrize(
    "props", [{}, {"ruleJson": ""}, {"ruleJson": '{"name": "a"}'}], ids=["none", "empty", "object"]
)
def test_a_web_acl_without_rules_pays_no_rule(props: dict[str, Any]) -> None:
    priced(item(ACL, **props), fixed("web ACL", 1, "month", 5.0), INSPECTED)


def test_rule_groups_keys_and_secrets_have_a_monthly_price_and_request_charges() -> None:
    priced(item("aws:wafv2/ruleGroup:RuleGroup"), fixed("rule group", 1, "month", 1.0))
    for token in ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"):
        priced(
            item(token),
            fixed("customer managed key", 1, "key-month", 1.0),
            used("API requests", 10, "x 10k requests", 0.03, "default kms.requestsThousands = 100"),
        )
    priced(
        item("aws:secretsmanager/secret:Secret"),
        fixed("secret", 1, "secret-month", 0.4),
        used("API calls", 1, "x 10k calls", 0.05, "default secret.apiCallsThousands = 10"),
    )


def test_a_distribution_pays_data_out_and_https_requests() -> None:
    priced(
        item("aws:cloudfront/distribution:Distribution"),
        used("data transfer out", 50, "GB", 0.085, "default cloudfront.dataOutGb = 50"),
        used("HTTPS requests", 100, "x 10k requests", 0.01, "default cloudfront.httpsRequestsMillions = 1"),
    )


def test_http_websocket_and_rest_apis_pay_their_own_request_rates() -> None:
    requests = "default api.requestsMillions = 1"
    priced(item("aws:apigatewayv2/api:Api"), used("HTTP API requests", 1, "million", 1.0, requests))
    priced(
        item("aws:apigatewayv2/api:Api", protocolType="WEBSOCKET"),
        used("WebSocket messages", 1, "million", 1.0, requests),
        used("connection minutes", 1, "million", 0.25, "default api.connectionMinutesMillions = 1"),
    )
    priced(item("aws:apigateway/restApi:RestApi"), used("REST API requests", 1, "million", 3.5, requests))


@pytest.mark.parametrize(("standby", "ocus"), [("DISABLED", 1), ("ENABLED", 2), (None, 2)])
def test_a_collection_pays_its_minimum_ocus_one_without_standby_replicas(standby: str | None, ocus: int) -> None:
    priced(
        item("aws:opensearch/serverlessCollection:ServerlessCollection", standbyReplicas=standby),
        used(
            "OpenSearch compute units (counted per collection; collections sharing a KMS key share them)",
            ocus * HOURS,
            "OCU-h",
            0.24,
            f"default collection.ocus = {ocus}",
        ),
        used("storage", 10, "GB-month", 0.024, "default collection.storageGb = 10"),
    )


# -- messaging and DNS --------------------------------------------------------------------------------
def test_queues_topics_and_buses_pay_per_million() -> None:
    priced(item("aws:sqs/queue:Queue"), used("requests", 1, "million", 0.4, "default queue.requestsMillions = 1"))
    priced(item("aws:sns/topic:Topic"), used("publishes", 0.1, "million", 0.5, "default topic.publishesMillions = 0.1"))
    priced(
        item("aws:cloudwatch/eventBus:EventBus"),
        used("custom events", 1, "million", 1.0, "default eventBus.eventsMillions = 1"),
    )


def test_a_hosted_zone_has_a_monthly_price() -> None:
    priced(item("aws:route53/zone:Zone"), fixed("hosted zone", 1, "month", 0.5))


HEALTH = "aws:route53/healthCheck:HealthCheck"


@pytest.mark.parametrize(
    ("props", "features"),
    [
        ({"type": "HTTP", "requestInterval": 30.0}, 0),
        ({}, 0),
        ({"type": "HTTPS"}, 1),
        ({"type": "HTTP_STR_MATCH"}, 1),
        ({"type": "HTTP", "requestInterval": 10.0}, 1),
        ({"type": "HTTP", "measureLatency": True}, 1),
        ({"type": "HTTPS_STR_MATCH", "requestInterval": 10.0, "measureLatency": True}, 4),
    ],
)
def test_a_health_check_pays_each_optional_feature_it_uses(props: dict[str, Any], features: int) -> None:
    extra = [fixed("health check optional features", features, "feature-month", 1.0)] if features else []
    priced(item(HEALTH, **props), fixed("health check (AWS endpoint)", 1, "month", 0.5), *extra)


# -- free ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("aws:iam/role:Role", "IAM is free"),
        (
            "aws:appautoscaling/policy:Policy",
            "Application Auto Scaling is free (the capacity it adds is priced on the service)",
        ),
        ("aws:acm/certificate:Certificate", "public ACM certificates are free"),
    ],
)
def test_whole_modules_aws_does_not_bill_are_free(token: str, reason: str) -> None:
    assert free(item(token)) == reason


def test_a_free_module_name_under_another_provider_is_not_free() -> None:
    assert missing(item("gcp:iam/role:Role")) == "type not in the price table (nor listed as free)"


FREE_BY_DECISION = [
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:lb/listenerCertificate:ListenerCertificate",
    "aws:kms/alias:Alias",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:route53/record:Record",
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
    "aws:rds/globalCluster:GlobalCluster",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:sqs/redrivePolicy:RedrivePolicy",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    "aws:cloudwatch/queryDefinition:QueryDefinition",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "random:index/randomPassword:RandomPassword",
    "aws:apigateway/apiKey:ApiKey",
    "aws:apigateway/usagePlan:UsagePlan",
    "aws:apigateway/usagePlanKey:UsagePlanKey",
    "aws:apigateway/methodSettings:MethodSettings",
    "aws:apigateway/domainName:DomainName",
    "aws:apigateway/basePathMapping:BasePathMapping",
    "aws:apigateway/vpcLink:VpcLink",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logDelivery:LogDelivery",
    "aws:elasticache/user:User",
    "aws:elasticache/userGroup:UserGroup",
    "aws:scheduler/scheduleGroup:ScheduleGroup",
    "aws:scheduler/schedule:Schedule",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:lambda/permission:Permission",
    "aws:lambda/eventSourceMapping:EventSourceMapping",
    "aws:lambda/alias:Alias",
    "aws:apigatewayv2/stage:Stage",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/route:Route",
    "aws:apigateway/deployment:Deployment",
    "aws:apigateway/stage:Stage",
    "aws:backup/vault:Vault",
    "aws:backup/selection:Selection",
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy",
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/cachePolicy:CachePolicy",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:efs/mountTarget:MountTarget",
    "aws:efs/accessPoint:AccessPoint",
]
"""Types the platform creates that AWS does not bill by themselves (what they drive is priced on another
resource), written out here so that dropping one from the estimator's list shows as a failure, not a gap."""


def test_every_type_aws_does_not_bill_is_free_with_a_reason_not_missing() -> None:
    result = estimate(*(item(token, f"r{n}") for n, token in enumerate(FREE_BY_DECISION)))
    assert result.missing == [] and result.lines == []
    assert len(result.free) == len(FREE_BY_DECISION) and all(result.free.values())
