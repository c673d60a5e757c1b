"""The state backend bootstrap (bootstrap/): a separate Pulumi project run under the same in-process engine,
with the right resources, and passing every mandatory policy of the real pack driven over gRPC."""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from components.config.problems import StackConfigError
from components.tagging import takes_tag_map
from offline.engine import RecordedResource, StackRun, run_stack, stack_config
from offline.mocks import ACCOUNT_ID
from offline.policy_harness import PACK_DIR, PolicyHarness, PolicyReport
from tests.shared_runs import shared_run
from tests.test_tagging import sdk_class

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "bootstrap"
STACK = "shared"
PROJECT = "platform-bootstrap"
BUCKET_NAME = f"platform-bootstrap-shared-state-{ACCOUNT_ID}-us-east-1"
KEY_ALIAS = "alias/platform-bootstrap-shared-pulumi"
PROD_PACK_CONFIG = PACK_DIR / "config" / "prod.json"
STANDARD_TAGS = {
    "Environment": "prod",
    "Project": PROJECT,
    "Owner": "platform-team@example.com",
    "CostCenter": "CC-2001",
    "ManagedBy": "pulumi",
}


@pytest.fixture(scope="module")
def run() -> StackRun:
    return shared_run(STACK, project_dir=BOOTSTRAP)  # once per session, shared with test_ci_trust_matches_workflows


@pytest.fixture(scope="module")
def preview_run() -> StackRun:
    return shared_run(STACK, project_dir=BOOTSTRAP, preview=True)


@pytest.fixture(scope="module")
def harness(pack_harness: PolicyHarness) -> PolicyHarness:
    """The session's pack processes (one per stack, mode and stack config), shared with the other modules."""
    return pack_harness


def one(run: StackRun, type_: str) -> RecordedResource:
    """The one resource of `type_` outside the state bucket's access-log bucket (test_state_bucket_logs_access)."""
    matches = [r for r in run.of_type(type_) if "-access-logs" not in r.name]
    assert len(matches) == 1, f"{len(matches)} {type_}"
    return matches[0]


def state(run: StackRun, type_: str) -> RecordedResource:
    """The state backend's one resource of `type_` (the audit trail has its own bucket and key; the state
    bucket's access-log bucket has its own test, test_state_bucket_logs_access)."""
    matches = [
        r for r in run.of_type(type_) if "platform:bootstrap:StateBackend" in r.urn and "-access-logs" not in r.name
    ]
    assert len(matches) == 1, f"{len(matches)} {type_} in the state backend"
    return matches[0]


def check(harness: PolicyHarness, resources: Sequence[Any], *, preview: bool = False) -> PolicyReport:
    """The pack as `pulumi preview|up --policy-pack policies --policy-pack-config policies/config/prod.json`
    sees the bootstrap (scripts/pulumi.sh and `make bootstrap-*` use the prod config)."""
    return harness.check(
        resources,
        stack=STACK,
        project=PROJECT,
        preview=preview,
        stack_config=stack_config(STACK, BOOTSTRAP),
        policy_config=PROD_PACK_CONFIG,
    )


# -- the program runs as its own project ------------------------------------------------------------------
def test_runs_as_its_own_project_with_its_own_stack_file(run: StackRun) -> None:
    assert run.project == PROJECT
    assert run.stack == STACK
    root = one(run, "pulumi:pulumi:Stack")
    assert root.name == f"{PROJECT}-{STACK}"
    types = collections.Counter(r.type for r in run.custom_resources)
    bucket_parts = [
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
    ]
    assert types == {
        **dict.fromkeys(bucket_parts, 3),  # the state bucket, its access-log bucket and the audit bucket
        "aws:s3/bucketLogging:BucketLogging": 2,  # the state and audit buckets log access
        "aws:kms/key:Key": 2,
        "aws:kms/alias:Alias": 2,  # the secrets key and the audit key
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
        # 3 deploy + 3 preview roles, CloudTrail's log delivery, AWS Config
        "aws:iam/role:Role": 8,
        # 2 boundaries, 3 deploy infrastructure policies
        "aws:iam/policy:Policy": 5,
        # 3 x (deploy state, deploy IAM, preview state), CloudTrail logs, Config delivery
        "aws:iam/rolePolicy:RolePolicy": 11,
        # 6 ReadOnlyAccess, 3 infrastructure, AWS_ConfigRole
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 10,
        "aws:cloudtrail/trail:Trail": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:guardduty/detector:Detector": 1,
        "aws:guardduty/detectorFeature:DetectorFeature": 1,
        "aws:securityhub/account:Account": 1,
        "aws:securityhub/standardsSubscription:StandardsSubscription": 2,
        "aws:cfg/recorder:Recorder": 1,
        "aws:cfg/deliveryChannel:DeliveryChannel": 1,
        "aws:cfg/recorderStatus:RecorderStatus": 1,
        "aws:accessanalyzer/analyzer:Analyzer": 1,
        "aws:iam/serviceLinkedRole:ServiceLinkedRole": 1,
        "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": 1,
        "aws:budgets/budget:Budget": 3,
        "aws:sns/topic:Topic": 1,
        "aws:sns/topicPolicy:TopicPolicy": 1,
        "aws:sns/topicSubscription:TopicSubscription": 1,
        "aws:cloudwatch/eventRule:EventRule": 2,
        "aws:cloudwatch/eventTarget:EventTarget": 2,
    }


def test_state_bucket_logs_access_to_a_protected_sse_s3_log_bucket(run: StackRun) -> None:
    [logs] = [b for b in run.of_type("aws:s3/bucket:Bucket") if "-access-logs" in b.name]
    state_bucket = state(run, "aws:s3/bucket:Bucket")
    [logging] = [r for r in run.of_type("aws:s3/bucketLogging:BucketLogging") if r.inputs["bucket"] == state_bucket.id]
    assert logging.inputs["targetBucket"] == logs.outputs["bucket"]
    assert logs.protect
    [encryption] = [
        e
        for e in run.of_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        if "-access-logs" in e.name
    ]
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_the_program_argument_runs_the_same_program(run: StackRun) -> None:
    again = run_stack(STACK, project_dir=BOOTSTRAP, program=BOOTSTRAP / "__main__.py")
    assert sorted((r.type, r.name) for r in again) == sorted((r.type, r.name) for r in run)
    assert again.outputs == run.outputs


# -- the state bucket -----------------------------------------------------------------------------------
def test_state_bucket_is_protected_and_named_for_account_and_region(run: StackRun) -> None:
    bucket = state(run, "aws:s3/bucket:Bucket")
    assert bucket.protect is True
    assert bucket.inputs["bucket"] == BUCKET_NAME
    assert len(BUCKET_NAME) <= 63
    assert bucket.inputs["forceDestroy"] is False


def _of_bucket(run: StackRun, type_: str) -> dict[str, Any]:
    resource = state(run, type_)
    assert resource.inputs["bucket"] == state(run, "aws:s3/bucket:Bucket").id
    return resource.inputs


def test_state_bucket_is_versioned_and_owner_enforced_and_blocks_public_access(run: StackRun) -> None:
    versioning = _of_bucket(run, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    ownership = _of_bucket(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    public = _of_bucket(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert {flag: public.get(flag) for flag in flags} == dict.fromkeys(flags, True)


def test_state_bucket_is_encrypted_with_the_secrets_key_and_a_bucket_key(run: StackRun) -> None:
    encryption = _of_bucket(
        run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    (rule,) = encryption["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": state(run, "aws:kms/key:Key").outputs["arn"],
    }
    assert rule["bucketKeyEnabled"] is True


def test_state_bucket_refuses_plain_http(run: StackRun) -> None:
    policy = json.loads(_of_bucket(run, "aws:s3/bucketPolicy:BucketPolicy")["policy"])
    arn = state(run, "aws:s3/bucket:Bucket").outputs["arn"]
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == ["s3:*"]
    assert sorted(statement["Resource"]) == sorted([arn, f"{arn}/*"])
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_old_state_versions_expire_and_stale_uploads_are_aborted(run: StackRun) -> None:
    lifecycle = _of_bucket(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = lifecycle["rules"]
    assert rule["status"] == "Enabled"
    assert rule["filter"] == {"prefix": ""}, "the rule covers the whole bucket"
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 90
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7
    assert "days" not in rule.get("expiration", {}), "current state files never expire"


# -- the secrets key ------------------------------------------------------------------------------------
def test_secrets_key_rotates_is_protected_and_has_an_alias(run: StackRun) -> None:
    key = state(run, "aws:kms/key:Key")
    assert key.protect is True
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    alias = state(run, "aws:kms/alias:Alias")
    assert alias.inputs["name"] == KEY_ALIAS
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"]


def test_secrets_key_policy_delegates_to_iam_without_wildcard_actions(run: StackRun) -> None:
    policy = json.loads(state(run, "aws:kms/key:Key").inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{ACCOUNT_ID}:root"]}
    assert statement["Effect"] == "Allow"
    assert not [action for action in statement["Action"] if "*" in action]
    assert {"kms:PutKeyPolicy", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} <= set(statement["Action"])


# -- tags, outputs, config -------------------------------------------------------------------------------
def test_every_taggable_resource_has_the_standard_tags(run: StackRun) -> None:
    taggable = [r for r in run.custom_resources if takes_tag_map(sdk_class(r.type))]
    assert {r.type for r in taggable} >= {
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:iam/role:Role",
        "aws:cloudtrail/trail:Trail",
        "aws:budgets/budget:Budget",
    }
    for resource in taggable:
        tags = resource.inputs.get("tags") or {}
        assert {k: tags.get(k) for k in STANDARD_TAGS} == STANDARD_TAGS, resource.name


def test_outputs_are_what_login_and_stack_init_need(run: StackRun) -> None:
    assert run.outputs["stateBucketName"] == BUCKET_NAME
    assert run.outputs["backendUrl"] == f"s3://{BUCKET_NAME}?region=us-east-1"
    assert run.outputs["secretsKeyAlias"] == KEY_ALIAS
    assert run.outputs["secretsProvider"] == f"awskms://{KEY_ALIAS}?region=us-east-1"
    assert run.outputs["secretsKeyArn"] == state(run, "aws:kms/key:Key").outputs["arn"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"platform-bootstrap:owner": None}, "platform-bootstrap:owner: required key is missing"),
        ({"platform-bootstrap:ownr": "x"}, "platform-bootstrap:ownr: unknown key (a typo?)"),
        ({"platform-bootstrap:keyDeletionWindowDays": "3"}, "platform-bootstrap:keyDeletionWindowDays = '3'"),
        ({"aws:region": None}, "aws:region: required"),
        (
            {"platform-bootstrap:github": '{"repository": "example-org/*"}'},
            "platform-bootstrap:github.repository = 'example-org/*'",
        ),
        ({"platform-bootstrap:ownerEmails": None}, "budgets need ownerEmails: the alerts would reach nobody"),
        (
            {"platform-bootstrap:github": '{"repository": "o/r", "environments": {"prod": ["prod"], "dr": ["prod"]}}'},
            "a stack belongs to one environment; listed more than once: prod",
        ),
    ],
)
def test_bad_config_names_the_key(change: dict[str, str | None], expected: str) -> None:
    config = stack_config(STACK, BOOTSTRAP)
    for key, value in change.items():
        if value is None:
            config.pop(key)
        else:
            config[key] = value
    with pytest.raises(StackConfigError) as raised:
        run_stack(STACK, project_dir=BOOTSTRAP, config=config)
    assert any(line.startswith(f"Pulumi.{STACK}.yaml: ") and expected in line for line in raised.value.lines), (
        raised.value.lines
    )


# -- the CI roles -----------------------------------------------------------------------------------------
OIDC = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"
REPOSITORY = "example-org/platform"
PREFIX = "platform-bootstrap-shared"


def role(run: StackRun, name: str) -> RecordedResource:
    return run.named(f"ci-{name}")


def inline(run: StackRun, name: str) -> dict[str, Any]:
    return json.loads(run.named(f"ci-{name}").inputs["policy"])


def test_the_github_oidc_provider_trusts_sts_audience_without_thumbprints(run: StackRun) -> None:
    provider = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert "thumbprintLists" not in provider.inputs, "IAM validates GitHub's tokens with its own trusted CAs"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_stack_has_a_deploy_role_trusted_only_by_its_github_environment(run: StackRun, stack: str) -> None:
    for kind, environment in (("deploy", stack), ("preview", f"preview-{stack}")):
        resource = role(run, f"{kind}-{stack}")
        assert resource.inputs["name"] == f"{PREFIX}-{kind}-{stack}"
        assert json.loads(resource.inputs["assumeRolePolicy"]) == {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "GitHubEnvironment",
                    "Effect": "Allow",
                    "Action": ["sts:AssumeRoleWithWebIdentity"],
                    "Principal": {"Federated": [OIDC]},
                    "Condition": {
                        "StringEquals": {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:{environment}",
                        }
                    },
                }
            ],
        }
        boundary = run.named(f"ci-{kind}-boundary")
        assert resource.inputs["permissionsBoundary"] == boundary.outputs["arn"]
        assert boundary.inputs["path"] == "/boundaries/"
        read_only = run.named(f"ci-{kind}-{stack}-read-only")
        assert read_only.inputs == {
            "role": resource.outputs["name"],
            "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
        }


def test_preview_roles_only_read_their_own_stacks_state_and_decrypt(run: StackRun) -> None:
    bucket = state(run, "aws:s3/bucket:Bucket").outputs["arn"]
    key = state(run, "aws:kms/key:Key").outputs["arn"]
    statements = {s["Sid"]: s for s in inline(run, "preview-prod-state")["Statement"]}
    assert statements == {
        "ReadStackState": {
            "Sid": "ReadStackState",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [
                f"{bucket}/.pulumi/stacks/platform/prod.json*",
                f"{bucket}/.pulumi/history/platform/prod/*",
                f"{bucket}/.pulumi/backups/platform/prod/*",
                f"{bucket}/.pulumi/locks/organization/platform/prod/*",
                f"{bucket}/.pulumi/meta.yaml",
            ],
        },
        "ListState": {
            "Sid": "ListState",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [bucket],
            "Condition": {"StringLike": {"s3:prefix": [".pulumi/*"]}},
        },
        "SecretsKey": {"Sid": "SecretsKey", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key]},
    }


def test_deploy_roles_write_state_pass_only_their_stacks_roles_and_create_only_known_service_linked_roles(
    run: StackRun,
) -> None:
    bucket = state(run, "aws:s3/bucket:Bucket").outputs["arn"]
    key = state(run, "aws:kms/key:Key").outputs["arn"]
    statements = {s["Sid"]: s for s in inline(run, "deploy-dev-state")["Statement"]}
    assert statements["SecretsKey"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert statements["SecretsKey"]["Resource"] == [key]
    assert statements["WriteStackState"]["Action"] == ["s3:DeleteObject", "s3:PutObject"]
    assert all(
        r.startswith(f"{bucket}/.pulumi/") and "/platform/dev" in r for r in statements["WriteStackState"]["Resource"]
    )
    iam = {s["Sid"]: s for s in inline(run, "deploy-dev-iam")["Statement"]}
    roles = f"arn:aws:iam::{ACCOUNT_ID}:role/platform-dev-*"
    assert iam["PassStackRoles"] == {
        "Sid": "PassStackRoles",
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": [roles],
        "Condition": {
            "StringEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com"]}
        },
    }
    assert iam["StackRoles"]["Resource"] == [roles]
    assert iam["ServiceLinkedRoles"] == {
        "Sid": "ServiceLinkedRoles",
        "Effect": "Allow",
        "Action": ["iam:CreateServiceLinkedRole"],
        "Resource": [f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/*"],
        "Condition": {
            "StringEquals": {
                "iam:AWSServiceName": [
                    "ecs.amazonaws.com",
                    "elasticloadbalancing.amazonaws.com",
                    "rds.amazonaws.com",
                    "ecs.application-autoscaling.amazonaws.com",
                ]
            }
        },
    }


def test_an_environment_deploying_several_stacks_gets_one_role_pair_scoped_to_all_of_them() -> None:
    config = {
        **stack_config(STACK, BOOTSTRAP),
        "platform-bootstrap:github": json.dumps(
            {"repository": REPOSITORY, "namePrefix": "acme", "environments": {"prod": ["prod", "prod-us-west-2"]}}
        ),
    }
    multi = run_stack(STACK, project_dir=BOOTSTRAP, config=config)
    assert sorted(r.name for r in multi.of_type("aws:iam/role:Role") if r.name.startswith("ci-")) == [
        "ci-deploy-prod",
        "ci-preview-prod",
    ]
    iam = {s["Sid"]: s for s in json.loads(multi.named("ci-deploy-prod-iam").inputs["policy"])["Statement"]}
    assert iam["PassStackRoles"]["Resource"] == [
        f"arn:aws:iam::{ACCOUNT_ID}:role/acme-prod-*",
        f"arn:aws:iam::{ACCOUNT_ID}:role/acme-prod-us-west-2-*",
    ]
    state_files = json.loads(multi.named("ci-preview-prod-state").inputs["policy"])["Statement"][0]["Resource"]
    assert [r.split("/.pulumi/", 1)[1] for r in state_files if "/stacks/" in r] == [
        "stacks/platform/prod.json*",
        "stacks/platform/prod-us-west-2.json*",
    ]


def test_deploy_infrastructure_is_scoped_to_this_account_and_region_and_the_stacks_buckets(run: StackRun) -> None:
    document = json.loads(run.named("ci-deploy-staging-infrastructure").inputs["policy"])
    statements = {s["Sid"]: s for s in document["Statement"]}
    regional = statements["PlatformServicesInThisAccountAndRegion"]["Resource"]
    assert all(r.startswith("arn:aws:") and r.endswith(f":us-east-1:{ACCOUNT_ID}:*") for r in regional)
    assert statements["StackBuckets"]["Resource"] == [
        "arn:aws:s3:::platform-staging-*",
        "arn:aws:s3:::platform-staging-*/*",
    ]
    assert statements["UnscopedMutations"]["Resource"] == ["*"]
    assert len(json.dumps(document, separators=(",", ":"))) <= 6144, "IAM's managed-policy size limit"


def test_every_boundary_denies_turning_off_the_accounts_controls_and_touching_the_ci_roles(run: StackRun) -> None:
    for kind in ("preview", "deploy"):
        statements = {s["Sid"]: s for s in json.loads(run.named(f"ci-{kind}-boundary").inputs["policy"])["Statement"]}
        controls = statements["DenyAccountControls"]
        assert controls["Effect"] == "Deny" and controls["Resource"] == ["*"]
        assert {
            "cloudtrail:StopLogging",
            "guardduty:DeleteDetector",
            "config:StopConfigurationRecorder",
            "securityhub:DisableSecurityHub",
            "iam:CreateUser",
            "iam:CreateAccessKey",
        } <= set(controls["Action"])
        assert statements["DenyCiRoles"]["Resource"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/{PREFIX}-*"]
        protected = statements["DenyAccountLayerResources"]["Resource"]
        assert one(run, "aws:cloudtrail/trail:Trail").outputs["arn"] in protected
        assert "s3:GetObject" not in statements["ControlPlaneReads"]["Action"], "no application data reads"


# -- the audit trail and the security baseline ------------------------------------------------------------
def test_the_trail_covers_every_region_validates_files_encrypts_and_feeds_cloudwatch(run: StackRun) -> None:
    trail = one(run, "aws:cloudtrail/trail:Trail")
    audit_key = run.named("audit-key")
    assert {
        k: trail.inputs[k]
        for k in ("isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation", "enableLogging")
    } == dict.fromkeys(
        ("isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation", "enableLogging"), True
    )
    assert trail.inputs["kmsKeyId"] == audit_key.outputs["arn"]
    log_group = one(run, "aws:cloudwatch/logGroup:LogGroup")
    assert trail.inputs["cloudWatchLogsGroupArn"] == log_group.outputs["arn"] + ":*"
    assert log_group.inputs["kmsKeyId"] == audit_key.outputs["arn"] and log_group.inputs["retentionInDays"] == 365
    assert trail.inputs["s3BucketName"] == f"{PREFIX}-audit-{ACCOUNT_ID}-us-east-1"
    assert audit_key.protect and log_group.protect and run.named("audit-logs-bucket").protect


def test_only_this_trail_and_this_accounts_config_may_write_to_the_audit_bucket(run: StackRun) -> None:
    bucket = run.named("audit-logs-bucket").outputs["arn"]
    policy = json.loads(run.named("audit-logs-policy").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT_ID}:trail/{PREFIX}-trail"
    assert statements["CloudTrailWrites"]["Resource"] == [f"{bucket}/AWSLogs/{ACCOUNT_ID}/*"]
    assert statements["CloudTrailWrites"]["Condition"]["StringEquals"]["aws:SourceArn"] == trail_arn
    assert statements["ConfigWrites"]["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT_ID
    lifecycle = json.loads(json.dumps(run.named("audit-logs-lifecycle").inputs["rules"]))
    assert lifecycle[0]["expiration"] == {"days": 2557}


def test_guardduty_protects_s3_and_security_hub_runs_fsbp_and_cis(run: StackRun) -> None:
    feature = one(run, "aws:guardduty/detectorFeature:DetectorFeature")
    assert (feature.inputs["name"], feature.inputs["status"]) == ("S3_DATA_EVENTS", "ENABLED")
    assert feature.inputs["detectorId"] == one(run, "aws:guardduty/detector:Detector").id
    hub = one(run, "aws:securityhub/account:Account")
    assert hub.inputs["enableDefaultStandards"] is False
    standards = sorted(
        r.inputs["standardsArn"] for r in run.of_type("aws:securityhub/standardsSubscription:StandardsSubscription")
    )
    assert standards == [
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
    ]
    assert all(
        hub.urn in r.dependencies for r in run.of_type("aws:securityhub/standardsSubscription:StandardsSubscription")
    )


def test_config_records_everything_delivers_encrypted_and_starts_after_its_channel(run: StackRun) -> None:
    recorder = one(run, "aws:cfg/recorder:Recorder")
    assert recorder.inputs["recordingGroup"] == {"allSupported": True, "includeGlobalResourceTypes": True}
    assert recorder.inputs["roleArn"] == run.named("security-config-role").outputs["arn"]
    attachment = run.named("security-config-managed")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
    channel = one(run, "aws:cfg/deliveryChannel:DeliveryChannel")
    assert channel.inputs["s3KmsKeyArn"] == run.named("audit-key").outputs["arn"]
    assert channel.inputs["s3KeyPrefix"] == "config"
    status = one(run, "aws:cfg/recorderStatus:RecorderStatus")
    assert status.inputs["isEnabled"] is True and channel.urn in status.dependencies
    analyzer = one(run, "aws:accessanalyzer/analyzer:Analyzer")
    assert analyzer.inputs["type"] == "ACCOUNT"


def test_ecs_service_linked_role_is_created_or_adopted(run: StackRun) -> None:
    created = one(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert created.inputs["awsServiceName"] == "ecs.amazonaws.com"
    assert created.import_id is None and created.ignore_changes == []
    assert one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").import_id is None
    config = {**stack_config(STACK, BOOTSTRAP), "platform-bootstrap:importEcsServiceLinkedRole": "true"}
    adopted = one(run_stack(STACK, project_dir=BOOTSTRAP, config=config), "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    ecs_role = f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
    assert adopted.import_id == ecs_role
    assert adopted.ignore_changes == ["tags"]


def test_an_existing_github_provider_is_adopted_not_created_twice() -> None:
    config = {
        **stack_config(STACK, BOOTSTRAP),
        "platform-bootstrap:github": json.dumps({"repository": REPOSITORY, "importExistingProvider": True}),
    }
    adopted = one(
        run_stack(STACK, project_dir=BOOTSTRAP, config=config), "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    )
    assert adopted.import_id == OIDC
    assert adopted.ignore_changes == ["tags", "thumbprintLists"]


def test_ecr_scans_every_repository_continuously_with_enhanced_scanning(run: StackRun) -> None:
    scanning = one(run, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
    assert scanning.inputs == {
        "scanType": "ENHANCED",
        "rules": [
            {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}
        ],
    }


def test_each_environment_has_a_monthly_budget_alerting_the_owners_at_80_and_100_percent(run: StackRun) -> None:
    budgets = {r.inputs["name"]: r.inputs for r in run.of_type("aws:budgets/budget:Budget")}
    assert set(budgets) == {f"{PREFIX}-budget-{e}" for e in ("dev", "staging", "prod")}
    prod = budgets[f"{PREFIX}-budget-prod"]
    assert (prod["budgetType"], prod["timeUnit"], prod["limitAmount"], prod["limitUnit"]) == (
        "COST",
        "MONTHLY",
        "2000.00",
        "USD",
    )
    assert prod["costFilters"] == [{"name": "TagKeyValue", "values": ["user:Environment$prod"]}]
    assert [(n["threshold"], n["notificationType"], n["subscriberEmailAddresses"]) for n in prod["notifications"]] == [
        (80.0, "ACTUAL", ["platform-team@example.com"]),
        (100.0, "ACTUAL", ["platform-team@example.com"]),
    ]


def test_high_and_critical_findings_reach_the_owners_through_an_encrypted_topic(run: StackRun) -> None:
    topic = one(run, "aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == run.named("audit-key").outputs["arn"]
    patterns = {
        r.inputs["name"]: json.loads(r.inputs["eventPattern"])
        for r in run.of_type("aws:cloudwatch/eventRule:EventRule")
    }
    assert patterns[f"{PREFIX}-findings-guardduty"]["detail"] == {"severity": [{"numeric": [">=", 7]}]}
    assert patterns[f"{PREFIX}-findings-securityhub"]["detail"]["findings"]["Severity"] == {
        "Label": ["HIGH", "CRITICAL"]
    }
    assert {t.inputs["arn"] for t in run.of_type("aws:cloudwatch/eventTarget:EventTarget")} == {topic.outputs["arn"]}
    (statement,) = json.loads(one(run, "aws:sns/topicPolicy:TopicPolicy").inputs["policy"])["Statement"]
    assert statement["Condition"] == {
        "ArnEquals": {
            "aws:SourceArn": [
                f"arn:aws:events:us-east-1:{ACCOUNT_ID}:rule/{PREFIX}-findings-guardduty",
                f"arn:aws:events:us-east-1:{ACCOUNT_ID}:rule/{PREFIX}-findings-securityhub",
            ]
        }
    }
    subscription = one(run, "aws:sns/topicSubscription:TopicSubscription")
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "platform-team@example.com")
    key_policy = {s["Sid"]: s for s in json.loads(run.named("audit-key").inputs["policy"])["Statement"]}
    assert key_policy["EventBridgePublishesFindings"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}
    }


def test_hosted_zones_are_optional_and_export_their_name_servers() -> None:
    config = {**stack_config(STACK, BOOTSTRAP), "platform-bootstrap:hostedZones": '["example.org"]'}
    zoned = run_stack(STACK, project_dir=BOOTSTRAP, config=config)
    assert one(zoned, "aws:route53/zone:Zone").inputs["name"] == "example.org"
    assert zoned.outputs["zoneNameServers"]["example.org"][0].startswith("ns-")


# -- the policy pack --------------------------------------------------------------------------------------
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_bootstrap_passes_every_mandatory_policy(
    harness: PolicyHarness, run: StackRun, preview_run: StackRun, preview: bool
) -> None:
    report = check(harness, (preview_run if preview else run).resources, preview=preview)
    advisory = {name for name, level in report.levels.items() if level != "mandatory"}
    assert advisory == {"stack-budget"}, "the prod config makes every policy mandatory but the advisory budget"
    assert report.resources == len(run.resources)
    assert report.mandatory == [], [f"{d.policy}: {d.message}" for d in report.mandatory]
    if not preview:
        assert report.diagnostics == [], "on `up` everything is known: nothing deferred, nothing advisory"


def _replace_inputs(**changes: Any) -> Callable[[RecordedResource], RecordedResource | None]:
    def edit(resource: RecordedResource) -> RecordedResource:
        return dataclasses.replace(
            resource, inputs={**resource.inputs, **changes}, outputs={**resource.outputs, **changes}
        )

    return edit


def _drop(resource: RecordedResource) -> None:
    return None


def _widen_github_subject(resource: RecordedResource) -> RecordedResource:
    trust = resource.inputs["assumeRolePolicy"]
    if "token.actions.githubusercontent.com" not in trust:
        return resource
    wide = trust.replace(f'"repo:{REPOSITORY}:environment:', '"repo:*:environment:')
    return dataclasses.replace(
        resource,
        inputs={**resource.inputs, "assumeRolePolicy": wide},
        outputs={**resource.outputs, "assumeRolePolicy": wide},
    )


def _add_user(resource: RecordedResource) -> list[RecordedResource]:
    user = dataclasses.replace(
        resource,
        type="aws:iam/user:User",
        name="ci-user",
        urn=resource.urn.replace("OpenIdConnectProvider::ci-github", "User::ci-user").replace(
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/user:User"
        ),
        inputs={"name": "ci", "tags": resource.inputs["tags"]},
        outputs={"name": "ci", "tags": resource.inputs["tags"]},
    )
    return [resource, user]


WILDCARD_KEY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
)
Edit = Callable[[RecordedResource], "RecordedResource | list[RecordedResource] | None"]
BROKEN: dict[str, tuple[str, Edit, str]] = {
    "bucket without tags": ("aws:s3/bucket:Bucket", _replace_inputs(tags={}), "required-tags"),
    "a public access block off": (
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        _replace_inputs(blockPublicPolicy=False),
        "s3-public-access-block",
    ),
    "versioning suspended": (
        "aws:s3/bucketVersioning:BucketVersioning",
        _replace_inputs(versioningConfiguration={"status": "Suspended"}),
        "prod-bucket-versioning",
    ),
    "no default encryption": (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        _drop,
        "s3-bucket-encryption",
    ),
    "no TLS-only policy": ("aws:s3/bucketPolicy:BucketPolicy", _drop, "tls-only-policy-attached"),
    "kms:* in the key policy": ("aws:kms/key:Key", _replace_inputs(policy=WILDCARD_KEY_POLICY), "no-wildcard-iam"),
    "key rotation off": ("aws:kms/key:Key", _replace_inputs(enableKeyRotation=False), "kms-key-rotation"),
    "a trail without log file validation": (
        "aws:cloudtrail/trail:Trail",
        _replace_inputs(enableLogFileValidation=False),
        "cloudtrail-multi-region-validated-encrypted account-has-cloudtrail",
    ),
    "no trail at all": ("aws:cloudtrail/trail:Trail", _drop, "account-has-cloudtrail"),
    "a deploy role trusted by every branch of every repository": (
        "aws:iam/role:Role",
        _widen_github_subject,
        "github-oidc-trust",
    ),
    "an IAM user": ("aws:iam/openIdConnectProvider:OpenIdConnectProvider", _add_user, "no-iam-access-keys"),
    # Stack "shared" is production by its Environment tag: the state bucket must stay protected.
    "state bucket unprotected": (
        "aws:s3/bucket:Bucket",
        lambda resource: dataclasses.replace(resource, protect=False),
        "prod-stateful-resources-protected",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_the_pack_fails_a_broken_bootstrap(harness: PolicyHarness, run: StackRun, breakage: str) -> None:
    """The pass above is not vacuous: the same pack, config and driver fail the bootstrap with one guard
    removed, on the mandatory policy that guards it."""
    type_, edit, policy = BROKEN[breakage]
    resources = []
    for resource in run.resources:
        changed = edit(resource) if resource.type == type_ else resource
        if isinstance(changed, list):
            resources.extend(changed)
        elif changed is not None:
            resources.append(changed)
    report = check(harness, resources)
    assert report.violated("mandatory") == set(policy.split()), [f"{d.policy}: {d.message}" for d in report.mandatory]
