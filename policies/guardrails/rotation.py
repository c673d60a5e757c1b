"""prod-secrets-rotated: in production, every Secrets Manager secret of the stack is rotated: an
`aws:secretsmanager/secretRotation:SecretRotation` names it (by a property dependency on the secret, or its ARN
or id as value) with a schedule of at most `maximumRotationDays`.

Production is decided as elsewhere (the stack name or the secret's `Environment` tag). A secret issued by a
third party (an API key) rotates where it is issued: its config says so (`rotation.external`), which tags it
`RotatedBy: external` (`externalRotationTag`), and the policy accepts it. The level is set per stack in
`policies/config/<stack>.json` (mandatory everywhere today).
"""

from __future__ import annotations

from pulumi_policy import Severity

from .base import PRODUCTION_SETTING, Context, Stack, StackResource, Unknown, as_int, dig, stack_policy

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def _rotation_of(secret: StackResource, rotations: list[StackResource]) -> StackResource | Unknown | None:
    names = {v for v in (secret.get("arn"), secret.get("id"), secret.get("name")) if isinstance(v, str)}
    undecided = False
    for rotation in rotations:
        if secret.urn in rotation.property_dependencies.get("secretId", []):
            return rotation
        value = rotation.get("secretId")
        if isinstance(value, str) and value in names:
            return rotation
        # An unknown secretId computed from other resources names one of those, not this secret.
        undecided = undecided or (isinstance(value, Unknown) and not rotation.property_dependencies.get("secretId"))
    return Unknown() if undecided else None


def check_rotated(stack: Stack, ctx: Context) -> None:
    rotations = stack.of_type(ROTATION)
    maximum = int(ctx.settings["maximumRotationDays"])
    external = {str(k): str(v) for k, v in ctx.settings["externalRotationTag"].items()}
    for secret in stack.of_type(SECRET):
        tags = secret.get("tags")
        if isinstance(tags, dict) and external and all(tags.get(k) == v for k, v in external.items()):
            continue  # rotated where it is issued, said so in the stack config
        if not ctx.in_production(secret):
            continue
        rotation = _rotation_of(secret, rotations)
        if isinstance(rotation, Unknown):
            ctx.defer(f"which rotation names {secret.subject}", "judged on `pulumi up`")
        elif rotation is None:
            ctx.violation(
                f"{secret.subject} is never rotated: add secrets.<name>.rotation {{days, function}} (an "
                f"aws.secretsmanager.SecretRotation), at most every {maximum} days, or "
                "rotation {external: <issuer>} when it rotates where it is issued.",
                secret.urn,
            )
        else:
            days = as_int(dig(rotation.props, "rotationRules", "automaticallyAfterDays"))
            if days is not None and days > maximum:
                ctx.violation(
                    f"{secret.subject} rotates every {days} days: rotate at least every {maximum}.", secret.urn
                )


PROD_SECRETS_ROTATED = stack_policy(
    name="prod-secrets-rotated",
    description="Production Secrets Manager secrets are rotated on a schedule.",
    check=check_rotated,
    severity=Severity.MEDIUM,
    settings={
        **PRODUCTION_SETTING,
        "maximumRotationDays": {
            "type": "integer",
            "minimum": 1,
            "default": 90,
            "description": "Longest rotation interval allowed, in days.",
        },
        "externalRotationTag": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "default": {"RotatedBy": "external"},
            "description": "Tags marking a secret rotated where it is issued (secrets.<name>.rotation.external).",
        },
    },
    remediation="Give the secret a rotation (secrets.<name>.rotation: {days: 30, function: <rotator>}), or state "
    "who rotates it (rotation: {external: <issuer>}).",
)

POLICIES = [PROD_SECRETS_ROTATED]
