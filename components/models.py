"""Bedrock model grants: `grants: {models: [anthropic.claude-3-haiku-20240307-v1:0, us.anthropic...]}`.

A grant allows `bedrock:InvokeModel` and `bedrock:InvokeModelWithResponseStream` on exactly the named models,
never `foundation-model/*` (seed 002, acceptance criterion 6; the pack's no-wildcard-iam rejects that):

- a foundation model id (`anthropic.claude-3-haiku-20240307-v1:0`) ->
  `arn:<partition>:bedrock:<region>::foundation-model/<id>` (foundation models have no account);
- a cross-Region (system-defined) inference profile id, a geography prefix before the model id
  (`us.`, `eu.`, `apac.`, `us-gov.`, `jp.`, `au.`, `ca.`, `global.`) -> the profile
  `arn:<partition>:bedrock:<region>:<account>:inference-profile/<id>` plus the foundation model it routes to
  in every destination Region of its geography (`GEO_REGIONS`): Bedrock checks the caller's rights on the
  model in the Region that serves the request (docs.aws.amazon.com/bedrock/latest/userguide/
  inference-profiles-prereq.html). A `global.` profile routes to any commercial Region; AWS's documented
  policy names the model without a Region (`arn:aws:bedrock:::foundation-model/<id>`) for those.

The destination Regions of a geography are the union AWS documents across the models of that geography
(each model's page lists its own); granting the model in a Region the profile never routes to grants nothing
usable, while a missing Region would fail requests routed there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .aws_context import AwsContext
from .grants import statement_id
from .iam import Statement

INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")

GEO_REGIONS: Mapping[str, tuple[str, ...]] = {
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "us-gov": ("us-gov-east-1", "us-gov-west-1"),
    "ca": ("ca-central-1", "ca-west-1"),
    "eu": (
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
    ),
    "apac": (
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-4",
    ),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "global": (),
}
"""Inference profile geography prefix -> the Regions its profiles route to (`global`: any; see above)."""

MODEL_ID = re.compile(r"^[a-z0-9-]+\.[a-z0-9][A-Za-z0-9_:-]*$")
"""A foundation model id: `<provider>.<model>-<version>[:<n>]` (`anthropic.claude-3-haiku-20240307-v1:0`)."""


def parse_model_id(model_id: str) -> tuple[str | None, str]:
    """(geography of a cross-Region inference profile or None, foundation model id).

    `anthropic.claude-3-haiku-20240307-v1:0` -> (None, itself); `us.anthropic.claude-3-5-haiku-20241022-v1:0`
    -> ("us", "anthropic.claude-3-5-haiku-20241022-v1:0"). Raises ValueError for anything else (a profile of an
    unknown geography included), with what is allowed."""
    geo, dot, rest = model_id.partition(".")
    if dot and MODEL_ID.match(rest):
        if geo in GEO_REGIONS:
            return geo, rest
        raise ValueError(f"an inference profile of unknown geography {geo!r}; known: {', '.join(GEO_REGIONS)}")
    if MODEL_ID.match(model_id):
        return None, model_id
    raise ValueError(
        "not a Bedrock model id (<provider>.<model>, e.g. "
        "anthropic.claude-3-haiku-20240307-v1:0) or cross-Region inference profile id "
        "(<geography>.<model id>, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0)"
    )


def model_arns(model_id: str, context: AwsContext) -> list[str]:
    """The ARNs an invocation of `model_id` needs (see the module docstring)."""
    geo, model = parse_model_id(model_id)
    partition = context.partition
    if geo is None:
        return [f"arn:{partition}:bedrock:{context.region}::foundation-model/{model}"]
    profile = context.arn("bedrock", f"inference-profile/{model_id}")
    regions = GEO_REGIONS[geo]
    if not regions:  # global: any commercial Region
        return [
            profile,
            f"arn:{partition}:bedrock:{context.region}::foundation-model/{model}",
            f"arn:{partition}:bedrock:::foundation-model/{model}",
        ]
    destinations = sorted({context.region, *regions})
    return [profile, *(f"arn:{partition}:bedrock:{region}::foundation-model/{model}" for region in destinations)]


def invoke_statements(model_ids: Iterable[str], context: AwsContext) -> list[Statement]:
    """One statement per granted model (its Sid names it): invoke, with and without streaming."""
    return [
        Statement(
            sid=statement_id("model", model_id, "invoke"),
            actions=list(INVOKE_ACTIONS),
            resources=model_arns(model_id, context),
        )
        for model_id in dict.fromkeys(model_ids)
    ]
