"""CiRoles: GitHub Actions' OIDC provider and the roles the workflows assume, one pair per GitHub environment.

- the provider for `https://token.actions.githubusercontent.com`, audience `sts.amazonaws.com`, no thumbprint:
  for GitHub, IAM validates the token with its own library of trusted CAs and ignores any configured
  thumbprint (pulumi-aws 7 `OpenIdConnectProvider.thumbprint_lists`: optional), so none goes stale;
- per GitHub environment (dev, staging, prod: each deploys the stacks listed for it), a **deploy** role trusted
  only by `repo:<owner>/<repo>:environment:<environment>` (the deploy job's GitHub environment: its protection
  rules, e.g. prod's required reviewers, gate the credentials) and a **preview** role trusted only by
  `repo:<owner>/<repo>:environment:preview-<environment>`, each limited to its stacks' state, roles and buckets.
  Not the `pull_request` subject: it is the same for every pull request, so a role trusted by it would let any
  branch of the repository read prod's state; a preview environment per environment can restrict which
  branches and who may use it. Every trust policy is `StringEquals` on `aud` and `sub`: no wildcard, no other
  repository;
- every role carries a permissions boundary (a ceiling, `/boundaries/`) that denies turning off the account's
  detective controls, creating users, access keys or OIDC providers, and touching the account layer's own
  roles, keys, buckets and trail; it also cuts data reads out of `ReadOnlyAccess`.

On the diy (S3) backend `pulumi preview` takes no lock and writes nothing: `diyBackend.Preview` runs the
engine with `DryRun: true` and no `Lock` call, and `apply` creates no snapshot persister and writes no history
or backup when `DryRun` (pulumi/pulumi pkg/backend/diy/backend.go at 002d849, `Preview`, `Update`, `apply`). So
a preview role reads the state and decrypts with the secrets key, nothing else. A deploy role writes the
stack's checkpoint, history, backups and lock under `.pulumi/`, encrypts with the key (S3 SSE-KMS), passes
the stack's roles to ECS and flow logs, and creates the service-linked roles a first deploy needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import Statement, policy_document
from components.naming import physical_name

from .permissions import (
    DEPLOY_VERBS,
    GLOBAL_RESOURCES,
    PROTECTED_ACCOUNT_ACTIONS,
    READ_ONLY_POLICY,
    READ_PATTERNS,
    S3_VERBS,
    SERVICE_LINKED_ROLES,
    STATE_PREFIX,
    UNSCOPED_DEPLOY_ACTIONS,
)

GITHUB_ISSUER = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
BOUNDARY_PATH = "/boundaries/"
"""Where permissions boundaries live: the pack's no-wildcard-iam reads a policy on this path as a ceiling
(`Resource: "*"` allowed, no whole-service wildcard) and refuses to see it attached as a grant."""
DEPLOYER_PATH = "/deployers/"
"""The deploy roles' infrastructure policies: the pack's no-wildcard-iam `deployerPolicyPaths` (they create what
cannot be named before it exists)."""
UNSCOPED = "actions AWS does not scope to resources: Resource must be '*'"
CEILING = "permissions boundary: a ceiling on what identity policies may grant, not a grant"


@dataclass(frozen=True, kw_only=True)
class CiRolesArgs:
    aws_context: AwsContext
    repository: str
    """`<owner>/<repo>`: the only repository whose workflows may assume the roles."""
    environments: Mapping[str, tuple[str, ...]]
    """GitHub environment -> the platform stacks it deploys: one deploy and one preview role per environment."""
    platform_project: str
    """The platform's Pulumi project name: state lives under `.pulumi/stacks/<project>/<stack>.json`."""
    name_prefix: str
    """The first word of the platform's physical names: its stacks' roles and buckets are `<prefix>-<stack>-*`."""
    passed_to_services: tuple[str, ...]
    """Services the deploy role may pass its stacks' roles to (`iam:PassedToService`)."""
    state_bucket_arn: pulumi.Input[str]
    secrets_key_arn: pulumi.Input[str]
    import_existing_provider: bool = False
    """Adopt the account's existing GitHub OIDC provider instead of creating one (one per URL per account)."""
    protected_arns: tuple[pulumi.Input[str], ...] = ()
    """The account layer's own keys, buckets (and their objects), trail and log groups: every boundary denies
    every action on them (they are managed by the account stack, run by an administrator)."""


class CiRoles(pulumi.ComponentResource):
    """The GitHub OIDC provider, a preview and a deploy role per environment, and their two permissions
    boundaries."""

    provider_arn: pulumi.Output[str]
    deploy_role_arns: dict[str, pulumi.Output[str]]
    """Environment -> deploy role ARN: the `AWS_DEPLOY_ROLE_ARN` variable of the GitHub environment of that name."""
    preview_role_arns: dict[str, pulumi.Output[str]]
    """Environment -> preview role ARN: the `AWS_PREVIEW_ROLE_ARN` variable of the GitHub environment
    `preview-<environment>`."""

    def __init__(self, name: str, args: CiRolesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:account:CiRoles", name, None, opts)
        context = args.aws_context
        child = pulumi.ResourceOptions(parent=self)
        existing = f"arn:{context.partition}:iam::{context.account_id}:oidc-provider/{GITHUB_ISSUER}"
        adopt = args.import_existing_provider
        provider = aws.iam.OpenIdConnectProvider(
            f"{name}-github",
            url=f"https://{GITHUB_ISSUER}",
            client_id_lists=[AUDIENCE],
            tags={"Name": physical_name("github-oidc")},
            # Adopting: whatever tags and thumbprints it has are left as they are by the import.
            opts=pulumi.ResourceOptions(
                parent=self,
                import_=existing if adopt else None,
                ignore_changes=["tags", "thumbprintLists"] if adopt else None,
            ),
        )
        read_only = f"arn:{context.partition}:iam::aws:policy/{READ_ONLY_POLICY}"
        preview_boundary = aws.iam.Policy(
            f"{name}-preview-boundary",
            name=physical_name("ci-preview-boundary"),
            path=BOUNDARY_PATH,
            description="Permissions boundary of the CI preview roles: reads of the control plane and the state",
            policy=policy_document(boundary_statements(args, deploy=False)),
            tags={"Name": physical_name("ci-preview-boundary")},
            opts=child,
        )
        deploy_boundary = aws.iam.Policy(
            f"{name}-deploy-boundary",
            name=physical_name("ci-deploy-boundary"),
            path=BOUNDARY_PATH,
            description="Permissions boundary of the CI deploy roles: the platform's services in this account",
            policy=policy_document(boundary_statements(args, deploy=True)),
            tags={"Name": physical_name("ci-deploy-boundary")},
            opts=child,
        )
        self.provider_arn = provider.arn
        self.deploy_role_arns = {}
        self.preview_role_arns = {}
        for env, stacks in args.environments.items():
            preview = aws.iam.Role(
                f"{name}-preview-{env}",
                name=physical_name("preview", env),
                description=f"GitHub Actions `pulumi preview` of {', '.join(stacks)} (environment preview-{env})",
                assume_role_policy=github_trust_policy(provider.arn, args.repository, f"preview-{env}"),
                permissions_boundary=preview_boundary.arn,
                max_session_duration=3600,
                tags={"Name": physical_name("preview", env)},
                opts=child,
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-preview-{env}-read-only", role=preview.name, policy_arn=read_only, opts=child
            )
            aws.iam.RolePolicy(
                f"{name}-preview-{env}-state",
                role=preview.id,
                name="state-read",
                policy=policy_document(state_statements(args, stacks, write=False)),
                opts=child,
            )
            deploy = aws.iam.Role(
                f"{name}-deploy-{env}",
                name=physical_name("deploy", env),
                description=f"GitHub Actions `pulumi up` of {', '.join(stacks)} (environment {env})",
                assume_role_policy=github_trust_policy(provider.arn, args.repository, env),
                permissions_boundary=deploy_boundary.arn,
                max_session_duration=7200,
                tags={"Name": physical_name("deploy", env)},
                opts=child,
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-deploy-{env}-read-only", role=deploy.name, policy_arn=read_only, opts=child
            )
            infrastructure = aws.iam.Policy(
                f"{name}-deploy-{env}-infrastructure",
                name=physical_name("deploy", env, "infrastructure"),
                path=DEPLOYER_PATH,
                description=f"What `pulumi up` of {', '.join(stacks)} changes: the platform's services in this "
                "account and region, the stacks' own buckets",
                policy=policy_document(infrastructure_statements(args, stacks)),
                tags={"Name": physical_name("deploy", env, "infrastructure")},
                opts=child,
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-deploy-{env}-infrastructure-attachment",
                role=deploy.name,
                policy_arn=infrastructure.arn,
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-deploy-{env}-state",
                role=deploy.id,
                name="state-write",
                policy=policy_document(state_statements(args, stacks, write=True)),
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-deploy-{env}-iam",
                role=deploy.id,
                name="stack-roles",
                policy=policy_document(iam_statements(args, stacks)),
                opts=child,
            )
            self.preview_role_arns[env] = preview.arn
            self.deploy_role_arns[env] = deploy.arn
        self.register_outputs(
            {
                "providerArn": self.provider_arn,
                "deployRoleArns": self.deploy_role_arns,
                "previewRoleArns": self.preview_role_arns,
            }
        )


ROLE_MANAGEMENT_ACTIONS = (
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
)
"""Creating, changing, tagging and deleting a role and its policies (not passing it: that is granted apart)."""


def github_trust_policy(provider_arn: pulumi.Input[str], repository: str, environment: str) -> pulumi.Output[str]:
    """Trust for GitHub's OIDC tokens of one repository's one environment: `StringEquals` on `aud` and `sub`
    (`repo:<owner>/<repo>:environment:<environment>`), the only shape the pack's github-oidc-trust accepts."""
    return policy_document(
        [
            Statement(
                sid="GitHubEnvironment",
                actions=["sts:AssumeRoleWithWebIdentity"],
                principals={"Federated": [provider_arn]},
                conditions={
                    "StringEquals": {
                        f"{GITHUB_ISSUER}:aud": AUDIENCE,
                        f"{GITHUB_ISSUER}:sub": f"repo:{repository}:environment:{environment}",
                    }
                },
            )
        ]
    )


def _state_paths(args: CiRolesArgs, stacks: Sequence[str]) -> list[pulumi.Output[str]]:
    """The stack's files in the diy backend's project layout (pulumi/pulumi pkg/backend/diy `projectReferenceStore`
    and `lockPath`): checkpoint `stacks/<project>/<stack>.json` (also `.gz`, `.bak`), `history/<project>/<stack>/`,
    `backups/<project>/<stack>/`, and locks under the fully qualified name, `locks/organization/<project>/<stack>/`."""
    suffixes = []
    for stack in stacks:
        base = f"{STATE_PREFIX}/%s/{args.platform_project}/{stack}"
        suffixes += [
            f"{base % 'stacks'}.json*",
            f"{base % 'history'}/*",
            f"{base % 'backups'}/*",
            f"{base % 'locks/organization'}/*",
        ]
    return [pulumi.Output.concat(args.state_bucket_arn, "/", suffix) for suffix in suffixes]


def state_statements(args: CiRolesArgs, stacks: Sequence[str], *, write: bool) -> list[Statement]:
    """Preview: GetObject on the stack's state files and `.pulumi/meta.yaml`, ListBucket under `.pulumi/`,
    kms:Decrypt with the secrets key (the secrets provider's data key, and SSE-KMS reads). Deploy: also
    PutObject/DeleteObject on those files and kms:GenerateDataKey (SSE-KMS writes)."""
    objects = [*_state_paths(args, stacks), pulumi.Output.concat(args.state_bucket_arn, f"/{STATE_PREFIX}/meta.yaml")]
    statements = [
        Statement(sid="ReadStackState", actions=["s3:GetObject"], resources=objects),
        Statement(
            sid="ListState",
            actions=["s3:ListBucket"],
            resources=[args.state_bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{STATE_PREFIX}/*"]}},
        ),
        Statement(
            sid="SecretsKey",
            actions=["kms:Decrypt", *(["kms:GenerateDataKey"] if write else [])],
            resources=[args.secrets_key_arn],
        ),
    ]
    if write:
        statements.append(
            Statement(
                sid="WriteStackState", actions=["s3:PutObject", "s3:DeleteObject"], resources=_state_paths(args, stacks)
            )
        )
    return statements


def _stack_roles(args: CiRolesArgs, stacks: Sequence[str]) -> list[str]:
    context = args.aws_context
    return [f"arn:{context.partition}:iam::{context.account_id}:role/{args.name_prefix}-{stack}-*" for stack in stacks]


def iam_statements(args: CiRolesArgs, stacks: Sequence[str]) -> list[Statement]:
    """The stacks' own roles (`role/<prefix>-<stack>-*`): create, change, tag, delete; iam:PassRole of them to
    `passed_to_services` only; iam:CreateServiceLinkedRole for `SERVICE_LINKED_ROLES` only."""
    context = args.aws_context
    roles = _stack_roles(args, stacks)
    return [
        Statement(
            sid="StackRoles",
            resources=roles,
            actions=[
                *ROLE_MANAGEMENT_ACTIONS,
            ],
        ),
        Statement(
            sid="PassStackRoles",
            actions=["iam:PassRole"],
            resources=roles,
            conditions={"StringEquals": {"iam:PassedToService": list(args.passed_to_services)}},
        ),
        Statement(
            sid="ServiceLinkedRoles",
            actions=["iam:CreateServiceLinkedRole"],
            resources=[f"arn:{context.partition}:iam::{context.account_id}:role/aws-service-role/*"],
            conditions={"StringEquals": {"iam:AWSServiceName": list(SERVICE_LINKED_ROLES)}},
        ),
    ]


def _global_arn(context: AwsContext, service: str, resource: str) -> str:
    """CloudWatch dashboards keep the account in their ARN; Route53 zones have neither region nor account."""
    account = context.account_id if service == "cloudwatch" else ""
    return f"arn:{context.partition}:{service}::{account}:{resource}"


def infrastructure_statements(args: CiRolesArgs, stacks: Sequence[str]) -> list[Statement]:
    """`DEPLOY_VERBS` on each service's ARNs in this account and region, `S3_VERBS` on the stack's buckets,
    `UNSCOPED_DEPLOY_ACTIONS` on `*` (see permissions.py for why this shape)."""
    context = args.aws_context
    buckets = [f"arn:{context.partition}:s3:::{args.name_prefix}-{stack}-*" for stack in stacks]
    return [
        Statement(
            sid="PlatformServicesInThisAccountAndRegion",
            actions=[f"{service}:{verb}" for service, verbs in DEPLOY_VERBS.items() for verb in verbs],
            resources=[context.arn(service, "*") for service in DEPLOY_VERBS],
        ),
        *(
            Statement(
                sid=f"{service.capitalize()}WithoutRegion",
                actions=[f"{service}:{a}" for a in actions],
                resources=[_global_arn(context, service, resource)],
            )
            for service, (actions, resource) in GLOBAL_RESOURCES.items()
        ),
        Statement(
            sid="StackBuckets",
            actions=list(S3_VERBS),
            resources=[arn for bucket in buckets for arn in (bucket, f"{bucket}/*")],
        ),
        Statement(
            sid="UnscopedMutations", actions=list(UNSCOPED_DEPLOY_ACTIONS), resources=["*"], justification=UNSCOPED
        ),
    ]


def boundary_statements(args: CiRolesArgs, *, deploy: bool) -> list[Statement]:
    """The ceiling of every CI role: the control-plane reads of `READ_PATTERNS`, the state, the secrets key;
    for deploy roles also the platform's mutations and IAM on `<namePrefix>-*` roles. Denied to all: the
    `PROTECTED_ACCOUNT_ACTIONS` and anything on the account layer's own resources and CI roles."""
    context = args.aws_context
    state = pulumi.Output.concat(args.state_bucket_arn, f"/{STATE_PREFIX}/*")
    ci_roles = f"arn:{context.partition}:iam::{context.account_id}:role/{physical_name()}-*"
    statements = [
        Statement(sid="ControlPlaneReads", actions=list(READ_PATTERNS), resources=["*"], justification=CEILING),
        Statement(
            sid="State",
            actions=["s3:GetObject", *(["s3:PutObject", "s3:DeleteObject"] if deploy else [])],
            resources=[state],
        ),
        Statement(
            sid="SecretsKey",
            actions=["kms:Decrypt", *(["kms:GenerateDataKey"] if deploy else [])],
            resources=[args.secrets_key_arn],
        ),
    ]
    if deploy:
        statements += [
            Statement(
                sid="PlatformMutations",
                resources=["*"],
                justification=CEILING,
                actions=[
                    *(f"{service}:{verb}" for service, verbs in DEPLOY_VERBS.items() for verb in verbs),
                    *(f"{service}:{a}" for service, (actions, _) in GLOBAL_RESOURCES.items() for a in actions),
                    *S3_VERBS,
                    *UNSCOPED_DEPLOY_ACTIONS,
                ],
            ),
            Statement(
                sid="PlatformRoles",
                resources=[
                    f"arn:{context.partition}:iam::{context.account_id}:role/{args.name_prefix}-*",
                    f"arn:{context.partition}:iam::{context.account_id}:role/aws-service-role/*",
                ],
                actions=[
                    *ROLE_MANAGEMENT_ACTIONS,
                    "iam:PassRole",
                    "iam:CreateServiceLinkedRole",
                ],
            ),
        ]
    statements += [
        Statement(
            sid="DenyAccountControls",
            effect="Deny",
            actions=list(PROTECTED_ACCOUNT_ACTIONS),
            resources=["*"],
            justification=CEILING,
        ),
        Statement(sid="DenyCiRoles", effect="Deny", actions=["iam:*"], resources=[ci_roles], justification=CEILING),
    ]
    statements.append(
        Statement(
            sid="DenyStateBackendChanges",
            effect="Deny",
            actions=[
                "s3:DeleteBucket",
                "s3:DeleteBucketPolicy",
                "s3:PutBucketPolicy",
                "s3:PutBucketVersioning",
                "s3:PutLifecycleConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:PutBucketPublicAccessBlock",
                "kms:ScheduleKeyDeletion",
                "kms:DisableKey",
                "kms:PutKeyPolicy",
                "kms:DeleteAlias",
                "kms:UpdateAlias",
            ],
            resources=[args.state_bucket_arn, args.secrets_key_arn],
        )
    )
    if args.protected_arns:
        statements.append(
            Statement(
                sid="DenyAccountLayerResources",
                effect="Deny",
                actions=["s3:*", "kms:*", "logs:*", "cloudtrail:*"],
                resources=list(args.protected_arns),
            )
        )
    return statements
