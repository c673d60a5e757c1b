"""Grants: each store turns an access level into exact actions on its own ARNs (and the stack key through its
own service only). The rendered policy JSON is compared whole; no `*` action, no `Resource: "*"` anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from offline.engine import StackRun, run_stack

from .data_support import key_arn

PROGRAM = Path(__file__).with_name("grants_program.py")


@pytest.fixture(scope="module")
def granted() -> StackRun:
    """prod's real platform, with every grant of every store rendered (tests/components/grants_program.py)."""
    return run_stack("prod", program=PROGRAM)


def _grant(run: StackRun, label: str) -> list[dict[str, Any]]:
    return json.loads(run.outputs["grants"][label])["Statement"]


def _key(run: StackRun, sid: str, actions: list[str], service: str) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": [key_arn(run)],
        "Condition": {"StringEquals": {"kms:ViaService": f"{service}.us-east-1.amazonaws.com"}},
    }


def test_table_read_and_readwrite(granted: StackRun) -> None:
    arn = granted.named("table-sessions-table").outputs["arn"]
    read = [
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
    ]
    assert _grant(granted, "tables.sessions.read") == [
        {"Sid": "TableSessionsRead", "Effect": "Allow", "Action": read, "Resource": [arn, f"{arn}/index/*"]},
        _key(granted, "TableSessionsKey", ["kms:Decrypt", "kms:DescribeKey"], "dynamodb"),
    ]
    write = sorted([*read, "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"])
    assert _grant(granted, "tables.sessions.readwrite") == [
        {"Sid": "TableSessionsReadWrite", "Effect": "Allow", "Action": write, "Resource": [arn, f"{arn}/index/*"]},
        _key(
            granted,
            "TableSessionsKey",
            ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            "dynamodb",
        ),
    ]


def test_queue_consume_and_send_never_reach_the_dlq(granted: StackRun) -> None:
    arn = granted.named("queue-jobs-queue").outputs["arn"]
    assert _grant(granted, "queues.jobs.consume") == [
        {
            "Sid": "QueueJobsConsume",
            "Effect": "Allow",
            "Resource": [arn],
            "Action": [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
            ],
        },
        _key(granted, "QueueJobsKey", ["kms:Decrypt"], "sqs"),
    ]
    assert _grant(granted, "queues.jobs.send") == [
        {
            "Sid": "QueueJobsSend",
            "Effect": "Allow",
            "Resource": [arn],
            "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
        },
        _key(granted, "QueueJobsKey", ["kms:Decrypt", "kms:GenerateDataKey"], "sqs"),
    ]


def test_bucket_read_and_readwrite_on_objects_and_list_on_the_bucket(granted: StackRun) -> None:
    arn = granted.named("bucket-uploads-bucket").outputs["arn"]
    listing = {"Sid": "BucketUploadsList", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [arn]}
    assert _grant(granted, "buckets.uploads.read") == [
        {"Sid": "BucketUploadsObjectsRead", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{arn}/*"]},
        listing,
        _key(granted, "BucketUploadsKey", ["kms:Decrypt"], "s3"),
    ]
    assert _grant(granted, "buckets.uploads.readwrite") == [
        {
            "Sid": "BucketUploadsObjectsReadWrite",
            "Effect": "Allow",
            "Resource": [f"{arn}/*"],
            "Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        },
        listing,
        _key(granted, "BucketUploadsKey", ["kms:Decrypt", "kms:GenerateDataKey"], "s3"),
    ]


def test_secret_read_is_get_secret_value_on_that_secret_only(granted: StackRun) -> None:
    arn = granted.named("secret-stripe-key-secret").outputs["arn"]
    assert _grant(granted, "secrets.stripe-key.read") == [
        {
            "Sid": "SecretStripeKeyRead",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [arn],
        },
        _key(granted, "SecretStripeKeyKey", ["kms:Decrypt"], "secretsmanager"),
    ]


def test_database_connect_is_rds_db_connect_as_one_user_of_this_cluster(granted: StackRun) -> None:
    resource_id = granted.named("database-cluster").outputs["clusterResourceId"]
    user_arn = f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{resource_id}"
    assert _grant(granted, "database.connect") == [
        {"Sid": "DatabaseConnectApp", "Effect": "Allow", "Action": ["rds-db:connect"], "Resource": [f"{user_arn}/app"]}
    ]
    assert _grant(granted, "database.connect:reporting") == [
        {
            "Sid": "DatabaseConnectReporting",
            "Effect": "Allow",
            "Action": ["rds-db:connect"],
            "Resource": [f"{user_arn}/reporting"],
        }
    ]


def test_events_publish_is_put_events_on_the_bus(granted: StackRun) -> None:
    [bus] = granted.of_type("aws:cloudwatch/eventBus:EventBus")
    assert _grant(granted, "events.publish") == [
        {"Sid": "EventBusPublish", "Effect": "Allow", "Action": ["events:PutEvents"], "Resource": [bus.outputs["arn"]]}
    ]


def test_no_grant_has_a_wildcard_action_or_resource_and_kms_is_always_via_a_service(granted: StackRun) -> None:
    rendered = granted.outputs["grants"]
    # 2 table, 2 queue, 2 bucket levels; 2 secrets; publish; 2 database connects; the cache's connect (the
    # database's managed secret is read through the registry, `database.masterSecret:<field>`: test_registry.py)
    assert len(rendered) == 12
    for label, text in rendered.items():
        for statement in json.loads(text)["Statement"]:
            assert statement["Effect"] == "Allow", label
            assert not any(a == "*" or a.endswith(":*") for a in statement["Action"]), label
            assert "*" not in statement["Resource"], label
            assert "Principal" not in statement and "NotAction" not in statement, label
            if any(a.startswith("kms:") for a in statement["Action"]):
                assert statement["Resource"] == [key_arn(granted)], label
                assert list(statement["Condition"]["StringEquals"]) == ["kms:ViaService"], label


def test_unknown_access_levels_are_errors_naming_what_is_allowed(granted: StackRun) -> None:
    assert granted.outputs["grantErrors"] == {
        "tables.sessions.admin": "tables sessions: unknown access 'admin'; allowed: read, readwrite",
        "queues.jobs.admin": "queues jobs: unknown access 'admin'; allowed: consume, send",
        "buckets.uploads.admin": "buckets uploads: unknown access 'admin'; allowed: read, readwrite",
        "secrets.stripe-key.admin": "secrets stripe-key: unknown access 'admin'; allowed: read",
        "secrets.session-signing-key.admin": "secrets session-signing-key: unknown access 'admin'; allowed: read",
        "events.consume": "events bus: unknown access 'consume'; allowed: publish",
        "database.connect:": "database: unknown access 'connect:'; allowed: connect (as app), connect:<database user>",
        "database.read": "database: unknown access 'read'; allowed: connect (as app), connect:<database user>",
        "database.allow_from.twice": "database: probe is already allowed in",
        "caches.rate-limit.admin": "caches rate-limit: unknown access 'admin'; allowed: connect",
        "caches.rate-limit.allow_from.twice": "cache rate-limit: probe is already allowed in",
    }


def test_allow_from_adds_one_rule_referencing_the_grantee_group(granted: StackRun) -> None:
    rule = granted.named("database-from-probe")
    assert rule.inputs == {
        "securityGroupId": granted.named("database-sg").id,
        "referencedSecurityGroupId": "sg-0123456789abcdef0",
        "ipProtocol": "tcp",
        "fromPort": 5432,
        "toPort": 5432,
        "description": "PostgreSQL from probe",
        "tags": rule.inputs["tags"],
    }
    assert rule.inputs["tags"]["Name"] == "platform-prod-db-from-probe"


def test_statement_ids_name_their_store_so_one_service_can_hold_many_grants(granted: StackRun) -> None:
    from components.grants import statement_id

    assert statement_id("table", "user-sessions", "ReadWrite") == "TableUserSessionsReadWrite"
    one_service = (
        "tables.sessions.readwrite",
        "queues.jobs.send",
        "buckets.uploads.readwrite",
        "secrets.stripe-key.read",
        "secrets.session-signing-key.read",
        "events.publish",
        "database.connect",
    )
    sids = [s["Sid"] for label in one_service for s in _grant(granted, label)]
    assert len(sids) == len(set(sids)) == 13, sids


def test_stores_are_reachable_only_through_grants(stack_run: StackRun) -> None:
    """No resource policy of a store allows anyone at large: the only non-IAM principals admitted are AWS
    services, each pinned by a condition (the rule that targets a queue; the account and this bus or the SNS or
    SQS path for the key). Tables and secrets have no resource policy at all; the database is covered by its
    security group (test_database)."""
    from .data_support import statements

    policies = [
        *stack_run.of_type("aws:s3/bucketPolicy:BucketPolicy", "aws:sqs/queuePolicy:QueuePolicy", "aws:kms/key:Key")
    ]
    assert policies
    for resource in policies:
        for sid, statement in statements(resource).items():
            if statement["Effect"] != "Allow":
                assert statement.get("Condition"), f"{resource.name} {sid}: an unconditional deny"
                continue
            principal = statement["Principal"]
            assert principal != "*", f"{resource.name} {sid}"
            if "Service" in principal and not resource.name.startswith("load-balancer"):
                assert statement.get("Condition"), f"{resource.name} {sid}: a service admitted unconditionally"
    assert not stack_run.of_type(
        "aws:dynamodb/resourcePolicy:ResourcePolicy", "aws:secretsmanager/secretPolicy:SecretPolicy"
    )
