"""The state backend bootstrap (bootstrap/): a separate Pulumi project run under the same in-process engine,
with the right resources, and passing every mandatory policy of the real pack driven over gRPC."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from components.config.problems import StackConfigError
from offline.engine import RecordedResource, StackRun, run_stack, stack_config
from offline.mocks import ACCOUNT_ID
from offline.policy_harness import PACK_DIR, PolicyHarness, PolicyReport

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
    return run_stack(STACK, project_dir=BOOTSTRAP)


@pytest.fixture(scope="module")
def preview_run() -> StackRun:
    return run_stack(STACK, project_dir=BOOTSTRAP, preview=True)


@pytest.fixture(scope="module")
def harness() -> Iterator[PolicyHarness]:
    with PolicyHarness() as session:
        yield session


def one(run: StackRun, type_: str) -> RecordedResource:
    """The one resource of `type_` outside the state bucket's access-log bucket (test_state_bucket_logs_access)."""
    matches = [r for r in run.of_type(type_) if "-access-logs" not in r.name]
    assert len(matches) == 1, f"{len(matches)} {type_}"
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
    types = sorted(r.type for r in run.custom_resources)
    assert types == sorted(
        [
            "aws:kms/key:Key",
            "aws:kms/alias:Alias",
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketLogging:BucketLogging",
            # the access-log bucket: the same hardening, SSE-S3
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketPolicy:BucketPolicy",
        ]
    )


def test_state_bucket_logs_access_to_a_protected_sse_s3_log_bucket(run: StackRun) -> None:
    [logs] = [b for b in run.of_type("aws:s3/bucket:Bucket") if "-access-logs" in b.name]
    state = one(run, "aws:s3/bucket:Bucket")
    logging = one(run, "aws:s3/bucketLogging:BucketLogging")
    assert (logging.inputs["bucket"], logging.inputs["targetBucket"]) == (state.id, logs.outputs["bucket"])
    assert logs.protect
    [encryption] = [e for e in run.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        if "-access-logs" in e.name]
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_the_program_argument_runs_the_same_program(run: StackRun) -> None:
    again = run_stack(STACK, project_dir=BOOTSTRAP, program=BOOTSTRAP / "__main__.py")
    assert sorted((r.type, r.name) for r in again) == sorted((r.type, r.name) for r in run)
    assert again.outputs == run.outputs


# -- the state bucket -----------------------------------------------------------------------------------
def test_state_bucket_is_protected_and_named_for_account_and_region(run: StackRun) -> None:
    bucket = one(run, "aws:s3/bucket:Bucket")
    assert bucket.protect is True
    assert bucket.inputs["bucket"] == BUCKET_NAME
    assert len(BUCKET_NAME) <= 63
    assert bucket.inputs["forceDestroy"] is False


def _of_bucket(run: StackRun, type_: str) -> dict[str, Any]:
    resource = one(run, type_)
    assert resource.inputs["bucket"] == one(run, "aws:s3/bucket:Bucket").id
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
        "kmsMasterKeyId": one(run, "aws:kms/key:Key").outputs["arn"],
    }
    assert rule["bucketKeyEnabled"] is True


def test_state_bucket_refuses_plain_http(run: StackRun) -> None:
    policy = json.loads(_of_bucket(run, "aws:s3/bucketPolicy:BucketPolicy")["policy"])
    arn = one(run, "aws:s3/bucket:Bucket").outputs["arn"]
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
    key = one(run, "aws:kms/key:Key")
    assert key.protect is True
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    alias = one(run, "aws:kms/alias:Alias")
    assert alias.inputs["name"] == KEY_ALIAS
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"]


def test_secrets_key_policy_delegates_to_iam_without_wildcard_actions(run: StackRun) -> None:
    policy = json.loads(one(run, "aws:kms/key:Key").inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{ACCOUNT_ID}:root"]}
    assert statement["Effect"] == "Allow"
    assert not [action for action in statement["Action"] if "*" in action]
    assert {"kms:PutKeyPolicy", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} <= set(statement["Action"])


# -- tags, outputs, config -------------------------------------------------------------------------------
def test_every_taggable_resource_has_the_standard_tags(run: StackRun) -> None:
    tagged = {r.type: r.inputs["tags"] for r in run.custom_resources if "tags" in r.inputs}
    assert set(tagged) == {"aws:s3/bucket:Bucket", "aws:kms/key:Key"}
    for type_, tags in tagged.items():
        assert {k: tags.get(k) for k in STANDARD_TAGS} == STANDARD_TAGS, type_
        assert tags["Name"].startswith("platform-bootstrap-shared-")


def test_outputs_are_what_login_and_stack_init_need(run: StackRun) -> None:
    assert run.outputs["stateBucketName"] == BUCKET_NAME
    assert run.outputs["backendUrl"] == f"s3://{BUCKET_NAME}?region=us-east-1"
    assert run.outputs["secretsKeyAlias"] == KEY_ALIAS
    assert run.outputs["secretsProvider"] == f"awskms://{KEY_ALIAS}?region=us-east-1"
    assert run.outputs["secretsKeyArn"] == one(run, "aws:kms/key:Key").outputs["arn"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"platform-bootstrap:owner": None}, "platform-bootstrap:owner: required key is missing"),
        ({"platform-bootstrap:ownr": "x"}, "platform-bootstrap:ownr: unknown key (a typo?)"),
        ({"platform-bootstrap:keyDeletionWindowDays": "3"}, "platform-bootstrap:keyDeletionWindowDays = '3'"),
        ({"aws:region": None}, "aws:region: required"),
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
BROKEN: dict[str, tuple[str, Callable[[RecordedResource], RecordedResource | None], str]] = {
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
        if changed is not None:
            resources.append(changed)
    report = check(harness, resources)
    assert report.violated("mandatory") == {policy}, [f"{d.policy}: {d.message}" for d in report.mandatory]
