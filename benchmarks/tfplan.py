"""The recorded Pulumi graph as a Terraform plan (`terraform show -json`), for checkov's terraform_plan scan.

pulumi-aws is bridged from terraform-provider-aws, so every AWS resource the program registers is a Terraform
resource under another name:

- the type: `aws:ec2/securityGroup:SecurityGroup` is Terraform's `aws_security_group`. The provider keeps
  this mapping in its bridge metadata, not in the Python SDK; `TERRAFORM_TYPES` holds it for the types the
  platform registers (a test fails when the program registers one it lacks);
- the properties, derived from the installed SDK: each resource class's typed properties say which value is
  a nested object and which a list of them. A nested block's Terraform name is in its SDK type's name (the
  bridge names `ServiceCapacityProviderStrategy` after the parent type and Terraform's singular block name
  `capacity_provider_strategy`, which Pulumi pluralises to `capacityProviderStrategies`); everything else is
  camelCase to snake_case. A single nested object (a Terraform block of at most one, flattened by Pulumi) is
  a one-element list again; maps (tags) stay maps;
- references: each property dependency the engine recorded becomes a `configuration` reference to the
  resource it names, so checkov's graph sees the same edges (which security group a service uses, which ACL
  protects the load balancer).

Component resources (`platform:*`) have no Terraform equivalent and the stack itself is not a resource: they
are counted as unmapped, as is any AWS type missing from `TERRAFORM_TYPES`.
"""

from __future__ import annotations

import functools
import importlib
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

TERRAFORM_TYPES: dict[str, str] = {
    "aws:accessanalyzer/analyzer:Analyzer": "aws_accessanalyzer_analyzer",
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
    "aws:appautoscaling/scheduledAction:ScheduledAction": "aws_appautoscaling_scheduled_action",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:budgets/budget:Budget": "aws_budgets_budget",
    "aws:cfg/deliveryChannel:DeliveryChannel": "aws_config_delivery_channel",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/eventBus:EventBus": "aws_cloudwatch_event_bus",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": "aws_ecr_registry_scanning_configuration",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
    "aws:scheduler/schedule:Schedule": "aws_scheduler_schedule",
    "aws:scheduler/scheduleGroup:ScheduleGroup": "aws_scheduler_schedule_group",
    "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "aws_ecs_cluster_capacity_providers",
    "aws:ecs/service:Service": "aws_ecs_service",
    "aws:ecs/taskDefinition:TaskDefinition": "aws_ecs_task_definition",
    "aws:guardduty/detector:Detector": "aws_guardduty_detector",
    "aws:guardduty/detectorFeature:DetectorFeature": "aws_guardduty_detector_feature",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "aws_iam_service_linked_role",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:route53/zone:Zone": "aws_route53_zone",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": "aws_s3_bucket_cors_configuration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/alias:Alias": "aws_lambda_alias",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "aws_lambda_event_source_mapping",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "aws_lambda_function_event_invoke_config",
    "aws:lambda/functionUrl:FunctionUrl": "aws_lambda_function_url",
    "aws:lambda/invocation:Invocation": "aws_lambda_invocation",
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": "aws_lambda_provisioned_concurrency_config",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "aws_lb_target_group_attachment",
    "aws:synthetics/canary:Canary": "aws_synthetics_canary",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": "aws_chatbot_slack_channel_configuration",
    "aws:securityhub/account:Account": "aws_securityhub_account",
    "aws:securityhub/standardsSubscription:StandardsSubscription": "aws_securityhub_standards_subscription",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:elasticache/user:User": "aws_elasticache_user",
    "aws:elasticache/userGroup:UserGroup": "aws_elasticache_user_group",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    # sites, APIs, collections (components/site.py, api.py, collection.py)
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "aws_cloudfront_origin_access_control",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "aws_cloudfront_response_headers_policy",
    "aws:cloudwatch/logDelivery:LogDelivery": "aws_cloudwatch_log_delivery",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "aws_cloudwatch_log_delivery_destination",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "aws_cloudwatch_log_delivery_source",
    "aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api",
    "aws:apigateway/deployment:Deployment": "aws_api_gateway_deployment",
    "aws:apigateway/stage:Stage": "aws_api_gateway_stage",
    "aws:apigateway/methodSettings:MethodSettings": "aws_api_gateway_method_settings",
    "aws:apigateway/usagePlan:UsagePlan": "aws_api_gateway_usage_plan",
    "aws:apigateway/apiKey:ApiKey": "aws_api_gateway_api_key",
    "aws:apigateway/usagePlanKey:UsagePlanKey": "aws_api_gateway_usage_plan_key",
    "aws:apigateway/domainName:DomainName": "aws_api_gateway_domain_name",
    "aws:apigateway/basePathMapping:BasePathMapping": "aws_api_gateway_base_path_mapping",
    "aws:opensearch/serverlessCollection:ServerlessCollection": "aws_opensearchserverless_collection",
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy": "aws_opensearchserverless_security_policy",
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy": "aws_opensearchserverless_access_policy",
    "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint": "aws_opensearchserverless_vpc_endpoint",
}
"""Pulumi type token -> Terraform resource type, for every AWS type the platform and the account layer
(bootstrap/) register (as pulumi-aws's
bridge maps them: the `ec2` module's resources keep Terraform's unprefixed names, `aws_lb` is the load
balancer, `aws_db_subnet_group` the RDS subnet group)."""

PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"
"""The provider terraform-provider-aws registers as, which checkov reads to tell AWS resources apart."""


def snake(name: str) -> str:
    """`capacityProviderStrategies` -> `capacity_provider_strategies`, `ipv6CidrBlock` -> `ipv6_cidr_block`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# -- the SDK's shapes ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """What the SDK says about one property: its Terraform name, and whether it holds nested objects."""

    tf_name: str
    kind: str
    """"object" (a single nested block), "objects" (a list of them), "map", or "value"."""
    nested: type | None = None
    derived_from: str = "snake_case"
    """"type name" when the Terraform name came from the nested type's name, else "snake_case"."""


def _sdk_class(token: str) -> type | None:
    """The SDK's resource class for a type token (`aws:ecs/service:Service` -> pulumi_aws.ecs.Service)."""
    _, module_path, name = token.split(":")
    module = module_path.split("/")[0]
    try:
        package = importlib.import_module(f"pulumi_aws.{module}")
        return getattr(package, name)
    except (ImportError, AttributeError):
        return None


def _property_types(cls: type, *, resource: bool) -> dict[str, Any]:
    from pulumi import _types

    return _types.resource_types(cls) if resource else _types.output_type_types(cls)


def _shape(parent: type, pulumi_name: str, annotation: Any) -> Shape:
    from pulumi import _types

    unwrapped = _types.unwrap_type(annotation)
    origin = typing.get_origin(unwrapped)
    args = typing.get_args(unwrapped)
    nested: type | None = None
    kind = "value"
    if isinstance(unwrapped, type) and _types.is_output_type(unwrapped):
        nested, kind = unwrapped, "object"
    elif (
        origin is not None
        and args
        and isinstance(args[0], type)
        and _types.is_output_type(args[0])
        and origin not in (dict, Mapping, typing.Mapping)
    ):
        nested, kind = args[0], "objects"
    elif origin in (dict, Mapping, typing.Mapping):
        kind = "map"
    if nested is not None and nested.__name__.startswith(parent.__name__) and nested.__name__ != parent.__name__:
        return Shape(snake(nested.__name__[len(parent.__name__) :]), kind, nested, "type name")
    return Shape(snake(pulumi_name), kind, nested)


@functools.cache
def shapes(cls: type, resource: bool = True) -> dict[str, Shape]:
    """Pulumi property name -> its Shape, for a resource class or a nested output type."""
    return {name: _shape(cls, name, annotation) for name, annotation in _property_types(cls, resource=resource).items()}


# -- conversion ------------------------------------------------------------------------------------
@dataclass
class PlanMapping:
    """How the recorded resources mapped: counts for the report."""

    mapped: int = 0
    components: int = 0
    unmapped_types: dict[str, int] = field(default_factory=dict)
    fields_by_type_name: int = 0
    fields_by_snake_case: int = 0
    unknown_fields: int = 0
    references: int = 0

    @property
    def total(self) -> int:
        return self.mapped + self.components + sum(self.unmapped_types.values())

    def summary(self) -> str:
        unmapped = sum(self.unmapped_types.values())
        text = (
            f"{self.mapped} of {self.total} resources mapped to Terraform types "
            f"({self.components} components and the stack have no Terraform equivalent"
            + (f", {unmapped} of types without a mapping: {', '.join(sorted(self.unmapped_types))}" if unmapped else "")
            + f"); nested blocks named from SDK types: {self.fields_by_type_name} values, "
            f"snake_case: {self.fields_by_snake_case}; {self.references} references"
        )
        if self.unknown_fields:
            text += f"; {self.unknown_fields} properties the SDK does not declare (kept, snake_case)"
        return text


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


class Converter:
    """Converts recorded resources (anything shaped like `offline.engine.RecordedResource`) into a plan."""

    def __init__(self) -> None:
        self.mapping = PlanMapping()

    def value(self, value: Any, shape: Shape | None) -> Any:
        if isinstance(value, float):
            return _number(value)
        if value == UNKNOWN:
            return None
        if shape is None or shape.nested is None:
            if isinstance(value, dict):
                return {k: self.value(v, None) for k, v in value.items()}
            if isinstance(value, list):
                return [self.value(v, None) for v in value]
            return value
        if isinstance(value, dict):
            return [self.block(value, shape.nested)]  # a single nested object: a block of one
        if isinstance(value, list):
            return [self.block(v, shape.nested) if isinstance(v, dict) else self.value(v, None) for v in value]
        return value

    def block(self, values: Mapping[str, Any], cls: type, *, resource: bool = False) -> dict[str, Any]:
        known = shapes(cls, resource)
        converted: dict[str, Any] = {}
        for name, value in values.items():
            shape = known.get(name)
            if shape is None:
                self.mapping.unknown_fields += 1
                converted[snake(name)] = self.value(value, None)
                continue
            if shape.derived_from == "type name":
                self.mapping.fields_by_type_name += 1
            else:
                self.mapping.fields_by_snake_case += 1
            converted[shape.tf_name] = self.value(value, shape)
        return converted

    def plan(self, resources: Iterable[Any]) -> dict[str, Any]:
        resources = list(resources)
        addresses: dict[str, str] = {}
        used: set[str] = set()
        for r in resources:
            tf_type = TERRAFORM_TYPES.get(r.type)
            if tf_type is None:
                continue
            name = re.sub(r"[^A-Za-z0-9_-]", "_", r.name)
            if not re.match(r"[A-Za-z_]", name):
                name = f"r_{name}"
            address, suffix = f"{tf_type}.{name}", 2
            while address in used:
                address, suffix = f"{tf_type}.{name}_{suffix}", suffix + 1
            used.add(address)
            addresses[r.urn] = address

        planned: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        configuration: list[dict[str, Any]] = []
        for r in resources:
            address = addresses.get(r.urn)
            if address is None:
                if not r.custom or r.type.startswith("pulumi:providers:"):
                    self.mapping.components += 1  # components and explicit providers are not Terraform resources
                else:
                    self.mapping.unmapped_types[r.type] = self.mapping.unmapped_types.get(r.type, 0) + 1
                continue
            cls = _sdk_class(r.type)
            tf_type, name = address.split(".", 1)
            values = (
                self.block(r.inputs, cls, resource=True)
                if cls is not None
                else {snake(k): self.value(v, None) for k, v in r.inputs.items()}
            )
            self.mapping.mapped += 1
            common = {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": PROVIDER_NAME,
            }
            planned.append({**common, "schema_version": 0, "values": values, "sensitive_values": {}})
            changes.append(
                {
                    **common,
                    "change": {
                        "actions": ["create"],
                        "before": None,
                        "after": values,
                        "after_unknown": {},
                        "before_sensitive": False,
                        "after_sensitive": {},
                    },
                }
            )
            expressions: dict[str, Any] = {}
            known = shapes(cls, True) if cls is not None else {}
            for prop, urns in (r.property_dependencies or {}).items():
                targets = [addresses[u] for u in urns if u in addresses]
                if not targets:
                    continue
                shape = known.get(prop)
                key = shape.tf_name if shape is not None else snake(prop)
                expressions[key] = {"references": [ref for t in targets for ref in (f"{t}.id", t)]}
                self.mapping.references += len(targets)
            configuration.append(
                {
                    "address": address,
                    "mode": "managed",
                    "type": tf_type,
                    "name": name,
                    "provider_config_key": "aws",
                    "expressions": expressions,
                    "schema_version": 0,
                }
            )
        return {
            "format_version": "1.2",
            "terraform_version": "1.9.8",
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes,
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER_NAME}},
                "root_module": {"resources": configuration},
            },
        }


def plan_for(resources: Sequence[Any]) -> tuple[dict[str, Any], PlanMapping]:
    """The Terraform plan of `resources` and how they mapped."""
    converter = Converter()
    return converter.plan(resources), converter.mapping


__all__ = ["PROVIDER_NAME", "TERRAFORM_TYPES", "Converter", "PlanMapping", "Shape", "plan_for", "shapes", "snake"]
