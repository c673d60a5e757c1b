"""The account layer's guardrails: cloudtrail-multi-region-validated-encrypted, account-has-cloudtrail and
github-oidc-trust.

- cloudtrail-multi-region-validated-encrypted (every `aws:cloudtrail/trail:Trail`, every stack): the trail
  records every region (`isMultiRegionTrail`, with `includeGlobalServiceEvents`: IAM, STS and CloudFront
  events live in us-east-1), writes digest files (`enableLogFileValidation`: a deleted or edited log file is
  detectable), encrypts with a customer-managed key (`kmsKeyId`) and is not stopped (`enableLogging: false`).
  An absent value is the provider's default, which is off for the first three: a violation.
- account-has-cloudtrail (stack policy, the projects in `accountProjects`, default `platform-bootstrap`): the
  account stack has at least one trail that passes the rule above. Other projects (the platform's stacks) have
  nothing to say here: the account layer owns the trail.
- github-oidc-trust (every `aws:iam/role:Role`): a trust statement that lets GitHub Actions' OIDC tokens in
  (a `Federated` principal of `token.actions.githubusercontent.com`, or `sts:AssumeRoleWithWebIdentity` with
  its condition keys) must pin the audience (`StringEquals` `...:aud` = `sts.amazonaws.com`) and the subject
  (`StringEquals` `...:sub`, every value `repo:<owner>/<repo>:...` with no `*` or `?`, the repository one of
  `allowedRepositories` when that is set). `StringLike` on `sub` is refused even without a wildcard: the next
  edit adds one. Such a role must also carry a permissions boundary (`permissionsBoundary`).
  An unknown trust document (it names the provider created in the same stack) is judged on `pulumi up`.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import Severity

from .base import Context, Resource, Stack, Unknown, as_list, dig, is_true, resource_policy, stack_policy, string_list
from .policy_documents import DocumentError, parse

TRAIL = "aws:cloudtrail/trail:Trail"
GITHUB = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
SUBJECT = re.compile(r"^repo:([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+):[^*?]+$")

TRAIL_HINT = (
    "Set is_multi_region_trail=True, include_global_service_events=True, enable_log_file_validation=True "
    "and kms_key_id=<a customer-managed key> (bootstrap/audit.py does)."
)


def trail_problems(props: dict[str, Any], *, require_kms: bool = True) -> list[str] | Unknown:
    """What a trail lacks; `Unknown` when a flag it needs is unknown."""
    checks = [
        ("isMultiRegionTrail", "records only its home region (isMultiRegionTrail is not true)"),
        (
            "includeGlobalServiceEvents",
            "leaves out global service events such as IAM and STS (includeGlobalServiceEvents is not true)",
        ),
        (
            "enableLogFileValidation",
            "writes no digest files, so a deleted or edited log file goes unnoticed "
            "(enableLogFileValidation is not true)",
        ),
    ]
    problems: list[str] = []
    for key, problem in checks:
        value = props.get(key)
        if isinstance(value, Unknown):
            return value
        if key == "includeGlobalServiceEvents" and value is None:
            continue  # the provider's default is true
        if not is_true(value):
            problems.append(problem)
    key_id = props.get("kmsKeyId")
    if isinstance(key_id, Unknown):
        pass  # a key created in the same stack: known on `pulumi up`; being set is what matters
    elif require_kms and (not isinstance(key_id, str) or not key_id):
        problems.append("is not encrypted with a customer-managed KMS key (kmsKeyId is not set)")
    logging = props.get("enableLogging")
    if logging is not None and not isinstance(logging, Unknown) and not is_true(logging):
        problems.append("is stopped (enableLogging is false)")
    return problems


def check_trail(resource: Resource, ctx: Context) -> None:
    problems = trail_problems(resource.props, require_kms=bool(ctx.settings["requireKms"]))
    if isinstance(problems, Unknown):
        ctx.defer(f"a flag of {resource.subject}", "judged on `pulumi up`, when known")
        return
    for problem in problems:
        ctx.violation(f"{resource.subject} {problem}. {TRAIL_HINT}")


CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED = resource_policy(
    name="cloudtrail-multi-region-validated-encrypted",
    description="CloudTrail trails record every region and global service events, validate log files and "
    "encrypt with a customer-managed KMS key.",
    types=[TRAIL],
    check=check_trail,
    settings={
        "requireKms": {
            "type": "boolean",
            "default": True,
            "description": "Require kmsKeyId (SSE-KMS with a customer-managed key); false accepts CloudTrail's SSE-S3.",
        }
    },
    severity=Severity.HIGH,
    remediation=TRAIL_HINT,
    url="https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html",
)


def _current_project() -> str:
    import pulumi

    try:
        return pulumi.get_project()
    except Exception:
        return ""


def check_account_trail(stack: Stack, ctx: Context) -> None:
    projects = {str(p) for p in ctx.settings["accountProjects"]}
    project = _current_project()
    if project not in projects:
        return
    trails = stack.of_type(TRAIL)
    judged = [trail_problems(t.props) for t in trails]
    if any(problems == [] for problems in judged):
        return
    if any(isinstance(problems, Unknown) for problems in judged):
        ctx.defer("a flag of the account's trails", "judged on `pulumi up`, when known")
        return
    found = (
        f"its {len(trails)} trail{'s' if len(trails) != 1 else ''} all fall short"
        if trails
        else "it has no aws.cloudtrail.Trail"
    )
    ctx.violation(
        f"The account stack of project '{project}' must keep a CloudTrail trail that records every "
        f"region with log file validation and KMS encryption, but {found}. {TRAIL_HINT}"
    )


ACCOUNT_HAS_CLOUDTRAIL = stack_policy(
    name="account-has-cloudtrail",
    description="The account stack keeps at least one multi-region CloudTrail trail with log file validation "
    "and KMS encryption.",
    check=check_account_trail,
    settings={
        "accountProjects": string_list(
            ["platform-bootstrap"], "Projects whose stacks are account layers (bootstrap/Pulumi.yaml `name`)."
        )
    },
    severity=Severity.HIGH,
    remediation=TRAIL_HINT,
)

OIDC_HINT = (
    f"Trust GitHub only with StringEquals on {GITHUB}:aud = {AUDIENCE} and {GITHUB}:sub = "
    f"repo:<owner>/<repo>:environment:<name> (bootstrap/ci_roles.py github_trust_policy), and give "
    f"the role a permissions boundary."
)


def _is_github(statement_principal: Any, condition: dict[str, Any]) -> bool:
    """GitHub's trust: its OIDC provider federated, or a condition on one of its token's keys (any case)."""
    federated = as_list(dig(statement_principal, "Federated")) if isinstance(statement_principal, dict) else []
    if isinstance(federated, list) and any(isinstance(f, str) and f.endswith(GITHUB) for f in federated):
        return True
    return any(
        isinstance(keys, dict) and any(str(k).lower().startswith(GITHUB) for k in keys) for keys in condition.values()
    )


def _condition_values(condition: dict[str, Any], operator: str, key: str) -> list[Any] | None:
    for op, keys in condition.items():
        if op == operator and isinstance(keys, dict):
            for name, values in keys.items():
                if str(name).lower() == key.lower():
                    listed = as_list(values)
                    return listed if isinstance(listed, list) else [listed]
    return None


def _uses_key(condition: dict[str, Any], key: str) -> list[str]:
    """The operators under which `key` appears."""
    return [
        op
        for op, keys in condition.items()
        if isinstance(keys, dict) and any(str(k).lower() == key.lower() for k in keys)
    ]


def trust_problems(document: Any, repositories: set[str]) -> list[str] | Unknown:
    """What a GitHub OIDC trust statement lacks, per statement label."""
    try:
        statements = parse(document)
    except DocumentError as error:
        return [str(error)]
    if isinstance(statements, Unknown):
        return statements
    problems: list[str] = []
    for statement in statements:
        if statement.effect != "Allow":
            continue
        condition = statement.condition if isinstance(statement.condition, dict) else {}
        if isinstance(statement.principal, Unknown) or isinstance(statement.condition, Unknown):
            return Unknown("object")
        if not _is_github(statement.principal, condition):
            continue
        label = statement.label
        audience = _condition_values(condition, "StringEquals", f"{GITHUB}:aud")
        if audience is None:
            problems.append(f"{label} does not pin the audience (StringEquals {GITHUB}:aud)")
        elif audience != [AUDIENCE] and not any(isinstance(a, Unknown) for a in audience):
            problems.append(f"{label} accepts the audience {audience!r}, not only {AUDIENCE!r}")
        subjects = _condition_values(condition, "StringEquals", f"{GITHUB}:sub")
        other_ops = [op for op in _uses_key(condition, f"{GITHUB}:sub") if op != "StringEquals"]
        if other_ops:
            problems.append(f"{label} matches the subject with {', '.join(other_ops)}: use StringEquals")
        if subjects is None:
            if not other_ops:
                problems.append(
                    f"{label} does not pin the subject (StringEquals {GITHUB}:sub): any repository "
                    f"on GitHub could assume the role"
                )
            continue
        for subject in subjects:
            if isinstance(subject, Unknown):
                continue
            match = SUBJECT.match(str(subject))
            if match is None:
                problems.append(
                    f"{label} trusts the subject {subject!r}: it must be repo:<owner>/<repo>:... without '*' or '?'"
                )
            elif repositories and match.group(1) not in repositories:
                problems.append(
                    f"{label} trusts the repository {match.group(1)!r}, not one of {', '.join(sorted(repositories))}"
                )
    return problems


def check_github_trust(resource: Resource, ctx: Context) -> None:
    document = resource.props.get("assumeRolePolicy")
    if document is None:
        return
    repositories = {str(r) for r in ctx.settings["allowedRepositories"]}
    problems = trust_problems(document, repositories)
    if isinstance(problems, Unknown):
        ctx.defer(f".assumeRolePolicy of {resource.subject}", "judged on `pulumi up`, when the document is known")
        return
    for problem in problems:
        ctx.violation(f"{resource.subject} assumeRolePolicy: {problem}. {OIDC_HINT}")
    trusts_github = isinstance(document, str) and GITHUB in document
    if trusts_github and resource.props.get("permissionsBoundary") is None:
        ctx.violation(f"{resource.subject} trusts GitHub Actions but has no permissions boundary. {OIDC_HINT}")


GITHUB_OIDC_TRUST = resource_policy(
    name="github-oidc-trust",
    description="Roles GitHub Actions may assume pin the audience and one repository's subject with "
    "StringEquals (no wildcard) and carry a permissions boundary.",
    types=["aws:iam/role:Role"],
    check=check_github_trust,
    settings={
        "allowedRepositories": string_list(
            [], "`<owner>/<repo>` names a trust may name; empty: any single, exact repository."
        )
    },
    severity=Severity.CRITICAL,
    remediation=OIDC_HINT,
    url="https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
    "configuring-openid-connect-in-amazon-web-services",
)

POLICIES = [CLOUDTRAIL_MULTI_REGION_VALIDATED_ENCRYPTED, ACCOUNT_HAS_CLOUDTRAIL, GITHUB_OIDC_TRUST]
