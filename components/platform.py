"""Platform: composes the components of one stack from its validated config."""

from __future__ import annotations

import dataclasses

import pulumi

from .alarms import (
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
    deployment_alarm_names,
)
from .api import api_alarms, build_apis, origin_verify_secrets
from .aws_context import AwsContext
from .backup import Backup, BackupArgs
from .bucket import Bucket, BucketArgs, access_log_delivery, bucket_physical_name
from .cache import Cache, CacheArgs
from .canary import Canaries, CanariesArgs
from .cluster import Cluster, ClusterArgs
from .collection import build_collections, collection_alarms
from .config import StackConfig
from .config.compute import ServiceConfig, reads_stack_secrets
from .config.data import PostgresConfig
from .config.observability import instance_memory_gib, max_connections
from .config.workloads import ImageSpec
from .database import Database, DatabaseArgs
from .dr import DisasterRecovery, DisasterRecoveryArgs, primary_database_outputs
from .edge_dashboard import edge_dashboard
from .events import Events, EventsArgs, bus_name, rule_arn
from .function import Function, FunctionArgs
from .grants import DataStores, Grantable
from .keys import Keys, KeysArgs
from .load_balancer import LoadBalancer, LoadBalancerArgs
from .network import Network, NetworkArgs
from .observability import Observability, ObservabilityArgs
from .queue import Queue, QueueArgs
from .rds_instance import RdsInstance, RdsInstanceArgs
from .registry import Registry, register_services
from .replication import Replication, ReplicationArgs
from .repository import Repository, RepositoryArgs
from .rotation import Rotations, RotationsArgs, rotation_statements
from .secrets import Secret, SecretArgs
from .service import Service, ServiceArgs, role_arn
from .site import build_sites, site_bucket_keys
from .table import Table, TableArgs
from .tagging import register_standard_tags, standard_tags
from .task_rules import TaskRules, TaskRulesArgs


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
        self.keys = Keys(
            "keys",
            KeysArgs(
                aws_context=context,
                deletion_window_days=30 if protect else 7,
                protect=protect,
                event_bus_name=bus_name() if config.events.creates_bus else None,
                events_deliver_to_queues=bool(config.events.rules)
                or _has_scheduled_tasks(config)
                or bool(config.tasks)
                or any(f.triggers.events for f in config.functions.values()),
            ),
            child,
        )

        # -- disaster recovery (components/dr.py): before the data stores, a standby's database replicates through it
        self.dr = (
            DisasterRecovery("dr", DisasterRecoveryArgs(config=config.dr, aws_context=context, protect=protect), child)
            if config.dr is not None
            else None
        )

        # -- network -------------------------------------------------------------------------------
        self.network = Network(
            "network",
            NetworkArgs(
                config=config.network,
                aws_context=context,
                log_kms_key_arn=self.keys.arn,
                protect_flow_logs=config.protect_stateful_resources,
            ),
            child,
        )

        # -- data stores: each a Grantable that the services' grants resolve against --------------------
        self.data_stores = self._data_stores(config, context, child)

        # -- backups: the plan selects the stateful stores built above ---------------------------------------
        self.backup = self._backup(config, context, child)

        # -- compute: cluster, load balancer, services (after the data stores: grants resolve against them) --
        stores = self.data_stores
        self.cluster = Cluster(
            "cluster",
            ClusterArgs(
                config=config.cluster, log_retention_days=config.log_retention_days, kms_key_arn=stores.kms_key_arn
            ),
            child,
        )
        self.repositories = self._repositories(config, context, child)
        self.load_balancer: LoadBalancer | None = None
        if any(service.kind == "web" for service in config.services.values()) or any(
            function.triggers.http is not None for function in config.functions.values()
        ):
            self.load_balancer = LoadBalancer(
                "load-balancer",
                LoadBalancerArgs(
                    config=config.load_balancer,
                    vpc_id=self.network.vpc_id,
                    public_subnet_ids=self.network.public_subnet_ids,
                    aws_context=context,
                    network_ready=self.network.internet_ready,
                    test_listener=any(s.kind == "web" and s.deployment.progressive for s in config.services.values()),
                    vpc_cidr=self.network.vpc_cidr,
                    nat_public_ips=self.network.nat_public_ips,
                    kms_key_arn=self.keys.arn,
                    log_retention_days=config.log_retention_days,
                    alias_record=self.dr is None,  # DR: the failover aliases below answer for the domain
                ),
                child,
            )
        # -- one registry of what the stack built: grants and `${...}` references resolve through it -----
        self.registry = Registry(stores, context)
        # -- OpenSearch Serverless collections (components/collection.py): before the services' grants ------
        self.collections = build_collections(config, context, self.keys.arn, self.network, child)
        for key, collection in (self.collections.built if self.collections else {}).items():
            self.registry.add("collections", key, collection)
        register_services(self.registry, config.services, self.load_balancer)
        origin_verify = origin_verify_secrets(config, self.keys.arn, child)  # before the services: their rules need it
        self.services: dict[str, Service] = {
            name: Service(
                name,
                ServiceArgs(
                    config=service,
                    cluster=self.cluster,
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.private_subnet_ids,
                    aws_context=context,
                    log_retention_days=config.log_retention_days,
                    kms_key_arn=stores.kms_key_arn,
                    load_balancer=self.load_balancer if service.kind == "web" else None,
                    data_stores=stores,
                    references=self.registry,
                    deployment_alarm_names=deployment_alarm_names(name, service.kind),
                    repositories=self.repositories,
                    protect=protect,
                    network_ready=self.network.egress_ready,
                    hold_tasks=config.secrets_pending and reads_stack_secrets(service),
                    required_header=origin_verify[name].header if name in origin_verify else None,
                ),
                child,
            )
            for name, service in config.services.items()
        }
        if self.collections is not None:  # data access policies name the granted task roles
            for key in self.collections.built:
                self.collections.admit(
                    key,
                    {
                        name: (self.services[name].task_role_arn, service.grants.collections[key])
                        for name, service in config.services.items()
                        if key in service.grants.collections
                    },
                )
        # -- sites: private buckets behind CloudFront (components/site.py) -----------------------------
        self.sites = build_sites(
            config, context, child, self.access_logs.bucket_name if self.access_logs is not None else None
        )
        # -- REST APIs: API Gateway in front of web services or from OpenAPI documents (components/api.py) --
        self.apis = build_apis(config, context, self.keys.arn, self.registry, child, origin_verify=origin_verify)
        self.functions = self._functions(config, context, child)
        self.task_rules = (
            TaskRules(
                "tasks",
                TaskRulesArgs(
                    tasks=config.tasks,
                    services=self.services,
                    cluster_arn=self.cluster.arn,
                    private_subnet_ids=self.network.private_subnet_ids,
                    event_bus_name=self.events.bus_name,
                    aws_context=context,
                    kms_key_arn=self.keys.arn,
                    protect=config.protect_stateful_resources,
                ),
                child,
            )
            if config.tasks and self.events is not None
            else None
        )
        self.rotations = (
            Rotations(
                "rotations",
                RotationsArgs(
                    aws_context=context,
                    secrets=config.secrets,
                    built_secrets=self.secrets,
                    functions=self.functions,
                    master_secret_arn=self.database.master_secret_arn if self.database is not None else None,
                    master_secret_rotation_days=config.database.master_secret_rotation_days if config.database else 7,
                ),
                child,
            )
            if self.database is not None or any(s.rotation and s.rotation.function for s in config.secrets.values())
            else None
        )
        self.canaries = (
            Canaries(
                "canaries",
                CanariesArgs(
                    canaries=config.canaries,
                    url=self.load_balancer.url,
                    aws_context=context,
                    kms_key_arn=self.keys.arn,
                    protect=config.protect_stateful_resources,
                    access_log_bucket=self.access_logs.bucket_name if self.access_logs is not None else None,
                ),
                child,
            )
            if config.canaries and self.load_balancer is not None
            else None
        )

        self.outputs: dict[str, pulumi.Input[object]] = {
            "vpcId": self.network.vpc_id,
            "vpcCidr": self.network.vpc_cidr,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "dataSubnetIds": self.network.data_subnet_ids,
            **self._data_outputs(),
            "clusterName": self.cluster.name,
            "serviceNames": {
                name: service.service_name for name, service in self.services.items() if service.kind != "task"
            },
            **self._task_outputs(),
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
        self._disaster_recovery(config, context)
        for key, api in self.apis.items():
            api_alarms(key, api, self.observability.topic_arn, child)
        if self.collections is not None:
            collection_alarms(self.collections, context.account_id, self.observability.topic_arn, child)
        edge_dashboard(
            region=context.region,
            account=context.account_id,
            opts=child,
            apis={key: (api.api_name, api.stage_name) for key, api in self.apis.items()},
            sites={key: site.distribution_id for key, site in self.sites.items()},
            collections={
                key: (c.collection_id, c.physical_name)
                for key, c in (self.collections.built if self.collections else {}).items()
            },
        )
        if self.apis:
            self.outputs["apiUrls"] = {key: api.url for key, api in self.apis.items()}
            self.outputs["apiKeyIds"] = {
                f"{key}.{name}": key_id for key, api in self.apis.items() for name, key_id in api.api_key_ids.items()
            }
        if self.sites:
            self.outputs["siteUrls"] = {key: site.url for key, site in self.sites.items()}
        self.register_outputs(self.outputs)

    # -- disaster recovery (components/dr.py) ------------------------------------------------------------
    def _disaster_recovery(self, config: StackConfig, context: AwsContext) -> None:
        """After the load balancer, database and alarm topic: the failover alias and its health check, the
        primary's `dr` output (what its standby reads), the standby's replication-lag alarm."""
        if self.dr is None:
            return
        if self.load_balancer is not None and config.load_balancer.domain is not None:
            self.dr.failover(config.load_balancer.domain, self.load_balancer.dns_name, self.load_balancer.zone_id)
        if self.dr.primary is None:
            self.outputs["dr"] = self.dr.outputs(context.region, primary_database_outputs(self.dr, self.database))
        self.dr.rpo_alarm(self.database, self.observability.topic_arn)

    # -- functions -----------------------------------------------------------------------------------
    def _functions(
        self, config: StackConfig, context: AwsContext, child: pulumi.ResourceOptions
    ) -> dict[str, Function]:
        """`platform:functions`, after the data stores (grants) and the load balancer (http routes)."""
        return {
            name: Function(
                f"function-{name}",
                FunctionArgs(
                    key=name,
                    config=function,
                    aws_context=context,
                    log_retention_days=config.log_retention_days,
                    kms_key_arn=self.keys.arn,
                    data_stores=self.data_stores,
                    references=self.registry,
                    vpc_id=self.network.vpc_id,
                    private_subnet_ids=self.network.private_subnet_ids,
                    load_balancer=self.load_balancer,
                    event_bus_name=self.events.bus_name if self.events is not None else None,
                    protect=config.protect_stateful_resources,
                    extra_statements=[
                        st
                        for key, secret in config.secrets.items()
                        if secret.rotation is not None and secret.rotation.function == name
                        for st in rotation_statements(key, self.secrets[key].arn, self.keys.arn, context)
                    ],
                    run_after=[self.database] if function.grants.database is not None and self.database else [],
                ),
                child,
            )
            for name, function in config.functions.items()
        }

    # -- observability -----------------------------------------------------------------------------
    def _observability(self, config: StackConfig, context: AwsContext, child: pulumi.ResourceOptions) -> Observability:
        """The alarm topic, alarms and dashboard, fed the narrow outputs of what they watch."""
        lb = self.load_balancer
        web: list[WebServiceMonitor] = []
        workers: list[WorkerMonitor] = []
        background: list[ServiceMonitor] = []
        tasks: list[TaskMonitor] = []
        for name, service in self.services.items():
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
        database = None
        database_instance = None
        if isinstance(self.database, RdsInstance) and isinstance(config.database, PostgresConfig):
            memory, connections = instance_memory_gib(config.database), max_connections(config)
            assert memory is not None and connections is not None  # config.observability.check requires them
            database_instance = DatabaseInstanceMonitor(
                self.database.identifier,
                tuple(self.database.replica_identifiers),
                memory_gib=memory,
                max_connections=connections,
                allocated_storage_gib=config.database.allocated_storage_gib,
            )
        elif isinstance(self.database, Database) and config.database is not None:
            memory, connections = instance_memory_gib(config.database), max_connections(config)
            assert memory is not None and connections is not None  # config.observability.check requires them
            database = DatabaseMonitor(
                self.database.cluster_identifier,
                memory_gib=memory,
                max_connections=connections,
                serverless=config.database.serverless,
            )
        return Observability(
            "observability",
            ObservabilityArgs(
                aws_context=context,
                kms_key_arn=self.keys.arn,
                alarms=config.alarms,
                load_balancer=LoadBalancerMonitor(lb.arn_suffix) if lb is not None else None,
                web_services=web,
                workers=workers,
                database=database,
                queues=[QueueMonitor(key, q.queue_name, q.dlq_name) for key, q in self.queues.items()],
                tables=[TableMonitor(key, t.table_name) for key, t in self.tables.items()],
                services=background,
                tasks=tasks,
                caches=[
                    CacheMonitor(key, tuple(c.member_cluster_ids), bool(config.caches[key].replicas))
                    for key, c in self.caches.items()
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
                    for key, f in self.functions.items()
                ],
                canaries=[
                    CanaryMonitor(key, self.canaries.canary_names[key], c.success_percent, c.alarm_minutes)
                    for key, c in config.canaries.items()
                ]
                if self.canaries is not None
                else [],
                event_tasks=[EventTaskMonitor(key, queue) for key, queue in self.task_rules.failure_queue_names.items()]
                if self.task_rules is not None
                else [],
            ),
            child,
        )

    # -- images and tasks (issue 11) -----------------------------------------------------------------
    def _repositories(
        self, config: StackConfig, context: AwsContext, child: pulumi.ResourceOptions
    ) -> dict[str, Repository]:
        """`platform:repositories`, each letting exactly the execution roles of the services that run its
        images pull (by image or build)."""
        repositories: dict[str, Repository] = {}
        for key, repository in config.repositories.items():
            pullers = [
                role_arn(context, name, "execution")
                for name, service in config.services.items()
                if _uses_repository(service, key)
            ]
            repositories[key] = Repository(
                f"repository-{key}",
                RepositoryArgs(
                    name=key,
                    config=repository,
                    aws_context=context,
                    kms_key_arn=self.keys.arn,
                    puller_role_arns=pullers,
                    protect=config.protect_stateful_resources,
                ),
                child,
            )
        return repositories

    def _task_outputs(self) -> dict[str, pulumi.Input[object]]:
        """`tasks`: what `scripts/run-task.sh` needs to run a task on demand with its own network and roles."""
        tasks = {name: s for name, s in self.services.items() if s.kind == "task"}
        if not tasks:
            return {}
        return {
            "tasks": {
                name: {
                    "cluster": task.cluster_name,
                    "taskDefinition": task.task_definition_family,
                    "container": task.container_name,
                    "subnets": list(task.subnet_ids),
                    "securityGroups": [task.security_group_id],
                    "logGroup": task.log_group_name,
                }
                for name, task in tasks.items()
            }
        }

    # -- data stores -------------------------------------------------------------------------------
    def _data_stores(self, config: StackConfig, context: AwsContext, child: pulumi.ResourceOptions) -> DataStores:
        """Buckets, tables, queues, the event bus, secrets and the database, from their config sections."""
        key_arn = self.keys.arn
        protect = config.protect_stateful_resources
        # S3 server access logs of the data buckets go to one log bucket of the stack (SSE-S3: S3 log delivery
        # accepts no KMS default encryption), kept as long as the stack's logs.
        # The canaries' artifact bucket and the sites' content buckets log there too.
        logged = [*config.buckets, *(["canaries"] if config.canaries else []), *site_bucket_keys(config)]
        self.access_logs = (
            Bucket(
                "access-logs",
                BucketArgs(
                    name="access-logs",
                    aws_context=context,
                    encryption="AES256",
                    expiration_days=config.log_retention_days,
                    noncurrent_version_expiration_days=7,
                    policy_statements=access_log_delivery(context, [bucket_physical_name(k, context) for k in logged]),
                    protect=protect,
                ),
                child,
            )
            if logged
            else None
        )
        self.buckets = {
            key: Bucket(
                f"bucket-{key}",
                dataclasses.replace(
                    BucketArgs.from_config(key, bucket, aws_context=context, kms_key_arn=key_arn, protect=protect),
                    access_log_bucket=self.access_logs.bucket_name if self.access_logs is not None else None,
                ),
                child,
            )
            for key, bucket in config.buckets.items()
        }
        self.replications = {
            key: Replication(
                f"bucket-{key}-replication",
                ReplicationArgs(
                    name=key,
                    config=bucket.replication,
                    aws_context=context,
                    source=self.buckets[key],
                    source_kms_key_arn=key_arn,
                    noncurrent_version_expiration_days=bucket.noncurrent_version_expiration_days,
                    log_retention_days=config.log_retention_days,
                    protect=protect,
                ),
                child,
            )
            for key, bucket in config.buckets.items()
            if bucket.replication is not None
        }
        self.tables = {
            key: Table(
                f"table-{key}",
                TableArgs(name=key, config=table, aws_context=context, kms_key_arn=key_arn, protect=protect),
                child,
            )
            for key, table in config.tables.items()
        }
        self.queues = {
            key: Queue(
                f"queue-{key}",
                QueueArgs(
                    name=key,
                    config=queue,
                    aws_context=context,
                    kms_key_arn=key_arn,
                    event_rule_arns=[
                        rule_arn(context, rule) for rule, r in config.events.rules.items() if r.queue == key
                    ],
                    protect=protect,
                ),
                child,
            )
            for key, queue in config.queues.items()
        }
        self.events = (
            Events(
                "events",
                EventsArgs(config=config.events, aws_context=context, kms_key_arn=key_arn, queues=self.queues),
                child,
            )
            if config.events.creates_bus
            else None
        )
        self.secrets = {
            key: Secret(
                f"secret-{key}",
                SecretArgs(name=key, config=secret, aws_context=context, kms_key_arn=key_arn, protect=protect),
                child,
            )
            for key, secret in config.secrets.items()
        }
        self.database: Database | RdsInstance | None = (
            Database(
                "database",
                DatabaseArgs(
                    config=config.database,
                    aws_context=context,
                    kms_key_arn=key_arn,
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.data_subnet_ids,
                    availability_zones=self.network.availability_zones,
                    log_retention_days=config.log_retention_days,
                    protect=protect,
                    secondary=self.dr.secondary_source() if self.dr is not None else None,
                    global_member=self.dr is not None and self.dr.primary is None,
                ),
                child,
            )
            if config.database is not None and not isinstance(config.database, PostgresConfig)
            else None
        )
        if isinstance(config.database, PostgresConfig):
            self.database = RdsInstance(
                "database",
                RdsInstanceArgs(
                    config=config.database,
                    aws_context=context,
                    kms_key_arn=key_arn,
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.data_subnet_ids,
                    availability_zones=self.network.availability_zones,
                    log_retention_days=config.log_retention_days,
                    protect=protect,
                    replica_of=self.dr.replica_source() if self.dr is not None else None,
                ),
                child,
            )
        self.caches = {
            key: Cache(
                f"cache-{key}",
                CacheArgs(
                    name=key,
                    config=cache,
                    aws_context=context,
                    kms_key_arn=key_arn,
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.data_subnet_ids,
                    availability_zones=self.network.availability_zones,
                    log_retention_days=config.log_retention_days,
                    protect=protect,
                ),
                child,
            )
            for key, cache in config.caches.items()
        }
        secrets: dict[str, Grantable] = dict(self.secrets)
        return DataStores(
            tables=dict(self.tables),
            queues=dict(self.queues),
            buckets=dict(self.buckets),
            secrets=secrets,
            database=self.database,
            events=self.events,
            kms_key_arn=key_arn,
            caches=dict(self.caches),
        )

    def _backup(self, config: StackConfig, context: AwsContext, child: pulumi.ResourceOptions) -> Backup | None:
        """The AWS Backup plan of `platform:backup`, selecting the database, the tables and (by default) the
        buckets."""
        if config.backup is None:
            return None
        arns: list[pulumi.Input[str]] = []
        if isinstance(self.database, RdsInstance):
            arns.append(self.database.arn)
        elif self.database is not None:
            arns.append(self.database.cluster_arn)
        arns += [table.arn for table in self.tables.values()]
        if config.backup.include_buckets:
            arns += [bucket.arn for bucket in self.buckets.values()]
        return Backup(
            "backup",
            BackupArgs(
                config=config.backup,
                aws_context=context,
                kms_key_arn=self.keys.arn,
                resource_arns=arns,
                protect=config.protect_stateful_resources,
            ),
            child,
        )

    def _data_outputs(self) -> dict[str, pulumi.Input[object]]:
        outputs: dict[str, pulumi.Input[object]] = {
            "kmsKeyArn": self.keys.arn,
            "kmsKeyAlias": self.keys.alias_name,
            "bucketNames": {key: b.bucket_name for key, b in self.buckets.items()},
            "tableNames": {key: t.table_name for key, t in self.tables.items()},
            "queueUrls": {key: q.url for key, q in self.queues.items()},
            "secretArns": {key: s.arn for key, s in self.secrets.items()},
        }
        if self.caches:
            outputs["caches"] = {
                key: {"endpoint": c.endpoint, "readerEndpoint": c.reader_endpoint, "port": c.port, "userId": c.user_id}
                for key, c in self.caches.items()
            }
        if self.events is not None:
            outputs["eventBusName"] = self.events.bus_name
        if self.database is not None:
            outputs |= {
                "databaseEndpoint": self.database.endpoint,
                "databaseReaderEndpoint": self.database.reader_endpoint,
                "databaseMasterSecretArn": self.database.master_secret_arn,
            }
        return outputs


def _has_scheduled_tasks(config: StackConfig) -> bool:
    """A scheduled task's failed runs reach its (KMS-encrypted) failure queue through EventBridge."""
    return any(s.kind == "task" and s.schedule is not None for s in config.services.values())


def _uses_repository(service: ServiceConfig, key: str) -> bool:
    """The service runs an image of repository `key` (`image: {repository: key}` or `build.repository`)."""
    return (isinstance(service.image, ImageSpec) and service.image.repository == key) or (
        service.build is not None and service.build.repository == key
    )
