"""The observability layer, last: it watches everything above. Canaries probe the load balancer's URL; the
alarm topic, alarms and dashboard (components/observability.py) are fed the narrow outputs of what they watch;
APIs and collections get their alarms and the edge dashboard."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..alarms import (
    CacheMonitor,
    CanaryMonitor,
    DatabaseInstanceMonitor,
    DatabaseMonitor,
    EventTaskMonitor,
    FunctionMonitor,
    LoadBalancerMonitor,
    QueueMonitor,
    ServiceMonitor,
    TableMonitor,
    TaskMonitor,
    WebServiceMonitor,
    WorkerMonitor,
)
from ..api import api_alarms
from ..aws_context import AwsContext
from ..canary import Canaries, CanariesArgs
from ..collection import collection_alarms
from ..config import StackConfig
from ..config.data import PostgresConfig
from ..config.observability import instance_memory_gib, max_connections
from ..database import Database
from ..edge_dashboard import edge_dashboard
from ..log_queries import log_queries
from ..observability import Observability, ObservabilityArgs
from ..private_link import nlb_widgets, private_link_alarms
from ..rds_instance import RdsInstance
from .compute import ComputeLayer
from .data import DataLayer
from .edge import EdgeLayer


@dataclass(frozen=True)
class ObservabilityLayer:
    """The canaries and the alarm topic with the stack dashboard."""

    canaries: Canaries | None
    observability: Observability

    def outputs(self) -> dict[str, pulumi.Input[object]]:
        return {
            "alarmTopicArn": self.observability.topic_arn,
            "dashboardUrl": self.observability.dashboard_url,
        }


def build_observability(
    config: StackConfig,
    context: AwsContext,
    opts: pulumi.ResourceOptions,
    *,
    data: DataLayer,
    edge: EdgeLayer,
    compute: ComputeLayer,
) -> ObservabilityLayer:
    """Canaries (with `platform:canaries` and a load balancer), the alarm topic, alarms and stack dashboard,
    each API's and collection's alarms on that topic, and the edge dashboard (when there is an API, site or
    collection)."""
    canaries = (
        Canaries(
            "canaries",
            CanariesArgs(
                canaries=config.canaries,
                url=edge.load_balancer.url,
                aws_context=context,
                kms_key_arn=data.keys.arn,
                protect=config.protect_stateful_resources,
                access_log_bucket=data.access_log_bucket,
            ),
            opts,
        )
        if config.canaries and edge.load_balancer is not None
        else None
    )
    observability = _observability(config, context, opts, data=data, edge=edge, compute=compute, canaries=canaries)
    topic_arn = observability.topic_arn
    for key, api in edge.apis.items():
        api_alarms(key, api, topic_arn, opts)
    if edge.private_link is not None:
        private_link_alarms(edge.private_link, topic_arn, opts)
    if data.collections is not None:
        collection_alarms(data.collections, context.account_id, topic_arn, opts)
    edge_dashboard(
        region=context.region,
        account=context.account_id,
        opts=opts,
        apis={key: (api.api_name, api.stage_name) for key, api in edge.apis.items()},
        sites={key: site.distribution_id for key, site in edge.sites.items()}
        | ({"alb": edge.alb_cdn.distribution_id} if edge.alb_cdn is not None else {}),
        collections={
            key: (c.collection_id, c.physical_name)
            for key, c in (data.collections.built if data.collections else {}).items()
        },
        extra=[(nlb_widgets, (edge.private_link.nlb_arn_suffix, edge.private_link.target_group_arn_suffix))]
        if edge.private_link is not None
        else (),
    )
    log_queries(config.log_queries, _log_group_names(compute), opts)
    return ObservabilityLayer(canaries=canaries, observability=observability)


def _log_group_names(compute: ComputeLayer) -> dict[str, pulumi.Output[str]]:
    """`services.<s>` and `functions.<f>` -> the name of its log group, as `platform:logQueries` refers to them."""
    services = {f"services.{name}": service.log_group_name for name, service in compute.services.items()}
    return services | {f"functions.{name}": function.log_group_name for name, function in compute.functions.items()}


def _observability(
    config: StackConfig,
    context: AwsContext,
    opts: pulumi.ResourceOptions,
    *,
    data: DataLayer,
    edge: EdgeLayer,
    compute: ComputeLayer,
    canaries: Canaries | None,
) -> Observability:
    """The alarm topic, alarms and dashboard, fed the narrow outputs of what they watch."""
    lb = edge.load_balancer
    web: list[WebServiceMonitor] = []
    workers: list[WorkerMonitor] = []
    background: list[ServiceMonitor] = []
    tasks: list[TaskMonitor] = []
    for name, service in compute.services.items():
        if service.kind == "task":
            if service.schedule is not None:
                tasks.append(
                    TaskMonitor(name, service.schedule.failure_queue_name, service.schedule.schedule_group_name)
                )
        elif service.kind == "service":
            background.append(ServiceMonitor(name, service.cluster_name, service.service_name))
        elif service.target_group_arn_suffix is not None and lb is not None:
            web.append(
                WebServiceMonitor(
                    name,
                    service.cluster_name,
                    service.service_name,
                    lb.arn_suffix,
                    service.target_group_arn_suffix,
                    alternate_target_group_arn_suffix=service.alternate_target_group_arn_suffix,
                )
            )
        elif service.queue_name is not None:
            workers.append(WorkerMonitor(name, service.cluster_name, service.service_name, service.queue_name))
    database, database_instance = _database_monitors(config, data)
    return Observability(
        "observability",
        ObservabilityArgs(
            aws_context=context,
            kms_key_arn=data.keys.arn,
            alarms=config.alarms,
            load_balancer=LoadBalancerMonitor(lb.arn_suffix) if lb is not None else None,
            web_services=web,
            workers=workers,
            database=database,
            queues=[QueueMonitor(key, q.queue_name, q.dlq_name) for key, q in data.queues.items()],
            tables=[TableMonitor(key, t.table_name) for key, t in data.tables.items()],
            services=background,
            tasks=tasks,
            caches=[
                CacheMonitor(key, tuple(c.member_cluster_ids), bool(config.caches[key].replicas))
                for key, c in data.caches.items()
            ],
            database_instance=database_instance,
            functions=[
                FunctionMonitor(
                    key,
                    f.function_name,
                    f.timeout_seconds,
                    f.failure_queue_name,
                    stream_source=bool(f.stream_sources),
                )
                for key, f in compute.functions.items()
            ],
            canaries=[
                CanaryMonitor(key, canaries.canary_names[key], c.success_percent, c.alarm_minutes)
                for key, c in config.canaries.items()
            ]
            if canaries is not None
            else [],
            event_tasks=[EventTaskMonitor(key, queue) for key, queue in compute.task_rules.failure_queue_names.items()]
            if compute.task_rules is not None
            else [],
        ),
        opts,
    )


def _database_monitors(
    config: StackConfig, data: DataLayer
) -> tuple[DatabaseMonitor | None, DatabaseInstanceMonitor | None]:
    """The Aurora cluster's monitor or the RDS instance's (with its replicas), sized by the instance memory and
    `max_connections` the connections alarms measure against."""
    if data.database is None or config.database is None:
        return None, None
    memory, connections = instance_memory_gib(config.database), max_connections(config)
    assert memory is not None and connections is not None  # config.observability.check requires them
    if isinstance(data.database, RdsInstance) and isinstance(config.database, PostgresConfig):
        instance = DatabaseInstanceMonitor(
            data.database.identifier,
            tuple(data.database.replica_identifiers),
            memory_gib=memory,
            max_connections=connections,
            allocated_storage_gib=config.database.allocated_storage_gib,
        )
        return None, instance
    if isinstance(data.database, Database) and not isinstance(config.database, PostgresConfig):
        cluster = DatabaseMonitor(
            data.database.cluster_identifier,
            memory_gib=memory,
            max_connections=connections,
            serverless=config.database.serverless,
        )
        return cluster, None
    return None, None
