"""ecr-repository-hardening.

Every ECR repository:

- has immutable tags (`imageTagMutability: IMMUTABLE`): a pushed `1.4.2` can never be overwritten, so the
  image a task definition names is the image that runs, on every restart and scale-out. `MUTABLE` and
  `IMMUTABLE_WITH_EXCLUSION` (some tags mutable again) are refused;
- scans on push (`imageScanningConfiguration.scanOnPush: true`): every image is checked for known
  vulnerabilities when it arrives, before anything runs it;
- is encrypted with a KMS key (`encryptionConfigurations[0].encryptionType` `KMS` or `KMS_DSSE`): the
  default `AES256` uses a key no one controls or audits. Which KMS key is not judged; an unknown key ARN is
  the stack key being created and passes.

Absent values are AWS's defaults and judged as such: no mutability is `MUTABLE`, no scanning configuration
is no scan on push, no encryption configuration is `AES256`. An unknown value is deferred to `pulumi up`.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import Context, Resource, Unknown, dig, is_true, resource_policy

ECR_REPOSITORY = "aws:ecr/repository:Repository"
KMS_ENCRYPTION = ("KMS", "KMS_DSSE")

SETTINGS: dict[str, dict[str, Any]] = {
    "requireKms": {
        "type": "boolean",
        "default": True,
        "description": "Repositories are encrypted with a KMS key (KMS or KMS_DSSE), not ECR's default AES256.",
    },
}

HINT = (
    "Declare the repository under platform:repositories (components/repository.py sets immutable tags, scan "
    "on push and the stack's KMS key)."
)


def check_repository(resource: Resource, ctx: Context) -> None:
    subject = resource.subject
    mutability = resource.get("imageTagMutability")
    if isinstance(mutability, Unknown):
        ctx.defer(f".imageTagMutability of {subject}", "judged on `pulumi up`, when known")
    elif mutability != "IMMUTABLE":
        shown = "unset (MUTABLE)" if mutability is None else repr(mutability)
        ctx.violation(
            f"{subject} has mutable tags (imageTagMutability is {shown}): set image_tag_mutability="
            f'"IMMUTABLE", so a pushed tag can never point at other code. {HINT}'
        )
    scan = resource.get("imageScanningConfiguration", "scanOnPush")
    if isinstance(scan, Unknown):
        ctx.defer(f".imageScanningConfiguration of {subject}", "judged on `pulumi up`, when known")
    elif not is_true(scan):
        ctx.violation(
            f"{subject} does not scan images on push: set image_scanning_configuration.scan_on_push="
            f"true, so every image is checked for known vulnerabilities before it runs. {HINT}"
        )
    if not ctx.settings["requireKms"]:
        return
    configurations = resource.get("encryptionConfigurations")
    encryption = dig(configurations, 0, "encryptionType") if isinstance(configurations, list) else configurations
    if isinstance(encryption, Unknown):
        ctx.defer(f".encryptionConfigurations of {subject}", "judged on `pulumi up`, when known")
    elif encryption not in KMS_ENCRYPTION:
        shown = "unset (AES256)" if encryption is None else repr(encryption)
        ctx.violation(
            f"{subject} is not encrypted with a KMS key (encryptionType is {shown}): set "
            f'encryption_configurations=[{{encryption_type: "KMS", kms_key: <the stack key>}}]. {HINT}'
        )


ECR_REPOSITORY_HARDENING = resource_policy(
    name="ecr-repository-hardening",
    description="ECR repositories have immutable tags, scan images on push and are encrypted with a KMS key.",
    types=[ECR_REPOSITORY],
    check=check_repository,
    settings=SETTINGS,
    severity=Severity.HIGH,
    remediation='Set image_tag_mutability="IMMUTABLE", image_scanning_configuration.scan_on_push=true and '
    'encryption_configurations=[{encryption_type: "KMS", kms_key: <key ARN>}].',
    url="https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
)

POLICIES = [ECR_REPOSITORY_HARDENING]
