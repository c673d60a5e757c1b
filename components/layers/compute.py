"""The compute layer: the cluster, image repositories, services (web, worker, background, tasks), their
collection access, functions, event-triggered tasks and secret rotation; after the data stores (grants resolve
against them) and the edge (web services attach to the load balancer)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..alarms import deployment_alarm_names
from ..aws_context import AwsContext
from ..cluster import Cluster, ClusterArgs
from ..config import StackConfig
from ..config.compute import ServiceConfig, reads_stack_secrets
from ..config.workloads import ImageSpec
from ..function import Function, FunctionArgs
from ..repository import Repository, RepositoryArgs
from ..rotation import Rotations, RotationsArgs, rotation_statements
from ..service import Service, ServiceArgs, role_arn
from ..task_rules import TaskRules, TaskRulesArgs
from .data import DataLayer
from .edge import EdgeLayer
from .network import NetworkLayer


@dataclass(frozen=True)
class ComputeLayer:
    """What runs: the components themselves (the observability layer reads their names for alarms)."""

    cluster: Cluster
    repositories: dict[str, Repository]
    services: dict[str, Service]
    functions: dict[str, Function]
    task_rules: TaskRules | None
    """The EventBridge rules that run tasks (`platform:tasks`), when the stack has an event bus."""
    rotations: Rotations | None

    def outputs(self) -> dict[str, pulumi.Input[object]]:
        return {
            "clusterName": self.cluster.name,
            "serviceNames": {
                name: service.service_name for name, service in self.services.items() if service.kind != "task"
            },
            **self._task_outputs(),
        }

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


def build_compute(
    config: StackConfig,
    context: AwsContext,
    opts: pulumi.ResourceOptions,
    *,
    network: NetworkLayer,
    data: DataLayer,
    edge: EdgeLayer,
) -> ComputeLayer:
    """The cluster, repositories, then every `platform:services` entry (web services on the edge's load
    balancer, behind the origin-verify rule an API needs), the collections' access for the granted task roles,
    functions, event-triggered tasks (with a bus) and rotation (with a database or a rotating secret)."""
    stores = data.stores
    protect = config.protect_stateful_resources
    cluster = Cluster(
        "cluster",
        ClusterArgs(
            config=config.cluster, log_retention_days=config.log_retention_days, kms_key_arn=stores.kms_key_arn
        ),
        opts,
    )
    repositories = _repositories(config, context, data, opts)
    services: dict[str, Service] = {
        name: Service(
            name,
            ServiceArgs(
                config=service,
                cluster=cluster,
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids,
                aws_context=context,
                log_retention_days=config.log_retention_days,
                kms_key_arn=stores.kms_key_arn,
                load_balancer=edge.load_balancer if service.kind == "web" else None,
                data_stores=stores,
                references=data.registry,
                deployment_alarm_names=deployment_alarm_names(name, service.kind),
                repositories=repositories,
                protect=protect,
                network_ready=network.egress_ready,
                hold_tasks=config.secrets_pending and reads_stack_secrets(service),
                required_header=edge.origin_verify[name].header if name in edge.origin_verify else None,
            ),
            opts,
        )
        for name, service in config.services.items()
    }
    if data.collections is not None:  # data access policies name the granted task roles
        for key in data.collections.built:
            data.collections.admit(
                key,
                {
                    name: (services[name].task_role_arn, service.grants.collections[key])
                    for name, service in config.services.items()
                    if key in service.grants.collections
                },
            )
    functions = _functions(config, context, opts, network=network, data=data, edge=edge)
    task_rules = (
        TaskRules(
            "tasks",
            TaskRulesArgs(
                tasks=config.tasks,
                services=services,
                cluster_arn=cluster.arn,
                private_subnet_ids=network.private_subnet_ids,
                event_bus_name=data.events.bus_name,
                aws_context=context,
                kms_key_arn=data.keys.arn,
                protect=config.protect_stateful_resources,
            ),
            opts,
        )
        if config.tasks and data.events is not None
        else None
    )
    rotations = (
        Rotations(
            "rotations",
            RotationsArgs(
                aws_context=context,
                secrets=config.secrets,
                built_secrets=data.secrets,
                functions=functions,
                master_secret_arn=data.database.master_secret_arn if data.database is not None else None,
                master_secret_rotation_days=config.database.master_secret_rotation_days if config.database else 7,
            ),
            opts,
        )
        if data.database is not None or any(s.rotation and s.rotation.function for s in config.secrets.values())
        else None
    )
    return ComputeLayer(
        cluster=cluster,
        repositories=repositories,
        services=services,
        functions=functions,
        task_rules=task_rules,
        rotations=rotations,
    )


def _functions(
    config: StackConfig,
    context: AwsContext,
    opts: pulumi.ResourceOptions,
    *,
    network: NetworkLayer,
    data: DataLayer,
    edge: EdgeLayer,
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
                kms_key_arn=data.keys.arn,
                data_stores=data.stores,
                references=data.registry,
                vpc_id=network.vpc_id,
                private_subnet_ids=network.private_subnet_ids,
                load_balancer=edge.load_balancer,
                event_bus_name=data.events.bus_name if data.events is not None else None,
                protect=config.protect_stateful_resources,
                extra_statements=[
                    st
                    for key, secret in config.secrets.items()
                    if secret.rotation is not None and secret.rotation.function == name
                    for st in rotation_statements(key, data.secrets[key].arn, data.keys.arn, context)
                ],
                run_after=[data.database] if function.grants.database is not None and data.database else [],
            ),
            opts,
        )
        for name, function in config.functions.items()
    }


def _repositories(
    config: StackConfig, context: AwsContext, data: DataLayer, opts: pulumi.ResourceOptions
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
                kms_key_arn=data.keys.arn,
                puller_role_arns=pullers,
                protect=config.protect_stateful_resources,
            ),
            opts,
        )
    return repositories


def _uses_repository(service: ServiceConfig, key: str) -> bool:
    """The service runs an image of repository `key` (`image: {repository: key}` or `build.repository`)."""
    return (isinstance(service.image, ImageSpec) and service.image.repository == key) or (
        service.build is not None and service.build.repository == key
    )
