"""Config problems: one line each, naming the stack file, the key path, the value and what is allowed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pydantic import BaseModel, ValidationError

NAMESPACE = "platform"
"""The project name in Pulumi.yaml, and so the config namespace of every key the program reads."""

MISSING: Any = object()

TAGGED_SECTIONS: dict[str, dict[str, type[BaseModel]]] = {}
"""Top-level sections validated as a tagged union (`database`: Aurora or RDS PostgreSQL), by section and tag. pydantic
puts the tag in an error's location (`database.postgres.multiAz`); problems name the key as written
(`database.multiAz`), and list the keys of the model the tag chose."""


def _untagged(loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], type[BaseModel] | None]:
    """`loc` without a tagged section's tag, and the model that tag chose (None when `loc` has no tag)."""
    if len(loc) >= 2 and isinstance(loc[0], str) and loc[0] in TAGGED_SECTIONS:
        chosen = TAGGED_SECTIONS[loc[0]].get(str(loc[1]))
        if chosen is not None:
            return (loc[0], *loc[2:]), chosen
    return loc, None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a stack's config."""

    path: str
    """Key path as written in the stack file, e.g. `platform:network.azCount`."""
    message: str
    """What is wrong and what is allowed."""
    value: Any = MISSING
    """The offending value, when there is one to show."""

    def render(self, stack_file: str) -> str:
        shown = "" if self.value is MISSING else f" = {_short(self.value)}"
        return f"{stack_file}: {self.path}{shown}: {self.message}"


class StackConfigError(pulumi.RunError):
    """Raised before any resource is registered; Pulumi prints a RunError's message without a traceback."""

    def __init__(self, stack_file: str, problems: Sequence[Problem]) -> None:
        self.stack_file = stack_file
        self.problems = list(problems)
        self.lines = [p.render(stack_file) for p in self.problems]
        count = len(self.lines)
        header = f"{stack_file}: {count} config problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *self.lines]))


def key_path(loc: Iterable[str | int]) -> str:
    """`("network", "subnets", "public", 0)` -> `platform:network.subnets.public[0]`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return f"{NAMESPACE}:{text}" if text else NAMESPACE


def problems_from_validation_error(error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into problems whose messages say what is allowed."""
    problems = []
    for item in error.errors(include_url=False):
        loc, chosen = _untagged(tuple(item["loc"]))
        kind = item["type"]
        if kind == "extra_forbidden":
            allowed = allowed_keys(chosen, loc[1:-1]) if chosen is not None else allowed_keys(model, loc[:-1])
            hint = f"allowed keys here: {', '.join(allowed)}" if allowed else "no keys are allowed here"
            problems.append(Problem(key_path(loc), f"unknown key (a typo?); {hint}"))
        elif kind == "missing":
            problems.append(Problem(key_path(loc), "required key is missing"))
        else:
            message = item["msg"].removeprefix("Value error, ")
            problems.append(Problem(key_path(loc), message, _shown_value(item.get("input", MISSING))))
    return problems


def allowed_keys(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The camelCase keys accepted at `loc` inside `model`, found by walking the model's annotations."""
    current: Any = model
    for part in loc:
        current = _child_model(current, part)
        if current is None:
            return []
    from typing import get_args

    # An optional section (`database: DatabaseConfig | None`) is a union: its keys are the model's.
    models = [c for c in (current, *get_args(current)) if isinstance(c, type) and issubclass(c, BaseModel)]
    if models:
        return sorted(f.alias or name for name, f in models[0].model_fields.items())
    return []


def _child_model(current: Any, part: str | int) -> Any:
    """Step from a model (or container annotation) to the annotation found under `part`."""
    from typing import get_args, get_origin

    candidates = [current]
    # Unwrap Optional/Union/Annotated/containers until a model with that field (or a container element) is found.
    while candidates:
        node = candidates.pop()
        if isinstance(node, type) and issubclass(node, BaseModel):
            if isinstance(part, str):
                for name, field in node.model_fields.items():
                    if part in (name, field.alias):
                        return field.annotation
            continue
        origin = get_origin(node)
        args = get_args(node)
        if origin in (dict,) and len(args) == 2:
            return args[1]
        if origin in (list, tuple, set, frozenset) and args:
            return args[0]
        candidates.extend(a for a in args if a is not type(None))
    return None


def _shown_value(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else MISSING


def _short(value: Any) -> str:
    """Values as the stack file spells them: `true`, `null`, quoted strings, numbers as written."""
    text = json.dumps(value) if isinstance(value, bool) or value is None else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
