"""Secret: a Secrets Manager secret declared in config and created empty; its value is put out of band."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import SecretConfig
from .grants import statement_id, unknown_access
from .iam import Statement
from .keys import via_service
from .naming import physical_name, product_name


def secret_name(key: str) -> str:
    """`<name>/<stack>/<key>` (`platform:name`): slash-separated, so IAM and the console can group a stack's secrets."""
    return f"{product_name()}/{pulumi.get_stack()}/{key}"


def rotation_tags(config: SecretConfig) -> dict[str, str]:
    """`RotatedBy: function:<name>` or `RotatedBy: external`: how the secret is rotated, for people and for the
    pack (prod-secrets-rotated); none when nothing rotates it."""
    rotation = config.rotation
    if rotation is None:
        return {}
    return {"RotatedBy": f"function:{rotation.function}" if rotation.function else "external"}


@dataclass(frozen=True, kw_only=True)
class SecretArgs:
    name: str
    """Short name (the `platform:secrets` key)."""
    config: SecretConfig
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: the secret's value is encrypted with it."""
    protect: bool = False
    """Pulumi `protect` (prod): the secret's value exists only in AWS, so deleting the resource loses it."""


class Secret(pulumi.ComponentResource):
    """A Secrets Manager secret encrypted with the stack key and created with no value: no SecretVersion is
    ever registered, so the value never passes through config, the program or the state. An operator sets
    it (`aws secretsmanager put-secret-value --secret-id <arn> ...`); ECS injects it by ARN (`valueFrom`).
    Deleting it leaves `recoveryWindowDays` to restore it (0 in dev: deleted at once, so a rebuilt dev stack
    can reuse the name)."""

    arn: pulumi.Output[str]
    """Secret ARN (with Secrets Manager's random suffix): what `valueFrom` and grants name."""
    secret_name: pulumi.Output[str]

    def __init__(self, name: str, args: SecretArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:secrets:Secret", name, None, opts)
        self._args = args
        secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            name=secret_name(args.name),
            description=args.config.description or f"{args.name}: value set out of band by an operator",
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=args.config.recovery_window_days,
            tags={"Name": physical_name(args.name), **rotation_tags(args.config)},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.arn, self.secret_name = secret.arn, secret.name
        self.register_outputs({"arn": self.arn, "secretName": self.secret_name})

    def grant(self, access: str) -> list[Statement]:
        """`read`: secretsmanager:GetSecretValue on this secret only, and kms:Decrypt on the stack key through
        Secrets Manager only. Give it to the execution role for `valueFrom` injection, or to the task role
        for reads at run time."""
        if access != "read":
            raise unknown_access("secrets", self._args.name, access)
        return [
            Statement(
                sid=statement_id("secret", self._args.name, "read"),
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.arn],
            ),
            Statement(
                sid=statement_id("secret", self._args.name, "key"),
                actions=["kms:Decrypt"],
                resources=[self._args.kms_key_arn],
                conditions=via_service(self._args.aws_context, "secretsmanager"),
            ),
        ]
