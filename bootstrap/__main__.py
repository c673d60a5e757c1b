"""The account layer: validate the stack config, tag everything, then build what the platform's stacks need
once per account: the state backend, the CI roles, the audit trail, the security baseline, the prerequisites
and budgets. Exports what `pulumi login`, `pulumi stack init --secrets-provider` and the GitHub settings need."""

import sys
from pathlib import Path

_REPO = str(Path(__file__).resolve().parent.parent)
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)  # the platform's components/, one directory up

import pulumi  # noqa: E402

from bootstrap.account import build_account  # noqa: E402
from bootstrap.config import load_account_config  # noqa: E402
from components.aws_context import AwsContext  # noqa: E402
from components.config.config_source import pulumi_config_values  # noqa: E402
from components.tagging import register_standard_tags, standard_tags  # noqa: E402

config = load_account_config(pulumi.get_stack(), pulumi_config_values())
register_standard_tags(standard_tags(config))
for key, value in build_account(config, AwsContext.lookup()).items():
    pulumi.export(key, value)
