"""Physical names: `<project>-<stack>-<name>`, cut to AWS's length limits without collisions."""

from __future__ import annotations

import hashlib
import re

import pulumi

_UNSAFE = re.compile(r"[^a-zA-Z0-9-]+")


def physical_name(*parts: str, max_length: int = 64, separator: str = "-") -> str:
    """`physical_name("api", "tg", max_length=32)` -> `platform-prod-api-tg`.

    Over `max_length`, the name keeps its start and ends with a 6-character hash of the whole, so two long
    names that share a prefix still differ (target groups allow 32 characters, ALBs 32, roles 64)."""
    words = [pulumi.get_project(), pulumi.get_stack(), *parts]
    name = separator.join(_UNSAFE.sub(separator, w).strip(separator) for w in words if w)
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: max_length - len(digest) - 1].rstrip(separator)}{separator}{digest}"


def path_name(*parts: str) -> str:
    """A slash-separated name for log groups and secrets: `/platform/prod/api`."""
    return "/" + "/".join([pulumi.get_project(), pulumi.get_stack(), *parts])
