"""opensearch-serverless-private-and-encrypted."""

from __future__ import annotations

import json

from policies.guardrails.opensearch_serverless import HINT
from policies.guardrails.opensearch_serverless import OPENSEARCH_SERVERLESS_PRIVATE_AND_ENCRYPTED as POLICY

from .helpers import UNKNOWN, check

SP = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
RULES = [{"ResourceType": "collection", "Resource": ["collection/cache"]}]


def test_a_vpc_only_network_policy_and_a_customer_key_pass() -> None:
    network = json.dumps([{"Rules": RULES, "AllowFromPublic": False, "SourceVPCEs": ["vpce-1"]}])
    encryption = json.dumps({"Rules": RULES, "AWSOwnedKey": False, "KmsARN": "arn:aws:kms:us-east-1:1:key/k"})
    assert check(POLICY, SP, {"type": "network", "policy": network}).passed
    assert check(POLICY, SP, {"type": "encryption", "policy": encryption}).passed


def test_public_access_is_refused() -> None:
    network = json.dumps([{"Rules": RULES, "AllowFromPublic": True}])
    assert check(POLICY, SP, {"type": "network", "policy": network}).violations == [
        f"{SP} 'r' allows public access (AllowFromPublic true): reach collections through a VPC endpoint "
        f"(SourceVPCEs) only. {HINT}"
    ]


def test_an_aws_owned_key_is_refused() -> None:
    encryption = json.dumps({"Rules": RULES, "AWSOwnedKey": True})
    assert check(POLICY, SP, {"type": "encryption", "policy": encryption}).violations == [
        f"{SP} 'r' encrypts with an AWS-owned key: set AWSOwnedKey false and KmsARN to a customer-managed key. {HINT}"
    ]


def test_an_unknown_document_is_judged_on_up() -> None:
    result = check(POLICY, SP, {"type": "network", "policy": UNKNOWN})
    assert not result.violations and len(result.deferred) == 1


def test_a_key_that_is_not_named_is_an_aws_owned_key_and_a_single_network_rule_counts() -> None:
    no_arn = json.dumps({"Rules": RULES, "AWSOwnedKey": False})
    assert check(POLICY, SP, {"type": "encryption", "policy": no_arn}).violations == [
        f"{SP} 'r' encrypts with an AWS-owned key: set AWSOwnedKey false and KmsARN to a customer-managed key. {HINT}"
    ]
    single = json.dumps({"Rules": RULES, "AllowFromPublic": True})
    assert len(check(POLICY, SP, {"type": "network", "policy": single}).violations) == 1
    as_object = [{"Rules": RULES, "AllowFromPublic": True}]
    assert len(check(POLICY, SP, {"type": "network", "policy": as_object}).violations) == 1


def test_an_unparsable_document_is_refused_and_an_unknown_type_deferred() -> None:
    assert check(POLICY, SP, {"type": "network", "policy": "[{"}).violations == [
        f"{SP} 'r' policy is not valid JSON. {HINT}"
    ]
    result = check(POLICY, SP, {"type": UNKNOWN, "policy": "[]"})
    assert result.violations == [] and ".type of" in result.deferred[0]


def test_the_judged_policy_types_are_a_setting() -> None:
    public = json.dumps([{"Rules": RULES, "AllowFromPublic": True}])
    assert check(POLICY, SP, {"type": "network", "policy": public}, config={"policyTypes": ["encryption"]}).passed
    owned = json.dumps({"Rules": RULES, "AWSOwnedKey": True})
    assert check(POLICY, SP, {"type": "encryption", "policy": owned}, config={"policyTypes": ["network"]}).passed
