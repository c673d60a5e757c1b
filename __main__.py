"""The platform program: load and validate the stack config, build the platform, export its outputs."""

import pulumi

from components.config import load_stack_config
from components.config.config_source import pulumi_config_values, stack_file_label
from components.platform import Platform

config = load_stack_config(pulumi.get_stack(), pulumi_config_values(), stack_file=stack_file_label(pulumi.get_stack()))
platform = Platform("platform", config)
for key, value in platform.outputs.items():
    pulumi.export(key, value)
