"""Backup: the stack's AWS Backup plan, its vault (stack key) and, in prod, a copy vault in a second region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import BackupConfig
from .iam import service_trust_policy
from .keys import account_root_statement, symmetric_key
from .naming import physical_name, product_name

MANAGED_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)
"""AWS's managed policies for a backup role: what AWS Backup calls on each supported service (snapshots, KMS
through the services), maintained by AWS as services are added; S3 has its own pair. The pack forbids only broad
managed policies (no-wildcard-iam `forbiddenManagedPolicies`: AdministratorAccess, PowerUserAccess,
IAMFullAccess); writing these inline would mean tracking AWS Backup's action list by hand."""
COMPLETION_WINDOW_MINUTES = 360
START_WINDOW_MINUTES = 60


@dataclass(frozen=True, kw_only=True)
class BackupArgs:
    config: BackupConfig
    """The validated `platform:backup` section (presets applied)."""
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: the primary vault's recovery points are encrypted with it."""
    resource_arns: Sequence[pulumi.Input[str]]
    """What the plan backs up: the stack's database (cluster or instance), tables and buckets."""
    protect: bool = False
    """Prod: Pulumi `protect` on both vaults (and the copy region's key): recovery points outlive a bad `up`."""


class Backup(pulumi.ComponentResource):
    """- A vault `<project>-<stack>` encrypted with the stack key.
    - A plan with one rule, `daily`: `schedule` (default 05:00 UTC), start within 60 minutes, complete within 6
      hours, each recovery point kept `retentionDays`, recovery points tagged with the stack's standard tags; with
      `copyRegion`, each recovery point also copied to a vault there, kept `copyRetentionDays`.
    - The copy side (prod): an explicit provider for `copyRegion`, a KMS key there (rotated yearly, account-root
      policy) and the copy vault, all tagged like the rest of the stack.
    - A selection of the stack's stateful resources by ARN, through a role only AWS Backup of this account can
      assume, with AWS's managed backup and restore policies."""

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    plan_id: pulumi.Output[str]
    copy_vault_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:backup:Backup", name, None, opts)
        config, context = args.config, args.aws_context
        if config.copy_region == context.region:
            raise ValueError(f"backup: copyRegion {config.copy_region} is the stack's own region; copy to another")
        child = pulumi.ResourceOptions(parent=self)
        vault = aws.backup.Vault(
            f"{name}-vault",
            name=physical_name(),
            kms_key_arn=args.kms_key_arn,
            force_destroy=False,
            tags={"Name": physical_name()},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.vault_name, self.vault_arn = vault.name, vault.arn
        self.copy_vault_arn = None
        copy_actions = None
        if config.copy_region is not None:
            copy = BackupCopy(
                f"{name}-copy", region=config.copy_region, aws_context=context, protect=args.protect, opts=child
            )
            self.copy_vault_arn = copy.vault_arn
            copy_actions = [
                aws.backup.PlanRuleCopyActionArgs(
                    destination_vault_arn=copy.vault_arn,
                    lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(
                        delete_after=config.copy_retention_days or config.retention_days
                    ),
                )
            ]
        plan = aws.backup.Plan(
            f"{name}-plan",
            name=physical_name(),
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily",
                    target_vault_name=vault.name,
                    schedule=config.schedule,
                    start_window=START_WINDOW_MINUTES,
                    completion_window=COMPLETION_WINDOW_MINUTES,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=config.retention_days),
                    copy_actions=copy_actions,
                    recovery_point_tags={"Project": product_name(), "Stack": pulumi.get_stack()},
                )
            ],
            tags={"Name": physical_name()},
            opts=child,
        )
        self.plan_id = plan.id
        role = aws.iam.Role(
            f"{name}-role",
            name=physical_name("backup", max_length=64),
            description=f"AWS Backup of {physical_name()}",
            assume_role_policy=service_trust_policy(context.service_principal("backup"), context.account_id),
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{policy.rsplit('/', 1)[-1]}",
                role=role.name,
                policy_arn=f"arn:{context.partition}:iam::aws:policy/{policy}",
                opts=child,
            )
            for policy in MANAGED_POLICIES
        ]
        if args.resource_arns:
            aws.backup.Selection(
                f"{name}-selection",
                name=physical_name("stateful", max_length=50),
                plan_id=plan.id,
                iam_role_arn=role.arn,
                resources=list(args.resource_arns),
                # The role's policies first: a selection whose role cannot back up fails its first job.
                opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
            )
        self.register_outputs(
            {
                "vaultName": self.vault_name,
                "vaultArn": self.vault_arn,
                "planId": self.plan_id,
                "copyVaultArn": self.copy_vault_arn,
            }
        )


class BackupCopy(pulumi.ComponentResource):
    """The copy region's side: its provider, a KMS key there and the copy vault (every child created through the
    provider, which the component passes down)."""

    vault_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        region: str,
        aws_context: AwsContext,
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        provider = aws.Provider(f"{name}-{region}", region=region, opts=opts)
        super().__init__(
            "platform:backup:BackupCopy",
            name,
            None,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[provider])),
        )
        key = symmetric_key(
            self,
            f"{name}-key",
            description=f"{physical_name()}: backup copies in {region}",
            policy=[account_root_statement(aws_context)],
            alias=f"alias/{physical_name('backup-copy')}",
            tag_name=physical_name("backup-copy"),
            deletion_window_days=30,
            protect=protect,
        )
        vault = aws.backup.Vault(
            f"{name}-vault",
            name=physical_name("copy"),
            kms_key_arn=key.arn,
            force_destroy=False,
            tags={"Name": physical_name("copy")},
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.vault_arn = vault.arn
        self.register_outputs({"vaultArn": self.vault_arn})
