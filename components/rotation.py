"""Secret rotation: stack secrets rotated by one of the stack's functions, and the schedule of the RDS-managed
database master secret.

A rotation function implements Secrets Manager's four steps (createSecret, setSecret, testSecret,
finishSecret). It gets exactly what those steps need on the secrets it rotates (`rotation_statements`), and
Secrets Manager may invoke it for those secrets only (a Lambda permission whose source ARN is the secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import SecretConfig
from .grants import statement_id
from .iam import Statement
from .keys import via_service

ROTATE_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)
"""What the four rotation steps call on the secret (AWS's rotation function templates)."""
RANDOM_PASSWORD_JUSTIFICATION = (
    "secretsmanager:GetRandomPassword generates a password and touches no resource; "
    "AWS's catalogue gives it no resource type, so only '*' is accepted."
)


def rotation_statements(
    secret: str, secret_arn: pulumi.Input[str], kms_key_arn: pulumi.Input[str], context: AwsContext
) -> list[Statement]:
    """The rotation function's rights on one secret: the four steps' actions on it, its key through Secrets
    Manager only, and GetRandomPassword."""
    return [
        Statement(sid=statement_id("rotate", secret), actions=ROTATE_ACTIONS, resources=[secret_arn]),
        Statement(
            sid=statement_id("rotate", secret, "key"),
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[kms_key_arn],
            conditions=via_service(context, "secretsmanager"),
        ),
        Statement(
            sid=statement_id("rotate", secret, "password"),
            actions=["secretsmanager:GetRandomPassword"],
            resources=["*"],
            justification=RANDOM_PASSWORD_JUSTIFICATION,
        ),
    ]


class RotatableSecret:
    """What a rotation needs of a stack secret (components/secrets.py `Secret`)."""

    arn: pulumi.Output[str]


class RotatingFunction:
    """What a rotation needs of a function (components/function.py `Function`)."""

    alias_arn: pulumi.Output[str]
    function: aws.lambda_.Function
    alias: aws.lambda_.Alias


@dataclass(frozen=True, kw_only=True)
class RotationsArgs:
    aws_context: AwsContext
    secrets: Mapping[str, SecretConfig]
    """`platform:secrets` (only those with `rotation` are rotated here)."""
    built_secrets: Mapping[str, object]
    functions: Mapping[str, object]
    master_secret_arn: pulumi.Input[str] | None = None
    """The database's RDS-managed master secret, when the stack has a database."""
    master_secret_rotation_days: int = 7


class Rotations(pulumi.ComponentResource):
    """- Per rotated secret: a permission letting Secrets Manager invoke the rotation function's `live` alias for
      that secret only (source ARN), and the secret's rotation every `rotation.days` days.
    - The database master secret: RDS rotates it (managed rotation, no function); its schedule is set to
      `database.masterSecretRotationDays`."""

    def __init__(self, name: str, args: RotationsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:rotation:Rotations", name, None, opts)
        context = args.aws_context
        for key, secret in args.secrets.items():
            if secret.rotation is None or secret.rotation.function is None:
                continue  # no rotation, or rotated where it is issued
            store = args.built_secrets[key]
            function = args.functions[secret.rotation.function]
            arn: pulumi.Output[str] = store.arn  # type: ignore[attr-defined]
            permission = aws.lambda_.Permission(
                f"{name}-{key}-invoke",
                action="lambda:InvokeFunction",
                function=function.function.name,  # type: ignore[attr-defined]
                qualifier=function.alias.name,  # type: ignore[attr-defined]
                principal=context.service_principal("secretsmanager"),
                source_arn=arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.secretsmanager.SecretRotation(
                f"{name}-{key}",
                secret_id=arn,
                rotation_lambda_arn=function.alias_arn,  # type: ignore[attr-defined]
                rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                    automatically_after_days=secret.rotation.days
                ),
                # An empty secret has nothing to rotate yet: the first rotation waits for the schedule.
                rotate_immediately=False,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
            )
        if args.master_secret_arn is not None:
            aws.secretsmanager.SecretRotation(
                f"{name}-database-master",
                secret_id=args.master_secret_arn,
                rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                    automatically_after_days=args.master_secret_rotation_days
                ),
                rotate_immediately=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
