"""The account layer's composition root: each concern is its own component; this wires their outputs."""

from __future__ import annotations

import pulumi

from components.aws_context import AwsContext

from .audit import AuditTrail, AuditTrailArgs
from .ci_roles import CiRoles, CiRolesArgs
from .config import AccountConfig
from .findings import FindingsAlerts, FindingsAlertsArgs
from .prerequisites import AccountPrerequisites, AccountPrerequisitesArgs
from .security import SecurityBaseline, SecurityBaselineArgs
from .state_backend import StateBackend, StateBackendArgs


def build_account(config: AccountConfig, context: AwsContext) -> dict[str, pulumi.Input[object]]:
    """Build every account-layer component from validated config; return the stack outputs."""
    backend = StateBackend(
        "backend",
        StateBackendArgs(
            aws_context=context,
            noncurrent_version_expiration_days=config.noncurrent_version_expiration_days,
            key_deletion_window_days=config.key_deletion_window_days,
            other_logged_buckets=("audit",),
        ),
    )
    audit = AuditTrail(
        "audit",
        AuditTrailArgs(
            aws_context=context,
            retention_days=config.audit_log_retention_days,
            object_days=config.audit_object_days,
            key_deletion_window_days=config.key_deletion_window_days,
            access_log_bucket=backend.access_log_bucket_name,
        ),
    )
    SecurityBaseline(
        "security",
        SecurityBaselineArgs(
            aws_context=context,
            audit_bucket_name=audit.bucket_name,
            audit_bucket_arn=audit.bucket_arn,
            audit_key_arn=audit.key_arn,
        ),
    )
    prerequisites = AccountPrerequisites(
        "prerequisites",
        AccountPrerequisitesArgs(
            aws_context=context,
            import_ecs_service_linked_role=config.import_ecs_service_linked_role,
            hosted_zones=tuple(config.hosted_zones),
            budgets={name: budget.monthly_limit_usd for name, budget in config.budgets.items()},
            owner_emails=tuple(config.owner_emails),
        ),
    )
    findings = FindingsAlerts(
        "findings", FindingsAlertsArgs(aws_context=context, key_arn=audit.key_arn, emails=tuple(config.owner_emails))
    )
    outputs: dict[str, pulumi.Input[object]] = {
        **backend.outputs,
        "trailArn": audit.trail_arn,
        "auditBucketName": audit.bucket_name,
        "findingsTopicArn": findings.topic_arn,
        "zoneNameServers": prerequisites.zone_name_servers,
    }
    if config.github is not None:
        github = config.github
        roles = CiRoles(
            "ci",
            CiRolesArgs(
                aws_context=context,
                repository=github.repository,
                environments={env: tuple(stacks) for env, stacks in github.environments.items()},
                platform_project=github.platform_project,
                name_prefix=github.name_prefix or github.platform_project,
                passed_to_services=tuple(github.passed_to_services),
                import_existing_provider=github.import_existing_provider,
                state_bucket_arn=backend.bucket_arn,
                secrets_key_arn=backend.key_arn,
                protected_arns=(
                    audit.bucket_arn,
                    pulumi.Output.concat(audit.bucket_arn, "/*"),
                    audit.key_arn,
                    audit.trail_arn,
                    audit.log_group_arn,
                ),
            ),
        )
        outputs |= {
            "githubOidcProviderArn": roles.provider_arn,
            "deployRoleArns": roles.deploy_role_arns,
            "previewRoleArns": roles.preview_role_arns,
        }
    return outputs
