"""Platform: composes the components of one stack from its validated config."""

from __future__ import annotations

import pulumi

from .alarms import (
    DatabaseMonitor,
    LoadBalancerMonitor,
    QueueMonitor,
    TableMonitor,
    WebServiceMonitor,
    WorkerMonitor,
    deployment_alarm_names,
)
from .api import api_alarms, build_apis, origin_verify_secrets
from .aws_context import AwsContext
from .bucket import Bucket, BucketArgs
from .cluster import Cluster, ClusterArgs
from .collection import build_collections, collection_alarms
from .config import StackConfig
from .config.observability import instance_memory_gib, max_connections
from .database import Database, DatabaseArgs
from .edge_dashboard import edge_dashboard
from .events import Events, EventsArgs, bus_name, rule_arn
from .grants import DataStores
from .keys import Keys, KeysArgs
from .load_balancer import LoadBalancer, LoadBalancerArgs
from .network import Network, NetworkArgs
from .observability import Observability, ObservabilityArgs
from .queue import Queue, QueueArgs
from .registry import Registry, register_services
from .secrets import Secret, SecretArgs
from .service import Service, ServiceArgs
from .site import build_sites
from .table import Table, TableArgs
from .tagging import register_standard_tags, standard_tags


class Platform(pulumi.ComponentResource):
    """Everything one stack runs: network, keys, data stores, cluster, load balancer, services, alarms.

    Only narrow outputs leave it (ids, ARNs, names, URLs), for `__main__.py` to export."""

    def __init__(self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        register_standard_tags(standard_tags(config))
        super().__init__("platform:stack:Platform", name, None, opts)
        context = AwsContext.lookup()
        child = pulumi.ResourceOptions(parent=self)

        # -- keys: first, the network's flow log group is encrypted with the stack key ----------------
        protect = config.protect_stateful_resources
        self.keys = Keys("keys", KeysArgs(
            aws_context=context, deletion_window_days=30 if protect else 7, protect=protect,
            event_bus_name=bus_name() if config.events.creates_bus else None,
            events_deliver_to_queues=bool(config.events.rules)), child)

        # -- network -------------------------------------------------------------------------------
        self.network = Network("network", NetworkArgs(config=config.network, aws_context=context,
                                                      log_kms_key_arn=self.keys.arn,
                                                      protect_flow_logs=config.protect_stateful_resources), child)

        # -- data stores: each a Grantable that the services' grants resolve against --------------------
        self.data_stores = self._data_stores(config, context, child)

        # -- compute: cluster, load balancer, services (after the data stores: grants resolve against them) --
        stores = self.data_stores
        self.cluster = Cluster("cluster", ClusterArgs(
            config=config.cluster, log_retention_days=config.log_retention_days, kms_key_arn=stores.kms_key_arn),
            child)
        self.load_balancer: LoadBalancer | None = None
        if any(service.kind == "web" for service in config.services.values()):
            self.load_balancer = LoadBalancer("load-balancer", LoadBalancerArgs(
                config=config.load_balancer, vpc_id=self.network.vpc_id,
                public_subnet_ids=self.network.public_subnet_ids, aws_context=context,
                kms_key_arn=self.keys.arn, log_retention_days=config.log_retention_days), child)
        # -- one registry of what the stack built: grants and `${...}` references resolve through it -----
        self.registry = Registry(stores, context)
        # -- OpenSearch Serverless collections (components/collection.py): before the services' grants ------
        self.collections = build_collections(config, context, self.keys.arn, self.network, child)
        for key, collection in (self.collections.built if self.collections else {}).items():
            self.registry.add("collections", key, collection)
        register_services(self.registry, config.services, self.load_balancer)
        origin_verify = origin_verify_secrets(config, self.keys.arn, child)  # before the services: their rules need it
        self.services: dict[str, Service] = {
            name: Service(name, ServiceArgs(
                config=service, cluster=self.cluster, vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids, aws_context=context,
                log_retention_days=config.log_retention_days, kms_key_arn=stores.kms_key_arn,
                load_balancer=self.load_balancer if service.kind == "web" else None, data_stores=stores,
                references=self.registry, deployment_alarm_names=deployment_alarm_names(name, service.kind),
                required_header=origin_verify[name].header if name in origin_verify else None), child)
            for name, service in config.services.items()
        }
        if self.collections is not None:  # data access policies name the granted task roles
            for key in self.collections.built:
                self.collections.admit(key, {name: (self.services[name].task_role_arn, service.grants.collections[key])
                                             for name, service in config.services.items()
                                             if key in service.grants.collections})
        # -- sites: private buckets behind CloudFront (components/site.py) -----------------------------
        self.sites = build_sites(config, context, child)
        # -- REST APIs: API Gateway in front of web services or from OpenAPI documents (components/api.py) --
        self.apis = build_apis(config, context, self.keys.arn, self.registry, child, origin_verify=origin_verify)

        self.outputs: dict[str, pulumi.Input[object]] = {
            "vpcId": self.network.vpc_id,
            "vpcCidr": self.network.vpc_cidr,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "dataSubnetIds": self.network.data_subnet_ids,
            **self._data_outputs(),
            "clusterName": self.cluster.name,
            "serviceNames": {name: service.service_name for name, service in self.services.items()},
        }
        # -- observability: last, it watches everything above --------------------------------------------
        self.observability = self._observability(config, context, child)
        self.outputs |= {
            "alarmTopicArn": self.observability.topic_arn,
            "dashboardUrl": self.observability.dashboard_url,
        }
        if self.load_balancer is not None:
            self.outputs["loadBalancerDnsName"] = self.load_balancer.dns_name
            self.outputs["url"] = self.load_balancer.url
        for key, api in self.apis.items():
            api_alarms(key, api, self.observability.topic_arn, child)
        if self.collections is not None:
            collection_alarms(self.collections, context.account_id, self.observability.topic_arn, child)
        edge_dashboard(
            region=context.region, account=context.account_id, opts=child,
            apis={key: (api.api_name, api.stage_name) for key, api in self.apis.items()},
            sites={key: site.distribution_id for key, site in self.sites.items()},
            collections={key: (c.collection_id, c.physical_name) for key, c in
                         (self.collections.built if self.collections else {}).items()})
        if self.apis:
            self.outputs["apiUrls"] = {key: api.url for key, api in self.apis.items()}
            self.outputs["apiKeyIds"] = {f"{key}.{name}": key_id for key, api in self.apis.items()
                                         for name, key_id in api.api_key_ids.items()}
        if self.sites:
            self.outputs["siteUrls"] = {key: site.url for key, site in self.sites.items()}
        self.register_outputs(self.outputs)

    # -- observability -----------------------------------------------------------------------------
    def _observability(self, config: StackConfig, context: AwsContext,
                       child: pulumi.ResourceOptions) -> Observability:
        """The alarm topic, alarms and dashboard, fed the narrow outputs of what they watch."""
        lb = self.load_balancer
        web: list[WebServiceMonitor] = []
        workers: list[WorkerMonitor] = []
        for name, service in self.services.items():
            if service.target_group_arn_suffix is not None and lb is not None:
                web.append(WebServiceMonitor(name, service.cluster_name, service.service_name, lb.arn_suffix,
                                             service.target_group_arn_suffix))
            elif service.queue_name is not None:
                workers.append(WorkerMonitor(name, service.cluster_name, service.service_name, service.queue_name))
        database = None
        if self.database is not None and config.database is not None:
            memory, connections = instance_memory_gib(config.database), max_connections(config)
            assert memory is not None and connections is not None  # config.observability.check requires them
            database = DatabaseMonitor(self.database.cluster_identifier, memory_gib=memory,
                                       max_connections=connections, serverless=config.database.serverless)
        return Observability("observability", ObservabilityArgs(
            aws_context=context, kms_key_arn=self.keys.arn, alarms=config.alarms,
            load_balancer=LoadBalancerMonitor(lb.arn_suffix) if lb is not None else None,
            web_services=web, workers=workers, database=database,
            queues=[QueueMonitor(key, q.queue_name, q.dlq_name) for key, q in self.queues.items()],
            tables=[TableMonitor(key, t.table_name) for key, t in self.tables.items()],
        ), child)

    # -- data stores -------------------------------------------------------------------------------
    def _data_stores(self, config: StackConfig, context: AwsContext, child: pulumi.ResourceOptions) -> DataStores:
        """Buckets, tables, queues, the event bus, secrets and the database, from their config sections."""
        key_arn = self.keys.arn
        protect = config.protect_stateful_resources
        self.buckets = {
            key: Bucket(f"bucket-{key}", BucketArgs.from_config(key, bucket, aws_context=context,
                                                               kms_key_arn=key_arn, protect=protect), child)
            for key, bucket in config.buckets.items()
        }
        self.tables = {
            key: Table(f"table-{key}", TableArgs(name=key, config=table, aws_context=context, kms_key_arn=key_arn,
                                                 protect=protect), child)
            for key, table in config.tables.items()
        }
        self.queues = {
            key: Queue(f"queue-{key}", QueueArgs(
                name=key, config=queue, aws_context=context, kms_key_arn=key_arn,
                event_rule_arns=[rule_arn(context, rule) for rule, r in config.events.rules.items() if r.queue == key],
                protect=protect,
            ), child)
            for key, queue in config.queues.items()
        }
        self.events = (Events("events", EventsArgs(config=config.events, aws_context=context, kms_key_arn=key_arn,
                                                   queues=self.queues), child)
                       if config.events.creates_bus else None)
        self.secrets = {
            key: Secret(f"secret-{key}", SecretArgs(name=key, config=secret, aws_context=context,
                                                    kms_key_arn=key_arn, protect=protect), child)
            for key, secret in config.secrets.items()
        }
        self.database = (Database("database", DatabaseArgs(
            config=config.database, aws_context=context, kms_key_arn=key_arn, vpc_id=self.network.vpc_id,
            subnet_ids=self.network.data_subnet_ids, availability_zones=self.network.availability_zones,
            log_retention_days=config.log_retention_days, protect=protect), child)
            if config.database is not None else None)
        return DataStores(tables=dict(self.tables), queues=dict(self.queues), buckets=dict(self.buckets),
                          secrets=dict(self.secrets), database=self.database, events=self.events,
                          kms_key_arn=key_arn)

    def _data_outputs(self) -> dict[str, pulumi.Input[object]]:
        outputs: dict[str, pulumi.Input[object]] = {
            "kmsKeyArn": self.keys.arn,
            "kmsKeyAlias": self.keys.alias_name,
            "bucketNames": {key: b.bucket_name for key, b in self.buckets.items()},
            "tableNames": {key: t.table_name for key, t in self.tables.items()},
            "queueUrls": {key: q.url for key, q in self.queues.items()},
            "secretArns": {key: s.arn for key, s in self.secrets.items()},
        }
        if self.events is not None:
            outputs["eventBusName"] = self.events.bus_name
        if self.database is not None:
            outputs |= {"databaseEndpoint": self.database.endpoint,
                        "databaseReaderEndpoint": self.database.reader_endpoint,
                        "databaseMasterSecretArn": self.database.master_secret_arn}
        return outputs
