"""A test program: the real platform of a stack, plus every grant each data store offers rendered to policy
JSON, exported as stack outputs (a grant holds Outputs, so it can only be rendered inside a run)."""

from __future__ import annotations

import pulumi

from components.config import load_stack_config
from components.config.config_source import pulumi_config_values
from components.grants import ACCESS_LEVELS, Grantable
from components.iam import policy_document
from components.platform import Platform

config = load_stack_config(pulumi.get_stack(), pulumi_config_values())
platform = Platform("platform", config)
stores = platform.data.stores

rendered: dict[str, pulumi.Output[str]] = {}
errors: dict[str, str] = {}


def render(label: str, store: Grantable, access: str) -> None:
    try:
        rendered[label] = policy_document(store.grant(access))
    except ValueError as error:
        errors[label] = str(error)


for kind in ("tables", "queues", "buckets", "secrets", "caches"):
    for name, store in getattr(stores, kind).items():
        for access in (*ACCESS_LEVELS[kind], "admin"):
            render(f"{kind}.{name}.{access}", store, access)
if stores.events is not None:
    for access in ("publish", "consume"):
        render(f"events.{access}", stores.events, access)
if stores.database is not None:
    for access in ("connect", "connect:reporting", "connect:", "read"):
        render(f"database.{access}", stores.database, access)
    stores.database.allow_from("probe", "sg-0123456789abcdef0")
    try:
        stores.database.allow_from("probe", "sg-0123456789abcdef0")
    except ValueError as error:
        errors["database.allow_from.twice"] = str(error)

for name, cache in stores.caches.items():
    cache.allow_from("probe", "sg-0123456789abcdef0")
    try:
        cache.allow_from("probe", "sg-0123456789abcdef0")
    except ValueError as error:
        errors[f"caches.{name}.allow_from.twice"] = str(error)

pulumi.export("grants", rendered)
pulumi.export("grantErrors", errors)
