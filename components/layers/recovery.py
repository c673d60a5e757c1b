"""The last step of disaster recovery across regions (components/dr.py), once the load balancer, the database
and the alarm topic exist: the failover alias with its health check, the primary's `dr` output (what its standby
reads through a StackReference) and the standby's replication-lag alarm."""

from __future__ import annotations

import pulumi

from ..aws_context import AwsContext
from ..config import StackConfig
from ..dr import primary_database_outputs
from .data import DataLayer
from .edge import EdgeLayer
from .observability import ObservabilityLayer


def finish_disaster_recovery(
    config: StackConfig,
    context: AwsContext,
    *,
    data: DataLayer,
    edge: EdgeLayer,
    observability: ObservabilityLayer,
) -> dict[str, pulumi.Input[object]]:
    """The failover record, the lag alarm; the outputs to export (`dr` on a primary). Nothing without DR."""
    dr = data.dr
    if dr is None:
        return {}
    load_balancer = edge.load_balancer
    if load_balancer is not None and config.load_balancer.domain is not None:
        dr.failover(config.load_balancer.domain, load_balancer.dns_name, load_balancer.zone_id)
    dr.rpo_alarm(data.database, observability.observability.topic_arn)
    if dr.primary is not None:
        return {}
    return {"dr": dr.outputs(context.region, primary_database_outputs(dr, data.database))}
