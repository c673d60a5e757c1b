"""IAM policy documents as they reach the pack: a JSON string (the usual case) or an object.

`Action`, `Resource`, `Principal` values may each be one string or a list; `Statement` may be one object or a
list. A document held in an unknown string (it embeds a new resource's ARN at preview) cannot be read: the
caller decides what that means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .base import Unknown, as_list, plain


@dataclass(frozen=True)
class Statement:
    """One statement, fields as found (each may be an `Unknown` in an object-form document)."""

    index: int
    sid: Any
    effect: Any
    actions: Any
    not_actions: Any
    resources: Any
    not_resources: Any
    principal: Any
    not_principal: Any
    condition: Any

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if isinstance(self.sid, str) and self.sid else f"statement #{self.index}"


class DocumentError(ValueError):
    """The document is not an IAM policy document (invalid JSON, no statements...)."""


def parse(value: Any) -> list[Statement] | Unknown:
    """The statements of a policy document given as a JSON string or an object; `Unknown` when the
    document (or its statement list) is unknown. Raises `DocumentError` when it is not a policy document."""
    if isinstance(value, Unknown):
        return value
    document = value
    if isinstance(value, str):
        try:
            document = plain(json.loads(value))
        except json.JSONDecodeError as error:
            raise DocumentError(f"is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict):
        raise DocumentError("is not a JSON object")
    raw = document.get("Statement")
    if isinstance(raw, Unknown):
        return raw
    statements = as_list(raw)
    if isinstance(statements, Unknown):
        return statements
    if not statements:
        raise DocumentError("has no Statement")
    parsed = []
    for index, item in enumerate(statements):
        if isinstance(item, Unknown):
            return item
        if not isinstance(item, dict):
            raise DocumentError(f"statement #{index} is not an object")
        parsed.append(
            Statement(
                index=index,
                sid=item.get("Sid"),
                effect=item.get("Effect"),
                actions=item.get("Action"),
                not_actions=item.get("NotAction"),
                resources=item.get("Resource"),
                not_resources=item.get("NotResource"),
                principal=item.get("Principal"),
                not_principal=item.get("NotPrincipal"),
                condition=item.get("Condition"),
            )
        )
    return parsed


def principal_is_everyone(principal: Any) -> bool | Unknown:
    """`"*"`, `{"AWS": "*"}` or `{"AWS": ["*", ...]}` (any principal type with `*`)."""
    if isinstance(principal, Unknown):
        return principal
    if principal == "*":
        return True
    if isinstance(principal, dict):
        unknown = None
        for value in principal.values():
            items = as_list(value)
            if isinstance(items, Unknown):
                unknown = items
                continue
            if "*" in items:
                return True
            if any(isinstance(i, Unknown) for i in items):
                unknown = Unknown("string")
        return unknown if unknown is not None else False
    return False


def condition_keys(condition: Any) -> set[str] | Unknown:
    """The lower-cased condition keys of a `Condition` block (`{"StringEquals": {"aws:SourceArn": ...}}`)."""
    if condition is None:
        return set()
    if isinstance(condition, Unknown):
        return condition
    keys: set[str] = set()
    if isinstance(condition, dict):
        for block in condition.values():
            if isinstance(block, Unknown):
                return block
            if isinstance(block, dict):
                keys.update(str(k).lower() for k in block)
    return keys


def denies_insecure_transport(statement: Statement) -> bool:
    """A `Deny` for everyone when `aws:SecureTransport` is false: the TLS-only resource-policy statement."""
    if statement.effect != "Deny" or principal_is_everyone(statement.principal) is not True:
        return False
    condition = statement.condition if isinstance(statement.condition, dict) else {}
    for operator, block in condition.items():
        if str(operator).removesuffix("IfExists") != "Bool" or not isinstance(block, dict):
            continue
        for key, value in block.items():
            values = as_list(value)
            if (
                str(key).lower() == "aws:securetransport"
                and isinstance(values, list)
                and any(str(v).lower() == "false" for v in values)
            ):
                return True
    return False
