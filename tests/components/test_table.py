"""Table: on-demand DynamoDB with the configured keys, indexes and TTL, PITR always on, the stack key, and
deletion protection plus `protect` in prod."""

from __future__ import annotations

from offline.engine import StackRun

from .data_support import config_of, key_arn


def test_every_configured_table_is_on_demand_with_its_keys_indexes_and_ttl(stack_run: StackRun) -> None:
    tables = stack_run.of_type("aws:dynamodb/table:Table")
    assert [t.name for t in tables] == [f"table-{name}-table" for name in config_of(stack_run.stack).tables]
    sessions = stack_run.named("table-sessions-table").inputs
    assert sessions["name"] == f"platform-{stack_run.stack}-sessions"
    assert sessions["billingMode"] == "PAY_PER_REQUEST"
    assert "readCapacity" not in sessions and "writeCapacity" not in sessions
    assert sessions["hashKey"] == "sessionId" and "rangeKey" not in sessions
    # Only key attributes are declared (DynamoDB rejects unused attribute definitions), each once.
    assert sorted((a["name"], a["type"]) for a in sessions["attributes"]) == [
        ("createdAt", "N"),
        ("sessionId", "S"),
        ("userId", "S"),
    ]
    assert sessions["globalSecondaryIndexes"] == [
        {
            "name": "by-user",
            "projectionType": "ALL",
            "keySchemas": [
                {"attributeName": "userId", "keyType": "HASH"},
                {"attributeName": "createdAt", "keyType": "RANGE"},
            ],
        }
    ]
    assert sessions["ttl"] == {"attributeName": "expiresAt", "enabled": True}


def test_every_table_has_point_in_time_recovery_and_the_stack_key(stack_run: StackRun) -> None:
    arn = key_arn(stack_run)
    for table in stack_run.of_type("aws:dynamodb/table:Table"):
        assert table.inputs["pointInTimeRecovery"] == {"enabled": True, "recoveryPeriodInDays": 35}, table.name
        assert table.inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": arn}, table.name
        assert "serverSideEncryption" in table.property_dependencies  # it waits for the key


def test_prod_tables_are_protected_from_deletion_twice(stack_runs: dict[str, StackRun]) -> None:
    for stack, run in stack_runs.items():
        for table in run.of_type("aws:dynamodb/table:Table"):
            prod = stack == "prod"
            assert (table.protect, table.inputs["deletionProtectionEnabled"]) == (prod, prod), (stack, table.name)
