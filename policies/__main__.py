"""The policy pack's entry point. The engine runs `python -m pulumi.policy <engine> <this dir>`, which runs
this file; `PolicyPack(...)` serves gRPC, prints its port and never returns. So this file only assembles the
pack: the rules live in `guardrails/` (importable from tests), and nothing may print before the port."""

from guardrails import PACK_NAME, POLICIES
from guardrails.serving import prepared
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=prepared(POLICIES),  # IAM catalogue loaded, heap frozen, cyclic GC off (guardrails/serving.py)
    enforcement_level=EnforcementLevel.MANDATORY,  # secure default; config/<stack>.json relaxes per stack
    description="Guardrails of the AWS platform: tags, least-privilege IAM, no internet ingress to "
    "applications, encryption, data protection, hardened containers, TLS, logs and alarms.",
)
