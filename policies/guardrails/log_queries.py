"""log-query-scoped: a saved Logs Insights query names the log groups it reads."""

from __future__ import annotations

from pulumi_policy import Severity

from .base import Context, Resource, Unknown, as_list, resource_policy

QUERY_DEFINITION = "aws:cloudwatch/queryDefinition:QueryDefinition"


def check_log_query_scoped(resource: Resource, ctx: Context) -> None:
    """Logs Insights bills per GB scanned: a saved query without log groups leaves whoever runs it to pick them,
    and the console's easy choice is every log group of the account."""
    groups = as_list(resource.props.get("logGroupNames"))
    if isinstance(groups, Unknown):
        ctx.defer(f".logGroupNames of {resource.subject}", "judged on `pulumi up`, when known")
        return
    maximum = int(ctx.settings["maximumLogGroups"])
    if not groups:
        ctx.violation(
            f"{resource.subject} names no log groups: list the ones it reads (log_group_names; "
            "platform:logQueries.<q>.logGroups), so running it scans and bills only those."
        )
    elif len(groups) > maximum:
        ctx.violation(f"{resource.subject} reads {len(groups)} log groups: at most {maximum}.")


LOG_QUERY_SCOPED = resource_policy(
    name="log-query-scoped",
    description="A saved CloudWatch Logs Insights query names the log groups it reads.",
    types=[QUERY_DEFINITION],
    check=check_log_query_scoped,
    settings={
        "maximumLogGroups": {
            "type": "integer",
            "minimum": 1,
            "maximum": 50,
            "default": 50,
            "description": "Most log groups one saved query may read (Logs Insights queries at most 50 at once).",
        }
    },
    severity=Severity.LOW,
    remediation="Set log_group_names on the query definition.",
)

POLICIES = [LOG_QUERY_SCOPED]
