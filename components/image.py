"""Image: build a service's image from a local Dockerfile and push it to its own ECR repository, or to a
`platform:repositories` repository when `build.repository` names one (several services can share it).

This is the one place the platform uses pulumi-awsx: `awsx.ecr.Image` builds and pushes, and sits at a
leaf (it creates no network, no security group, no role). Under mocks it registers as one opaque resource
(pulumi/pulumi#12553), which is fine here: the repository it pushes to is a plain `aws.ecr.Repository`
the tests and the policy pack see in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from .config.compute import ImageBuildConfig
from .naming import physical_name
from .repository import lifecycle_policy

UNTAGGED_EXPIRY_DAYS = 7
"""Untagged images (left behind by rebuilt layers) are expired after this many days."""
KEEP_IMAGES = 50
"""The newest images kept per repository, enough to roll back many releases."""


class PushTarget(Protocol):
    """A repository a build pushes into (components/repository.py `Repository`)."""

    url: str
    arn: str


@dataclass(frozen=True, kw_only=True)
class ServiceImageArgs:
    service: str
    """The service the image is for; names the repository."""
    config: ImageBuildConfig
    kms_key_arn: pulumi.Input[str] | None = None
    """The stack key for the repository's encryption at rest. None: ECR's AES-256."""
    repository: PushTarget | None = None
    """Push into this repository (a `platform:repositories` entry). None: create one for the service."""
    protect: bool = False
    """Pulumi `protect` on the service's own repository (prod): its images are what production runs."""


class ServiceImage(pulumi.ComponentResource):
    """The image built from the configured Dockerfile and pushed with the configured tag, into the given
    repository or into an ECR repository of its own (immutable tags, scan on push, KMS encryption,
    lifecycle, `protect` in prod)."""

    image_uri: pulumi.Output[str]
    """The pushed image, pinned by digest (`<repository url>@sha256:...`)."""
    repository_arn: pulumi.Output[str]
    """The repository, for the execution role's pull permission."""
    repository_url: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceImageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:image:ServiceImage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.repository is not None:
            image = awsx.ecr.Image(
                f"{name}-image",
                repository_url=args.repository.url,
                context=args.config.context,
                dockerfile=args.config.dockerfile,
                platform=args.config.platform,
                image_tag=args.config.tag,
                opts=child,
            )
            self.image_uri = image.image_uri
            self.repository_arn = pulumi.Output.from_input(args.repository.arn)
            self.repository_url = pulumi.Output.from_input(args.repository.url)
            self.register_outputs({"imageUri": self.image_uri, "repositoryUrl": self.repository_url})
            return
        encryption = (
            aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=args.kms_key_arn)
            if args.kms_key_arn is not None
            else aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")
        )
        repository = aws.ecr.Repository(
            f"{name}-repository",
            name=physical_name(args.service),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[encryption],
            force_delete=False,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repository.name,
            policy=lifecycle_policy(keep_tagged_images=KEEP_IMAGES, untagged_expiry_days=UNTAGGED_EXPIRY_DAYS),
            opts=child,
        )
        image = awsx.ecr.Image(
            f"{name}-image",
            repository_url=repository.repository_url,
            context=args.config.context,
            dockerfile=args.config.dockerfile,
            platform=args.config.platform,
            image_tag=args.config.tag,
            opts=child,
        )
        self.image_uri = image.image_uri
        self.repository_arn = repository.arn
        self.repository_url = repository.repository_url
        self.register_outputs({"imageUri": self.image_uri, "repositoryUrl": self.repository_url})
