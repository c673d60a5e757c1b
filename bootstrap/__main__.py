"""The state backend bootstrap: validate the stack config, tag everything, build the StateBackend, export
what `pulumi login` and `pulumi stack init --secrets-provider` need."""

import sys
from pathlib import Path

_REPO = str(Path(__file__).resolve().parent.parent)
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)  # the platform's components/, one directory up

import pulumi  # noqa: E402

from bootstrap.state_backend import StateBackend, StateBackendArgs, load_bootstrap_config  # noqa: E402
from components.aws_context import AwsContext  # noqa: E402
from components.config.config_source import pulumi_config_values  # noqa: E402
from components.tagging import register_standard_tags, standard_tags  # noqa: E402

config = load_bootstrap_config(pulumi.get_stack(), pulumi_config_values())
register_standard_tags(standard_tags(config))
backend = StateBackend(
    "backend",
    StateBackendArgs(
        aws_context=AwsContext.lookup(),
        noncurrent_version_expiration_days=config.noncurrent_version_expiration_days,
        key_deletion_window_days=config.key_deletion_window_days,
    ),
)
for key, value in backend.outputs.items():
    pulumi.export(key, value)
