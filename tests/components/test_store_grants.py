"""The grants of the stores prod's stack does not build (an OpenSearch Serverless collection, an RDS PostgreSQL
instance), the cache's and the bucket's key statement, at unit level: exact actions on exact ARNs per access level, an unknown level refused
with the error naming what is allowed. Fast (no stack run): the grant code is called on the attributes it reads,
with plain ARNs, and the statements are rendered through the same `policy_document` guards."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pulumi
import pytest

from components.aws_context import AwsContext
from components.bucket import Bucket
from components.cache import Cache
from components.collection import ACCESS, Collection
from components.grants import ACCESS_LEVELS
from components.iam import policy_document
from components.rds_instance import RdsInstance

from .test_iam import rendered

CONTEXT = AwsContext(account_id="123456789012", region="eu-west-1", partition="aws", dns_suffix="amazonaws.com")
COLLECTION_ARN = "arn:aws:aoss:eu-west-1:123456789012:collection/abc123"


def _collection() -> Collection:
    built = SimpleNamespace(name="platform-prod-search", id="abc123", arn=COLLECTION_ARN, collection_endpoint="x")
    return Collection("search", built, "platform-prod-search")  # type: ignore[arg-type]


def _statements(grant: Any) -> list[dict[str, Any]]:
    return rendered(lambda: policy_document(grant()))["Statement"]


@pytest.mark.parametrize("access", ["read", "readwrite"])
def test_a_collection_grant_is_api_access_on_that_collection_only(access: str) -> None:
    assert _statements(lambda: _collection().grant(access)) == [
        {"Sid": "CollectionSearchApi", "Effect": "Allow", "Action": ["aoss:APIAccessAll"], "Resource": [COLLECTION_ARN]}
    ]


def test_a_collections_access_levels_are_those_its_data_access_policy_knows() -> None:
    assert ACCESS_LEVELS["collections"] == tuple(ACCESS)


@pytest.mark.parametrize("access", ["admin", "write", ""])
def test_an_unknown_collection_access_is_refused_naming_what_is_allowed(access: str) -> None:
    # Was a KeyError: `unknown_access` looked the kind up in ACCESS_LEVELS, which had no `collections`.
    with pytest.raises(ValueError) as caught:
        _collection().grant(access)
    assert str(caught.value) == f"collections search: unknown access {access!r}; allowed: read, readwrite"


def _instance(replicas: tuple[str, ...] = ()) -> Any:
    """What `RdsInstance.grant` reads: the IAM user, the context, the instance's and its replicas' resource ids."""
    return SimpleNamespace(
        iam_user="app",
        _context=CONTEXT,
        resource_id=pulumi.Output.from_input("db-WRITER"),
        _replica_resource_ids=[pulumi.Output.from_input(r) for r in replicas],
    )


def _dbuser(resource_id: str, user: str) -> str:
    return f"arn:aws:rds-db:eu-west-1:123456789012:dbuser:{resource_id}/{user}"


@pytest.mark.parametrize(
    ("access", "user", "sid"),
    [("connect", "app", "DatabaseConnectApp"), ("connect:reporting", "reporting", "DatabaseConnectReporting")],
)
def test_an_rds_connect_grant_is_rds_db_connect_as_one_user_on_the_instance_and_each_replica(
    access: str, user: str, sid: str
) -> None:
    instance = _instance(("db-REPLICA1", "db-REPLICA2"))
    assert _statements(lambda: RdsInstance.grant(instance, access)) == [
        {
            "Sid": sid,
            "Effect": "Allow",
            "Action": ["rds-db:connect"],
            "Resource": [_dbuser("db-WRITER", user), _dbuser("db-REPLICA1", user), _dbuser("db-REPLICA2", user)],
        }
    ]


@pytest.mark.parametrize("access", ["read", "connect:", "connect:App", "connect:1app", "connect:app*", "Connect"])
def test_an_unknown_rds_access_or_an_invalid_database_user_is_refused(access: str) -> None:
    with pytest.raises(ValueError) as caught:
        RdsInstance.grant(_instance(), access)
    assert str(caught.value) == (
        f"database: unknown access {access!r}; allowed: connect (as app), connect:<database user>"
    )


def _cache() -> Any:
    return SimpleNamespace(
        _args=SimpleNamespace(name="rate-limit"),
        _group_arn="arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:platform-prod-rate-limit",
        _user_arn="arn:aws:elasticache:eu-west-1:123456789012:user:platform-prod-rate-limit-app",
    )


def test_a_cache_connect_grant_is_elasticache_connect_on_the_group_and_its_user() -> None:
    cache = _cache()
    assert _statements(lambda: Cache.grant(cache, "connect")) == [
        {
            "Sid": "CacheRateLimitConnect",
            "Effect": "Allow",
            "Action": ["elasticache:Connect"],
            "Resource": [cache._group_arn, cache._user_arn],
        }
    ]


@pytest.mark.parametrize("access", ["read", "Connect", "connect:app"])
def test_an_unknown_cache_access_is_refused(access: str) -> None:
    with pytest.raises(ValueError) as caught:
        Cache.grant(_cache(), access)
    assert str(caught.value) == f"caches rate-limit: unknown access {access!r}; allowed: connect"


def _bucket(encryption: str, kms_key_arn: str | None) -> Any:
    """What `Bucket.grant` reads: its name, context, ARN, encryption and key."""
    return SimpleNamespace(
        _args=SimpleNamespace(name="logs", aws_context=CONTEXT),
        arn=pulumi.Output.from_input("arn:aws:s3:::platform-logs"),
        _encryption=encryption,
        _kms_key_arn=kms_key_arn,
    )


def test_an_sse_s3_bucket_grant_names_no_key_even_when_one_is_passed() -> None:
    statements = _statements(
        lambda: Bucket.grant(_bucket("AES256", "arn:aws:kms:eu-west-1:123456789012:key/k"), "read")
    )
    assert [s["Sid"] for s in statements] == ["BucketLogsObjectsRead", "BucketLogsList"]


def test_an_sse_kms_bucket_grant_decrypts_through_s3_only() -> None:
    key = "arn:aws:kms:eu-west-1:123456789012:key/k"
    statements = _statements(lambda: Bucket.grant(_bucket("aws:kms", key), "read"))
    assert statements[-1] == {
        "Sid": "BucketLogsKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [key],
        "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
    }
