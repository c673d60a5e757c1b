"""canary-artifacts-encrypted: CloudWatch Synthetics canaries keep their artifacts (screenshots, HAR files,
logs: they show what the application answered) encrypted with a customer-managed key (`SSE_KMS` with a key
ARN), and run on a current runtime (`supportedRuntimes`: AWS refuses to create canaries on deprecated ones,
and they get no browser security fixes). A canary without `artifactConfig` falls back to SSE-S3 and is
refused."""

from __future__ import annotations

from pulumi_policy import Severity

from .base import Context, Resource, Unknown, resource_policy, string_list

CANARY = "aws:synthetics/canary:Canary"
SUPPORTED_CANARY_RUNTIMES = ["syn-nodejs-puppeteer-15.0", "syn-nodejs-playwright-3.0", "syn-python-selenium-7.0"]
"""Current Synthetics runtimes as of 2026-12 (CloudWatch User Guide, "Synthetics runtime versions")."""


def check_canary(resource: Resource, ctx: Context) -> None:
    mode = resource.get("artifactConfig", "s3Encryption", "encryptionMode")
    key = resource.get("artifactConfig", "s3Encryption", "kmsKeyArn")
    if isinstance(mode, Unknown) or isinstance(key, Unknown):
        ctx.defer(f".artifactConfig of {resource.subject}", "judged on `pulumi up`, when known")
    elif mode != "SSE_KMS" or not key:
        ctx.violation(
            f"{resource.subject} stores its artifacts with {mode or 'SSE-S3 (no artifactConfig)'}: set "
            "artifact_config.s3_encryption to SSE_KMS with the stack key's ARN."
        )
    runtime = resource.get("runtimeVersion")
    supported = [str(r) for r in ctx.settings["supportedRuntimes"]]
    if isinstance(runtime, Unknown):
        ctx.defer(f".runtimeVersion of {resource.subject}", "judged on `pulumi up`, when known")
    elif runtime not in supported:
        ctx.violation(
            f"{resource.subject} runs on {runtime}, which is deprecated or not supported: use one of "
            f"{', '.join(supported)}."
        )


CANARY_ARTIFACTS_ENCRYPTED = resource_policy(
    name="canary-artifacts-encrypted",
    description="Synthetics canaries encrypt their artifacts with a customer-managed KMS key and run on a current "
    "runtime.",
    types=[CANARY],
    check=check_canary,
    severity=Severity.MEDIUM,
    settings={
        "supportedRuntimes": string_list(SUPPORTED_CANARY_RUNTIMES, "Synthetics runtime versions canaries may use.")
    },
    remediation='artifact_config=CanaryArtifactConfigArgs(s3_encryption=...(encryption_mode="SSE_KMS", '
    "kms_key_arn=<key>)); runtime_version from the supported list.",
)

POLICIES = [CANARY_ARTIFACTS_ENCRYPTED]
