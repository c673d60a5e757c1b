"""Cases mutation testing showed untested: each is a violating resource a guardrail must flag (or the exact
boundary where it stops flagging). Thresholds are tested at the limit and one past it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from policies.guardrails.containers import CONTAINER_HARDENING
from policies.guardrails.data_protection import PROD_DATA_PROTECTION, PROTECTION_HINT
from policies.guardrails.encryption import (
    ENCRYPTION_AT_REST,
    KMS_KEY_ROTATION,
    ROTATION_HINT,
    TLS_HINT,
    TLS_ONLY_RESOURCE_POLICIES,
)
from policies.guardrails.iam import HINT, NO_WILDCARD_IAM
from policies.guardrails.network import VPC_FLOW_LOGS
from policies.guardrails.observability import LOG_RETENTION, SERVICE_AND_DATABASE_ALARMS

from .helpers import STANDARD_TAGS, UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_OBJECT, R, check, check_stack, policy_document

ARN = "arn:aws:iam::123456789012:role/app"
STAR_RESOURCE = {"Sid": "S", "Effect": "Allow", "Principal": {"AWS": ARN}, "Action": "s3:GetObject", "Resource": "*"}


def wildcard_violations(resource_type: str, props: dict) -> list[str]:
    return check(NO_WILDCARD_IAM, resource_type, props).violations


# -- no-wildcard-iam: resource policies ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("resource_type", "prop", "action"),
    [
        ("aws:s3/bucketPolicy:BucketPolicy", "policy", "s3:GetObject"),
        ("aws:s3/bucket:Bucket", "policy", "s3:GetObject"),
        ("aws:s3/bucketV2:BucketV2", "policy", "s3:GetObject"),
        ("aws:sqs/queuePolicy:QueuePolicy", "policy", "sqs:SendMessage"),
        ("aws:sqs/queue:Queue", "policy", "sqs:SendMessage"),
        ("aws:sns/topicPolicy:TopicPolicy", "policy", "sns:Publish"),
        ("aws:sns/topic:Topic", "policy", "sns:Publish"),
        ("aws:ecr/repositoryPolicy:RepositoryPolicy", "policy", "ecr:BatchGetImage"),
        ("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "policy", "events:PutEvents"),
        ("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument", "logs:PutLogEvents"),
        ("aws:efs/fileSystemPolicy:FileSystemPolicy", "policy", "elasticfilesystem:ClientMount"),
        ("aws:backup/vaultPolicy:VaultPolicy", "policy", "backup:DeleteRecoveryPoint"),
        ("aws:opensearch/domainPolicy:DomainPolicy", "accessPolicies", "es:ESHttpGet"),
        ("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", "policy", "s3:GetObject"),
        ("aws:glacier/vault:Vault", "accessPolicy", "glacier:UploadArchive"),
        ("aws:s3/accessPoint:AccessPoint", "policy", "s3:GetObject"),
    ],
)
def test_resource_policies_may_not_grant_scoped_actions_on_resource_star(
    resource_type: str, prop: str, action: str
) -> None:
    document = policy_document({**STAR_RESOURCE, "Action": action})
    assert wildcard_violations(resource_type, {prop: document}) == [
        f"{resource_type} 'r' {prop}: statement 'S' allows {action} on Resource '*', but AWS scopes this action "
        f"to resources: name the ARNs. {HINT}"
    ]


@pytest.mark.parametrize(
    "resource_type",
    [
        "aws:iam/policy:Policy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:kms/key:Key",
        "aws:apigateway/restApiPolicy:RestApiPolicy",
        "aws:ecr/registryPolicy:RegistryPolicy",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:kms/externalKey:ExternalKey",
        "aws:kms/replicaKey:ReplicaKey",
        "aws:secretsmanager/secret:Secret",
        "aws:kms/replicaExternalKey:ReplicaExternalKey",
    ],
)
def test_every_other_policy_document_type_is_read(resource_type: str) -> None:
    document = policy_document(
        {"Sid": "S", "Effect": "Allow", "Principal": {"AWS": ARN}, "Action": "*", "Resource": "*"}
    )
    prop = "policy"
    assert f"{resource_type} 'r' {prop}: statement 'S' allows every action ('*'). {HINT}" in wildcard_violations(
        resource_type, {prop: document}
    )


def test_a_role_trust_policy_is_judged_for_principals_but_not_for_resource_star() -> None:
    trust = policy_document({"Sid": "T", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    assert wildcard_violations("aws:iam/role:Role", {"assumeRolePolicy": trust}) == [
        f"aws:iam/role:Role 'r' assumeRolePolicy: statement 'T' allows Principal '*' without a condition restricting "
        f"the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID...). {HINT}"
    ]


def test_an_identity_policy_is_not_judged_for_principals() -> None:
    document = policy_document(
        {"Sid": "S", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    )
    assert wildcard_violations("aws:iam/rolePolicy:RolePolicy", {"policy": document}) == []


def test_a_key_policy_may_use_resource_star_but_not_everyone() -> None:
    own = policy_document(
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ARN}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    assert wildcard_violations("aws:kms/key:Key", {"policy": own}) == []


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*", ARN]}, {"AWS": [ARN, "*"]}, {"Service": ["*"]}])
def test_a_principal_list_naming_everyone_counts_as_everyone(principal: object) -> None:
    document = policy_document(
        {
            "Sid": "S",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
        }
    )
    assert wildcard_violations("aws:s3/bucketPolicy:BucketPolicy", {"policy": document}) == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' policy: statement 'S' allows Principal '*' without a condition "
        f"restricting the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID...). {HINT}"
    ]


def test_everyone_with_a_restricting_condition_passes_and_an_unrelated_condition_does_not() -> None:
    base = {
        "Sid": "S",
        "Effect": "Allow",
        "Principal": {"AWS": ["*", ARN]},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    restricted = {**base, "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}}
    assert wildcard_violations("aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(restricted)}) == []
    unrelated = {**base, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    assert len(wildcard_violations("aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(unrelated)})) == 1


@pytest.mark.parametrize(
    "key",
    [
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
    ],
)
def test_each_restricting_condition_key_restricts_everyone(key: str) -> None:
    document = policy_document(
        {
            "Sid": "S",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sqs:SendMessage",
            "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
            "Condition": {"StringEquals": {key: "x"}},
        }
    )
    assert wildcard_violations("aws:sqs/queuePolicy:QueuePolicy", {"policy": document}) == []


@pytest.mark.parametrize(
    "resource_type",
    [
        "aws:kms/key:Key",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:kms/externalKey:ExternalKey",
        "aws:kms/replicaKey:ReplicaKey",
        "aws:kms/replicaExternalKey:ReplicaExternalKey",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:secretsmanager/secret:Secret",
    ],
)
def test_in_a_key_or_secret_policy_resource_star_is_the_resource_itself(resource_type: str) -> None:
    document = policy_document(
        {
            "Sid": "S",
            "Effect": "Allow",
            "Principal": {"AWS": ARN},
            "Action": ["kms:Decrypt", "secretsmanager:GetSecretValue"],
            "Resource": "*",
        }
    )
    assert wildcard_violations(resource_type, {"policy": document}) == []
    assert check(
        NO_WILDCARD_IAM, resource_type, {"policy": document}, config={"selfScopedResourcePolicies": []}
    ).violations


def test_not_principal_in_an_allow_is_rejected() -> None:
    document = policy_document(
        {
            "Sid": "S",
            "Effect": "Allow",
            "NotPrincipal": {"AWS": ARN},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
        }
    )
    assert wildcard_violations("aws:s3/bucketPolicy:BucketPolicy", {"policy": document}) == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' policy: statement 'S' allows NotPrincipal (everyone except the listed "
        f"principals). {HINT}"
    ]


def test_a_deny_is_never_a_problem_and_an_unknown_effect_is_refused() -> None:
    deny = {"Sid": "D", "Effect": "Deny", "NotPrincipal": {"AWS": ARN}, "Action": "*", "Resource": "*"}
    assert wildcard_violations("aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(deny)}) == []
    odd = {**deny, "Effect": "allow"}
    assert wildcard_violations("aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(odd)}) == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' policy: statement 'D' has Effect 'allow': it must be Allow or Deny. "
        f"{HINT}"
    ]


def test_a_statement_without_a_sid_is_named_by_position_and_non_string_actions_are_refused() -> None:
    document = policy_document(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": [7], "Resource": "arn:aws:s3:::b/*"},
    )
    assert wildcard_violations("aws:iam/policy:Policy", {"policy": document}) == [
        f"aws:iam/policy:Policy 'r' policy: statement #1 has a non-string action 7. {HINT}"
    ]


def test_inline_policies_of_a_role_are_judged_one_by_one() -> None:
    bad = policy_document({"Sid": "S", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"})
    good = policy_document({"Sid": "G", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    props = {"inlinePolicies": [{"name": "ok", "policy": good}, {"name": "wide", "policy": bad}, {"name": "empty"}]}
    assert wildcard_violations("aws:iam/role:Role", props) == [
        f"aws:iam/role:Role 'r' inlinePolicies[1] 'wide': statement 'S' allows every s3 action ('s3:*'). {HINT}"
    ]


def test_a_document_that_is_not_a_policy_is_reported() -> None:
    for document, problem in (
        ("{", "is not valid JSON (Expecting property name enclosed in double quotes at line 1)"),
        ("[]", "is not a JSON object"),
        (json.dumps({"Statement": []}), "has no Statement"),
        (json.dumps({"Statement": ["x"]}), "statement #0 is not an object"),
    ):
        assert wildcard_violations("aws:iam/policy:Policy", {"policy": document}) == [
            f"aws:iam/policy:Policy 'r' policy: {problem}. {HINT}"
        ]


# -- no-wildcard-iam: managed policies and Lambda permissions --------------------------------------------
@pytest.mark.parametrize("name", ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"])
def test_a_role_may_not_carry_a_forbidden_managed_policy(name: str) -> None:
    props = {
        "assumeRolePolicy": policy_document(
            {
                "Sid": "T",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            }
        ),
        "managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", f"arn:aws:iam::aws:policy/{name}"],
    }
    assert wildcard_violations("aws:iam/role:Role", props) == [
        f"aws:iam/role:Role 'r' attaches the AWS-managed policy {name}, which grants far more than a workload "
        f"needs. {HINT}"
    ]


@pytest.mark.parametrize(
    "resource_type",
    [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    ],
)
def test_every_kind_of_attachment_is_checked_for_forbidden_managed_policies(resource_type: str) -> None:
    assert len(wildcard_violations(resource_type, {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})) == 1
    assert (
        wildcard_violations(resource_type, {"policyArn": "arn:aws:iam::123456789012:policy/AdministratorAccess"}) == []
    )  # a customer policy of that name is judged where it is defined


@pytest.mark.parametrize("action", ["lambda:*", "*", "lambda:?*"])
def test_a_lambda_permission_for_every_action_is_rejected(action: str) -> None:
    props = {
        "action": action,
        "function": "f",
        "principal": "events.amazonaws.com",
        "sourceArn": "arn:aws:events:us-east-1:123456789012:rule/r",
    }
    result = wildcard_violations("aws:lambda/permission:Permission", props)
    assert len(result) == 1 and result[0].startswith("aws:lambda/permission:Permission 'r' allows every ")
    assert f"action ({action!r})" in result[0]
    assert wildcard_violations("aws:lambda/permission:Permission", {**props, "action": "lambda:InvokeFunction"}) == []


def test_a_lambda_permission_for_everyone_needs_a_source_and_an_unknown_action_is_a_typo() -> None:
    props = {"action": "lambda:InvokeFunction", "function": "f", "principal": "*"}
    assert wildcard_violations("aws:lambda/permission:Permission", props) == [
        f"aws:lambda/permission:Permission 'r' lets Principal '*' invoke the function without sourceArn, "
        f"sourceAccount or principalOrgId. {HINT}"
    ]
    for key in ("sourceArn", "sourceAccount", "principalOrgId"):
        assert wildcard_violations("aws:lambda/permission:Permission", {**props, key: "x"}) == []
    assert wildcard_violations(
        "aws:lambda/permission:Permission", {**props, "action": "lambda:InvokeFunktion", "sourceAccount": "1"}
    ) == [
        f"aws:lambda/permission:Permission 'r' names 'lambda:InvokeFunktion', which is not in AWS's action "
        f"catalogue. {HINT}"
    ]


# -- tls-only-resource-policies -----------------------------------------------------------------------
def tls_statement(effect: str, secure: str) -> dict:
    return {
        "Sid": "Tls",
        "Effect": effect,
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"Bool": {"aws:SecureTransport": secure}},
    }


@pytest.mark.parametrize(("effect", "secure"), [("Allow", "false"), ("Deny", "true")])
def test_only_a_deny_on_insecure_transport_makes_a_policy_tls_only(effect: str, secure: str) -> None:
    result = check(
        TLS_ONLY_RESOURCE_POLICIES,
        "aws:s3/bucketPolicy:BucketPolicy",
        {"policy": policy_document(tls_statement(effect, secure))},
    )
    assert result.violations == [
        f"aws:s3/bucketPolicy:BucketPolicy 'r' does not deny requests made without TLS. {TLS_HINT}"
    ]


def test_the_tls_deny_must_be_for_everyone_and_may_use_bool_if_exists() -> None:
    narrow = {**tls_statement("Deny", "false"), "Principal": {"AWS": ARN}}
    assert check(
        TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(narrow)}
    ).violations
    if_exists = {**tls_statement("Deny", "false"), "Condition": {"BoolIfExists": {"aws:SecureTransport": ["false"]}}}
    assert check(
        TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(if_exists)}
    ).passed
    other_key = {**tls_statement("Deny", "false"), "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    assert check(
        TLS_ONLY_RESOURCE_POLICIES, "aws:s3/bucketPolicy:BucketPolicy", {"policy": policy_document(other_key)}
    ).violations


def test_a_queue_policy_must_deny_sqs_star_and_a_missing_document_is_reported() -> None:
    s3_only = {**tls_statement("Deny", "false"), "Action": "s3:*"}
    assert check(
        TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queuePolicy:QueuePolicy", {"policy": policy_document(s3_only)}
    ).violations == [f"aws:sqs/queuePolicy:QueuePolicy 'r' denies only s3:* without TLS; deny sqs:*. {TLS_HINT}"]
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "q"}).violations == [
        f"aws:sqs/queuePolicy:QueuePolicy 'r' has no policy document. {TLS_HINT}"
    ]
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queue:Queue", {"name": "q"}).passed  # the stack half's call
    assert check(TLS_ONLY_RESOURCE_POLICIES, "aws:sqs/queuePolicy:QueuePolicy", {"policy": "{"}).violations == [
        f"aws:sqs/queuePolicy:QueuePolicy 'r' policy is not valid JSON (Expecting property name enclosed in double "
        f"quotes at line 1). {TLS_HINT}"
    ]


# -- encryption-at-rest -------------------------------------------------------------------------------
def test_efs_file_systems_are_encrypted_at_rest() -> None:
    efs = "aws:efs/fileSystem:FileSystem"
    assert check(ENCRYPTION_AT_REST, efs, {"encrypted": True}).passed
    assert check(ENCRYPTION_AT_REST, efs, {}).violations == [
        "aws:efs/fileSystem:FileSystem 'r' is unencrypted (encrypted is unset): set encrypted=true. Encrypt it with "
        "the stack's KMS key (the platform's data components do)."
    ]


def test_string_booleans_from_the_bridged_provider_are_recognised() -> None:
    assert check(ENCRYPTION_AT_REST, "aws:ebs/volume:Volume", {"encrypted": "true"}).passed
    assert check(ENCRYPTION_AT_REST, "aws:ebs/volume:Volume", {"encrypted": "TRUE"}).passed
    assert check(ENCRYPTION_AT_REST, "aws:ebs/volume:Volume", {"encrypted": "false"}).violations
    assert check(ENCRYPTION_AT_REST, "aws:sqs/queue:Queue", {"sqsManagedSseEnabled": "true"}).passed


def test_aurora_serverless_v1_is_always_encrypted_and_blank_keys_are_no_keys() -> None:
    assert check(ENCRYPTION_AT_REST, "aws:rds/cluster:Cluster", {"engineMode": "serverless"}).passed
    assert check(ENCRYPTION_AT_REST, "aws:rds/cluster:Cluster", {"engineMode": "provisioned"}).violations
    assert check(ENCRYPTION_AT_REST, "aws:sns/topic:Topic", {"kmsMasterKeyId": "  "}).violations


# -- kms-key-rotation: 365 passes, 366 does not; a configured maximum likewise -----------------------------
def test_the_rotation_period_boundary() -> None:
    key = "aws:kms/key:Key"
    assert check(KMS_KEY_ROTATION, key, {"enableKeyRotation": True, "rotationPeriodInDays": 365}).passed
    assert check(KMS_KEY_ROTATION, key, {"enableKeyRotation": True, "rotationPeriodInDays": 366}).violations == [
        f"aws:kms/key:Key 'r' sets rotationPeriodInDays 366: rotate at least every 365 days "
        f"(rotation_period_in_days <= 365, or unset for 365). {ROTATION_HINT}"
    ]
    assert check(
        KMS_KEY_ROTATION,
        key,
        {"enableKeyRotation": True, "rotationPeriodInDays": 90},
        config={"maximumRotationPeriodDays": 90},
    ).passed
    assert check(
        KMS_KEY_ROTATION,
        key,
        {"enableKeyRotation": True, "rotationPeriodInDays": 91},
        config={"maximumRotationPeriodDays": 90},
    ).violations
    assert check(KMS_KEY_ROTATION, key, {"enableKeyRotation": "true"}).passed
    assert check(
        KMS_KEY_ROTATION,
        key,
        {"enableKeyRotation": True, "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "customKeyStoreId": "  "},
    ).passed


def test_a_key_with_an_empty_custom_store_still_rotates() -> None:
    assert check(KMS_KEY_ROTATION, "aws:kms/key:Key", {"customKeyStoreId": "", "customerMasterKeySpec": ""}).violations


# -- container-hardening ------------------------------------------------------------------------------
CONTAINER = {
    "name": "api",
    "image": "repo/api:1.0",
    "user": "1000",
    "readonlyRootFilesystem": True,
    "logConfiguration": {"logDriver": "awslogs"},
}


def container_violations(**changes: object) -> list[str]:
    definition = {k: v for k, v in {**CONTAINER, **changes}.items() if v is not None}
    return check(
        CONTAINER_HARDENING, "aws:ecs/taskDefinition:TaskDefinition", {"containerDefinitions": json.dumps([definition])}
    ).violations


def test_an_unset_read_only_root_filesystem_is_writable() -> None:
    assert container_violations() == []
    assert len(container_violations(readonlyRootFilesystem=None)) == 1
    assert "has a writable root filesystem" in container_violations(readonlyRootFilesystem=None)[0]
    assert container_violations(readonlyRootFilesystem="true") == []
    assert check(
        CONTAINER_HARDENING,
        "aws:ecs/taskDefinition:TaskDefinition",
        {"containerDefinitions": json.dumps([{**CONTAINER, "readonlyRootFilesystem": False}])},
        config={"requireReadOnlyRootFilesystem": False},
    ).passed


@pytest.mark.parametrize("user", ["root", "0", "ROOT:root", "0:0", " ", ""])
def test_root_in_any_spelling_is_root(user: str) -> None:
    assert any("runs as root" in v for v in container_violations(user=user))


def test_privileged_as_a_string_is_privileged_and_secret_names_need_a_value() -> None:
    assert any("is privileged" in v for v in container_violations(privileged="true"))
    assert (
        container_violations(environment=[{"name": "API_TOKEN", "value": ""}, {"name": "TOKEN_ARN", "value": "arn:x"}])
        == []
    )
    assert len(container_violations(environment=[{"name": "api-token", "value": "abc"}])) == 1


# -- prod-data-protection: unset retention, boundaries, production names --------------------------------
CLUSTER = "aws:rds/cluster:Cluster"
PROTECTED = {"deletionProtection": True, "skipFinalSnapshot": False, "backupRetentionPeriod": 7}


def test_an_unset_backup_retention_is_one_day_and_not_compliant(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    props = {k: v for k, v in PROTECTED.items() if k != "backupRetentionPeriod"}
    assert check(PROD_DATA_PROTECTION, CLUSTER, props).violations == [
        f"aws:rds/cluster:Cluster 'r' keeps backups 1 day; production keeps at least 7 (backup_retention_period). "
        f"{PROTECTION_HINT}"
    ]


def test_the_backup_retention_boundary(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    assert check(PROD_DATA_PROTECTION, CLUSTER, PROTECTED).passed
    assert check(PROD_DATA_PROTECTION, CLUSTER, {**PROTECTED, "backupRetentionPeriod": 6}).violations == [
        f"aws:rds/cluster:Cluster 'r' keeps backups 6 days; production keeps at least 7 (backup_retention_period). "
        f"{PROTECTION_HINT}"
    ]
    assert check(PROD_DATA_PROTECTION, CLUSTER, {**PROTECTED, "backupRetentionPeriod": "7"}).passed


@pytest.mark.parametrize("stack", ["prod", "production", "Prod", "PRODUCTION"])
def test_every_spelling_of_production_is_production(stack: str, stack_name: Callable[[str], None]) -> None:
    stack_name(stack)
    assert check(PROD_DATA_PROTECTION, CLUSTER, {**PROTECTED, "deletionProtection": False}).violations


@pytest.mark.parametrize("environment", ["prod", "Prod", "production", "Production", "PROD"])
def test_a_resource_tagged_production_in_any_case_is_production(environment: str) -> None:
    tags = {**STANDARD_TAGS, "Environment": environment}
    assert check(PROD_DATA_PROTECTION, CLUSTER, {**PROTECTED, "deletionProtection": "false", "tags": tags}).violations
    assert check(PROD_DATA_PROTECTION, CLUSTER, {**PROTECTED, "deletionProtection": "true", "tags": tags}).passed


@pytest.mark.parametrize("environment", ["dev", "staging", "preprod", "prod-like", "nonprod"])
def test_other_environments_are_not_production(environment: str) -> None:
    tags = {**STANDARD_TAGS, "Environment": environment}
    assert check(PROD_DATA_PROTECTION, CLUSTER, {"deletionProtection": False, "tags": tags}).passed


def test_rds_instances_are_held_to_the_same_rules(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    result = check(PROD_DATA_PROTECTION, "aws:rds/instance:Instance", {"skipFinalSnapshot": "true"})
    assert [
        v.split(" is production data", 1)[0].split(" keeps backups", 1)[0].split(" skips", 1)[0]
        for v in result.violations
    ] == ["aws:rds/instance:Instance 'r'"] * 3
    assert "skips its final snapshot" in result.violations[2]


# -- log retention and flow logs: the boundary days -----------------------------------------------------
def test_log_retention_at_the_minimum_passes_and_one_less_fails() -> None:
    group = "aws:cloudwatch/logGroup:LogGroup"
    assert check(LOG_RETENTION, group, {"retentionInDays": 30}, config={"minimumRetentionDays": 30}).passed
    assert check(LOG_RETENTION, group, {"retentionInDays": 29}, config={"minimumRetentionDays": 30}).violations == [
        "aws:cloudwatch/logGroup:LogGroup 'r' keeps its logs 29 days: keep them at least 30."
    ]
    assert check(LOG_RETENTION, group, {"retentionInDays": 1}).passed  # the default minimum is a day


def flow_stack(days: int) -> list[R]:
    vpc = R("aws:ec2/vpc:Vpc", "vpc")
    group = R("aws:cloudwatch/logGroup:LogGroup", "flow-logs", {"retentionInDays": days})
    log = R("aws:ec2/flowLog:FlowLog", "flow", {"trafficType": "ALL"}, deps={"vpcId": [vpc], "logDestination": [group]})
    return [vpc, group, log]


def test_flow_logs_kept_ninety_days_pass_and_eighty_nine_fail() -> None:
    assert check_stack(VPC_FLOW_LOGS, flow_stack(90)).passed
    assert check_stack(VPC_FLOW_LOGS, flow_stack(89)).violations == [
        "aws:cloudwatch/logGroup:LogGroup 'flow-logs' keeps the flow logs of aws:ec2/vpc:Vpc 'vpc' 89 days; keep them "
        "at least 90. Add an aws.ec2.FlowLog with vpc_id=<the VPC>, traffic_type ALL, to a log group kept >= 90 days "
        "(the platform's Network component does)."
    ]


def test_a_flow_log_to_something_else_than_a_log_group_has_no_retention_to_judge() -> None:
    vpc = R("aws:ec2/vpc:Vpc", "vpc")
    bucket = R("aws:s3/bucket:Bucket", "flow-bucket", {"retentionInDays": 1})
    log = R(
        "aws:ec2/flowLog:FlowLog", "flow", {"trafficType": "ALL"}, deps={"vpcId": [vpc], "logDestination": [bucket]}
    )
    assert check_stack(VPC_FLOW_LOGS, [vpc, bucket, log]).passed


# -- service-and-database-alarms: every alarmed type, the minimum at its boundary ------------------------------
@pytest.mark.parametrize(
    ("resource_type", "dimension", "output"),
    [
        ("aws:ecs/service:Service", "ServiceName", "name"),
        ("aws:rds/cluster:Cluster", "DBClusterIdentifier", "clusterIdentifier"),
        ("aws:rds/instance:Instance", "DBInstanceIdentifier", "identifier"),
    ],
)
def test_every_service_and_database_kind_needs_an_alarm(resource_type: str, dimension: str, output: str) -> None:
    target = R(resource_type, "t", {output: "platform-prod-t"})
    alarm = R("aws:cloudwatch/metricAlarm:MetricAlarm", "a", {"dimensions": {dimension: "platform-prod-t"}})
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [target, alarm]).passed
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [target]).urns == [target.urn]
    second = R("aws:cloudwatch/metricAlarm:MetricAlarm", "b", {"dimensions": {dimension: "platform-prod-t"}})
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [target, alarm, second], config={"minimumAlarms": 2}).passed
    assert check_stack(SERVICE_AND_DATABASE_ALARMS, [target, alarm], config={"minimumAlarms": 2}).violations == [
        f"{resource_type} 't' has 1 CloudWatch alarm(s), fewer than 2: add an aws.cloudwatch.MetricAlarm with "
        f"dimension {dimension}=<its {output}> (the platform's observability component creates them per service "
        f"and database), notifying the alarm topic."
    ]


# -- no-wildcard-iam: what cannot be read yet is deferred, never passed ----------------------------------------
def test_unknown_parts_of_a_statement_are_deferred_by_name() -> None:
    bucket = "aws:s3/bucketPolicy:BucketPolicy"
    cases = [
        ({"Effect": UNKNOWN, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, "statement 'S' Effect"),
        (
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", UNKNOWN],
                "Resource": "arn:aws:s3:::b/*",
                "Principal": {"AWS": ARN},
            },
            "statement 'S' Action",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Principal": {"AWS": UNKNOWN},
            },
            "statement 'S' Principal",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Principal": "*",
                "Condition": UNKNOWN_OBJECT,
            },
            "statement 'S' Condition",
        ),
    ]
    for fields, what in cases:
        result = check(NO_WILDCARD_IAM, bucket, {"policy": {"Statement": [{"Sid": "S", **fields}]}})
        assert result.violations == [], what
        assert len(result.deferred) == 1 and f"{what} in .policy of {bucket} 'r'" in result.deferred[0], what


def test_a_non_string_action_is_refused_and_the_rest_still_judged() -> None:
    document = policy_document({"Sid": "S", "Effect": "Allow", "Action": [7, "s3:*"], "Resource": "arn:aws:s3:::b"})
    assert wildcard_violations("aws:iam/policy:Policy", {"policy": document}) == [
        f"aws:iam/policy:Policy 'r' policy: statement 'S' has a non-string action 7. {HINT}",
        f"aws:iam/policy:Policy 'r' policy: statement 'S' allows every s3 action ('s3:*'). {HINT}",
    ]


def test_many_scoped_actions_on_resource_star_are_summarised_after_five() -> None:
    five = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"]
    shown = ", ".join(sorted(five))
    assert wildcard_violations(
        "aws:iam/policy:Policy",
        {"policy": policy_document({"Sid": "S", "Effect": "Allow", "Action": five, "Resource": "*"})},
    ) == [
        f"aws:iam/policy:Policy 'r' policy: statement 'S' allows {shown} on Resource '*', but AWS scopes these "
        f"actions to resources: name the ARNs. {HINT}"
    ]
    six = sorted([*five, "s3:ListBucket"])
    assert wildcard_violations(
        "aws:iam/policy:Policy",
        {"policy": policy_document({"Sid": "S", "Effect": "Allow", "Action": six, "Resource": "*"})},
    ) == [
        f"aws:iam/policy:Policy 'r' policy: statement 'S' allows {', '.join(six[:5])} and 1 more on Resource '*', "
        f"but AWS scopes these actions to resources: name the ARNs. {HINT}"
    ]


def test_an_unknown_lambda_action_or_principal_is_deferred() -> None:
    result = check(
        NO_WILDCARD_IAM, "aws:lambda/permission:Permission", {"action": UNKNOWN, "principal": UNKNOWN, "function": "f"}
    )
    assert result.violations == []
    assert len(result.deferred) == 1
    assert ".action of aws:lambda/permission:Permission 'r'" in result.deferred[0]
    assert ".principal of aws:lambda/permission:Permission 'r'" in result.deferred[0]


def test_unknown_inline_policies_or_actions_as_a_whole_are_deferred() -> None:
    result = check(NO_WILDCARD_IAM, "aws:iam/role:Role", {"inlinePolicies": UNKNOWN_ARRAY})
    assert result.violations == []
    assert len(result.deferred) == 1 and ".inlinePolicies of aws:iam/role:Role 'r'" in result.deferred[0]
    result = check(
        NO_WILDCARD_IAM,
        "aws:iam/policy:Policy",
        {
            "policy": {
                "Statement": [{"Sid": "S", "Effect": "Allow", "Action": UNKNOWN_ARRAY, "Resource": "arn:aws:s3:::b/*"}]
            }
        },
    )
    assert result.violations == []
    assert len(result.deferred) == 1 and "statement 'S' Action in .policy of" in result.deferred[0]
