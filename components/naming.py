"""Physical names: `<name>-<stack>-<part>...`, cut to AWS's length limits without collisions.

`<name>` is the product's name, `platform:name` (default: the Pulumi project name, `platform`): a team running
"arive" gets `arive-prod-api`, `/arive/prod/services/api`, the `Project=arive` tag. The second word is the stack
name, not the environment: two stacks of one environment (prod in two regions, `dev-alice` and `dev-bob` in one
account) must not collide on account-global names such as IAM roles. The usual stacks are named after their
environment (`prod`), so their names read `<name>-<env>-...`.

Renaming the product (or the stack) changes every physical name, and a new physical name replaces the
resource. Pulumi refuses to replace a `protect`ed resource, so in prod (data stores, key, secrets protected) a
rename makes `pulumi up` fail before anything is touched; nothing is replaced silently. To adopt a new name
for an existing stack, keep the old one (`platform:name: platform`); see README "Product name".
"""

from __future__ import annotations

import hashlib
import re

import pulumi
from pulumi.runtime import config as runtime_config

_UNSAFE = re.compile(r"[^a-zA-Z0-9-]+")

NAME_KEY = "platform:name"
"""The config key of the product name (validated with the rest of the stack config: `StackConfig.name`)."""


def product_name() -> str:
    """`platform:name` of this run, else the Pulumi project name.

    Read from the run's config rather than passed around: every component names its resources, and the
    config is validated (`StackConfig.name`: lower-case, 2 to 20 characters) before any resource registers."""
    value = runtime_config.get_config(NAME_KEY)
    return value if isinstance(value, str) and value else pulumi.get_project()


def physical_name(*parts: str, max_length: int = 64, separator: str = "-") -> str:
    """`physical_name("api", "tg", max_length=32)` -> `platform-prod-api-tg`.

    Over `max_length`, the name keeps its start and ends with a 6-character hash of the whole, so two long
    names that share a prefix still differ (target groups allow 32 characters, ALBs 32, roles 64)."""
    words = [product_name(), pulumi.get_stack(), *parts]
    # lower case: S3 bucket names must be, and a stack may be named `Prod-EU` (Pulumi allows it)
    name = separator.join(_UNSAFE.sub(separator, w).strip(separator) for w in words if w).lower()
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: max_length - len(digest) - 1].rstrip(separator)}{separator}{digest}"


def path_name(*parts: str) -> str:
    """A slash-separated name for log groups and secrets: `/platform/prod/api`."""
    return "/" + "/".join([product_name(), pulumi.get_stack(), *parts])
