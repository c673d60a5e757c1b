"""Table: a DynamoDB table (on-demand, PITR, KMS, TTL, indexes) and the grants that let a service use it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .config.data import KeyAttribute, TableConfig
from .grants import statement_id, unknown_access
from .iam import Statement
from .keys import via_service
from .naming import physical_name

READ_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
WRITE_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KEY_WRITE_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey")


@dataclass(frozen=True, kw_only=True)
class TableArgs:
    name: str
    """Short name (the `platform:tables` key); the table is `<project>-<stack>-<name>`."""
    config: TableConfig
    """Keys, indexes, TTL and PITR window, validated (a hash key is present, types agree)."""
    aws_context: AwsContext
    kms_key_arn: pulumi.Input[str]
    """The stack key: the table, its indexes, streams and backups are encrypted with it."""
    protect: bool = False
    """Pulumi `protect` and DynamoDB deletion protection (prod). Default off."""


class Table(pulumi.ComponentResource):
    """DynamoDB table: PAY_PER_REQUEST (no capacity to size or autoscale), partition and sort keys and GSIs
    from config, TTL when configured, point-in-time recovery always on, SSE with the stack key, deletion
    protection and `protect` when the stack protects its stateful resources."""

    table_name: pulumi.Output[str]
    """Table name (for the application and CloudWatch's TableName dimension)."""
    arn: pulumi.Output[str]
    """Table ARN, for grants."""

    def __init__(self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:table:Table", name, None, opts)
        config = args.config
        if config.hash_key is None:
            raise ValueError(f"table {args.name}: hash_key is required (config validation should have said so)")
        self._args = args
        attributes: dict[str, str] = {}

        def declare(attribute: KeyAttribute | None) -> str | None:
            if attribute is None:
                return None
            attributes.setdefault(attribute.name, attribute.type)
            return attribute.name

        hash_key = declare(config.hash_key)
        range_key = declare(config.range_key)
        indexes = []
        for index_name, index in config.global_secondary_indexes.items():
            schema = [
                aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
                    attribute_name=declare(index.hash_key) or "", key_type="HASH"
                )
            ]
            if index.range_key is not None:
                schema.append(
                    aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
                        attribute_name=declare(index.range_key) or "", key_type="RANGE"
                    )
                )
            indexes.append(
                aws.dynamodb.TableGlobalSecondaryIndexArgs(
                    name=index_name,
                    key_schemas=schema,
                    projection_type=index.projection,
                    non_key_attributes=list(index.non_key_attributes) or None,
                )
            )
        table = aws.dynamodb.Table(
            f"{name}-table",
            name=physical_name(args.name, max_length=255),
            billing_mode="PAY_PER_REQUEST",
            hash_key=hash_key,
            range_key=range_key,
            attributes=[aws.dynamodb.TableAttributeArgs(name=n, type=t) for n, t in attributes.items()],
            global_secondary_indexes=indexes or None,
            ttl=(
                aws.dynamodb.TableTtlArgs(attribute_name=config.ttl_attribute, enabled=True)
                if config.ttl_attribute
                else None
            ),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=True, recovery_period_in_days=config.point_in_time_recovery_days
            ),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=args.kms_key_arn
            ),
            deletion_protection_enabled=args.protect,
            table_class=config.table_class,
            tags={"Name": physical_name(args.name)},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.table_name = table.name
        self.arn = table.arn
        self.register_outputs({"tableName": self.table_name, "arn": self.arn})

    def grant(self, access: str) -> list[Statement]:
        """`read`: BatchGetItem, ConditionCheckItem, DescribeTable, GetItem, Query, Scan on the table and
        `<arn>/index/*`; `readwrite`: also BatchWriteItem, DeleteItem, PutItem, UpdateItem. Plus the stack
        key through DynamoDB only: kms:Decrypt, kms:DescribeKey (read), and kms:Encrypt, kms:GenerateDataKey
        (readwrite)."""
        if access not in ("read", "readwrite"):
            raise unknown_access("tables", self._args.name, access)
        write = access == "readwrite"
        level = "ReadWrite" if write else "Read"
        return [
            Statement(
                sid=statement_id("table", self._args.name, level),
                actions=READ_ACTIONS + (WRITE_ACTIONS if write else ()),
                resources=[self.arn, self.arn.apply(lambda arn: f"{arn}/index/*")],
            ),
            Statement(
                sid=statement_id("table", self._args.name, "key"),
                actions=KEY_READ_ACTIONS + (KEY_WRITE_ACTIONS if write else ()),
                resources=[self._args.kms_key_arn],
                conditions=via_service(self._args.aws_context, "dynamodb"),
            ),
        ]
