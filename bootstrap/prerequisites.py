"""AccountPrerequisites: what the platform's stacks need once per account, and cost guardrails.

- the ECS service-linked role (`AWSServiceRoleForECS`): the first `CreateCluster` of a new account can fail
  while ECS creates it on demand, so the account layer creates it first. Any earlier ECS use has already
  created it: set `importEcsServiceLinkedRole: true` and the stack adopts it with the `import_` option (or run
  `pulumi import aws:iam/serviceLinkedRole:ServiceLinkedRole ecs <its ARN>` once). The other service-linked
  roles the platform uses are created on demand by the first deploy, which needs `iam:CreateServiceLinkedRole`
  for them (the deploy roles have it, scoped by `iam:AWSServiceName`): Elastic Load Balancing
  (`AWSServiceRoleForElasticLoadBalancing`), RDS (`AWSServiceRoleForRDS`) and Application Auto Scaling for ECS
  (`AWSServiceRoleForApplicationAutoScaling_ECSService`);
- ECR registry scanning: enhanced (Amazon Inspector), continuous, for every repository (`*`);
- optional public Route53 hosted zones (delegate each from the registrar with the `nameServers` output);
- one monthly AWS Budget per environment, filtered by the `Environment` cost-allocation tag (activate it
  once in the Billing console: tags count only from activation on), alerting the owners at 80 % and 100 %
  of actual spend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.naming import physical_name

ECS_SERVICE = "ecs.amazonaws.com"
ALERT_THRESHOLDS = (80, 100)
"""Percent of the monthly limit, on actual spend."""


@dataclass(frozen=True, kw_only=True)
class AccountPrerequisitesArgs:
    aws_context: AwsContext
    import_ecs_service_linked_role: bool = False
    """Adopt an existing AWSServiceRoleForECS instead of creating it. Default False."""
    hosted_zones: Sequence[str] = ()
    budgets: Mapping[str, float] = field(default_factory=dict)
    """Environment -> monthly limit in USD."""
    owner_emails: Sequence[str] = ()


class AccountPrerequisites(pulumi.ComponentResource):
    """The ECS service-linked role, ECR enhanced scanning, hosted zones and budgets."""

    zone_name_servers: dict[str, pulumi.Output[Sequence[str]]]

    def __init__(self, name: str, args: AccountPrerequisitesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:account:AccountPrerequisites", name, None, opts)
        context = args.aws_context
        child = pulumi.ResourceOptions(parent=self)
        existing = (
            f"arn:{context.partition}:iam::{context.account_id}:role/aws-service-role/{ECS_SERVICE}/"
            "AWSServiceRoleForECS"
        )
        adopt = args.import_ecs_service_linked_role
        aws.iam.ServiceLinkedRole(
            f"{name}-ecs",
            aws_service_name=ECS_SERVICE,
            tags={"Name": "AWSServiceRoleForECS"},
            # Adopting: the existing role has no tags yet; compared on import, they would make it fail.
            opts=pulumi.ResourceOptions(
                parent=self, import_=existing if adopt else None, ignore_changes=["tags"] if adopt else None
            ),
        )
        aws.ecr.RegistryScanningConfiguration(
            f"{name}-ecr-scanning",
            scan_type="ENHANCED",
            rules=[
                aws.ecr.RegistryScanningConfigurationRuleArgs(
                    scan_frequency="CONTINUOUS_SCAN",
                    repository_filters=[
                        aws.ecr.RegistryScanningConfigurationRuleRepositoryFilterArgs(
                            filter="*", filter_type="WILDCARD"
                        )
                    ],
                )
            ],
            opts=child,
        )
        self.zone_name_servers = {}
        for zone_name in args.hosted_zones:
            zone = aws.route53.Zone(
                f"{name}-zone-{zone_name}",
                name=zone_name,
                comment=f"{physical_name()}: public zone",
                force_destroy=False,
                tags={"Name": zone_name},
                opts=child,
            )
            self.zone_name_servers[zone_name] = zone.name_servers
        for environment, limit in sorted(args.budgets.items()):
            aws.budgets.Budget(
                f"{name}-budget-{environment}",
                name=physical_name("budget", environment),
                budget_type="COST",
                limit_amount=f"{limit:.2f}",
                limit_unit="USD",
                time_unit="MONTHLY",
                cost_filters=[
                    aws.budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[f"user:Environment${environment}"])
                ],
                notifications=[
                    aws.budgets.BudgetNotificationArgs(
                        comparison_operator="GREATER_THAN",
                        threshold=threshold,
                        threshold_type="PERCENTAGE",
                        notification_type="ACTUAL",
                        subscriber_email_addresses=list(args.owner_emails),
                    )
                    for threshold in ALERT_THRESHOLDS
                ],
                tags={"Name": physical_name("budget", environment)},
                opts=child,
            )
        self.register_outputs({"zoneNameServers": self.zone_name_servers})
