"""The data layer: the stack key, then every store of the stack, its backups and replicas, and the registry
that grants and `${...}` references resolve against."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import pulumi

from ..aws_context import AwsContext
from ..backup import Backup, BackupArgs
from ..bucket import Bucket, BucketArgs, access_log_delivery, bucket_physical_name
from ..cache import Cache, CacheArgs
from ..collection import Collections, build_collections
from ..config import StackConfig
from ..config.data import PostgresConfig
from ..database import Database, DatabaseArgs
from ..dr import DisasterRecovery, DisasterRecoveryArgs
from ..events import Events, EventsArgs, bus_name, rule_arn
from ..grants import DataStores, Grantable
from ..keys import Keys, KeysArgs
from ..queue import Queue, QueueArgs
from ..rds_instance import RdsInstance, RdsInstanceArgs
from ..registry import Registry
from ..replication import Replication, ReplicationArgs
from ..secrets import Secret, SecretArgs
from ..site import site_bucket_keys
from ..table import Table, TableArgs
from .network import NetworkLayer


class InDataSubnets(TypedDict):
    """What every store in the data subnets is given alike (the database, RDS instances, caches)."""

    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    availability_zones: Sequence[str]
    log_retention_days: int
    protect: bool


@dataclass(frozen=True)
class DataLayer:
    """The stores, by kind and key, and the registry built from them."""

    keys: Keys
    dr: DisasterRecovery | None
    """Disaster recovery across regions (`platform:dr`, components/dr.py): the primary's multi-region key and
    global cluster, or the standby's replica key and its primary's outputs (a StackReference)."""
    access_logs: Bucket | None
    """The stack's S3 server access log bucket (when any bucket, site or canary logs there)."""
    buckets: dict[str, Bucket]
    replications: dict[str, Replication]
    tables: dict[str, Table]
    queues: dict[str, Queue]
    events: Events | None
    secrets: dict[str, Secret]
    database: Database | RdsInstance | None
    caches: dict[str, Cache]
    collections: Collections | None
    backup: Backup | None
    stores: DataStores
    """What the grants resolve against (the secrets include the database's master secret)."""
    registry: Registry

    @property
    def access_log_bucket(self) -> pulumi.Output[str] | None:
        return self.access_logs.bucket_name if self.access_logs is not None else None

    def outputs(self) -> dict[str, pulumi.Input[object]]:
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


def build_keys(config: StackConfig, context: AwsContext, opts: pulumi.ResourceOptions) -> Keys:
    """The stack's KMS key: built first, the network's flow log group is encrypted with it."""
    protect = config.protect_stateful_resources
    return Keys(
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
        opts,
    )


def build_data(
    config: StackConfig, context: AwsContext, opts: pulumi.ResourceOptions, *, keys: Keys, network: NetworkLayer
) -> DataLayer:
    """Buckets, tables, queues, the event bus, secrets, the database, caches, collections and the backup plan,
    from their config sections; each store a Grantable in the registry."""
    key_arn = keys.arn
    protect = config.protect_stateful_resources
    # S3 server access logs of the data buckets go to one log bucket of the stack (SSE-S3: S3 log delivery
    # accepts no KMS default encryption), kept as long as the stack's logs.
    # The canaries' artifact bucket and the sites' content buckets log there too.
    logged = [*config.buckets, *(["canaries"] if config.canaries else []), *site_bucket_keys(config)]
    access_logs = (
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
            opts,
        )
        if logged
        else None
    )
    buckets = {
        key: Bucket(
            f"bucket-{key}",
            dataclasses.replace(
                BucketArgs.from_config(key, bucket, aws_context=context, kms_key_arn=key_arn, protect=protect),
                access_log_bucket=access_logs.bucket_name if access_logs is not None else None,
            ),
            opts,
        )
        for key, bucket in config.buckets.items()
    }
    replications = {
        key: Replication(
            f"bucket-{key}-replication",
            ReplicationArgs(
                name=key,
                config=bucket.replication,
                aws_context=context,
                source=buckets[key],
                source_kms_key_arn=key_arn,
                noncurrent_version_expiration_days=bucket.noncurrent_version_expiration_days,
                log_retention_days=config.log_retention_days,
                protect=protect,
            ),
            opts,
        )
        for key, bucket in config.buckets.items()
        if bucket.replication is not None
    }
    tables = {
        key: Table(
            f"table-{key}",
            TableArgs(name=key, config=table, aws_context=context, kms_key_arn=key_arn, protect=protect),
            opts,
        )
        for key, table in config.tables.items()
    }
    queues = {
        key: Queue(
            f"queue-{key}",
            QueueArgs(
                name=key,
                config=queue,
                aws_context=context,
                kms_key_arn=key_arn,
                event_rule_arns=[rule_arn(context, rule) for rule, r in config.events.rules.items() if r.queue == key],
                protect=protect,
            ),
            opts,
        )
        for key, queue in config.queues.items()
    }
    events = (
        Events(
            "events",
            EventsArgs(config=config.events, aws_context=context, kms_key_arn=key_arn, queues=queues),
            opts,
        )
        if config.events.creates_bus
        else None
    )
    secrets = {
        key: Secret(
            f"secret-{key}",
            SecretArgs(name=key, config=secret, aws_context=context, kms_key_arn=key_arn, protect=protect),
            opts,
        )
        for key, secret in config.secrets.items()
    }
    in_data_subnets = InDataSubnets(
        aws_context=context,
        kms_key_arn=key_arn,
        vpc_id=network.vpc_id,
        subnet_ids=network.data_subnet_ids,
        availability_zones=network.availability_zones,
        log_retention_days=config.log_retention_days,
        protect=protect,
    )
    # -- disaster recovery (components/dr.py): before the database, a standby's replicates through it -------
    dr = (
        DisasterRecovery("dr", DisasterRecoveryArgs(config=config.dr, aws_context=context, protect=protect), opts)
        if config.dr is not None
        else None
    )
    database: Database | RdsInstance | None = None
    if isinstance(config.database, PostgresConfig):
        database = RdsInstance(
            "database",
            RdsInstanceArgs(
                config=config.database,
                replica_of=dr.replica_source() if dr is not None else None,
                **in_data_subnets,
            ),
            opts,
        )
    elif config.database is not None:
        database = Database(
            "database",
            DatabaseArgs(
                config=config.database,
                secondary=dr.secondary_source() if dr is not None else None,
                global_member=dr is not None and dr.primary is None,
                **in_data_subnets,
            ),
            opts,
        )
    caches = {
        key: Cache(f"cache-{key}", CacheArgs(name=key, config=cache, **in_data_subnets), opts)
        for key, cache in config.caches.items()
    }
    grantable_secrets: dict[str, Grantable] = dict(secrets)
    stores = DataStores(
        tables=dict(tables),
        queues=dict(queues),
        buckets=dict(buckets),
        secrets=grantable_secrets,
        database=database,
        events=events,
        kms_key_arn=key_arn,
        caches=dict(caches),
    )
    backup = _backup(config, context, opts, key_arn=key_arn, database=database, tables=tables, buckets=buckets)
    # -- one registry of what the stack built: grants and `${...}` references resolve through it -----
    registry = Registry(stores, context)
    # -- OpenSearch Serverless collections (components/collection.py): before the services' grants ------
    collections = build_collections(config, context, key_arn, network, opts)
    for key, collection in (collections.built if collections else {}).items():
        registry.add("collections", key, collection)
    return DataLayer(
        keys=keys,
        dr=dr,
        access_logs=access_logs,
        buckets=buckets,
        replications=replications,
        tables=tables,
        queues=queues,
        events=events,
        secrets=secrets,
        database=database,
        caches=caches,
        collections=collections,
        backup=backup,
        stores=stores,
        registry=registry,
    )


def _backup(
    config: StackConfig,
    context: AwsContext,
    opts: pulumi.ResourceOptions,
    *,
    key_arn: pulumi.Input[str],
    database: Database | RdsInstance | None,
    tables: dict[str, Table],
    buckets: dict[str, Bucket],
) -> Backup | None:
    """The AWS Backup plan of `platform:backup`, selecting the database, the tables and (by default) the
    buckets."""
    if config.backup is None:
        return None
    arns: list[pulumi.Input[str]] = []
    if isinstance(database, RdsInstance):
        arns.append(database.arn)
    elif database is not None:
        arns.append(database.cluster_arn)
    arns += [table.arn for table in tables.values()]
    if config.backup.include_buckets:
        arns += [bucket.arn for bucket in buckets.values()]
    return Backup(
        "backup",
        BackupArgs(
            config=config.backup,
            aws_context=context,
            kms_key_arn=key_arn,
            resource_arns=arns,
            protect=config.protect_stateful_resources,
        ),
        opts,
    )


def _has_scheduled_tasks(config: StackConfig) -> bool:
    """A scheduled task's failed runs reach its (KMS-encrypted) failure queue through EventBridge."""
    return any(s.kind == "task" and s.schedule is not None for s in config.services.values())
