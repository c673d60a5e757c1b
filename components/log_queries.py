"""Saved CloudWatch Logs Insights queries (`platform:logQueries`) over the stack's service and function logs."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from .config.log_queries import LogQueryConfig
from .naming import physical_name


def log_queries(
    queries: Mapping[str, LogQueryConfig],
    log_groups: Mapping[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> dict[str, aws.cloudwatch.QueryDefinition]:
    """One query definition per entry, named `<name>-<stack>/<key>` (the console shows the stack's queries as one
    folder), reading exactly the log groups it names. `log_groups`: `services.<s>` / `functions.<f>` -> the log
    group's name (the config check guarantees each reference is there). Query definitions have no tags and no
    charge of their own; running one bills the GB it scans."""
    return {
        key: aws.cloudwatch.QueryDefinition(
            f"log-query-{key}",
            name=f"{physical_name()}/{key}",
            query_string=query.query,
            log_group_names=[log_groups[reference] for reference in query.log_groups],
            opts=opts,
        )
        for key, query in queries.items()
    }
