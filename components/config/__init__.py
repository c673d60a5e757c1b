"""Typed stack config: one pydantic model of `Pulumi.<stack>.yaml`, environment presets, clear errors."""

from .base import Environment
from .problems import Problem, StackConfigError
from .stack import STANDARD_TAG_KEYS, StackConfig, effective_config, load_stack_config, stack_file_name

__all__ = [
    "STANDARD_TAG_KEYS",
    "Environment",
    "Problem",
    "StackConfig",
    "StackConfigError",
    "effective_config",
    "load_stack_config",
    "stack_file_name",
]
