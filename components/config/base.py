"""The shared base of every config section: camelCase keys, unknown keys rejected, docstrings as schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

Environment = Literal["dev", "staging", "prod"]
"""The three environments a stack can be; each has a preset (components/config/presets.py)."""

ResourceKey = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,22}[a-z0-9]$"),
]
"""A name under a map section (`services.api`, `queues.jobs`): it becomes part of AWS physical names,
so lower-case letters, digits and hyphens, 2 to 24 characters, starting with a letter."""

NonEmptyStr = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]
"""The values CloudWatch Logs accepts for `retention_in_days` (0, never expire, is deliberately not offered)."""


class ConfigModel(BaseModel):
    """Base of every section: YAML keys are camelCase, a key the model does not know is an error."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=False,
        validate_by_alias=True,
        serialize_by_alias=True,
        frozen=True,
        use_attribute_docstrings=True,
    )


def unique_items(cls: type, value: list[Any]) -> list[Any]:
    """A list validator: each item at most once (`_unique = field_validator("hosts")(unique_items)`)."""
    duplicates = sorted({str(v) for v in value if value.count(v) > 1})
    if duplicates:
        raise ValueError(f"listed more than once: {', '.join(duplicates)}")
    return value
