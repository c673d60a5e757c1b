"""Keys: one rotated customer-managed key per stack, a key policy naming each service and how it may use the
key, and every store (and log group) encrypted with it."""

from __future__ import annotations

from typing import Any

from components.keys import ADMIN_ACTIONS
from offline.engine import StackRun
from offline.mocks import ACCOUNT_ID

from .data_support import config_of, key_arn, stack_keys, statements

LOGS = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:*"


def test_one_rotated_symmetric_key_per_stack_with_an_alias(stack_run: StackRun) -> None:
    [key] = stack_keys(stack_run)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365
    assert (key.inputs["keyUsage"], key.inputs["customerMasterKeySpec"]) == ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT")
    [alias] = [a for a in stack_run.of_type("aws:kms/alias:Alias") if a.provider is None]
    assert alias.inputs["name"] == f"alias/platform-{stack_run.stack}"
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"]


def test_prod_key_is_protected_and_cancellable_for_30_days(stack_runs: dict[str, StackRun]) -> None:
    expected = {"dev": (False, 7), "staging": (False, 7), "prod": (True, 30)}
    for stack, (protect, window) in expected.items():
        [key] = stack_keys(stack_runs[stack])
        assert (key.protect, key.inputs["deletionWindowInDays"]) == (protect, window), stack


def test_key_policy_root_statement_names_its_actions_and_keeps_put_key_policy(stack_run: StackRun) -> None:
    [key] = stack_keys(stack_run)
    root = statements(key)["AccountRootAdministersAndDelegatesToIam"]
    assert root["Principal"] == {"AWS": [f"arn:aws:iam::{ACCOUNT_ID}:root"]}
    assert root["Action"] == sorted(ADMIN_ACTIONS)
    assert "kms:PutKeyPolicy" in root["Action"]  # without it the key could lock everyone out
    assert not any(a == "*" or a.endswith(":*") for a in root["Action"])


def test_key_policy_service_statements_are_each_scoped_by_a_condition(stack_run: StackRun) -> None:
    [key] = stack_keys(stack_run)
    by_sid = statements(key)
    services = {sid: s for sid, s in by_sid.items() if "Service" in s.get("Principal", {})}
    assert services, "the key policy admits no service"
    for sid, statement in services.items():
        assert statement["Effect"] == "Allow"
        assert statement.get("Condition"), f"{sid} lets a service use the key unconditionally"
        assert not any(a.endswith(":*") for a in statement["Action"]), sid
    assert not [s for s in by_sid.values() if s.get("Principal") == "*"]


def test_cloudwatch_logs_may_use_the_key_for_this_accounts_log_groups_only(stack_run: StackRun) -> None:
    [key] = stack_keys(stack_run)
    logs = statements(key)["CloudWatchLogsEncryptsThisAccountsLogGroups"]
    assert logs["Principal"] == {"Service": ["logs.us-east-1.amazonaws.com"]}
    assert logs["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": LOGS}}


def test_only_this_accounts_alarms_publish_to_encrypted_topics(stack_run: StackRun) -> None:
    [key] = stack_keys(stack_run)
    alarms = statements(key)["CloudWatchAlarmsPublishToEncryptedTopics"]
    assert alarms["Principal"] == {"Service": ["cloudwatch.amazonaws.com"]}
    assert alarms["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert alarms["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT_ID}:alarm:*"},
    }


def test_eventbridge_may_use_the_key_for_this_bus_and_through_sqs_only(stack_run: StackRun) -> None:
    [key] = stack_keys(stack_run)
    [bus] = stack_run.of_type("aws:cloudwatch/eventBus:EventBus")
    by_sid = statements(key)
    bus_statement = by_sid["EventBridgeEncryptsTheBus"]
    assert bus_statement["Condition"]["ArnEquals"] == {
        "kms:EncryptionContext:aws:events:event-bus:arn": bus.outputs["arn"]
    }
    assert by_sid["EventBridgeDescribesKeyForTheBus"]["Condition"]["ArnEquals"] == {"aws:SourceArn": bus.outputs["arn"]}
    delivery = by_sid["EventBridgeDeliversToEncryptedQueues"]
    # Only kms:ViaService: a delivery's KMS request carries no aws:SourceAccount/SourceArn to match.
    assert delivery["Condition"] == {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}


def test_a_stack_without_a_bus_gives_eventbridge_nothing() -> None:
    from components.aws_context import AwsContext
    from components.keys import KeysArgs, key_policy

    context = AwsContext(account_id=ACCOUNT_ID, region="eu-west-1", partition="aws", dns_suffix="amazonaws.com")
    sids = {s.sid for s in key_policy(KeysArgs(aws_context=context))}
    assert sids == {
        "AccountRootAdministersAndDelegatesToIam",
        "CloudWatchLogsEncryptsThisAccountsLogGroups",
        "CloudWatchAlarmsPublishToEncryptedTopics",
    }


def test_the_network_flow_logs_and_every_log_group_are_encrypted_with_the_stack_key(stack_run: StackRun) -> None:
    arn = key_arn(stack_run)
    assert stack_run.named("network-flow-logs").inputs["kmsKeyId"] == arn
    unencrypted = [
        g.name for g in stack_run.of_type("aws:cloudwatch/logGroup:LogGroup") if g.inputs.get("kmsKeyId") != arn
    ]
    assert not unencrypted


def _encryption_key(resource: Any) -> str | None:
    inputs = resource.inputs
    match resource.type:
        case "aws:dynamodb/table:Table":
            return inputs["serverSideEncryption"]["kmsKeyArn"] if inputs["serverSideEncryption"]["enabled"] else None
        case "aws:sqs/queue:Queue":
            return inputs.get("kmsMasterKeyId")
        case "aws:secretsmanager/secret:Secret":
            return inputs.get("kmsKeyId")
        case "aws:rds/cluster:Cluster":
            return inputs["kmsKeyId"] if inputs.get("storageEncrypted") else None
        case "aws:cloudwatch/eventBus:EventBus":
            return inputs.get("kmsKeyIdentifier")
    raise AssertionError(resource.type)


def test_every_store_is_encrypted_with_the_stack_key(stack_run: StackRun) -> None:
    arn = key_arn(stack_run)
    stores = stack_run.of_type(
        "aws:dynamodb/table:Table",
        "aws:sqs/queue:Queue",
        "aws:secretsmanager/secret:Secret",
        "aws:rds/cluster:Cluster",
        "aws:cloudwatch/eventBus:EventBus",
    )
    config = config_of(stack_run.stack)
    scheduled_tasks = sum(s.kind == "task" and s.schedule is not None for s in config.services.values())
    expected = (
        len(config.tables)
        + 2 * len(config.queues)
        + len(config.secrets)
        + (config.database is not None)
        + 1
        + scheduled_tasks
    )  # each scheduled task's failure queue
    assert len(stores) == expected
    assert {s.name: _encryption_key(s) for s in stores} == {s.name: arn for s in stores}


DATA_TYPES = (
    "aws:kms/key:Key",
    "aws:kms/alias:Alias",
    "aws:s3/bucket:Bucket",
    "aws:dynamodb/table:Table",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:cloudwatch/eventBus:EventBus",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:secretsmanager/secret:Secret",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
)


def test_first_preview_registers_the_same_stores_with_the_key_still_unknown(
    stack_runs: dict[str, StackRun], preview_runs: dict[str, StackRun]
) -> None:
    from offline.engine import UNKNOWN

    for stack, run in stack_runs.items():
        preview = preview_runs[stack]
        assert [len(preview.of_type(t)) for t in DATA_TYPES] == [len(run.of_type(t)) for t in DATA_TYPES], stack
        [table] = preview.of_type("aws:dynamodb/table:Table")
        assert table.inputs["serverSideEncryption"]["kmsKeyArn"] == UNKNOWN
        # A key policy never waits on anything: it is fully known even at a first preview.
        [key] = stack_keys(preview)
        assert UNKNOWN not in key.inputs["policy"]
