"""Repository: an ECR repository of the stack (`platform:repositories`), which any number of services pull
from and `build` pushes into.

Its name, ARN and URL are chosen by the platform and built from the AWS context, so a task definition and an
execution role that name them are fully known at a first preview (the policy pack judges them there).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.workloads import RepositoryConfig
from .iam import Statement, policy_document
from .naming import physical_name

PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
"""What pulling an image takes on the repository (ecr:GetAuthorizationToken, the registry login, is an
account-level call granted beside it)."""


def repository_name(key: str) -> str:
    """`<project>-<stack>-<key>`, lower case (ECR refuses upper case), at most 256 characters."""
    return physical_name(key, max_length=256).lower()


def registry_host(context: AwsContext) -> str:
    """This account's and region's registry: `<account>.dkr.ecr.<region>.amazonaws.com`."""
    return f"{context.account_id}.dkr.ecr.{context.region}.{context.dns_suffix}"


def repository_url(context: AwsContext, name: str) -> str:
    """The URL of repository `name` in this account and region (ours or one that already exists)."""
    return f"{registry_host(context)}/{name}"


def repository_arn(context: AwsContext, name: str) -> str:
    return context.arn("ecr", f"repository/{name}")


def lifecycle_policy(*, keep_tagged_images: int, untagged_expiry_days: int) -> str:
    """Untagged images expire `untagged_expiry_days` after their push; of the tagged ones, the newest
    `keep_tagged_images` are kept. (`tagPatternList: ["*"]` selects every tagged image.)"""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images after {untagged_expiry_days} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": untagged_expiry_days,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the newest {keep_tagged_images} tagged images",
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPatternList": ["*"],
                        "countType": "imageCountMoreThan",
                        "countNumber": keep_tagged_images,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )


@dataclass(frozen=True, kw_only=True)
class RepositoryArgs:
    name: str
    """The `platform:repositories` key; the repository is `<project>-<stack>-<key>`."""
    config: RepositoryConfig
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: image layers and manifests are encrypted with it (ECR holds a KMS grant on it; pullers
    need no KMS permission of their own)."""
    puller_role_arns: Sequence[str] = ()
    """The task execution roles of the services and tasks that run an image from this repository: the only
    principals the repository policy admits. Empty: no repository policy (no other account can pull)."""
    protect: bool = False
    """Pulumi `protect` (prod): deleting the repository deletes the images production runs and rolls back to."""


class Repository(pulumi.ComponentResource):
    """An ECR repository hardened by default:

    - immutable tags (a pushed `1.4.2` never changes under a running service), scan on push;
    - KMS encryption with the stack key;
    - lifecycle: untagged images expire after `untaggedExpiryDays`, the newest `keepTaggedImages` tagged
      images are kept (presets: 30/3 dev, 50/7 staging, 200/14 prod);
    - a repository policy that lets this account pull only as one of the execution roles that use it
      (principal: this account; condition `aws:PrincipalArn` equal to those role ARNs): no other account can
      pull, and within the account pulling still needs the identity policy the platform grants those roles;
    - `force_delete` off (a repository with images is not deleted) and `protect` in prod."""

    repository_name: str
    """Physical name (known before the repository exists)."""
    url: str
    """`<account>.dkr.ecr.<region>.amazonaws.com/<name>`: images are `<url>:<tag>` or `<url>@<digest>`."""
    arn: str
    """Repository ARN, for the execution roles' pull statements."""
    resource: aws.ecr.Repository

    def __init__(self, name: str, args: RepositoryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:repository:Repository", name, None, opts)
        context = args.aws_context
        self.repository_name = repository_name(args.name)
        self.url = repository_url(context, self.repository_name)
        self.arn = repository_arn(context, self.repository_name)
        self.resource = aws.ecr.Repository(
            f"{name}-repository",
            name=self.repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=args.kms_key_arn)
            ],
            force_delete=False,
            tags={"Name": self.repository_name},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        child = pulumi.ResourceOptions(parent=self)
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=self.resource.name,
            policy=lifecycle_policy(
                keep_tagged_images=args.config.keep_tagged_images, untagged_expiry_days=args.config.untagged_expiry_days
            ),
            opts=child,
        )
        if args.puller_role_arns:
            aws.ecr.RepositoryPolicy(
                f"{name}-policy",
                repository=self.resource.name,
                policy=policy_document(pull_policy(context, args.puller_role_arns)),
                opts=child,
            )
        self.register_outputs({"repositoryName": self.repository_name, "url": self.url, "arn": self.arn})


def pull_policy(context: AwsContext, role_arns: Sequence[str]) -> list[Statement]:
    """The repository policy: this account may pull, as one of `role_arns` only. A repository policy has no
    `Resource` (it applies to the repository it is attached to)."""
    return [
        Statement(
            sid="ExecutionRolesOfThisStackPull",
            actions=PULL_ACTIONS,
            principals={"AWS": [f"arn:{context.partition}:iam::{context.account_id}:root"]},
            conditions={"ArnEquals": {"aws:PrincipalArn": sorted(set(role_arns))}},
        )
    ]
