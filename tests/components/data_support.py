"""Helpers shared by the data components' tests: the stack key, policy documents, a stack's own config."""

from __future__ import annotations

import functools
import json
from typing import Any

from components.config import StackConfig, load_stack_config
from offline.engine import RecordedResource, StackRun, stack_config


def key_arn(run: StackRun) -> str:
    """ARN of the stack's one customer-managed key."""
    [key] = stack_keys(run)
    return key.outputs["arn"]


def document(resource: RecordedResource, field: str = "policy") -> dict[str, Any]:
    """A policy input, parsed (policies travel as JSON strings)."""
    return json.loads(resource.inputs[field])


def statements(resource: RecordedResource, field: str = "policy") -> dict[str, dict[str, Any]]:
    """A policy's statements by Sid."""
    return {s["Sid"]: s for s in document(resource, field)["Statement"]}


@functools.cache
def config_of(stack: str) -> StackConfig:
    """The stack's validated config, presets applied (what the program built from)."""
    return load_stack_config(stack, stack_config(stack))


def children(run: StackRun, parent_name: str, type_: str) -> list[RecordedResource]:
    """Resources of `type_` whose parent component is named `parent_name`."""
    parents = {r.urn for r in run.resources if r.name == parent_name and not r.custom}
    return [r for r in run.of_type(type_) if r.parent in parents]


def stack_keys(run: StackRun) -> list[RecordedResource]:
    """The stack's own KMS key(s): those in the stack's region. A key another region needs (the backup copy
    vault's) is created through that region's explicit provider."""
    return [k for k in run.of_type("aws:kms/key:Key") if k.provider is None]
