"""Platform: composes the components of one stack from its validated config."""

from __future__ import annotations

import pulumi

from .aws_context import AwsContext
from .config import StackConfig
from .network import Network, NetworkArgs
from .tagging import register_standard_tags, standard_tags


class Platform(pulumi.ComponentResource):
    """Everything one stack runs: network, keys, data stores, cluster, load balancer, services, alarms.

    Only narrow outputs leave it (ids, ARNs, names, URLs), for `__main__.py` to export."""

    def __init__(self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        register_standard_tags(standard_tags(config))
        super().__init__("platform:stack:Platform", name, None, opts)
        context = AwsContext.lookup()
        child = pulumi.ResourceOptions(parent=self)

        # -- network -------------------------------------------------------------------------------
        self.network = Network("network", NetworkArgs(config=config.network, aws_context=context), child)

        self.outputs: dict[str, pulumi.Input[object]] = {
            "vpcId": self.network.vpc_id,
            "vpcCidr": self.network.vpc_cidr,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "dataSubnetIds": self.network.data_subnet_ids,
        }
        self.register_outputs(self.outputs)
