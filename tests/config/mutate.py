"""Make broken copies of a real stack's flat config (`platform:<key>` -> string) for config-error tests."""

from __future__ import annotations

import json
from typing import Any

from offline.engine import stack_config


class _Delete:
    def __repr__(self) -> str:
        return "<deleted>"


_DELETE = _Delete()
DELETE: Any = _DELETE
"""Pass as the value to remove the key."""


def broken(stack: str, path: str, value: Any) -> dict[str, str]:
    """A copy of `stack`'s config with `path` (`platform:network.azCount`, `aws:region`) set to `value`."""
    flat = stack_config(stack)
    top, _, rest = path.partition(".")
    if not rest:
        if value is _DELETE:
            flat.pop(top, None)
        else:
            flat[top] = value if isinstance(value, str) else json.dumps(value)
        return flat
    document = json.loads(flat.get(top, "{}"))
    node = document
    keys = rest.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if value is _DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    flat[top] = json.dumps(document)
    return flat
