"""References in config values, checked before anything is built.

A service's `environment` values may name what the stack builds with Pulumi YAML's interpolation syntax,
mixed with literal text: `S3_BUCKET: ${buckets.uploads.name}`,
`DATABASE_URL: postgresql://${database.endpoint}:${database.port}/${database.name}`. A container secret may
read a field of a secret the stack built: `DB_PASSWORD: database.masterSecret:password`. What exists is the
registry's (`components/registry.py`, one registration per kind), so a reference to anything else is a
problem at its key, listing what can be referenced. A reference grants nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import REFERENCE, addressable, is_stack_secret_reference, listing, readable_secrets, references_in
from .problems import Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig


def check(config: StackConfig) -> list[Problem]:
    """Every `${...}` in a service's or function's environment and every stack-secret path in a service's
    `secrets` exists."""
    problems: list[Problem] = []
    known = {path for paths in addressable(config).values() for path in paths}
    readable = set(readable_secrets(config))
    environments = [
        *(
            (("services", name, "environment", env), value)
            for name, s in config.services.items()
            for env, value in s.environment.items()
        ),
        *(
            (("functions", name, "environment", env), value)
            for name, f in config.functions.items()
            for env, value in f.environment.items()
        ),
    ]
    for path, value in environments:
        where = key_path(path)
        if "${" in REFERENCE.sub("", value):
            problems.append(
                Problem(
                    where,
                    "an unterminated reference; write ${kind.name.attribute}, e.g. ${buckets.uploads.name}",
                    value,
                )
            )
        for reference in references_in(value):
            if reference not in known:
                problems.append(
                    Problem(
                        where,
                        f"${{{reference}}} is not something this stack builds; can be referenced: {listing(config)}",
                        value,
                    )
                )
    for name, service in config.services.items():
        for env, reference in service.secrets.items():
            if not is_stack_secret_reference(reference):
                continue
            path = reference.split(":", 1)[0]
            if path not in readable:
                shown = ", ".join(sorted(readable)) or "none (the stack has no database)"
                problems.append(
                    Problem(
                        key_path(("services", name, "secrets", env)),
                        f"{path} is not a secret this stack builds; readable: {shown} "
                        "(or a platform:secrets name, or a secret ARN)",
                        reference,
                    )
                )
    return problems
