"""Service: one Fargate workload with its own roles, security group, log group and task definition: a `web`
service (behind the ALB), a `worker` (consumes a queue), a `service` (runs continuously, no load balancer, no
queue) or a `task` (runs to completion, on a schedule through components/task.py or on demand)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .cluster import Cluster
from .config.base import LogRetentionDays
from .config.compute import FUNCTION_REFERENCE, ServiceConfig, is_secret_arn
from .config.workloads import ImageSpec
from .delivery import (
    Hook,
    deployment_configuration,
    hook_statements,
    infrastructure_role,
    load_balancer_statements,
    weighted_forward,
)
from .grants import DataStores, Grantable, grant_statements, require_store
from .iam import Statement, policy_document, service_trust_policy
from .image import ServiceImage, ServiceImageArgs
from .load_balancer import LoadBalancer
from .models import invoke_statements
from .naming import path_name, physical_name
from .registry import Registry, is_stack_secret_reference
from .repository import repository_arn, repository_url
from .task import TaskSchedule, TaskScheduleArgs

EXEC_AGENT_PATHS = ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm")
"""Where the ECS Exec (SSM) agent writes. AWS documents Exec as unsupported with a read-only root
filesystem; giving the agent writable volumes at exactly these paths is the known way to keep the root
filesystem read-only and still use Exec (aws/containers-roadmap#1359). Mounted only when Exec is on."""

HTTPS_ANYWHERE = "0.0.0.0/0"
DATABASE_PORT = 5432


class NamedQueue(Protocol):
    """A queue as a worker's autoscaling needs it: its name is the SQS metric's `QueueName`."""

    queue_name: pulumi.Output[str]


class ArnStore(Protocol):
    """A secret as a container's `valueFrom` needs it."""

    arn: pulumi.Output[str]


class GuardedStore(Protocol):
    """A network store (the database; caches later) as a service's egress rule needs it: its group and port."""

    security_group_id: pulumi.Output[str]
    port: int


class ImageRepository(Protocol):
    """A `platform:repositories` repository as a service's image needs it (components/repository.py)."""

    url: str
    arn: str


def role_name(service: str, purpose: str) -> str:
    """Physical name of a service's `execution` or `task` role (known before the role exists: a repository
    policy names the execution roles that pull from it)."""
    return physical_name(service, purpose, max_length=64)


@dataclass(frozen=True, kw_only=True)
class ServiceArgs:
    config: ServiceConfig
    """The validated `platform:services.<name>` entry (presets applied, cross-checked)."""
    cluster: Cluster
    """The cluster; its name, ARN, capacity providers and ECS Exec settings are used."""
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """The network's private subnets: tasks never get a public IP."""
    aws_context: AwsContext
    log_retention_days: LogRetentionDays
    kms_key_arn: pulumi.Input[str] | None = None
    """The stack key: encrypts the service's log group (and a built image's repository)."""
    load_balancer: LoadBalancer | None = None
    """Required for `web`: the target group is attached to its listener, and its group admitted."""
    data_stores: DataStores = dataclasses.field(default_factory=DataStores)
    """The stack's data stores; grants are resolved against them."""
    references: Registry | None = None
    """What the stack built, for `${...}` references in `environment` values, stack-secret fields in
    `secrets` and grants (components/registry.py). Default: a registry over `data_stores`."""
    deployment_alarm_names: Sequence[str] = ()
    """CloudWatch alarms a deployment watches (ECS deployment alarms): one going to ALARM during a deployment
    rolls it back. Plain names (`components.alarms.deployment_alarm_names`), so the alarms, which watch this
    service, can be created after it without a dependency cycle. Default none: the circuit breaker only."""
    hold_tasks: bool = False
    """Create the service with 0 tasks and pin its autoscaling to 0, or a scheduled task's schedule disabled
    (`platform:secretsPending`, the first deploy, before its secrets have values). Default off."""
    network_ready: Sequence[pulumi.Resource] = ()
    """Created before the ECS service (`Network.egress_ready`): the private routes to NAT and the VPC
    endpoints. The first tasks start as soon as the service exists; without these they cannot pull their
    image or reach their secrets, and each failed start counts against the circuit breaker. Default none."""
    repositories: Mapping[str, ImageRepository] = dataclasses.field(default_factory=dict)
    """The stack's ECR repositories by `platform:repositories` key: `image: {repository: <key>}` and
    `build.repository` resolve against them. Default none."""
    protect: bool = False
    """Pulumi `protect` on what the workload stores data in (prod): the repository a `build` without
    `build.repository` creates, a scheduled task's failure queue."""
    functions: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Functions a lifecycle hook may name as `${functions.<name>.arn}` (each with an `arn`). Default none: until
    the stack has functions, hooks give the function's ARN."""

    required_header: tuple[str, pulumi.Input[str]] | None = None
    """`web`: (header, value) the listener rule also requires, so only API Gateway reaches the service
    (components/api.py `OriginVerify`); requests without it fall through to the listener's 404."""


@dataclass(frozen=True)
class Routing:
    """A web service's listener wiring: one target group and rule (rolling), or, for a progressive strategy,
    the pair of target groups ECS alternates between, the production rule and the test rule."""

    target_group: aws.lb.TargetGroup
    rule: aws.lb.ListenerRule
    """The production listener rule."""
    alternate: aws.lb.TargetGroup | None = None
    test_rule: aws.lb.ListenerRule | None = None
    listener_arns: tuple[pulumi.Input[str], ...] = ()
    """The production and test listeners the rules hang off."""

    @property
    def rules(self) -> list[aws.lb.ListenerRule]:
        return [self.rule, *([self.test_rule] if self.test_rule is not None else [])]


class Service(pulumi.ComponentResource):
    """A Fargate service hardened by default.

    - Task: image pinned by tag or digest, non-root user, read-only root filesystem (ephemeral volumes
      only at `writablePaths`), awslogs to its own KMS-encrypted log group with retention, plain
      environment plus secrets only by `valueFrom`, a container health check.
    - Roles: an execution role that may pull its image, write its own log group and read only its own
      injected secrets; a task role with exactly the grants from config (plus ECS Exec's channels when
      Exec is on). Both trust `ecs-tasks` only for this account's ECS.
    - Network: private subnets, no public IP; a security group admitting only the ALB's group on the
      container port (`web`) or nothing (other kinds); egress 443 (AWS APIs through NAT or endpoints), each
      granted network store's own port (database, caches) to that store's group only (the store opens its
      side), and the service's named `egress` rules. Never all traffic.
    - Kinds: `web`, `worker` and `service` run as an ECS service; a `task` is only the task definition, its
      roles and group, run by EventBridge Scheduler on its `schedule` (components/task.py) or on demand
      (`scripts/run-task.sh`, from the stack output `tasks`).
    - Deploys: circuit breaker with rollback, min/max healthy percent, grace period (`web`); the desired
      count belongs to autoscaling after creation. The strategy from config: `rolling`, or a progressive one
      (`blue-green`, `canary`, `linear`): two target groups, a production and a test listener rule ECS shifts
      (weighted forwards whose `actions` Pulumi then leaves to ECS), an ECS infrastructure role scoped to
      them, the bake time, and the rollback alarms watched throughout (components/delivery.py).
    - Autoscaling: CPU and memory target tracking; ALB requests per target (`web`); queue backlog per
      task with scale-from-zero (`worker`); optional scheduled scale-down."""

    service_name: pulumi.Output[str]
    """ECS service name (the `ServiceName` metric dimension). Not set for a `task`: it has no ECS service."""
    cluster_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    target_group_arn_suffix: pulumi.Output[str] | None
    """`web`: the `TargetGroup` metric dimension; None for workers."""
    alternate_target_group_arn_suffix: pulumi.Output[str] | None
    """Progressive `web`: the alternate target group's dimension (traffic moves between the two); else None."""
    queue_name: pulumi.Output[str] | None
    """`worker`: the consumed queue's name; None for web services."""
    kind: str
    task_definition_family: str
    """The task definition family (`aws ecs run-task --task-definition <family>` runs its latest revision)."""
    container_name: str
    """The one container's name (the config key): what `run-task` overrides and reads the exit code of."""
    subnet_ids: Sequence[pulumi.Input[str]]
    schedule: TaskSchedule | None
    """`task` with a `schedule`: the schedule, its role and failure queue; None otherwise."""

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:service:Service", name, None, opts)
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        self._args = args
        self._role_policies: list[aws.iam.RolePolicy] = []
        config = args.config
        self.kind = config.kind
        self.cluster_name = args.cluster.name
        self.target_group_arn_suffix = None
        self.alternate_target_group_arn_suffix = None
        self.queue_name = None
        self.schedule = None
        self.container_name = name
        self.subnet_ids = args.subnet_ids
        if config.kind == "web" and (args.load_balancer is None or config.port is None or config.routing is None):
            raise ValueError(f"service {name}: a web service needs a load balancer, a port and routing")

        image, pull_statements = self._image()
        # Names and ARNs the platform chooses itself are used as plain strings (with explicit dependencies):
        # the task definition and the execution policy are then known at a first preview, where the policy
        # pack can judge them, instead of waiting for `pulumi up`.
        log_group_name = path_name("services", name)
        log_group_arn = args.aws_context.arn("logs", f"log-group:{log_group_name}")
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=self._child,
        )
        self.log_group_name = log_group.name
        container_secrets, secret_statements = self._container_secrets()

        execution_role = self._role(
            "execution",
            [
                *pull_statements,
                Statement(
                    sid="WriteOwnLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[f"{log_group_arn}:log-stream:*"],
                ),
                *secret_statements,
            ],
            depends_on=[log_group],
        )
        self.execution_role_arn = execution_role.arn
        task_role = self._role("task", [*self._grant_statements(), *self._exec_statements()])
        self.task_role_arn = task_role.arn

        group = self._security_group()
        self.security_group_id = group.id
        task_definition = self._task_definition(image, log_group, container_secrets, execution_role, task_role)
        self.task_definition_family = physical_name(name, max_length=255)
        if config.kind == "task":
            self._run_as_task(task_definition, group)
            return

        # The roles' policies too: ECS uses the execution role the moment the first task starts, before an
        # inline policy created in the same `up` may exist.
        depends_on: list[pulumi.Resource] = [args.cluster.capacity_providers, *self._role_policies, *args.network_ready]
        self._routes: Routing | None = None
        if config.kind == "web":
            assert config.port is not None  # checked above: a web service has a port
            routing = self._routes = self._routing()
            depends_on.extend(routing.rules)  # ECS refuses a target group that no listener forwards to yet
            self.target_group_arn_suffix = routing.target_group.arn_suffix
            if routing.alternate is not None:
                self.alternate_target_group_arn_suffix = routing.alternate.arn_suffix
        hooks = self._hooks()
        infrastructure = self._infrastructure_role(hooks, depends_on)
        service = self._ecs_service(
            task_definition=task_definition,
            group=group,
            depends_on=depends_on,
            hooks=hooks,
            infrastructure=infrastructure,
        )
        self.service_name = service.name
        self._autoscaling(service)
        self.register_outputs(
            {
                "serviceName": self.service_name,
                "securityGroupId": self.security_group_id,
                "logGroupName": self.log_group_name,
                "taskRoleArn": self.task_role_arn,
            }
        )

    def _ecs_service(
        self,
        *,
        task_definition: aws.ecs.TaskDefinition,
        group: aws.ec2.SecurityGroup,
        depends_on: list[pulumi.Resource],
        hooks: list[Hook],
        infrastructure: aws.iam.Role | None,
    ) -> aws.ecs.Service:
        """The ECS service: private subnets, no public IP, circuit breaker and alarms rolling back, the
        configured deployment strategy; autoscaling owns the count once it exists."""
        name, args, config = self._name, self._args, self._args.config
        load_balancers = None
        if self._routes is not None:
            assert config.port is not None
            load_balancers = [
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=self._routes.target_group.arn,
                    container_name=name,
                    container_port=config.port,
                    advanced_configuration=self._advanced_configuration(self._routes, infrastructure),
                )
            ]
        capacity = config.capacity
        strategies = [
            aws.ecs.ServiceCapacityProviderStrategyArgs(
                capacity_provider="FARGATE", base=capacity.on_demand_base, weight=capacity.on_demand_weight
            )
        ]
        if capacity.spot_weight:
            strategies.append(
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider="FARGATE_SPOT", weight=capacity.spot_weight
                )
            )
        service = aws.ecs.Service(
            f"{name}-service",
            name=physical_name(name, max_length=255),
            cluster=args.cluster.arn,
            task_definition=task_definition.arn,
            desired_count=0 if args.hold_tasks else config.desired_count,
            capacity_provider_strategies=strategies,
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.subnet_ids), security_groups=[group.id], assign_public_ip=False
            ),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_controller=aws.ecs.ServiceDeploymentControllerArgs(type="ECS"),
            deployment_configuration=deployment_configuration(
                config.deployment, hooks, infrastructure.arn if infrastructure is not None and hooks else None
            ),
            alarms=aws.ecs.ServiceAlarmsArgs(alarm_names=list(args.deployment_alarm_names), enable=True, rollback=True)
            if args.deployment_alarm_names
            else None,
            deployment_minimum_healthy_percent=config.deployment.minimum_healthy_percent,
            deployment_maximum_percent=config.deployment.maximum_percent,
            health_check_grace_period_seconds=(
                config.deployment.health_check_grace_seconds if config.kind == "web" else None
            ),
            load_balancers=load_balancers,
            enable_execute_command=args.cluster.execute_command,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            wait_for_steady_state=False,
            tags={"Name": physical_name(name), "Service": name, "Kind": config.kind},
            # Autoscaling owns the task count once the service exists.
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on, ignore_changes=["desiredCount"]),
        )
        return service

    # -- image -----------------------------------------------------------------------------------
    def _image(self) -> tuple[pulumi.Input[str], list[Statement]]:
        """The image to run, and what the execution role needs to pull it."""
        config, context = self._args.config, self._args.aws_context
        if config.build is not None:
            target = None
            if config.build.repository is not None:
                target = _require_repository(self._args.repositories, config.build.repository, self._name)
            built = ServiceImage(
                f"{self._name}-image",
                ServiceImageArgs(
                    service=self._name,
                    config=config.build,
                    kms_key_arn=self._args.kms_key_arn,
                    repository=target,
                    protect=self._args.protect,
                ),
                opts=self._child,
            )
            return built.image_uri, _ecr_pull([built.repository_arn])
        if isinstance(config.image, ImageSpec):
            # This account's and region's ECR: a repository of the stack, or one that already exists.
            spec = config.image
            own = self._args.repositories.get(spec.repository)
            url = own.url if own is not None else repository_url(context, spec.repository)
            arn = own.arn if own is not None else repository_arn(context, spec.repository)
            return url + spec.suffix, _ecr_pull([arn])
        reference = config.image_reference()
        assert reference is not None and isinstance(config.image, str)  # config: exactly one of image and build
        account, region = reference.ecr_account, reference.ecr_region
        if account is None or region is None:
            return config.image, []  # a public registry: nothing to authorise
        repository = f"arn:{context.partition}:ecr:{region}:{account}:repository/{reference.repository}"
        return config.image, _ecr_pull([repository])

    # -- secrets and grants ----------------------------------------------------------------------
    def _container_secrets(self) -> tuple[list[dict[str, Any]], list[Statement]]:
        """`secrets` entries (`valueFrom`) and the execution role's right to read exactly those."""
        entries: list[dict[str, Any]] = []
        statements: list[Statement] = []
        read_stack_secrets: set[str] = set()
        external: list[str] = []
        parameters: list[str] = []
        for env, reference in sorted(self._args.config.secrets.items()):
            if reference.startswith("arn:"):
                if not is_secret_arn(reference):
                    raise ValueError(f"service {self._name}: secrets.{env} is not a secret or parameter ARN")
                if ":ssm:" in reference:
                    parameters.append(reference)
                else:
                    external.append(":".join(reference.split(":")[:7]))  # drop :json-key:stage:version
                entries.append({"name": env, "valueFrom": reference})
                continue
            if is_stack_secret_reference(reference):  # `database.masterSecret:password`
                value_from, grant = self._references().secret(reference, self._name)
                entries.append({"name": env, "valueFrom": value_from})
                statements.extend(s for s in grant if s.sid not in {t.sid for t in statements})
                continue
            secret, _, json_key = reference.partition(":")
            store = self._args.data_stores.secrets.get(secret)
            if store is None:
                raise ValueError(
                    f"service {self._name}: secrets.{env} names secret {secret!r}, which the stack did not build"
                )
            arn = _attribute(store, "arn", f"secret {secret}")
            value_from = arn if not json_key else pulumi.Output.concat(arn, ":", json_key, "::")
            entries.append({"name": env, "valueFrom": value_from})
            if secret not in read_stack_secrets:
                read_stack_secrets.add(secret)
                statements.extend(store.grant("read"))
        if external:
            statements.append(
                Statement(
                    sid="InjectExternalSecrets",
                    actions=["secretsmanager:GetSecretValue"],
                    resources=sorted(set(external)),
                )
            )
        if parameters:
            statements.append(
                Statement(sid="InjectParameters", actions=["ssm:GetParameters"], resources=sorted(set(parameters)))
            )
        return entries, statements

    def _grant_statements(self) -> list[Statement]:
        """The task role's statements: each grant resolved through the stack's registry
        (components/grants.py `grant_statements`, shared with functions), and the Bedrock models it may invoke."""
        grants = self._args.config.grants
        statements = grant_statements(grants, self._references(), f"service {self._name}")
        if grants.models:
            statements.extend(invoke_statements(grants.models, self._args.aws_context))
        return statements

    def _references(self) -> Registry:
        """The stack's registry (components/registry.py): given by the platform, else one over the data stores."""
        if self._args.references is None:
            return Registry(self._args.data_stores, self._args.aws_context)
        return self._args.references

    def _exec_statements(self) -> list[Statement]:
        """What ECS Exec needs from the task role (only when the cluster allows Exec)."""
        cluster = self._args.cluster
        if not cluster.execute_command or cluster.exec_log_group_arn is None:
            return []
        statements = [
            Statement(
                sid="ExecChannels",
                actions=[
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                resources=["*"],
                justification="Session Manager message channels are not resources: AWS defines no resource "
                "type for ssmmessages actions, so they cannot be scoped below '*'.",
            ),
            Statement(
                sid="ExecFindLogGroup",
                actions=["logs:DescribeLogGroups"],
                resources=["*"],
                justification="DescribeLogGroups is a list call with no resource type in AWS's action "
                "catalogue; the Exec agent calls it before writing session logs.",
            ),
            Statement(
                sid="ExecWriteSessionLogs",
                actions=["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                resources=[cluster.exec_log_group_arn, cluster.exec_log_group_arn.apply(lambda a: f"{a}:*")],
            ),
        ]
        if cluster.exec_kms_key_arn is not None:
            statements.append(
                Statement(sid="ExecDecryptSession", actions=["kms:Decrypt"], resources=[cluster.exec_kms_key_arn])
            )
        return statements

    def _role(
        self, purpose: str, statements: list[Statement], depends_on: Sequence[pulumi.Resource] = ()
    ) -> aws.iam.Role:
        context = self._args.aws_context
        role = aws.iam.Role(
            f"{self._name}-{purpose}-role",
            name=role_name(self._name, purpose),
            description=f"ECS {purpose} role of service {self._name}",
            assume_role_policy=service_trust_policy(
                context.service_principal("ecs-tasks"), context.account_id, context.arn("ecs", "*")
            ),
            opts=self._child,
        )
        if statements:
            self._role_policies.append(
                aws.iam.RolePolicy(
                    f"{self._name}-{purpose}-policy",
                    role=role.id,
                    name=f"{purpose}-least-privilege",
                    policy=policy_document(statements),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
                )
            )
        return role

    # -- network ---------------------------------------------------------------------------------
    def _security_group(self) -> aws.ec2.SecurityGroup:
        config, args = self._args.config, self._args
        group = aws.ec2.SecurityGroup(
            f"{self._name}-sg",
            vpc_id=args.vpc_id,
            name=physical_name(self._name, "service"),
            description=f"{'Task' if config.kind == 'task' else 'Service'} {self._name} ({config.kind}): "
            + ("from the ALB on the container port only" if config.kind == "web" else "no ingress"),
            tags={"Name": physical_name(self._name, "service")},
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-out-https",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=HTTPS_ANYWHERE,
            description="HTTPS to AWS APIs (through NAT or VPC endpoints)",
            opts=self._child,
        )
        if config.kind == "web" and args.load_balancer is not None and config.port is not None:
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-in-alb",
                security_group_id=group.id,
                ip_protocol="tcp",
                from_port=config.port,
                to_port=config.port,
                referenced_security_group_id=args.load_balancer.security_group_id,
                description="From the ALB only, on the container port",
                opts=self._child,
            )
            args.load_balancer.allow_to(self._name, group.id, config.port)
        if config.grants.database is not None:
            database = _require(args.data_stores.database, "database", self._name)
            self._open_to_store("database", database, group, "PostgreSQL to the database")
        for cache_name in sorted(config.grants.caches):
            cache = _require(args.data_stores.caches.get(cache_name), f"cache {cache_name}", self._name)
            self._open_to_store(f"cache-{cache_name}", cache, group, f"Cache {cache_name}")
        for rule_name, rule in sorted(config.egress.items()):
            cidr = {"cidr_ipv4": rule.cidr} if rule.ip_version == 4 else {"cidr_ipv6": rule.cidr}
            aws.vpc.SecurityGroupEgressRule(
                f"{self._name}-out-{rule_name}",
                security_group_id=group.id,
                ip_protocol=rule.protocol,
                from_port=rule.port,
                to_port=rule.last_port,
                **cidr,
                description=f"egress.{rule_name} (stack config)",
                tags={"Name": physical_name(self._name, rule_name)},
                opts=self._child,
            )
        return group

    def _open_to_store(self, label: str, store: Any, group: aws.ec2.SecurityGroup, description: str) -> None:
        """A granted network store: egress on the store's own port to the store's group only, and the store
        admits this group on that port (`NetworkGrantable.allow_from`). Both sides, one grant."""
        port = getattr(store, "port", DATABASE_PORT)
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-out-{label}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=_attribute(store, "security_group_id", label),
            description=description,
            opts=self._child,
        )
        store.allow_from(self._name, group.id)

    # -- task definition -------------------------------------------------------------------------
    def _task_definition(
        self,
        image: pulumi.Input[str],
        log_group: aws.cloudwatch.LogGroup,
        secrets: list[dict[str, Any]],
        execution_role: aws.iam.Role,
        task_role: aws.iam.Role,
    ) -> aws.ecs.TaskDefinition:
        config, context = self._args.config, self._args.aws_context
        exec_on = self._args.cluster.execute_command
        writable = list(dict.fromkeys([*config.writable_paths, *(EXEC_AGENT_PATHS if exec_on else ())]))
        volumes = {path: _volume_name(path) for path in writable}
        container: dict[str, Any] = {
            "name": self._name,
            "image": image,
            "essential": True,
            "user": config.user,
            "readonlyRootFilesystem": True,
            "privileged": False,
            "environment": [
                {"name": k, "value": self._references().resolve(v)} for k, v in sorted(config.environment.items())
            ],
            "secrets": secrets,
            "mountPoints": [{"sourceVolume": volumes[p], "containerPath": p, "readOnly": False} for p in writable],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": path_name("services", self._name),
                    "awslogs-region": context.region,
                    "awslogs-stream-prefix": "ecs",
                    "mode": "non-blocking",
                    "max-buffer-size": "25m",
                },
            },
            "linuxParameters": {"initProcessEnabled": exec_on},
        }
        if config.command is not None:
            container["command"] = config.command
        if config.port is not None:
            container["portMappings"] = [{"containerPort": config.port, "protocol": "tcp", "name": "http"}]
        health = config.container_health_command()
        if health is not None:
            check = config.health_check
            container["healthCheck"] = {
                "command": health,
                "interval": check.interval_seconds,
                "timeout": check.timeout_seconds,
                "retries": check.retries,
                "startPeriod": check.start_period_seconds,
            }
        return aws.ecs.TaskDefinition(
            f"{self._name}-task",
            family=physical_name(self._name, max_length=255),
            cpu=str(config.cpu),
            memory=str(config.memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=config.architecture
            ),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=v) for v in volumes.values()],
            container_definitions=pulumi.Output.json_dumps([container]),
            # the container logs to the group by name: it must exist before a task starts
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )

    # -- web: target groups and listener rules ---------------------------------------------------
    def _target_group(self, suffix: str = "") -> aws.lb.TargetGroup:
        config = self._args.config
        assert config.port is not None
        check = config.health_check
        label = f"{self._name}-{suffix}" if suffix else self._name
        return aws.lb.TargetGroup(
            f"{label}-tg",
            name=physical_name(self._name, suffix, max_length=32),
            port=config.port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=self._args.vpc_id,
            deregistration_delay=config.deployment.deregistration_delay_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=check.path,
                protocol="HTTP",
                port="traffic-port",
                matcher=check.matcher,
                interval=check.interval_seconds,
                timeout=check.timeout_seconds,
                healthy_threshold=check.healthy_threshold,
                unhealthy_threshold=check.unhealthy_threshold,
            ),
            tags={"Name": physical_name(self._name, suffix)},
            opts=self._child,
        )

    def _routing(self) -> Routing:
        """The target group(s) and listener rule(s). Progressive: the alternate group, and the production and
        test rules as weighted forwards to both; ECS rewrites their weights, so Pulumi ignores `actions`."""
        config, lb = self._args.config, self._args.load_balancer
        assert lb is not None and config.routing is not None and config.port is not None
        target_group = self._target_group()
        conditions = []
        if config.routing.paths:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=config.routing.paths)
                )
            )
        if config.routing.hosts:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=config.routing.hosts)
                )
            )
        if self._args.required_header is not None:
            header, value = self._args.required_header
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(http_header_name=header, values=[value])
                )
            )
        if not config.deployment.progressive:
            rule = aws.lb.ListenerRule(
                f"{self._name}-rule",
                listener_arn=lb.listener_arn,
                priority=config.routing.priority,
                conditions=conditions,
                actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
                tags={"Name": physical_name(self._name)},
                opts=self._child,
            )
            return Routing(target_group=target_group, rule=rule)
        if lb.test_listener_arn is None:
            raise ValueError(
                f"service {self._name}: a {config.deployment.strategy} deployment needs the load "
                "balancer's test listener (LoadBalancerArgs.test_listener)"
            )
        alternate = self._target_group("alt")
        owned_by_ecs = pulumi.ResourceOptions(parent=self, ignore_changes=["actions"])
        rule = aws.lb.ListenerRule(
            f"{self._name}-rule",
            listener_arn=lb.listener_arn,
            priority=config.routing.priority,
            conditions=conditions,
            actions=[weighted_forward(target_group.arn, alternate.arn)],
            tags={"Name": physical_name(self._name)},
            opts=owned_by_ecs,
        )
        test_rule = aws.lb.ListenerRule(
            f"{self._name}-test-rule",
            listener_arn=lb.test_listener_arn,
            priority=config.routing.priority,
            conditions=conditions,
            actions=[weighted_forward(target_group.arn, alternate.arn)],
            tags={"Name": physical_name(self._name, "test")},
            opts=owned_by_ecs,
        )
        return Routing(
            target_group=target_group,
            rule=rule,
            alternate=alternate,
            test_rule=test_rule,
            listener_arns=(lb.listener_arn, lb.test_listener_arn),
        )

    # -- progressive delivery: hooks, infrastructure role, advanced configuration ----------------------
    def _hooks(self) -> list[Hook]:
        """The lifecycle hooks with their functions resolved: an ARN as given, `${functions.<name>.arn}` from
        `ServiceArgs.functions` (config validation refuses a name the stack does not have)."""
        hooks = []
        for hook in self._args.config.deployment.lifecycle_hooks:
            reference = FUNCTION_REFERENCE.match(hook.function)
            arn: pulumi.Input[str] = hook.function
            if reference:
                function = self._args.functions.get(reference["name"])
                if function is None:
                    raise ValueError(
                        f"service {self._name}: lifecycle hook function {hook.function} is not a function of this stack"
                    )
                arn = _attribute(function, "arn", f"function {reference['name']}")
            hooks.append(Hook(function_arn=arn, stages=list(hook.stages), details=dict(hook.details)))
        return hooks

    def _infrastructure_role(self, hooks: Sequence[Hook], depends_on: list[pulumi.Resource]) -> aws.iam.Role | None:
        """The ECS infrastructure role, for progressive strategies: the load balancer statements (web) and the
        hooks' invoke statement. None for rolling. The service waits for its policy (`depends_on`)."""
        if not self._args.config.deployment.progressive:
            return None
        statements = hook_statements([h.function_arn for h in hooks])
        routes = self._routes
        if routes is not None and routes.alternate is not None and routes.test_rule is not None:
            statements = [
                *load_balancer_statements(
                    [routes.target_group.arn, routes.alternate.arn],
                    routes.listener_arns,
                    [routes.rule.arn, routes.test_rule.arn],
                ),
                *statements,
            ]
        if not statements:
            return None  # blue-green without a load balancer or hooks: ECS needs no role
        role, policy = infrastructure_role(self._name, self._args.aws_context, statements, self)
        depends_on.append(policy)
        return role

    @staticmethod
    def _advanced_configuration(
        routes: Routing, role: aws.iam.Role | None
    ) -> aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs | None:
        if routes.alternate is None or routes.test_rule is None or role is None:
            return None
        return aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
            alternate_target_group_arn=routes.alternate.arn,
            production_listener_rule=routes.rule.arn,
            test_listener_rule=routes.test_rule.arn,
            role_arn=role.arn,
        )

    # -- autoscaling -----------------------------------------------------------------------------
    def _autoscaling(self, service: aws.ecs.Service) -> None:
        config = self._args.config
        scaling = config.autoscaling
        target = aws.appautoscaling.Target(
            f"{self._name}-scaling-target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self._args.cluster.name, "/", service.name),
            min_capacity=0 if self._args.hold_tasks else scaling.min_count,
            max_capacity=0 if self._args.hold_tasks else scaling.max_count,
            opts=self._child,
        )

        def tracking(
            label: str,
            value: float,
            predefined: aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
            | None = None,
            customized: aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs
            | None = None,
        ) -> aws.appautoscaling.Policy:
            return aws.appautoscaling.Policy(
                f"{self._name}-scale-{label}",
                name=physical_name(self._name, label, max_length=255),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=(
                    aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                        target_value=value,
                        predefined_metric_specification=predefined,
                        customized_metric_specification=customized,
                        scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                        scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                    )
                ),
                opts=self._child,
            )

        predefined = aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
        tracking("cpu", scaling.cpu_target, predefined(predefined_metric_type="ECSServiceAverageCPUUtilization"))
        tracking(
            "memory", scaling.memory_target, predefined(predefined_metric_type="ECSServiceAverageMemoryUtilization")
        )
        if config.kind == "web" and scaling.requests_per_target is not None:
            lb = self._args.load_balancer
            assert lb is not None and self.target_group_arn_suffix is not None
            if self.alternate_target_group_arn_suffix is None:
                tracking(
                    "requests",
                    scaling.requests_per_target,
                    predefined(
                        predefined_metric_type="ALBRequestCountPerTarget",
                        resource_label=pulumi.Output.concat(lb.arn_suffix, "/", self.target_group_arn_suffix),
                    ),
                )
            else:  # progressive: traffic moves between two target groups, so count both
                tracking(
                    "requests", scaling.requests_per_target, customized=self._requests_metric(lb.arn_suffix, service)
                )
        if config.kind == "worker":
            queue = self._consumed_queue()
            self.queue_name = queue
            tracking("backlog", scaling.backlog_per_task, customized=self._backlog_metric(queue, service))
            if scaling.min_count == 0:
                self._scale_from_zero(target, queue, service)
        if scaling.schedule is not None:
            schedule = scaling.schedule
            start = (0, 0) if self._args.hold_tasks else (scaling.min_count, scaling.max_count)  # keep the hold
            for label, expression, low, high in (("stop", schedule.stop, 0, 0), ("start", schedule.start, *start)):
                aws.appautoscaling.ScheduledAction(
                    f"{self._name}-schedule-{label}",
                    name=physical_name(self._name, label, max_length=255),
                    service_namespace=target.service_namespace,
                    scalable_dimension=target.scalable_dimension,
                    resource_id=target.resource_id,
                    schedule=expression,
                    timezone=schedule.timezone,
                    scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                        min_capacity=low, max_capacity=high
                    ),
                    opts=self._child,
                )

    def _requests_metric(
        self, lb_suffix: pulumi.Output[str], service: aws.ecs.Service
    ) -> aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs:
        """ALB requests per running task per minute over both target groups (metric math): the predefined
        ALBRequestCountPerTarget follows one group, which is idle after every other deployment."""
        groups = {"primary": self.target_group_arn_suffix, "alternate": self.alternate_target_group_arn_suffix}
        requests = [
            _stat_query(
                key, "AWS/ApplicationELB", "RequestCount", "Sum", {"LoadBalancer": lb_suffix, "TargetGroup": suffix}
            )
            for key, suffix in groups.items()
        ]
        return _per_running_task(
            requests,
            cluster_name=self._args.cluster.name,
            service_name=service.name,
            id_="perTask",
            expression="SUM([primary, alternate]) / running",
            label="ALB requests per running task (both target groups)",
        )

    def _consumed_queue(self) -> pulumi.Output[str]:
        grants = self._args.config.grants
        consumed = [q for q, access in grants.queues.items() if access == "consume"]
        if len(consumed) != 1:
            raise ValueError(f"service {self._name}: a worker consumes exactly one queue, found {consumed}")
        store = _require(self._args.data_stores.queues.get(consumed[0]), f"queue {consumed[0]}", self._name)
        return _attribute(store, "queue_name", f"queue {consumed[0]}")

    def _backlog_metric(
        self, queue: pulumi.Output[str], service: aws.ecs.Service
    ) -> aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs:
        """Visible messages per running task (metric math): the queue backlog each task would have to work
        through. With no task running the expression has no value; `_scale_from_zero` covers that case."""
        visible = _stat_query(
            "visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Average", {"QueueName": queue}
        )
        return _per_running_task(
            [visible],
            cluster_name=self._args.cluster.name,
            service_name=service.name,
            id_="backlog",
            expression="visible / running",
            label="Visible messages per running task",
        )

    def _scale_from_zero(
        self, target: aws.appautoscaling.Target, queue: pulumi.Output[str], service: aws.ecs.Service
    ) -> None:
        """min 0: target tracking cannot divide by zero running tasks, so a step policy starts the first
        task when messages are waiting and none is running (and only then, so it never fights the
        target tracking policies)."""
        policy = aws.appautoscaling.Policy(
            f"{self._name}-scale-from-zero",
            name=physical_name(self._name, "from-zero", max_length=255),
            policy_type="StepScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            step_scaling_policy_configuration=aws.appautoscaling.PolicyStepScalingPolicyConfigurationArgs(
                adjustment_type="ExactCapacity",
                cooldown=self._args.config.autoscaling.scale_out_cooldown_seconds,
                metric_aggregation_type="Maximum",
                step_adjustments=[
                    aws.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                        metric_interval_lower_bound="0", scaling_adjustment=1
                    )
                ],
            ),
            opts=self._child,
        )
        query = aws.cloudwatch.MetricAlarmMetricQueryArgs
        metric = aws.cloudwatch.MetricAlarmMetricQueryMetricArgs
        aws.cloudwatch.MetricAlarm(
            f"{self._name}-work-waiting",
            name=physical_name(self._name, "work-waiting", max_length=255),
            alarm_description=f"Messages are waiting for worker {self._name} and no task is running: start one",
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            treat_missing_data="notBreaching",
            metric_queries=[
                query(
                    id="visible",
                    return_data=False,
                    metric=metric(
                        namespace="AWS/SQS",
                        metric_name="ApproximateNumberOfMessagesVisible",
                        period=60,
                        stat="Maximum",
                        dimensions={"QueueName": queue},
                    ),
                ),
                query(
                    id="running",
                    return_data=False,
                    metric=metric(
                        namespace="ECS/ContainerInsights",
                        metric_name="RunningTaskCount",
                        period=60,
                        stat="Maximum",
                        dimensions={"ClusterName": self._args.cluster.name, "ServiceName": service.name},
                    ),
                ),
                query(
                    id="waiting",
                    return_data=True,
                    label="Work waiting with no task running",
                    expression="IF(visible > 0 AND FILL(running, 0) < 1, 1, 0)",
                ),
            ],
            alarm_actions=[policy.arn],
            opts=self._child,
        )

    # -- task: run to completion, on a schedule or on demand ----------------------------------------------
    def _run_as_task(self, task_definition: aws.ecs.TaskDefinition, group: aws.ec2.SecurityGroup) -> None:
        """No ECS service and no autoscaling: the task definition runs when EventBridge Scheduler starts it
        (with `schedule`) or when someone runs it (`make task`). Capacity follows the service's strategy."""
        config, args = self._args.config, self._args
        if config.schedule is not None:
            if args.kms_key_arn is None:
                raise ValueError(f"task {self._name}: a scheduled task needs the stack key for its failure queue")
            capacity = config.capacity
            context = args.aws_context
            self.schedule = TaskSchedule(
                f"{self._name}-schedule",
                TaskScheduleArgs(
                    task=self._name,
                    schedule=config.schedule,
                    aws_context=context,
                    # the cluster's and roles' ARNs from their known names (components/cluster.py names the cluster
                    # `physical_name("cluster")`): the scheduler role's policy is judged at a first preview.
                    cluster_arn=context.arn("ecs", f"cluster/{physical_name('cluster', max_length=255)}"),
                    task_definition_arn=task_definition.arn,
                    task_definition_family=self.task_definition_family,
                    execution_role_arn=role_arn(context, self._name, "execution"),
                    task_role_arn=role_arn(context, self._name, "task"),
                    subnet_ids=args.subnet_ids,
                    security_group_id=group.id,
                    on_demand_base=capacity.on_demand_base,
                    on_demand_weight=capacity.on_demand_weight,
                    spot_weight=capacity.spot_weight,
                    kms_key_arn=args.kms_key_arn,
                    execute_command=args.cluster.execute_command,
                    protect=args.protect,
                    hold=args.hold_tasks,
                ),
                opts=self._child,
            )
        self.register_outputs(
            {
                "taskDefinitionFamily": self.task_definition_family,
                "securityGroupId": self.security_group_id,
                "logGroupName": self.log_group_name,
                "taskRoleArn": self.task_role_arn,
            }
        )


# -- helpers -----------------------------------------------------------------------------------------
def role_arn(context: AwsContext, service: str, purpose: str) -> str:
    """A service's role ARN from its known name (`role_name`)."""
    return context.arn("iam", f"role/{role_name(service, purpose)}", regional=False)


_CUSTOMIZED = "PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetric"
"""The pulumi-aws args classes of a target-tracking policy's metric-math queries share this prefix."""


def _stat_query(id_: str, namespace: str, metric: str, stat: str, dimensions: dict[str, Any]) -> Any:
    """One metric query of a customized target-tracking metric (not returned: an input to the expression)."""
    spec = aws.appautoscaling
    return getattr(spec, f"{_CUSTOMIZED}Args")(
        id=id_,
        return_data=False,
        metric_stat=getattr(spec, f"{_CUSTOMIZED}MetricStatArgs")(
            stat=stat,
            metric=getattr(spec, f"{_CUSTOMIZED}MetricStatMetricArgs")(
                namespace=namespace,
                metric_name=metric,
                dimensions=[
                    getattr(spec, f"{_CUSTOMIZED}MetricStatMetricDimensionArgs")(name=name, value=value)
                    for name, value in dimensions.items()
                ],
            ),
        ),
    )


def _per_running_task(
    queries: list[Any],
    *,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    id_: str,
    expression: str,
    label: str,
) -> aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs:
    """`queries` divided by the service's running tasks (Container Insights' RunningTaskCount, id `running`):
    the per-task figure a target-tracking policy holds steady."""
    spec = aws.appautoscaling
    running = _stat_query(
        "running",
        "ECS/ContainerInsights",
        "RunningTaskCount",
        "Average",
        {"ClusterName": cluster_name, "ServiceName": service_name},
    )
    result = getattr(spec, f"{_CUSTOMIZED}Args")(id=id_, expression=expression, label=label, return_data=True)
    return spec.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs(
        metrics=[*queries, running, result]
    )


def _require_repository(repositories: Mapping[str, ImageRepository], key: str, service: str) -> ImageRepository:
    repository = repositories.get(key)
    if repository is None:
        raise ValueError(f"service {service}: build.repository names repository {key!r}, which the stack did not build")
    return repository


def _ecr_pull(repositories: Sequence[pulumi.Input[str]]) -> list[Statement]:
    return [
        Statement(
            sid="EcrAuthenticate",
            actions=["ecr:GetAuthorizationToken"],
            resources=["*"],
            justification="ecr:GetAuthorizationToken issues a registry login token; it is an account-level call "
            "with no resource type, so AWS accepts only '*'. The pull actions below are scoped to "
            "the service's own repository.",
        ),
        Statement(
            sid="EcrPullOwnImage",
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=list(repositories),
        ),
    ]


def _volume_name(path: str) -> str:
    """`/var/lib/amazon/ssm` -> `var-lib-amazon-ssm`."""
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "root"


def _require(store: Grantable | None, what: str, service: str) -> Any:
    return require_store(store, what, f"service {service}")


def _attribute(store: object, attribute: str, what: str) -> pulumi.Output[str]:
    value = getattr(store, attribute, None)
    if value is None:
        raise TypeError(
            f"{what} ({type(store).__name__}) has no `{attribute}`; services need it "
            "(see components/service.py: NamedQueue, ArnStore, GuardedStore)"
        )
    return value
