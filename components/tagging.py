"""The standard tags, how every taggable resource gets them, and which types are taggable.

Tags go into each resource's own `tags` input, where a policy sees them at preview time: provider
`default_tags` reach only `tagsAll`, and not at all for some Plugin-Framework resources (pulumi-aws#6602).
The mechanism is a stack transformation, which runs in-process, so the in-process engine executes it
exactly as the real engine does (new-style transforms are only recorded under mocks, pulumi/pulumi#17090).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from typing import Protocol

import pulumi

MANAGED_BY = "pulumi"


class Ownership(Protocol):
    """What the standard tags are made from: a stack's config, or the bootstrap project's."""

    @property
    def environment(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def cost_center(self) -> str: ...


def standard_tags(config: Ownership) -> dict[str, str]:
    """The five tags every taggable resource carries, plus the config's extra `tags` if it has any.
    `Project` is the config's product `name` (`platform:name`) when it has one, else the Pulumi project name:
    the prefix of every physical name too."""
    extra: Mapping[str, str] = getattr(config, "tags", None) or {}
    return {
        **extra,
        "Environment": config.environment,
        "Project": getattr(config, "name", None) or pulumi.get_project(),
        "Owner": config.owner,
        "CostCenter": config.cost_center,
        "ManagedBy": MANAGED_BY,
    }


@functools.cache
def takes_tag_map(resource_class: type) -> bool:
    """True when the SDK class's constructor has a `tags` map input (derived from the installed pulumi-aws,
    not a hand list). Classes whose `tags` is a list (autoscaling groups) are not map-taggable."""
    init = getattr(resource_class, "_internal_init", None)
    if init is None:
        return False
    parameter = inspect.signature(init).parameters.get("tags")
    if parameter is None:
        return False
    return "Mapping" in str(parameter.annotation)


def merge_tags(
    resource_tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None, standard: Mapping[str, str]
) -> pulumi.Input[Mapping[str, pulumi.Input[str]]]:
    """Per-resource tags (e.g. `Name`, `Tier`) merged with the standard ones; the standard keys win."""
    if resource_tags is None:
        return dict(standard)
    if isinstance(resource_tags, Mapping):
        return {**resource_tags, **standard}
    return pulumi.Output.from_input(resource_tags).apply(lambda tags: {**(tags or {}), **standard})


def register_standard_tags(standard: Mapping[str, str]) -> None:
    """Give every taggable AWS resource registered after this call the standard tags."""
    frozen = dict(standard)

    def add_tags(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not isinstance(args.resource, pulumi.CustomResource) or not args.type_.startswith("aws:"):
            return None
        if not takes_tag_map(type(args.resource)):
            return None
        props = args.props
        current = props.get("tags") if isinstance(props, dict) else props.__dict__.get("tags")
        merged = merge_tags(current, frozen)
        if isinstance(props, dict):
            props = {**props, "tags": merged}
        else:
            props.__dict__["tags"] = merged
        return pulumi.ResourceTransformationResult(props=props, opts=args.opts)

    pulumi.runtime.register_stack_transformation(add_tags)
