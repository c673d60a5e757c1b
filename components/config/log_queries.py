"""`platform:logQueries`: saved CloudWatch Logs Insights queries over the stack's own log groups.

```yaml
platform:logQueries:
  core-api-errors:
    query: fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 100
    logGroups: [services.core-api, functions.stage-gate-processor]
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints

from .base import ConfigModel
from .problems import Problem, key_path

if TYPE_CHECKING:
    from .stack import StackConfig

LOG_GROUP_SECTIONS = ("services", "functions")
"""What a query may read: a service's log group (`/<name>/<stack>/services/<s>`) or a function's
(`/aws/lambda/<name>-<stack>-<f>`)."""

LogGroupReference = Annotated[
    str, StringConstraints(pattern=r"^(services|functions)\.[a-z][a-z0-9-]{0,22}[a-z0-9]$", strip_whitespace=True)
]


class LogQueryConfig(ConfigModel):
    """One saved Logs Insights query, listed in the console under the stack's folder (`<name>-<stack>/<key>`)."""

    query: Annotated[str, StringConstraints(min_length=1, max_length=10_000, strip_whitespace=True)]
    """The Logs Insights query text. Required."""
    log_groups: Annotated[list[LogGroupReference], Field(min_length=1, max_length=50)]
    """`services.<name>` or `functions.<name>`, at least one: Logs Insights bills per GB scanned, so a saved query
    names the log groups it reads instead of leaving the choice to whoever runs it."""


def check(config: StackConfig) -> list[Problem]:
    """Each query names log groups of services and functions the stack has."""
    problems: list[Problem] = []
    for name, query in config.log_queries.items():
        for index, reference in enumerate(query.log_groups):
            section, key = reference.split(".", 1)
            defined: dict[str, object] = dict(getattr(config, section))
            if key not in defined:
                listed = f"defined: {', '.join(sorted(defined))}" if defined else "none are defined"
                problems.append(
                    Problem(
                        key_path(("logQueries", name, "logGroups", index)),
                        f"no {section[:-1]} {key!r} in platform:{section} ({listed})",
                        reference,
                    )
                )
    return problems
