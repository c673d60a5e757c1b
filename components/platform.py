"""Platform: the composition root of one stack. It calls one composer per layer (components/layers/), in
order, each given the previous layers' outputs, and exports what they return."""

from __future__ import annotations

import pulumi

from .aws_context import AwsContext
from .config import StackConfig
from .layers.compute import ComputeLayer, build_compute
from .layers.data import DataLayer, build_data, build_keys
from .layers.edge import EdgeLayer, build_edge
from .layers.network import NetworkLayer, build_network
from .layers.observability import ObservabilityLayer, build_observability
from .layers.recovery import finish_disaster_recovery
from .tagging import register_standard_tags, standard_tags


class Platform(pulumi.ComponentResource):
    """Everything one stack runs: network, data, edge, compute, observability (see components/layers/).

    Every resource is a child of this component, whichever layer builds it. Only narrow outputs leave it
    (ids, ARNs, names, URLs), for `__main__.py` to export."""

    def __init__(self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        register_standard_tags(standard_tags(config))
        super().__init__("platform:stack:Platform", name, None, opts)
        context = AwsContext.lookup()
        child = pulumi.ResourceOptions(parent=self)

        keys = build_keys(config, context, child)  # first: the network's flow log group is encrypted with it
        self.network: NetworkLayer = build_network(config, context, child, key_arn=keys.arn)
        self.data: DataLayer = build_data(config, context, child, keys=keys, network=self.network)
        self.edge: EdgeLayer = build_edge(config, context, child, network=self.network, data=self.data)
        self.compute: ComputeLayer = build_compute(
            config, context, child, network=self.network, data=self.data, edge=self.edge
        )
        self.observability: ObservabilityLayer = build_observability(
            config, context, child, data=self.data, edge=self.edge, compute=self.compute
        )

        self.outputs: dict[str, pulumi.Input[object]] = {
            **self.network.outputs(),
            **self.data.outputs(),
            **self.compute.outputs(),
            **self.observability.outputs(),
            **self.edge.outputs(),
            **finish_disaster_recovery(
                config, context, data=self.data, edge=self.edge, observability=self.observability
            ),
        }
        self.register_outputs(self.outputs)
