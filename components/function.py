"""Function: one Lambda function with its role, log group, alias, network placement and triggers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.base import LogRetentionDays
from .config.functions import PROJECT_DIR, FunctionConfig, secret_arn_variable
from .grants import DataStores, grant_statements, require_store
from .iam import Statement, deny_insecure_transport, policy_document
from .keys import via_service
from .load_balancer import LoadBalancer
from .naming import physical_name
from .registry import Registry
from .service import DATABASE_PORT, HTTPS_ANYWHERE

ALIAS = "live"
"""Every function publishes a version per change and points the alias `live` at it; triggers, permissions and
provisioned concurrency name the alias, so a deployment switches them all at once."""
FAILURE_RETENTION_SECONDS = 14 * 24 * 3600
"""The failure queue keeps an event 14 days (SQS's maximum): time for a person to look and redrive."""

TRACING_JUSTIFICATION = (
    "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource type in AWS's action "
    "catalogue, so AWS accepts only '*' (the same as the AWSXRayDaemonWriteAccess policy)."
)
ENI_DESCRIBE_JUSTIFICATION = (
    "ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets are list calls with no resource "
    "type; Lambda's VPC guide: DescribeNetworkInterfaces \"only works if it's allowed on all "
    'resources". Creating and deleting interfaces is scoped below.'
)


@dataclass(frozen=True, kw_only=True)
class FunctionArgs:
    key: str
    """The `platform:functions` key: physical names, alarms and messages use it."""
    config: FunctionConfig
    """The validated `platform:functions.<name>` entry (cross-checked: its stores, queues and secrets exist)."""
    aws_context: AwsContext
    log_retention_days: LogRetentionDays
    kms_key_arn: pulumi.Input[str]
    """The stack key: the log group and the failure queue are encrypted with it."""
    data_stores: DataStores = dataclasses.field(default_factory=DataStores)
    references: Registry | None = None
    """The stack's registry: grants and `${...}` references in `environment` resolve through it. Default: one
    over `data_stores`."""
    vpc_id: pulumi.Input[str] | None = None
    private_subnet_ids: Sequence[pulumi.Input[str]] = ()
    """The network's private subnets: used only when the function is granted a network store (the database)."""
    load_balancer: LoadBalancer | None = None
    """Required for `triggers.http`: the Lambda target group's rule goes on its listener."""
    event_bus_name: pulumi.Input[str] | None = None
    """The stack bus (the Events component's output, so rules wait for it). Required for `triggers.events`."""
    protect: bool = False
    """Pulumi `protect` on the failure queue (prod): it holds exactly the events that need a person."""
    extra_statements: Sequence[Statement] = ()
    """More rights for the role, decided by the composition (a rotation function's on the secrets it rotates)."""
    run_after: Sequence[pulumi.Resource] = ()
    """What a `runOnDeploy` invocation waits for besides the function (the database, for db-init)."""


class Function(pulumi.ComponentResource):
    """A Lambda function hardened by default.

    - Code: a repository directory zipped by Pulumi (`FileArchive`), or a pinned ECR image; a supported
      runtime; arm64; 256 MiB; 30 s timeout; a version published per change behind the alias `live`.
    - Logs: its own log group `/aws/lambda/<name>` created first, with the stack's retention and the stack key,
      JSON log format. Tracing: X-Ray `Active`.
    - Role: trusts `lambda.amazonaws.com`; may write its own log group's streams, send traces, use exactly its
      grants (the services' grant protocol), read the secrets it lists (it gets `<NAME>_SECRET_ARN`, never the
      value), consume the queues that trigger it, send to its failure queue; and, in a VPC, manage its network
      interfaces (only `Describe*` on `*`).
    - Network: outside the VPC unless granted the database; then in the private subnets with its own security
      group (egress 443 and 5432 to the database's group; no ingress), admitted by the database.
    - Concurrency: reserved (a cap) and provisioned (on the alias) when configured.
    - Asynchronous triggers (events, schedules): retries then an on-failure destination, the function's own
      KMS-encrypted failure queue (14 days, TLS only)."""

    function_name: pulumi.Output[str]
    """The function's name (the `FunctionName` metric dimension)."""
    arn: pulumi.Output[str]
    alias_arn: pulumi.Output[str]
    """The `live` alias: what triggers invoke."""
    role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str] | None
    """In a VPC: the function's own group; None outside."""
    failure_queue_name: pulumi.Output[str] | None
    """With asynchronous triggers: the failure queue (alarmed on depth); None otherwise."""
    stream_sources: list[str]
    """Names of stream event sources (Kinesis, DynamoDB streams) whose iterator age is watched; none today."""

    def __init__(self, name: str, args: FunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:function:Function", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        config, context = args.config, args.aws_context
        self.key = key = args.key
        self.timeout_seconds = config.timeout_seconds
        self.stream_sources = []
        self.target_group_arn_suffix: pulumi.Output[str] | None = None
        """With `triggers.http`: the Lambda target group's metric dimension."""
        physical = physical_name(key, max_length=64)
        self.physical_name = physical
        log_group_name = f"/aws/lambda/{physical}"
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags={"Name": physical},
            opts=self._child,
        )
        self.log_group_name = log_group.name
        self.failure_queue_arn: str | None = None
        self.failure_queue_name = None
        if config.triggers.asynchronous:
            self._failure_queue(physical_name(key, "failures", max_length=80))

        self.security_group_id = None
        vpc_config = None
        if config.grants.database is not None:
            group = self._security_group()
            self.security_group_id = group.id
            vpc_config = aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=list(args.private_subnet_ids), security_group_ids=[group.id]
            )
        statements = self._statements(context.arn("logs", f"log-group:{log_group_name}"))
        role = aws.iam.Role(
            f"{name}-role",
            name=physical_name(key, "function", max_length=64),
            description=f"Execution role of function {key}",
            assume_role_policy=policy_document(
                [
                    Statement(
                        sid="TrustLambda",
                        actions=["sts:AssumeRole"],
                        principals={"Service": [context.service_principal("lambda")]},
                    )
                ]
            ),
            tags={"Name": physical_name(key, "function")},
            opts=self._child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            name="function-least-privilege",
            policy=policy_document(statements),
            opts=self._child,
        )
        self.role_arn = role.arn

        registry = args.references if args.references is not None else Registry(args.data_stores)
        environment: dict[str, pulumi.Input[str]] = {k: registry.resolve(v) for k, v in config.environment.items()}
        for secret in config.secrets:
            store = require_store(args.data_stores.secrets.get(secret), f"secret {secret}", f"function {key}")
            environment[secret_arn_variable(secret)] = store.arn
        function = aws.lambda_.Function(
            f"{name}-function",
            name=physical,
            role=role.arn,
            architectures=[config.architecture],
            memory_size=config.memory,
            timeout=config.timeout_seconds,
            publish=True,
            reserved_concurrent_executions=config.reserved_concurrency,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=environment) if environment else None,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group_name),
            vpc_config=vpc_config,
            tags={"Name": physical},
            # The group and the role's policy first: the function logs by name and checks its ENI rights.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, role_policy]),
            **self._code(),  # type: ignore[arg-type]
        )
        self.function_name, self.arn = function.name, function.arn
        alias = aws.lambda_.Alias(
            f"{name}-alias",
            name=ALIAS,
            function_name=function.name,
            function_version=function.version,
            description=f"{key}: the version triggers invoke",
            opts=self._child,
        )
        self.alias_arn = alias.arn
        self._function, self._alias = function, alias
        self._invocation_settings()

        from .triggers import wire_triggers  # triggers build on this component's outputs

        wire_triggers(self, args)
        if config.run_on_deploy is not None:
            payload = json.dumps(config.run_on_deploy.input, sort_keys=True)
            aws.lambda_.Invocation(
                f"{name}-run-on-deploy",
                function_name=function.name,
                qualifier=alias.name,
                input=payload,
                triggers={"input": payload},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[alias, *args.run_after]),
            )
        self.register_outputs(
            {
                "functionName": self.function_name,
                "aliasArn": self.alias_arn,
                "roleArn": self.role_arn,
                "logGroupName": self.log_group_name,
            }
        )

    def _code(self) -> dict[str, object]:
        """The package: a pinned ECR image, or the code directory zipped by Pulumi with handler and runtime."""
        config = self._args.config
        if config.image is not None:
            return {"package_type": "Image", "image_uri": config.image}
        assert config.code is not None and config.handler is not None  # config.functions.check
        return {
            "package_type": "Zip",
            "code": pulumi.FileArchive(str(PROJECT_DIR / config.code)),
            "handler": config.handler,
            "runtime": config.runtime,
        }

    def _invocation_settings(self) -> None:
        """Provisioned concurrency on the alias; asynchronous retries and the on-failure destination."""
        config, name = self._args.config, self._name
        function, alias = self._function, self._alias
        if config.provisioned_concurrency is not None:
            aws.lambda_.ProvisionedConcurrencyConfig(
                f"{name}-provisioned",
                function_name=function.name,
                qualifier=alias.name,
                provisioned_concurrent_executions=config.provisioned_concurrency,
                opts=self._child,
            )
        if self.failure_queue_arn is not None:
            aws.lambda_.FunctionEventInvokeConfig(
                f"{name}-async",
                function_name=function.name,
                qualifier=alias.name,
                maximum_retry_attempts=config.async_retry_attempts,
                maximum_event_age_in_seconds=config.maximum_event_age_seconds,
                destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                    on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                        destination=self.failure_queue_arn
                    )
                ),
                opts=self._child,
            )

    @property
    def alias(self) -> aws.lambda_.Alias:
        return self._alias

    @property
    def function(self) -> aws.lambda_.Function:
        return self._function

    @property
    def name(self) -> str:
        return self._name

    # -- role ----------------------------------------------------------------------------------------
    def _statements(self, log_group_arn: str) -> list[Statement]:
        config, args = self._args.config, self._args
        context = args.aws_context
        grantee = f"function {self.key}"
        statements = [
            Statement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{log_group_arn}:log-stream:*"],
            ),
            Statement(
                sid="SendTraces",
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                resources=["*"],
                justification=TRACING_JUSTIFICATION,
            ),
        ]
        # The queues that trigger it are consumed by the event source mapping, with the function's role.
        grants = config.grants
        triggered = {q: "consume" for q in config.triggers.queues if grants.queues.get(q) != "consume"}
        if triggered:
            grants = grants.model_copy(update={"queues": {**grants.queues, **triggered}})
        statements += grant_statements(
            grants, args.references if args.references is not None else Registry(args.data_stores), grantee
        )
        for secret in config.secrets:
            if secret in config.grants.secrets:
                continue  # already readable through the grant
            store = require_store(args.data_stores.secrets.get(secret), f"secret {secret}", grantee)
            statements.extend(store.grant("read"))
        statements += list(args.extra_statements)
        if self.failure_queue_arn is not None:
            statements += [
                Statement(sid="SendFailedEvents", actions=["sqs:SendMessage"], resources=[self.failure_queue_arn]),
                Statement(
                    sid="FailureQueueKey",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[args.kms_key_arn],
                    conditions=via_service(context, "sqs"),
                ),
            ]
        if config.grants.database is not None:
            network_interfaces = context.arn("ec2", "network-interface/*")
            subnets = [pulumi.Output.concat(context.arn("ec2", "subnet/"), s) for s in args.private_subnet_ids]
            assert self.security_group_id is not None
            statements += [
                Statement(
                    sid="DescribeNetwork",
                    actions=["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
                    resources=["*"],
                    justification=ENI_DESCRIBE_JUSTIFICATION,
                ),
                Statement(
                    sid="CreateOwnInterfaces",
                    actions=["ec2:CreateNetworkInterface"],
                    resources=[
                        network_interfaces,
                        *subnets,
                        pulumi.Output.concat(context.arn("ec2", "security-group/"), self.security_group_id),
                    ],
                ),
                Statement(
                    sid="ManageInterfaces",
                    actions=[
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:DeleteNetworkInterface",
                        "ec2:UnassignPrivateIpAddresses",
                    ],
                    resources=[network_interfaces],
                ),
            ]
        return statements

    # -- network -------------------------------------------------------------------------------------
    def _security_group(self) -> aws.ec2.SecurityGroup:
        args, name, key = self._args, self._name, self.key
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            name=physical_name(key, "function"),
            description=f"Function {key}: no ingress; HTTPS out and PostgreSQL to the database",
            tags={"Name": physical_name(key, "function")},
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out-https",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=HTTPS_ANYWHERE,
            description="HTTPS to AWS APIs (through NAT or VPC endpoints)",
            opts=self._child,
        )
        database = require_store(args.data_stores.database, "database", f"function {key}")
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out-database",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=DATABASE_PORT,
            to_port=DATABASE_PORT,
            referenced_security_group_id=database.security_group_id,
            description="PostgreSQL to the database",
            opts=self._child,
        )
        database.allow_from(f"function-{key}", group.id)
        return group

    # -- asynchronous failures -----------------------------------------------------------------------------
    def _failure_queue(self, queue_name: str) -> None:
        """The function's failure queue: Lambda's on-failure destination, the schedules' and rules' DLQ."""
        args, context = self._args, self._args.aws_context
        arn = context.arn("sqs", queue_name)
        queue = aws.sqs.Queue(
            f"{self._name}-failures",
            name=queue_name,
            message_retention_seconds=FAILURE_RETENTION_SECONDS,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            tags={"Name": queue_name, "Role": "dead-letter"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        from .triggers import event_rule_arns  # the rules that may drop undeliverable events here

        statements = [deny_insecure_transport(["sqs:*"], [arn])]
        rules = event_rule_arns(context, args.config, self.key)
        if rules:
            statements.append(
                Statement(
                    sid="EventRulesSendUndelivered",
                    actions=["sqs:SendMessage"],
                    principals={"Service": [context.service_principal("events")]},
                    resources=[arn],
                    conditions={"ArnEquals": {"aws:SourceArn": rules}},
                )
            )
        aws.sqs.QueuePolicy(
            f"{self._name}-failures-policy", queue_url=queue.url, policy=policy_document(statements), opts=self._child
        )
        self.failure_queue_arn = arn
        self.failure_queue_name = queue.name
