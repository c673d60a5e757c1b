"""Helpers of the config rule tests: a real stack file with some `platform:` sections replaced, validated, its
problems returned as the lines a user reads (without the stack file's name); a model's one refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from components.config import StackConfigError, load_stack_config
from offline.engine import stack_config


def problems(stack: str = "dev", **sections: Any) -> list[str]:
    """`stack`'s problems (none when accepted) with `platform:<key>` sections replaced (None removes one)."""
    flat = stack_config(stack)
    for key, value in sections.items():
        if value is None:
            flat.pop(f"platform:{key}", None)
        else:
            flat[f"platform:{key}"] = json.dumps(value)
    try:
        load_stack_config(stack, flat)
    except StackConfigError as error:
        return [line.removeprefix(f"Pulumi.{stack}.yaml: ") for line in error.lines]
    return []


def refusal(model: type[BaseModel], value: dict[str, Any]) -> tuple[tuple[str | int, ...], str]:
    """The one error `model` raises for `value`: its location and message (without pydantic's prefix)."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(value)
    [error] = caught.value.errors()
    return error["loc"], error["msg"].removeprefix("Value error, ")
