"""required-tags: every taggable AWS resource carries the standard tags, non-empty, ManagedBy=pulumi."""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import Severity

from .base import Context, Resource, Unknown, resource_policy
from .taggable import tag_shape, taggable_types

REQUIRED_TAGS = ["Environment", "Project", "Owner", "CostCenter", "ManagedBy"]
REQUIRED_VALUES = {"ManagedBy": "pulumi"}

SETTINGS: dict[str, dict[str, Any]] = {
    "requiredTags": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "default": REQUIRED_TAGS,
        "description": "Tag keys every taggable resource must carry with a non-empty value.",
    },
    "requiredValues": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "default": REQUIRED_VALUES,
        "description": 'Tags whose value is fixed, e.g. {"ManagedBy": "pulumi"}.',
    },
}

HINT = (
    "Add them to the resource's own `tags` (the platform's stack transformation gives every taggable "
    "resource the standard tags from the stack config; provider `defaultTags` count too)."
)


class _Tags:
    """One source of tags: the known entries, and whether part of the source is unknown."""

    def __init__(self, entries: dict[str, Any], partial: bool) -> None:
        self.entries = entries
        self.partial = partial


def _from_map(value: Any) -> _Tags:
    if isinstance(value, Unknown):
        return _Tags({}, True)
    if isinstance(value, dict):
        return _Tags(value, False)
    return _Tags({}, False)


def _from_list(value: Any) -> _Tags:
    """Autoscaling groups: `[{key, value, propagateAtLaunch}]`."""
    if isinstance(value, Unknown):
        return _Tags({}, True)
    entries: dict[str, Any] = {}
    partial = False
    for item in value if isinstance(value, list) else []:
        key = item.get("key") if isinstance(item, dict) else item
        if isinstance(key, str):
            entries[key] = item.get("value")
        elif isinstance(key, Unknown) or isinstance(item, Unknown):
            partial = True
    return _Tags(entries, partial)


def _provider_default_tags(provider_props: dict[str, Any] | None) -> _Tags:
    """The provider's `defaultTags` input: a JSON string `{"tags": {...}}` for bridged providers."""
    value = (provider_props or {}).get("defaultTags")
    if isinstance(value, Unknown):
        return _Tags({}, True)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return _Tags({}, False)
    tags = value.get("tags") if isinstance(value, dict) else None
    return _from_map(tags)


def _sources(resource: Resource, shape: str) -> list[_Tags]:
    if shape == "list":
        return [_from_list(resource.props.get("tags"))]
    return [
        _from_map(resource.props.get("tags")),
        # pulumi-aws computes tagsAll (provider default tags + own tags) in Check for SDKv2 resources.
        _from_map(resource.props.get("tagsAll")),
        _provider_default_tags(resource.provider_props),
    ]


def check_required_tags(resource: Resource, ctx: Context) -> None:
    shape = tag_shape(resource.type)
    if shape is None:
        return
    sources = _sources(resource, shape)
    required = [str(k) for k in ctx.settings["requiredTags"]]
    values = {str(k): str(v) for k, v in dict(ctx.settings["requiredValues"]).items()}
    missing, empty, wrong = [], [], []
    for key in dict.fromkeys([*required, *values]):
        # `key in tags` would raise through the SDK's proxy when the value is unknown: entries are plain here.
        found = next((s.entries[key] for s in sources if key in s.entries), None)
        present = any(key in s.entries for s in sources)
        if not present:
            if any(s.partial for s in sources):
                ctx.defer(f"tag {key} of {resource.subject}", "the tags are judged on `pulumi up`, when known")
            else:
                missing.append(key)
        elif isinstance(found, Unknown):
            ctx.defer(f"tag {key} of {resource.subject}", "its value is judged on `pulumi up`, when known")
        elif not isinstance(found, str) or not found.strip():
            empty.append(key)
        elif key in values and found != values[key]:
            wrong.append(f"{key}={found!r} (must be {values[key]!r})")
    if missing:
        ctx.violation(f"{resource.subject} is missing required tags: {', '.join(missing)}. {HINT}")
    if empty:
        ctx.violation(f"{resource.subject} has empty required tags: {', '.join(empty)}. {HINT}")
    if wrong:
        ctx.violation(f"{resource.subject} has wrong tag values: {', '.join(wrong)}. {HINT}")


REQUIRED_TAGS_POLICY = resource_policy(
    name="required-tags",
    description="Every taggable AWS resource carries non-empty Environment, Project, Owner, CostCenter "
    "and ManagedBy=pulumi tags (cost allocation, ownership, environment).",
    types=taggable_types(),
    check=check_required_tags,
    settings=SETTINGS,
    severity=Severity.MEDIUM,
    remediation=HINT,
)

POLICIES = [REQUIRED_TAGS_POLICY]
