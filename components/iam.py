"""Least-privilege policy documents from typed statements, rendered once to the JSON IAM expects.

Nobody writes IAM JSON by hand in a component: components build `Statement`s (grants return them) and
`policy_document` renders them. Policy inputs travel as JSON strings: `aws.iam.PolicyDocumentArgs` does not
serialise under mocks (pulumi/pulumi#17181) and a raw dict is rejected (#6818).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

ConditionValues = pulumi.Input[str] | Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class Statement:
    """One IAM statement. `resources=("*",)` is allowed only with a `justification`: for actions AWS does not
    scope to resources (ecr:GetAuthorizationToken, ssmmessages:*Channel...), or in a key policy, where `*`
    means the key itself."""

    sid: str
    actions: Sequence[str]
    resources: Sequence[pulumi.Input[str]] = ()
    effect: Literal["Allow", "Deny"] = "Allow"
    principals: Mapping[str, Sequence[pulumi.Input[str]]] | Literal["*"] | None = None
    """`{"Service": ["ecs-tasks.amazonaws.com"]}`, `{"AWS": [role_arn]}`, or `"*"` (resource policies)."""
    conditions: Mapping[str, Mapping[str, ConditionValues]] = field(default_factory=dict)
    """`{"StringEquals": {"aws:SourceAccount": account_id}}`."""
    justification: str | None = None
    """Why `Resource: "*"` is needed; required whenever resources contain `*`."""

    def __post_init__(self) -> None:
        if not self.actions:
            raise ValueError(f"statement {self.sid} has no actions")
        wildcard_actions = [a for a in self.actions if a == "*" or a.endswith(":*")]
        if wildcard_actions and self.effect == "Allow":
            raise ValueError(f"statement {self.sid} allows wildcard actions {wildcard_actions}; name the actions")
        if "*" in self.resources and self.justification is None:
            raise ValueError(f"statement {self.sid} uses Resource '*' without a justification")

    def to_json_shape(self) -> dict[str, Any]:
        """The statement as the IAM JSON shape (values may still be Outputs)."""
        shape: dict[str, Any] = {"Sid": self.sid, "Effect": self.effect, "Action": sorted(set(self.actions))}
        if self.principals is not None:
            shape["Principal"] = "*" if self.principals == "*" else {k: list(v) for k, v in self.principals.items()}
        if self.resources:
            shape["Resource"] = list(self.resources)
        if self.conditions:
            shape["Condition"] = {op: dict(kv) for op, kv in self.conditions.items()}
        return shape


def policy_document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """Render statements into one policy JSON string (Outputs inside are awaited once, together)."""
    if not statements:
        raise ValueError("a policy document needs at least one statement")
    sids = [s.sid for s in statements]
    duplicates = sorted({s for s in sids if sids.count(s) > 1})
    if duplicates:
        raise ValueError(f"duplicate statement ids: {duplicates}")
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [s.to_json_shape() for s in statements]})


def service_trust_policy(
    service: str, source_account: pulumi.Input[str], source_arn_like: pulumi.Input[str] | None = None
) -> pulumi.Output[str]:
    """A role trust policy for an AWS service principal, conditioned on the calling account (and source ARN)
    so another account's resource cannot make the service assume this role (confused deputy)."""
    conditions: dict[str, dict[str, ConditionValues]] = {"StringEquals": {"aws:SourceAccount": source_account}}
    if source_arn_like is not None:
        conditions["ArnLike"] = {"aws:SourceArn": source_arn_like}
    return policy_document(
        [
            Statement(
                sid="TrustService", actions=["sts:AssumeRole"], principals={"Service": [service]}, conditions=conditions
            )
        ]
    )


def deny_insecure_transport(actions: Sequence[str], resources: Sequence[pulumi.Input[str]]) -> Statement:
    """The resource-policy statement that refuses any request not made over TLS."""
    return Statement(
        sid="DenyInsecureTransport",
        effect="Deny",
        principals="*",
        actions=actions,
        resources=resources,
        conditions={"Bool": {"aws:SecureTransport": "false"}},
    )
