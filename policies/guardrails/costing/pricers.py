"""How each priced resource type is billed, from its recorded properties, the price table and the usage.

`PRICERS` maps a type token to (usage kind, pricer); `FREE_TYPES` and `FREE_MODULES` list what AWS does not
bill at all, each with the reason. A created AWS type in neither is reported as missing from the table,
never counted as zero. Defaults and simplifications, each stated where it is priced:

- Fargate: tasks = the service's desiredCount (its autoscaling floor); a capacity provider strategy's `base`
  tasks go to its provider and the rest split by weight; ARM64 and Spot at their own rates; ephemeral storage
  above the free 20 GiB.
- Aurora: serverless v2 instances at ACU-hours (the cluster's minimum capacity, at least 0.5, always on unless
  the minimum is 0); provisioned instances by class and engine (+30 % on I/O-Optimized); the cluster's storage
  and I/O (none with I/O-Optimized).
- CloudWatch alarms: one alarm metric each; metric-math alarms one per metric they query; anomaly detection
  three per metric (the metric and its band's two bounds); high resolution (period < 60 s) at its own rate.
- No free tier anywhere: it is per account, shared by every stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .model import Item, MissingPrice, Quote, number

Pricer = Callable[[Quote], None]


def _sequence(value: Any) -> bool:
    """A list, or the policy SDK's read-only list proxy; not a string."""
    return isinstance(value, Sequence) and not isinstance(value, str)


# -- network ------------------------------------------------------------------------------------------
def nat_gateway(q: Quote) -> None:
    q.fixed("NAT gateway hours", q.hours, "h", q.price("natGateway", "hour"))
    q.usage_line("data processed", q.figure("processedGb"), "GB", q.price("natGateway", "gbProcessed"))


def elastic_ip(q: Quote) -> None:
    q.fixed("public IPv4 address hours", q.hours, "h", q.price("publicIpv4", "hour"))


def vpc_endpoint(q: Quote) -> None:
    kind = q.get("vpcEndpointType") or "Gateway"
    if kind == "Gateway":
        q.free("gateway endpoints (S3, DynamoDB) have no hourly or data charge")
        return
    if kind != "Interface":
        raise MissingPrice(f"no price for {kind} VPC endpoints in the price table")
    subnets = q.get("subnetIds")
    zones = len(subnets) if _sequence(subnets) and len(subnets) else 1
    q.fixed(f"endpoint hours in {zones} AZ(s)", q.hours * zones, "AZ-h", q.price("interfaceEndpoint", "azHour"))
    q.usage_line("data processed", q.figure("processedGb"), "GB", q.price("interfaceEndpoint", "gbProcessed"))


def serverless_vpc_endpoint(q: Quote) -> None:
    """An OpenSearch Serverless VPC endpoint is an AWS PrivateLink interface endpoint that OpenSearch manages (one
    network interface per subnet): billed at the interface endpoint's rates per AZ-hour and GB processed, not in
    OCUs (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-vpc.html)."""
    subnets = q.get("subnetIds")
    zones = len(subnets) if _sequence(subnets) and len(subnets) else 1
    q.fixed(f"endpoint hours in {zones} AZ(s)", q.hours * zones, "AZ-h", q.price("interfaceEndpoint", "azHour"))
    q.usage_line("data processed", q.figure("processedGb"), "GB", q.price("interfaceEndpoint", "gbProcessed"))


def load_balancer(q: Quote) -> None:
    kind = q.get("loadBalancerType") or "application"
    table = {
        "application": ("applicationLoadBalancer", "lcuHour", "LCU-h"),
        "network": ("networkLoadBalancer", "nlcuHour", "NLCU-h"),
    }.get(kind)
    if table is None:
        raise MissingPrice(f"no price for {kind} load balancers in the price table")
    section, capacity, unit = table
    q.fixed("load balancer hours", q.hours, "h", q.price(section, "hour"))
    q.usage_line("capacity units", q.figure("lcu"), unit, q.price(section, capacity), scale=q.hours)


# -- compute ------------------------------------------------------------------------------------------
def _task_split(q: Quote, tasks: float) -> dict[str, float]:
    """Tasks per capacity provider: `base` first, the rest by weight; launch type FARGATE when no strategy."""
    strategies = q.get("capacityProviderStrategies") or []
    if not strategies:
        return {"FARGATE": tasks}
    split: dict[str, float] = {}
    remaining = tasks
    for strategy in strategies:
        base = min(number(strategy.get("base")) or 0.0, remaining)
        if base:
            provider = str(strategy.get("capacityProvider"))
            split[provider] = split.get(provider, 0.0) + base
            remaining -= base
    total_weight = sum(number(s.get("weight")) or 0.0 for s in strategies)
    for strategy in strategies:
        weight = number(strategy.get("weight")) or 0.0
        if remaining and total_weight:
            provider = str(strategy.get("capacityProvider"))
            split[provider] = split.get(provider, 0.0) + remaining * weight / total_weight
    return split


def _task_definition(q: Quote) -> Item:
    related = q.related("taskDefinition")
    if related is not None:
        return related
    arn = q.get("taskDefinition")
    for item in q.index.values():
        if item.type == "aws:ecs/taskDefinition:TaskDefinition" and arn in (
            item.props.get("arn"),
            item.props.get("family"),
        ):
            return item
    raise MissingPrice("its task definition is not among the stack's resources, so its size is not known")


def ecs_service(q: Quote) -> None:
    launch = q.get("launchType")
    if launch in ("EC2", "EXTERNAL"):
        q.free(f"launch type {launch}: the instances it runs on are priced, not the service")
        return
    task = _task_definition(q)
    sub = Quote(task, q.table, q.usage, q.kind, q.index)
    vcpu = (sub.number("cpu") or 0.0) / 1024
    memory_gb = (sub.number("memory") or 0.0) / 1024
    architecture = sub.get("runtimePlatform.cpuArchitecture") or "X86_64"
    extra_storage = max((sub.number("ephemeralStorage.sizeInGib") or 20.0) - 20.0, 0.0)
    tasks = q.figure("tasks", fallback=q.number("desiredCount", 1.0))
    if not tasks.value:  # scales from zero: priced at nothing, visibly, with the assumption that says so
        q.usage_line(f"no running task ({vcpu:g} vCPU, {memory_gb:g} GB each)", tasks, "task", 0.0)
        return
    for provider, count in sorted(_task_split(q, tasks.value).items()):
        if not count:
            continue
        rates = ("fargate", "spot") if provider == "FARGATE_SPOT" else ("fargate", str(architecture))
        if provider not in ("FARGATE", "FARGATE_SPOT"):
            raise MissingPrice(f"capacity provider {provider} is not Fargate: no price in the table")
        label = "Spot" if provider == "FARGATE_SPOT" else str(architecture)
        share = count / tasks.value if tasks.value else 0.0
        q.usage_line(
            f"{count:g} task(s) x {vcpu:g} vCPU, {label}",
            tasks,
            "vCPU-h",
            q.price(*rates, "vcpuHour"),
            scale=share * vcpu * q.hours,
        )
        q.usage_line(
            f"{count:g} task(s) x {memory_gb:g} GB, {label}",
            tasks,
            "GB-h",
            q.price(*rates, "gbHour"),
            scale=share * memory_gb * q.hours,
        )
        if extra_storage:
            q.usage_line(
                f"{count:g} task(s) x {extra_storage:g} GiB storage above 20",
                tasks,
                "GB-h",
                q.price("fargate", "ephemeralStorageGbHour"),
                scale=share * extra_storage * q.hours,
            )


def ecs_cluster(q: Quote) -> None:
    settings = q.get("settings") or []
    insights = next((s.get("value") for s in settings if s.get("name") == "containerInsights"), "disabled")
    if insights not in ("enabled", "enhanced"):
        q.free("an ECS cluster itself is free; Container Insights is off")
        return
    q.usage_line(
        "Container Insights metrics", q.figure("metrics"), "metric-month", q.price("cloudwatch", "customMetricMonth")
    )
    q.usage_line(
        "Container Insights performance logs", q.figure("ingestGb"), "GB", q.price("cloudwatch", "logsIngestGb")
    )


def lambda_function(q: Quote) -> None:
    architectures = q.get("architectures") or ["x86_64"]
    architecture = str(architectures[0]) if _sequence(architectures) and len(architectures) else "x86_64"
    memory_gb = (q.number("memorySize", 128.0) or 128.0) / 1024
    requests = q.figure("requestsMillions")
    duration = q.figure("durationMs")
    q.usage_line("requests", requests, "million", q.price("lambda", "requestsPerMillion"))
    q.usage_line(
        f"compute at {memory_gb * 1024:g} MB, {duration.value:g} ms ({duration.source})",
        requests,
        "GB-s",
        q.price("lambda", "gbSecond", architecture),
        scale=1e6 * duration.value / 1000 * memory_gb,
    )


def ec2_instance(q: Quote) -> None:
    instance_type = str(q.get("instanceType"))
    q.fixed(f"{instance_type} hours", q.hours, "h", q.price("ec2", "instanceHour", instance_type))
    size = q.number("rootBlockDevice.volumeSize", 8.0) or 8.0
    q.fixed("root volume (gp3)", size, "GB-month", q.price("ec2", "gp3GbMonth"))


# -- databases and caches ------------------------------------------------------------------------------
def _io_optimized(cluster: Item | None) -> bool:
    return cluster is not None and cluster.props.get("storageType") == "aurora-iopt1"


def rds_cluster(q: Quote) -> None:
    engine = str(q.get("engine") or "")
    if not engine.startswith("aurora"):
        raise MissingPrice(f"no price for Multi-AZ DB clusters of engine {engine!r} in the price table")
    storage = q.figure("storageGb")
    if _io_optimized(q.item):
        q.usage_line("storage (I/O-Optimized)", storage, "GB-month", q.price("aurora", "ioOptimizedStorageGbMonth"))
        return
    q.usage_line("storage", storage, "GB-month", q.price("aurora", "storageGbMonth"))
    q.usage_line("I/O requests", q.figure("ioMillions"), "million", q.price("aurora", "ioPerMillion"))


def _cluster_of(q: Quote) -> Item | None:
    related = q.related("clusterIdentifier")
    if related is not None:
        return related
    name = q.get("clusterIdentifier")
    return next(
        (
            i
            for i in q.index.values()
            if i.type == "aws:rds/cluster:Cluster" and i.props.get("clusterIdentifier") == name
        ),
        None,
    )


def rds_cluster_instance(q: Quote) -> None:
    instance_class = str(q.get("instanceClass"))
    cluster = _cluster_of(q)
    optimized = _io_optimized(cluster)
    if instance_class == "db.serverless":
        minimum = (
            number(
                (cluster.props.get("serverlessv2ScalingConfiguration") or {}).get("minCapacity")
                if cluster is not None
                else None
            )
            or 0.0
        )
        acu = q.figure("averageAcu", fallback=max(minimum, 0.5))
        hours = q.figure("activeHours", fallback=q.hours if minimum > 0 else 176.0)
        rate = q.price("aurora", "ioOptimizedAcuHour" if optimized else "acuHour")
        q.usage_line(
            f"serverless v2 capacity, {acu.value:g} ACU ({acu.source}) x hours", hours, "ACU-h", rate, scale=acu.value
        )
        return
    engine = str(q.get("engine") or (cluster.props.get("engine") if cluster else "") or "")
    rate = q.price("aurora", "instanceHour", engine, instance_class) * (1.3 if optimized else 1.0)
    q.fixed(f"{instance_class} hours" + (" (I/O-Optimized +30 %)" if optimized else ""), q.hours, "h", rate)


def rds_instance(q: Quote) -> None:
    engine, instance_class = str(q.get("engine")), str(q.get("instanceClass"))
    factor = q.price("rds", "multiAzFactor") if q.get("multiAz") is True else 1.0
    label = " Multi-AZ" if factor > 1 else ""
    q.fixed(
        f"{instance_class}{label} hours", q.hours * factor, "h", q.price("rds", "instanceHour", engine, instance_class)
    )
    storage_type = str(q.get("storageType") or "gp2")
    size = q.number("allocatedStorage", 20.0) or 20.0
    q.fixed(f"{storage_type} storage{label}", size * factor, "GB-month", q.price("rds", "storageGbMonth", storage_type))
    iops = q.number("iops")
    if iops and storage_type in ("io1", "io2"):
        q.fixed(
            f"provisioned IOPS{label}",
            iops * factor,
            "IOPS-month",
            q.price("rds", "provisionedIopsMonth", storage_type),
        )
    q.usage_line(
        "backup storage beyond the free allowance", q.figure("backupGb"), "GB-month", q.price("rds", "backupGbMonth")
    )


def _node_rate(q: Quote, node_type: str) -> float:
    rate = q.price("elasticache", "nodeHour", node_type)
    return rate * q.price("elasticache", "valkeyNodeFactor") if q.get("engine") == "valkey" else rate


def elasticache_replication_group(q: Quote) -> None:
    node_type = str(q.get("nodeType"))
    groups = q.number("numNodeGroups")
    replicas = q.number("replicasPerNodeGroup", 0.0) or 0.0
    nodes = (groups * (replicas + 1) if groups else q.number("numCacheClusters", 1.0)) or 1.0
    q.fixed(f"{nodes:g} x {node_type} node hours", q.hours * nodes, "node-h", _node_rate(q, node_type))


def elasticache_cluster(q: Quote) -> None:
    if q.get("replicationGroupId"):  # after create the provider reports the group's nodeType on a member too
        q.free("a member of a replication group, priced there")
        return
    node_type = q.get("nodeType")
    nodes = q.number("numCacheNodes", 1.0) or 1.0
    q.fixed(f"{nodes:g} x {node_type} node hours", q.hours * nodes, "node-h", _node_rate(q, str(node_type)))


def elasticache_serverless(q: Quote) -> None:
    engine = str(q.get("engine") or "redis")
    q.usage_line(
        "data stored",
        q.figure("storageGb"),
        "GB-h",
        q.price("elasticache", "serverless", engine, "gbHour"),
        scale=q.hours,
    )
    q.usage_line(
        "ElastiCache processing units",
        q.figure("ecpuMillions"),
        "million ECPU",
        q.price("elasticache", "serverless", engine, "ecpuPerMillion"),
    )


def dynamodb_table(q: Quote) -> None:
    indexes = q.get("globalSecondaryIndexes") or []
    copies = 1 + (len(indexes) if _sequence(indexes) else 0)
    if q.get("billingMode") == "PROVISIONED":
        reads = (q.number("readCapacity", 0.0) or 0.0) + sum(number(i.get("readCapacity")) or 0.0 for i in indexes)
        writes = (q.number("writeCapacity", 0.0) or 0.0) + sum(number(i.get("writeCapacity")) or 0.0 for i in indexes)
        q.fixed("provisioned write capacity", writes * q.hours, "WCU-h", q.price("dynamodb", "wcuHour"))
        q.fixed("provisioned read capacity", reads * q.hours, "RCU-h", q.price("dynamodb", "rcuHour"))
    else:
        q.usage_line(
            f"write requests (table + {copies - 1} index(es))",
            q.figure("writeMillions"),
            "million",
            q.price("dynamodb", "writeRequestPerMillion"),
            scale=copies,
        )
        q.usage_line("read requests", q.figure("readMillions"), "million", q.price("dynamodb", "readRequestPerMillion"))
    storage = q.figure("storageGb")
    q.usage_line("storage", storage, "GB-month", q.price("dynamodb", "storageGbMonth"))
    if q.get("pointInTimeRecovery.enabled") is True:
        q.usage_line("point-in-time recovery", storage, "GB-month", q.price("dynamodb", "pitrGbMonth"))


# -- storage ------------------------------------------------------------------------------------------
def s3_bucket(q: Quote) -> None:
    q.usage_line("Standard storage", q.figure("storageGb"), "GB-month", q.price("s3", "standardGbMonth"))
    q.usage_line("PUT/POST/LIST requests", q.figure("putThousands"), "x 1k requests", q.price("s3", "putPer1000"))
    q.usage_line("GET requests", q.figure("getThousands"), "x 1k requests", q.price("s3", "getPer1000"))


def efs_file_system(q: Quote) -> None:
    q.usage_line("Standard storage", q.figure("storageGb"), "GB-month", q.price("efs", "standardGbMonth"))


def ecr_repository(q: Quote) -> None:
    q.usage_line("image storage", q.figure("storageGb"), "GB-month", q.price("ecr", "storageGbMonth"))


def backup_plan(q: Quote) -> None:
    q.usage_line("warm backup storage", q.figure("storageGb"), "GB-month", q.price("backup", "warmStorageGbMonth"))


# -- observability ------------------------------------------------------------------------------------
def _high_resolution(period: float | None) -> bool:
    return period is not None and period < 60


def metric_alarm(q: Quote) -> None:
    queries = q.get("metricQueries") or []
    if queries:
        metrics = [m for m in queries if isinstance(m, Mapping) and m.get("metric")]
        anomaly = any("ANOMALY_DETECTION_BAND" in str(m.get("expression") or "") for m in queries)
        count = len(metrics) * (3 if anomaly else 1)
        high = any(_high_resolution(number((m.get("metric") or {}).get("period"))) for m in metrics)
        what = f"{'anomaly detection' if anomaly else 'metric math'} alarm, {count} alarm metric(s)"
    else:
        count, high, what = 1, _high_resolution(q.number("period")), "alarm metric"
    rate = "highResolutionAlarmMetricMonth" if high else "alarmMetricMonth"
    q.fixed(what + (" (high resolution)" if high else ""), count, "metric-month", q.price("cloudwatch", rate))


def composite_alarm(q: Quote) -> None:
    q.fixed("composite alarm", 1, "month", q.price("cloudwatch", "compositeAlarmMonth"))


def dashboard(q: Quote) -> None:
    q.fixed("dashboard", 1, "month", q.price("cloudwatch", "dashboardMonth"))


def log_group(q: Quote) -> None:
    ingest = q.figure("ingestGb")
    infrequent = q.get("logGroupClass") == "INFREQUENT_ACCESS"
    q.usage_line(
        "ingestion" + (" (Infrequent Access)" if infrequent else ""),
        ingest,
        "GB",
        q.price("cloudwatch", "logsInfrequentAccessIngestGb" if infrequent else "logsIngestGb"),
    )
    retention_days = q.number("retentionInDays") or 0.0
    months = retention_days / 30 if retention_days else q.figure("neverExpireMonths").value
    ratio = q.figure("compressionRatio").value
    q.usage_line(
        f"storage: {months:g} months kept, {ratio:g} compressed",
        ingest,
        "GB-month",
        q.price("cloudwatch", "logsStorageGbMonth"),
        scale=months * ratio,
    )


_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours)\)$")


def canary(q: Quote) -> None:
    expression = str(q.get("schedule.expression") or "")
    match = _RATE.match(expression.strip())
    rate = q.price("synthetics", "canaryRun")
    if match and int(match.group(1)) > 0:
        minutes = int(match.group(1)) * (60 if match.group(2).startswith("hour") else 1)
        q.fixed(f"runs at {expression}", q.hours * 60 / minutes, "run", rate)
    elif match:  # rate(0 minutes): runs once
        q.fixed("one run", 1, "run", rate)
    else:
        q.usage_line(f"runs at {expression}", q.figure("cronRunsPerMonth"), "run", rate)


# -- edge and security --------------------------------------------------------------------------------
def _waf_rules(q: Quote) -> int:
    rules = q.get("rules")
    if _sequence(rules):
        return len(rules)
    text = q.get("ruleJson")
    if isinstance(text, str) and text:
        parsed: Any = json.loads(text)
        return len(parsed) if isinstance(parsed, list) else 0
    return 0


def web_acl(q: Quote) -> None:
    q.fixed("web ACL", 1, "month", q.price("waf", "webAclMonth"))
    rules = _waf_rules(q)
    if rules:
        q.fixed(
            f"{rules} rule(s) (a managed rule group counts as one)", rules, "rule-month", q.price("waf", "ruleMonth")
        )
    q.usage_line("requests inspected", q.figure("requestsMillions"), "million", q.price("waf", "requestsPerMillion"))


def waf_rule_group(q: Quote) -> None:
    q.fixed("rule group", 1, "month", q.price("waf", "ruleGroupMonth"))


def kms_key(q: Quote) -> None:
    q.fixed("customer managed key", 1, "key-month", q.price("kms", "keyMonth"))
    q.usage_line(
        "API requests", q.figure("requestsThousands"), "x 10k requests", q.price("kms", "requestsPer10000"), scale=0.1
    )


def secret(q: Quote) -> None:
    q.fixed("secret", 1, "secret-month", q.price("secretsManager", "secretMonth"))
    q.usage_line(
        "API calls",
        q.figure("apiCallsThousands"),
        "x 10k calls",
        q.price("secretsManager", "apiCallsPer10000"),
        scale=0.1,
    )


def cloudfront_distribution(q: Quote) -> None:
    q.usage_line("data transfer out", q.figure("dataOutGb"), "GB", q.price("cloudfront", "dataOutGb"))
    q.usage_line(
        "HTTPS requests",
        q.figure("httpsRequestsMillions"),
        "x 10k requests",
        q.price("cloudfront", "httpsRequestsPer10000"),
        scale=100,
    )


def http_api(q: Quote) -> None:
    protocol = q.get("protocolType") or "HTTP"
    requests = q.figure("requestsMillions")
    if protocol == "WEBSOCKET":
        q.usage_line("WebSocket messages", requests, "million", q.price("apiGateway", "websocketMessagesPerMillion"))
        q.usage_line(
            "connection minutes",
            q.figure("connectionMinutesMillions"),
            "million",
            q.price("apiGateway", "websocketConnectionMinutesPerMillion"),
        )
        return
    q.usage_line("HTTP API requests", requests, "million", q.price("apiGateway", "httpRequestsPerMillion"))


def rest_api(q: Quote) -> None:
    q.usage_line(
        "REST API requests", q.figure("requestsMillions"), "million", q.price("apiGateway", "restRequestsPerMillion")
    )


def serverless_collection(q: Quote) -> None:
    minimum = 1.0 if q.get("standbyReplicas") == "DISABLED" else 2.0
    ocus = q.figure("ocus", fallback=minimum)
    q.usage_line(
        "OpenSearch compute units (counted per collection; collections sharing a KMS key share them)",
        ocus,
        "OCU-h",
        q.price("opensearchServerless", "ocuHour"),
        scale=q.hours,
    )
    q.usage_line("storage", q.figure("storageGb"), "GB-month", q.price("opensearchServerless", "storageGbMonth"))


# -- messaging and DNS --------------------------------------------------------------------------------
def sqs_queue(q: Quote) -> None:
    q.usage_line("requests", q.figure("requestsMillions"), "million", q.price("sqs", "requestsPerMillion"))


def sns_topic(q: Quote) -> None:
    q.usage_line("publishes", q.figure("publishesMillions"), "million", q.price("sns", "publishesPerMillion"))


def event_bus(q: Quote) -> None:
    q.usage_line(
        "custom events", q.figure("eventsMillions"), "million", q.price("eventbridge", "customEventsPerMillion")
    )


def hosted_zone(q: Quote) -> None:
    q.fixed("hosted zone", 1, "month", q.price("route53", "hostedZoneMonth"))


def health_check(q: Quote) -> None:
    """A health check of an AWS endpoint (an ALB): the basic check plus each optional feature it uses (HTTPS or
    HTTPS_STR_MATCH, string matching, the 10-second interval, latency measurement), each billed monthly."""
    q.fixed("health check (AWS endpoint)", 1, "month", q.price("route53", "awsEndpointHealthCheckMonth"))
    kind = str(q.get("type") or "")
    features = [
        kind.startswith("HTTPS"),
        kind.endswith("STR_MATCH"),
        q.get("requestInterval") in (10, 10.0),
        q.get("measureLatency") is True,
    ]
    if any(features):
        q.fixed(
            "health check optional features",
            sum(features),
            "feature-month",
            q.price("route53", "awsEndpointHealthCheckOptionalFeatureMonth"),
        )


PRICERS: dict[str, tuple[str, Pricer]] = {
    "aws:ec2/natGateway:NatGateway": ("natGateway", nat_gateway),
    "aws:ec2/eip:Eip": ("eip", elastic_ip),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("interfaceEndpoint", vpc_endpoint),
    "aws:lb/loadBalancer:LoadBalancer": ("loadBalancer", load_balancer),
    "aws:alb/loadBalancer:LoadBalancer": ("loadBalancer", load_balancer),
    "aws:ecs/service:Service": ("service", ecs_service),
    "aws:ecs/cluster:Cluster": ("containerInsights", ecs_cluster),
    "aws:lambda/function:Function": ("function", lambda_function),
    "aws:ec2/instance:Instance": ("instance", ec2_instance),
    "aws:rds/cluster:Cluster": ("aurora", rds_cluster),
    "aws:rds/clusterInstance:ClusterInstance": ("aurora", rds_cluster_instance),
    "aws:rds/instance:Instance": ("rds", rds_instance),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("elasticache", elasticache_replication_group),
    "aws:elasticache/cluster:Cluster": ("elasticache", elasticache_cluster),
    "aws:elasticache/serverlessCache:ServerlessCache": ("elasticache", elasticache_serverless),
    "aws:dynamodb/table:Table": ("dynamodb", dynamodb_table),
    "aws:s3/bucket:Bucket": ("s3", s3_bucket),
    "aws:s3/bucketV2:BucketV2": ("s3", s3_bucket),
    "aws:efs/fileSystem:FileSystem": ("fileSystem", efs_file_system),
    "aws:ecr/repository:Repository": ("repository", ecr_repository),
    "aws:backup/plan:Plan": ("backup", backup_plan),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("alarm", metric_alarm),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": ("alarm", composite_alarm),
    "aws:cloudwatch/dashboard:Dashboard": ("dashboard", dashboard),
    "aws:cloudwatch/logGroup:LogGroup": ("logs", log_group),
    "aws:synthetics/canary:Canary": ("canary", canary),
    "aws:wafv2/webAcl:WebAcl": ("waf", web_acl),
    "aws:wafv2/ruleGroup:RuleGroup": ("waf", waf_rule_group),
    "aws:kms/key:Key": ("kms", kms_key),
    "aws:kms/replicaKey:ReplicaKey": ("kms", kms_key),
    "aws:secretsmanager/secret:Secret": ("secret", secret),
    "aws:cloudfront/distribution:Distribution": ("cloudfront", cloudfront_distribution),
    "aws:apigatewayv2/api:Api": ("api", http_api),
    "aws:apigateway/restApi:RestApi": ("api", rest_api),
    "aws:opensearch/serverlessCollection:ServerlessCollection": ("collection", serverless_collection),
    "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint": ("interfaceEndpoint", serverless_vpc_endpoint),
    "aws:sqs/queue:Queue": ("queue", sqs_queue),
    "aws:sns/topic:Topic": ("topic", sns_topic),
    "aws:cloudwatch/eventBus:EventBus": ("eventBus", event_bus),
    "aws:route53/zone:Zone": ("hostedZone", hosted_zone),
    "aws:route53/healthCheck:HealthCheck": ("healthCheck", health_check),
}
"""Type token -> (usage kind: the prefix of its keys in the usage defaults, pricer)."""

FREE_MODULES: dict[str, str] = {
    "iam": "IAM is free",
    "appautoscaling": "Application Auto Scaling is free (the capacity it adds is priced on the service)",
    "acm": "public ACM certificates are free",
}
"""Whole provider modules AWS does not bill (`aws:<module>/...`)."""

FREE_TYPES: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "VPCs are free",
    "aws:ec2/subnet:Subnet": "subnets are free",
    "aws:ec2/routeTable:RouteTable": "route tables are free",
    "aws:ec2/route:Route": "routes are free",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "route table associations are free",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": "route table associations are free",
    "aws:ec2/internetGateway:InternetGateway": "internet gateways are free (data transfer is not estimated)",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "egress-only gateways are free",
    "aws:ec2/securityGroup:SecurityGroup": "security groups are free",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "security groups are free",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "security group rules are free",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security group rules are free",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security group rules are free",
    "aws:ec2/networkAcl:NetworkAcl": "network ACLs are free",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "network ACLs are free",
    "aws:ec2/flowLog:FlowLog": "the flow log itself is free; its log group is priced",
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": "free",
    "aws:ec2/launchTemplate:LaunchTemplate": "launch templates are free",
    "aws:ecs/taskDefinition:TaskDefinition": "free; its tasks are priced on the service that runs them",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "free",
    "aws:lb/listener:Listener": "listeners are included in the load balancer's price",
    "aws:lb/listenerRule:ListenerRule": "rules are included in the load balancer's LCUs",
    "aws:lb/targetGroup:TargetGroup": "target groups are free",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "free",
    "aws:lb/listenerCertificate:ListenerCertificate": "free",
    "aws:kms/alias:Alias": "aliases are free",
    "aws:kms/keyPolicy:KeyPolicy": "free",
    "aws:rds/subnetGroup:SubnetGroup": "free",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "free",
    "aws:rds/parameterGroup:ParameterGroup": "free",
    "aws:elasticache/subnetGroup:SubnetGroup": "free",
    "aws:elasticache/parameterGroup:ParameterGroup": "free",
    "aws:route53/record:Record": "records are free (alias queries to AWS resources too)",
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": (
        "AWS Chatbot (Amazon Q Developer in chat applications) has no charge of its own; the SNS topic is priced"
    ),
    "aws:rds/globalCluster:GlobalCluster": "the global cluster itself is free; its clusters and instances are priced "
    "(replicated write I/O to the secondary region is billed per million and not estimated)",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket settings are free",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket settings are free (noncurrent versions are storage)",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "bucket settings are free",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket settings are free",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "bucket settings are free",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket settings are free",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket settings are free",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "free",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "free",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": "bucket settings are free",
    "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2": "bucket settings are free",
    "aws:s3/bucketLogging:BucketLogging": "bucket settings are free (the logs are storage)",
    "aws:s3/bucketNotification:BucketNotification": "bucket settings are free",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "the rule is free (replicated data is storage)",
    "aws:sns/topicPolicy:TopicPolicy": "free",
    "aws:sns/topicSubscription:TopicSubscription": "free (e-mail and SQS deliveries)",
    "aws:sqs/queuePolicy:QueuePolicy": "free",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "free",
    "aws:sqs/redrivePolicy:RedrivePolicy": "free",
    "aws:cloudwatch/eventRule:EventRule": "rules are free (events are priced on the bus)",
    "aws:cloudwatch/eventTarget:EventTarget": "targets are free",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "free",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "free",
    "aws:cloudwatch/queryDefinition:QueryDefinition": "saved queries are free (running one bills the GB scanned)",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "free",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "free (the logs are priced)",
    "random:index/randomPassword:RandomPassword": "a value generated by Pulumi, no AWS resource",
    "aws:apigateway/apiKey:ApiKey": "API keys are free (requests are priced on the API)",
    "aws:apigateway/usagePlan:UsagePlan": "usage plans are free (requests are priced on the API)",
    "aws:apigateway/usagePlanKey:UsagePlanKey": "usage plan keys are free",
    "aws:apigateway/methodSettings:MethodSettings": "stage method settings are free (logs are priced as logs)",
    "aws:apigateway/domainName:DomainName": "custom domain names are free (the ACM certificate is free too)",
    "aws:apigateway/basePathMapping:BasePathMapping": "base path mappings are free",
    "aws:apigateway/vpcLink:VpcLink": "VPC links have no charge (the NLB behind one is priced)",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "a delivery source is free (the logs are priced)",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "a delivery destination is free",
    "aws:cloudwatch/logDelivery:LogDelivery": "a delivery is free (the vended logs are priced as logs)",
    "aws:elasticache/user:User": "ElastiCache users are free (the replication group is priced)",
    "aws:elasticache/userGroup:UserGroup": "ElastiCache user groups are free (the replication group is priced)",
    "aws:scheduler/scheduleGroup:ScheduleGroup": "schedule groups are free",
    "aws:scheduler/schedule:Schedule": (
        "EventBridge Scheduler: the first 14 million invocations a month are free, "
        "and a platform schedule runs at most a few thousand"
    ),
    "aws:secretsmanager/secretPolicy:SecretPolicy": "free",
    "aws:secretsmanager/secretVersion:SecretVersion": "free",
    "aws:secretsmanager/secretRotation:SecretRotation": "free (its function is priced)",
    "aws:lambda/permission:Permission": "free",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "free",
    "aws:lambda/alias:Alias": "free",
    "aws:apigatewayv2/stage:Stage": "free (requests are priced on the API)",
    "aws:apigatewayv2/integration:Integration": "free",
    "aws:apigatewayv2/route:Route": "free",
    "aws:apigateway/deployment:Deployment": "free",
    "aws:apigateway/stage:Stage": "free (no cache)",
    "aws:backup/vault:Vault": "free (storage is priced on the plan)",
    "aws:backup/selection:Selection": "free",
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy": "free",
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy": "free",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "free",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "free",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "free",
    "aws:cloudfront/cachePolicy:CachePolicy": "free",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "free",
    "aws:efs/mountTarget:MountTarget": "free",
    "aws:efs/accessPoint:AccessPoint": "free",
}
"""Types AWS does not bill, each with the reason (listed so that "free" is a decision, not a gap)."""


JOINED_TYPES = frozenset({"aws:ecs/taskDefinition:TaskDefinition"})
"""Free types whose properties a pricer reads (a service's task size): with `PRICERS`, the only resources
whose properties the estimate decodes."""


def free_reason(token: str) -> str | None:
    if token in FREE_TYPES:
        return FREE_TYPES[token]
    parts = token.split(":")
    if len(parts) == 3 and parts[0] == "aws":
        return FREE_MODULES.get(parts[1].split("/")[0])
    return None


__all__ = ["FREE_MODULES", "FREE_TYPES", "JOINED_TYPES", "PRICERS", "free_reason"]
