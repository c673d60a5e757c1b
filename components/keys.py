"""Keys: the stack's customer-managed KMS key, which every store and log group encrypts with."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .iam import Statement, policy_document
from .naming import physical_name

KEY_POLICY_RESOURCE = "key policy: Resource '*' means this key itself"

ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
"""What the account root may do with the key, named one by one (no `kms:*`). Granting the root delegates to
IAM: a principal of the account can use the key only if an IAM policy of its own also allows it (the
services' grants do, through `kms:ViaService`). Keeping PutKeyPolicy here is what prevents a lock-out."""


@dataclass(frozen=True, kw_only=True)
class KeysArgs:
    aws_context: AwsContext
    deletion_window_days: int = 30
    """Days a scheduled key deletion can still be cancelled (7 to 30). Default 30, the longest: deleting the
    key makes every store encrypted with it unreadable."""
    event_bus_name: str | None = None
    """Physical name of the stack's event bus when it is encrypted with this key: EventBridge then gets
    GenerateDataKey/Decrypt for that bus only (encryption context `aws:events:event-bus:arn`). None: no
    bus statement."""
    events_deliver_to_queues: bool = False
    """True when EventBridge rules deliver to queues encrypted with this key: EventBridge then gets
    GenerateDataKey/Decrypt through SQS only (`kms:ViaService`)."""
    protect: bool = False
    """Pulumi `protect` on the key (prod): deleting it would make every store unreadable."""


class Keys(pulumi.ComponentResource):
    """One symmetric customer-managed KMS key per stack, rotated yearly, with an alias and a key policy that
    names each service allowed to use it and how:

    - the account root (administration, and delegation to IAM policies; no `kms:*`);
    - CloudWatch Logs (`logs.<region>.amazonaws.com`) for this account's log groups only
      (`kms:EncryptionContext:aws:logs:arn`): flow logs, service and database log groups;
    - CloudWatch alarms of this account and region (`aws:SourceAccount`, `aws:SourceArn`) publishing to an
      SNS topic encrypted with the key;
    - EventBridge, for the stack's bus (encryption context of that bus) and for delivering to the encrypted
      queues through SQS only.

    S3, DynamoDB, SQS, RDS and Secrets Manager use the key with the caller's own permissions, so they need
    no statement here: the account-root statement lets the callers' IAM policies (the grants) allow it."""

    arn: pulumi.Output[str]
    """Key ARN: what stores, log groups and grants name."""
    key_id: pulumi.Output[str]
    alias_name: str
    """`alias/<project>-<stack>`."""

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:keys:Keys", name, None, opts)
        if not 7 <= args.deletion_window_days <= 30:
            raise ValueError(f"deletion_window_days must be 7 to 30, got {args.deletion_window_days}")
        key = symmetric_key(
            self,
            f"{name}-key",
            description=f"{physical_name()}: encrypts the stack's stores, queues, secrets and log groups",
            policy=key_policy(args),
            alias=f"alias/{physical_name()}",
            tag_name=physical_name("key"),
            deletion_window_days=args.deletion_window_days,
            protect=args.protect,
        )
        self.alias_name = f"alias/{physical_name()}"
        self.arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"arn": self.arn, "keyId": self.key_id, "aliasName": self.alias_name})


def symmetric_key(
    parent: pulumi.Resource,
    name: str,
    *,
    description: str,
    policy: list[Statement],
    alias: str,
    tag_name: str,
    deletion_window_days: int,
    protect: bool,
    multi_region: bool = False,
) -> aws.kms.Key:
    """A symmetric customer-managed key, rotated yearly, with its alias: the one way this project makes a
    key (the stack key here, the state backend's secrets key in bootstrap/). `multi_region`: a multi-region
    primary key (components/dr.py), which `aws.kms.ReplicaKey`s in other regions share key material with; it is
    fixed at creation (changing it replaces the key), so only new keys set it. Default off (left unset)."""
    key = aws.kms.Key(
        name,
        description=description,
        key_usage="ENCRYPT_DECRYPT",
        customer_master_key_spec="SYMMETRIC_DEFAULT",
        enable_key_rotation=True,
        rotation_period_in_days=365,
        deletion_window_in_days=deletion_window_days,
        policy=policy_document(policy),
        multi_region=True if multi_region else None,
        tags={"Name": tag_name},
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    aws.kms.Alias(f"{name}-alias", name=alias, target_key_id=key.key_id, opts=pulumi.ResourceOptions(parent=parent))
    return key


def account_root_statement(context: AwsContext) -> Statement:
    """The account root administers the key and delegates its use to IAM policies (no `kms:*`)."""
    return Statement(
        sid="AccountRootAdministersAndDelegatesToIam",
        actions=ADMIN_ACTIONS,
        principals={"AWS": [f"arn:{context.partition}:iam::{context.account_id}:root"]},
        resources=["*"],
        justification=KEY_POLICY_RESOURCE,
    )


def key_policy(args: KeysArgs) -> list[Statement]:
    """The key policy's statements (plain strings only: no Output, so the key never waits on anything)."""
    context = args.aws_context
    account = context.account_id
    region_suffix = f"{context.region}.{context.dns_suffix}"
    statements = [
        account_root_statement(context),
        Statement(
            sid="CloudWatchLogsEncryptsThisAccountsLogGroups",
            actions=[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:DescribeKey",
            ],
            principals={"Service": [f"logs.{region_suffix}"]},
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": context.arn("logs", "log-group:*")}},
            justification=KEY_POLICY_RESOURCE,
        ),
        Statement(
            # CloudWatch passes its alarm as aws:SourceArn (and the account) to KMS when it publishes to an
            # encrypted topic, so only this account's alarms in this region can use the key this way.
            sid="CloudWatchAlarmsPublishToEncryptedTopics",
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            principals={"Service": [context.service_principal("cloudwatch")]},
            resources=["*"],
            conditions={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": context.arn("cloudwatch", "alarm:*")},
            },
            justification=KEY_POLICY_RESOURCE,
        ),
    ]
    if args.event_bus_name is not None:
        bus_arn = context.arn("events", f"event-bus/{args.event_bus_name}")
        statements += [
            Statement(
                sid="EventBridgeDescribesKeyForTheBus",
                actions=["kms:DescribeKey"],
                principals={"Service": [context.service_principal("events")]},
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": account}, "ArnEquals": {"aws:SourceArn": bus_arn}},
                justification=KEY_POLICY_RESOURCE,
            ),
            Statement(
                sid="EventBridgeEncryptsTheBus",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                principals={"Service": [context.service_principal("events")]},
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnEquals": {"kms:EncryptionContext:aws:events:event-bus:arn": bus_arn},
                },
                justification=KEY_POLICY_RESOURCE,
            ),
        ]
    if args.events_deliver_to_queues:
        statements.append(
            Statement(
                # Through SQS only. Not aws:SourceAccount/aws:SourceArn: a target delivery's KMS request does not
                # carry them, so such a condition would silently drop every event. Which rule may send is decided
                # by each queue's policy (aws:SourceArn of the rule).
                sid="EventBridgeDeliversToEncryptedQueues",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                principals={"Service": [context.service_principal("events")]},
                resources=["*"],
                conditions={"StringEquals": {"kms:ViaService": f"sqs.{region_suffix}"}},
                justification=KEY_POLICY_RESOURCE,
            )
        )
    return statements


def via_service(context: AwsContext, service: str) -> dict[str, dict[str, str]]:
    """The condition that limits a grant's KMS actions to requests made through one AWS service
    (`dynamodb`, `s3`, `sqs`, `secretsmanager`...) in the stack's region."""
    return {"StringEquals": {"kms:ViaService": f"{service}.{context.region}.{context.dns_suffix}"}}
