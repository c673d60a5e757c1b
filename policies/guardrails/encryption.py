"""encryption-at-rest, s3-bucket-encryption, tls-only-resource-policies, tls-only-policy-attached,
kms-key-rotation.

At rest: every store that can be encrypted with KMS is (RDS/Aurora, DynamoDB, SQS, SNS, S3, CloudWatch log
groups, EBS, Secrets Manager, EFS). A key id that is unknown at preview is a key being created: the store
*is* configured with a key, so it passes. An unknown `storageEncrypted`-style flag is deferred.

In transit: bucket and queue policies deny every request made without TLS (`aws:SecureTransport` false);
the stack policy checks every bucket and queue has such a policy at all.

The keys: every symmetric customer-managed KMS key rotates its material automatically (AWS supports automatic
rotation only for symmetric keys with KMS-generated material outside custom key stores; the others are not
judged), at least every `maximumRotationPeriodDays`.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .base import (
    Context,
    Resource,
    Stack,
    StackResource,
    Unknown,
    as_int,
    as_list,
    dig,
    is_true,
    resource_policy,
    stack_policy,
    string_list,
)
from .policy_documents import DocumentError, denies_insecure_transport, parse

RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_INSTANCE = "aws:rds/instance:Instance"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
SQS_QUEUE = "aws:sqs/queue:Queue"
SNS_TOPIC = "aws:sns/topic:Topic"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
EBS_VOLUME = "aws:ebs/volume:Volume"
SECRET = "aws:secretsmanager/secret:Secret"
EFS = "aws:efs/fileSystem:FileSystem"
BUCKETS = {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}
BUCKET_SSE = {
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
}
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"

S3_ENCRYPTED = ["aws:kms", "aws:kms:dsse", "AES256"]
"""Every S3 default-encryption algorithm that encrypts (which key is acceptable is s3-bucket-encryption's call)."""

SETTINGS: dict[str, dict[str, Any]] = {
    "dynamodbRequireKms": {
        "type": "boolean",
        "default": True,
        "description": "DynamoDB tables use a KMS key (serverSideEncryption.enabled), not the AWS-owned key.",
    },
    "sqsAllowManagedSse": {
        "type": "boolean",
        "default": True,
        "description": "Accept SQS-managed SSE (sqsManagedSseEnabled) instead of a KMS key.",
    },
    "logGroupsRequireKms": {
        "type": "boolean",
        "default": True,
        "description": "CloudWatch log groups are encrypted with a KMS key.",
    },
    "secretsRequireCustomerKey": {
        "type": "boolean",
        "default": True,
        "description": "Secrets Manager secrets name their KMS key (not the default aws/secretsmanager key).",
    },
}

HINT = "Encrypt it with the stack's KMS key (the platform's data components do)."


def _flag(resource: Resource, ctx: Context, prop: str, what: str) -> None:
    value = resource.props.get(prop)
    if isinstance(value, Unknown):
        ctx.defer(f".{prop} of {resource.subject}", "judged on `pulumi up`, when known")
    elif not is_true(value):
        state = "unset" if value is None else repr(value)
        ctx.violation(f"{resource.subject} {what} ({prop} is {state}): set {prop}=true. {HINT}")


def _key(resource: Resource, ctx: Context, prop: str, what: str) -> None:
    value = resource.props.get(prop)
    # An unknown key id is the ARN of a key created in this deployment: a key is set.
    if isinstance(value, Unknown) or (isinstance(value, str) and value.strip()):
        return
    ctx.violation(f"{resource.subject} {what} ({prop} is unset): set {prop} to a KMS key. {HINT}")


def s3_algorithms(rules: Any) -> list[Any] | Unknown:
    """The default-encryption algorithm of each rule (an `Unknown` item when one is unknown)."""
    items = as_list(rules)
    if isinstance(items, Unknown):
        return items
    return [dig(item, "applyServerSideEncryptionByDefault", "sseAlgorithm") for item in items]


def _s3_rules(resource: Resource, ctx: Context, rules: Any) -> None:
    algorithms = s3_algorithms(rules)
    if isinstance(algorithms, Unknown):
        ctx.defer(f"the encryption rules of {resource.subject}", "judged on `pulumi up`, when known")
        return
    if not algorithms:
        ctx.violation(f"{resource.subject} has no default-encryption rule. {HINT}")
    for algorithm in algorithms:
        if isinstance(algorithm, Unknown):
            ctx.defer(f"sseAlgorithm of {resource.subject}", "judged on `pulumi up`, when known")
        elif algorithm not in S3_ENCRYPTED:
            ctx.violation(
                f"{resource.subject} has no valid default encryption ({algorithm!r}): set "
                f"apply_server_side_encryption_by_default.sse_algorithm to aws:kms. {HINT}"
            )


def check_encryption(resource: Resource, ctx: Context) -> None:
    settings = ctx.settings
    t = resource.type
    if t == RDS_CLUSTER:
        if resource.props.get("engineMode") == "serverless":
            return  # Aurora Serverless v1 is always encrypted
        _flag(resource, ctx, "storageEncrypted", "stores its data unencrypted")
    elif t == RDS_INSTANCE:
        _flag(resource, ctx, "storageEncrypted", "stores its data unencrypted")
    elif t == DYNAMODB_TABLE:
        if not settings["dynamodbRequireKms"]:
            return
        enabled = resource.get("serverSideEncryption", "enabled")
        if isinstance(enabled, Unknown):
            ctx.defer(f".serverSideEncryption of {resource.subject}", "judged on `pulumi up`, when known")
        elif not is_true(enabled):
            ctx.violation(
                f"{resource.subject} is encrypted only with the AWS-owned key: set "
                f"server_side_encryption enabled=true with a KMS key. {HINT}"
            )
    elif t == SQS_QUEUE:
        if settings["sqsAllowManagedSse"] and is_true(resource.props.get("sqsManagedSseEnabled")):
            return
        _key(resource, ctx, "kmsMasterKeyId", "is not encrypted with a KMS key")
    elif t == SNS_TOPIC:
        _key(resource, ctx, "kmsMasterKeyId", "is not encrypted with a KMS key")
    elif t == LOG_GROUP:
        if settings["logGroupsRequireKms"]:
            _key(resource, ctx, "kmsKeyId", "is not encrypted with a KMS key")
    elif t == SECRET:
        if settings["secretsRequireCustomerKey"]:
            _key(resource, ctx, "kmsKeyId", "uses the default aws/secretsmanager key")
    elif t in (EBS_VOLUME, EFS):
        _flag(resource, ctx, "encrypted", "is unencrypted")
    elif t in BUCKET_SSE:
        _s3_rules(resource, ctx, resource.props.get("rules"))
    elif t in BUCKETS:
        inline = resource.props.get("serverSideEncryptionConfiguration")
        if inline is not None:  # absent: s3-bucket-encryption looks for a companion resource
            _s3_rules(resource, ctx, dig(inline, "rule"))


ENCRYPTION_AT_REST = resource_policy(
    name="encryption-at-rest",
    description="Data stores are encrypted at rest with KMS: RDS/Aurora, DynamoDB, SQS, SNS, S3, CloudWatch "
    "log groups, EBS, Secrets Manager, EFS.",
    types=[
        RDS_CLUSTER,
        RDS_INSTANCE,
        DYNAMODB_TABLE,
        SQS_QUEUE,
        SNS_TOPIC,
        LOG_GROUP,
        SECRET,
        EBS_VOLUME,
        EFS,
        *BUCKET_SSE,
        *BUCKETS,
    ],
    check=check_encryption,
    settings=SETTINGS,
    severity=Severity.HIGH,
    remediation=HINT,
)


def companions(stack: Stack, owner: StackResource, types: set[str], key: str) -> list[StackResource]:
    """Resources of `types` whose property `key` depends on `owner` (a bucket's policy, versioning...)."""
    return [r for r, _ in stack.referrers(owner.urn, key=key) if r.type in types]


LOAD_BALANCERS = {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
LOG_DELIVERY_KEYS = ("accessLogs", "connectionLogs", "healthCheckLogs")
"""Load balancer properties naming the bucket its logs go to: such buckets can only use SSE-S3 (AWS accepts
no KMS key for load balancer log delivery)."""

BUCKET_SETTINGS: dict[str, dict[str, Any]] = {
    "s3Algorithms": string_list(
        ["aws:kms", "aws:kms:dsse"],
        "Default-encryption algorithms a bucket may use (add AES256 to accept SSE-S3 everywhere).",
    ),
    "logDeliveryAlgorithms": string_list(
        ["AES256"],
        (
            "Also allowed for a bucket that load balancers or S3 server access logging deliver "
            "logs to (AWS supports only SSE-S3 there)."
        ),
    ),
}


def _receives_lb_logs(stack: Stack, bucket: StackResource) -> bool:
    name = bucket.get("bucket")
    for lb in stack.of_type(*LOAD_BALANCERS):
        for key in LOG_DELIVERY_KEYS:
            if bucket.urn in lb.property_dependencies.get(key, []):
                return True
            target = lb.get(key, "bucket")
            if isinstance(name, str) and target == name and lb.get(key, "enabled") is not False:
                return True
    return False


BUCKET_LOGGING = {"aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"}


def receives_access_logs(stack: Stack, bucket: StackResource) -> bool:
    """Whether S3 server access logs of some bucket go to `bucket` (a BucketLogging's `targetBucket`): such a
    bucket can only use SSE-S3 (S3 log delivery accepts no KMS default encryption)."""
    name = bucket.get("bucket")
    return any(
        bucket.urn in logging.property_dependencies.get("targetBucket", [])
        or (isinstance(name, str) and logging.get("targetBucket") == name)
        for logging in stack.of_type(*BUCKET_LOGGING)
    )


def check_bucket_encryption(stack: Stack, ctx: Context) -> None:
    allowed = [str(a) for a in ctx.settings["s3Algorithms"]]
    for bucket in stack.of_type(*BUCKETS):
        inline = bucket.get("serverSideEncryptionConfiguration")
        configs = (
            [(bucket, dig(inline, "rule"))]
            if inline is not None
            else [(c, c.get("rules")) for c in companions(stack, bucket, BUCKET_SSE, "bucket")]
        )
        if not configs:
            ctx.violation(
                f"{bucket.subject} has no default-encryption configuration: add an "
                f"aws.s3.BucketServerSideEncryptionConfiguration (bucket=<this bucket>) using "
                f"aws:kms. {HINT}",
                bucket.urn,
            )
            continue
        permitted = allowed
        if _receives_lb_logs(stack, bucket) or receives_access_logs(stack, bucket):
            permitted = allowed + [str(a) for a in ctx.settings["logDeliveryAlgorithms"]]
        for config, rules in configs:
            algorithms = s3_algorithms(rules)
            if isinstance(algorithms, Unknown) or any(isinstance(a, Unknown) for a in algorithms):
                ctx.defer(f"the encryption algorithm of {config.subject}", "judged on `pulumi up`, when known")
                continue
            for algorithm in algorithms:
                if algorithm not in permitted:
                    ctx.violation(
                        f"{config.subject} encrypts {bucket.subject} with {algorithm!r}; use one of "
                        f"{', '.join(permitted)}. {HINT}",
                        config.urn,
                    )


S3_BUCKET_ENCRYPTION = stack_policy(
    name="s3-bucket-encryption",
    description="Every S3 bucket has a default-encryption configuration with a KMS key (SSE-S3 only for "
    "buckets that load balancers or S3 access logging deliver logs to, where AWS supports nothing "
    "else).",
    check=check_bucket_encryption,
    settings=BUCKET_SETTINGS,
    severity=Severity.HIGH,
    remediation="Add aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm aws:kms for the bucket.",
)


# -- in transit -------------------------------------------------------------------------------------
TLS_DOCUMENTS = {
    BUCKET_POLICY: "s3",
    "aws:s3/bucket:Bucket": "s3",
    "aws:s3/bucketV2:BucketV2": "s3",
    QUEUE_POLICY: "sqs",
    SQS_QUEUE: "sqs",
}
TLS_HINT = (
    "Add the statement the platform's `deny_insecure_transport` builds: Effect Deny, Principal '*', "
    "Action <service>:*, Condition Bool aws:SecureTransport 'false'."
)


def check_tls_only(resource: Resource, ctx: Context) -> None:
    if resource.type not in set(ctx.settings["resourceTypes"]):
        return
    document = resource.props.get("policy")
    if document is None:
        if resource.type in (BUCKET_POLICY, QUEUE_POLICY):
            ctx.violation(f"{resource.subject} has no policy document. {TLS_HINT}")
        return  # a bucket or queue without an inline policy: tls-only-policy-attached looks for one
    service = TLS_DOCUMENTS[resource.type]
    try:
        statements = parse(document)
    except DocumentError as error:
        ctx.violation(f"{resource.subject} policy {error}. {TLS_HINT}")
        return
    if isinstance(statements, Unknown):
        ctx.defer(
            f".policy of {resource.subject}",
            "the document embeds values known only after create; judged on `pulumi up`",
        )
        return
    denies = [s for s in statements if denies_insecure_transport(s)]
    covering = [s for s in denies if {"*", f"{service}:*"} & {str(a).lower() for a in _actions(s.actions)}]
    if covering:
        return
    if denies:
        actions = sorted({str(a) for s in denies for a in _actions(s.actions)})
        ctx.violation(f"{resource.subject} denies only {', '.join(actions)} without TLS; deny {service}:*. {TLS_HINT}")
    else:
        ctx.violation(f"{resource.subject} does not deny requests made without TLS. {TLS_HINT}")


def _actions(value: Any) -> list[Any]:
    items = as_list(value)
    return items if isinstance(items, list) else []


TLS_ONLY_RESOURCE_POLICIES = resource_policy(
    name="tls-only-resource-policies",
    description="Bucket and queue policies deny every request made without TLS (aws:SecureTransport false).",
    types=list(TLS_DOCUMENTS),
    check=check_tls_only,
    settings={
        "resourceTypes": string_list(
            list(TLS_DOCUMENTS),
            "Types whose resource policy must deny requests without TLS.",
            allowed=list(TLS_DOCUMENTS),
        )
    },
    severity=Severity.HIGH,
    remediation=TLS_HINT,
)


def check_tls_policy_attached(stack: Stack, ctx: Context) -> None:
    kinds = {
        "buckets": (BUCKETS, BUCKET_POLICY, "bucket", "aws.s3.BucketPolicy"),
        "queues": ({SQS_QUEUE}, QUEUE_POLICY, "queueUrl", "aws.sqs.QueuePolicy"),
    }
    for kind in ctx.settings["requiredFor"]:
        owner_types, policy_type, key, noun = kinds[str(kind)]
        for owner in stack.of_type(*owner_types):
            if owner.get("policy") is not None or companions(stack, owner, {policy_type}, key):
                continue
            ctx.violation(
                f"{owner.subject} has no resource policy, so nothing refuses plain-HTTP requests: add "
                f"a {noun} for it. {TLS_HINT}",
                owner.urn,
            )


TLS_ONLY_POLICY_ATTACHED = stack_policy(
    name="tls-only-policy-attached",
    description="Every S3 bucket and SQS queue has a resource policy (which tls-only-resource-policies checks "
    "denies requests without TLS).",
    check=check_tls_policy_attached,
    settings={
        "requiredFor": string_list(
            ["buckets", "queues"], "Which stores must each have a resource policy.", allowed=["buckets", "queues"]
        )
    },
    severity=Severity.HIGH,
    remediation=TLS_HINT,
)

# -- the keys themselves ----------------------------------------------------------------------------
KMS_KEY = "aws:kms/key:Key"
SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
ROTATION_SETTINGS: dict[str, dict[str, Any]] = {
    "maximumRotationPeriodDays": {
        "type": "integer",
        "minimum": 90,
        "maximum": 2560,
        "default": 365,
        "description": "Most days a key may go between rotations (rotationPeriodInDays, when set; AWS allows "
        "90 to 2560 and rotates every 365 when it is unset).",
    },
}
ROTATION_HINT = (
    "Rotation gives the key new material on schedule and keeps the old for decrypting, so nothing "
    "is re-encrypted and nothing stops working."
)


def check_key_rotation(resource: Resource, ctx: Context) -> None:
    spec = resource.props.get("customerMasterKeySpec")
    if isinstance(spec, Unknown):
        ctx.defer(
            f".customerMasterKeySpec of {resource.subject}",
            "whether the key can rotate is judged on `pulumi up`, when known",
        )
        return
    if spec not in (None, "", SYMMETRIC_DEFAULT):
        return  # asymmetric and HMAC keys cannot rotate automatically: nothing to ask
    store = resource.props.get("customKeyStoreId")
    if isinstance(store, Unknown) or (isinstance(store, str) and store.strip()):
        return  # keys in a custom key store (CloudHSM, external) cannot rotate automatically either
    enabled = resource.props.get("enableKeyRotation")
    if isinstance(enabled, Unknown):
        ctx.defer(f".enableKeyRotation of {resource.subject}", "judged on `pulumi up`, when known")
    elif not is_true(enabled):
        state = "unset, and AWS's default is off" if enabled is None else repr(enabled)
        ctx.violation(
            f"{resource.subject} never rotates its key material (enableKeyRotation is {state}): set "
            f"enable_key_rotation=true. {ROTATION_HINT}"
        )
    maximum = int(ctx.settings["maximumRotationPeriodDays"])
    period = resource.props.get("rotationPeriodInDays")
    if isinstance(period, Unknown):
        ctx.defer(f".rotationPeriodInDays of {resource.subject}", "judged on `pulumi up`, when known")
    elif period is not None and ((days := as_int(period)) is None or days > maximum):
        shown = days if days is not None else repr(period)
        ctx.violation(
            f"{resource.subject} sets rotationPeriodInDays {shown}: rotate at least every {maximum} days "
            f"(rotation_period_in_days <= {maximum}, or unset for 365). {ROTATION_HINT}"
        )


KMS_KEY_ROTATION = resource_policy(
    name="kms-key-rotation",
    description="Symmetric customer-managed KMS keys rotate their key material automatically, at least every "
    "N days (365 by default); asymmetric, HMAC and custom-key-store keys cannot and are not judged.",
    types=[KMS_KEY],
    check=check_key_rotation,
    settings=ROTATION_SETTINGS,
    severity=Severity.MEDIUM,
    remediation="Set enable_key_rotation=true on the aws.kms.Key; leave rotation_period_in_days unset (365) or "
    "at most the configured maximum.",
)

POLICIES = [
    ENCRYPTION_AT_REST,
    S3_BUCKET_ENCRYPTION,
    TLS_ONLY_RESOURCE_POLICIES,
    TLS_ONLY_POLICY_ATTACHED,
    KMS_KEY_ROTATION,
]
