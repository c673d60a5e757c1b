"""`run.py preflight` against the moto AWS emulator: a ready account has no gap; each missing thing is one
line naming it and the way to close it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from components.config import load_stack_config
from offline.engine import stack_config
from preflight import __main__ as cli
from preflight.checks import Gap, Target, run_checks

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account, the one the prod stack file's image URIs name
PROD_REPOSITORY = "platform-prod-api"  # `image: {repository: api, ...}`: the stack's own repository
PROD_IMAGE_DIGEST = "sha256:3f1c8a0d9e5b7a6c4d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c"
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:" + "0" * 64},
        "layers": [],
    }
)


@pytest.fixture(scope="module")
def session() -> boto3.Session:
    """One boto3 session for the module, so botocore reads each service's model once rather than once per test
    (moto's `mock_aws` drops boto3's default session each time it starts). Credentials come from the
    environment `aws` sets, when the first client is made."""
    return boto3.Session(region_name=REGION)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, session: boto3.Session) -> Iterator[Callable[[str], Any]]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        # moto's EC2 loads its catalogue of public AMIs (a large JSON file) each time its backend starts; no
        # check reads AMIs.
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield session.client


def _target(**changes: Any) -> Target:
    """Prod as its stack file says, with real-looking addresses and zone instead of the example.com placeholders
    (the `placeholders` check has its own test)."""
    config = load_stack_config("prod", stack_config("prod"))
    balancer = config.load_balancer
    assert balancer.domain is not None
    domain = balancer.domain.model_copy(update={"name": "api.acme-shop.io", "hosted_zone": "acme-shop.io"})
    alarms = config.alarms.model_copy(update={"emails": ["oncall@acme-shop.io"]})
    config = config.model_copy(
        update={
            "owner": "platform@acme-shop.io",
            "alarms": alarms,
            "load_balancer": balancer.model_copy(update={"domain": domain}),
            **changes,
        }
    )
    return Target(config=config, project="platform", stack="prod", region=REGION, account=ACCOUNT)


def _ready(clients: Callable[[str], Any]) -> set[str]:
    """Everything prod's `up` needs; returns the zone's name servers (what a delegated zone resolves to)."""
    zone = clients("route53").create_hosted_zone(Name="acme-shop.io", CallerReference="preflight")
    clients("ecr").create_repository(repositoryName=PROD_REPOSITORY)
    clients("ecr").put_image(repositoryName=PROD_REPOSITORY, imageManifest=MANIFEST, imageDigest=PROD_IMAGE_DIGEST)
    for key in _target().config.secrets:
        clients("secretsmanager").create_secret(Name=f"platform/prod/{key}", SecretString="test-value")
    clients("iam").create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    return set(zone["DelegationSet"]["NameServers"])


def _delegated(servers: set[str]) -> Callable[[str], set[str]]:
    return lambda zone: servers


def _lines(gaps: list[Gap]) -> list[str]:
    return [str(gap) for gap in gaps]


def test_a_ready_account_has_no_gap(aws: Callable[[str], Any]) -> None:
    servers = _ready(aws)
    assert run_checks(_target(), aws, _delegated(servers)) == []


def test_an_empty_account_lists_every_gap_once(aws: Callable[[str], Any]) -> None:
    gaps = run_checks(_target(), aws, lambda zone: set())
    secrets = len(_target().config.secrets)
    assert secrets >= 2
    images = len([s for s in _target().config.services.values() if s.image is not None])
    assert [gap.check for gap in gaps] == [
        "hosted-zone",
        *["images"] * images,
        *["secrets"] * secrets,
        "service-linked-roles",
    ]
    assert "no public hosted zone acme-shop.io. in account 123456789012" in gaps[0].message
    assert "services.api:" in gaps[1].message and "RepositoryNotFoundException" in gaps[1].message
    assert any("platform/prod/stripe-key does not exist yet" in gap.message for gap in gaps)


def test_an_undelegated_zone_is_a_gap(aws: Callable[[str], Any]) -> None:
    _ready(aws)
    [gap] = run_checks(_target(), aws, _delegated({"ns1.registrar.example"}))
    assert gap.check == "hosted-zone"
    assert "not delegated" in gap.message and "ns1.registrar.example" in gap.message


def test_a_missing_image_is_a_gap(aws: Callable[[str], Any]) -> None:
    servers = _ready(aws)
    aws("ecr").batch_delete_image(repositoryName=PROD_REPOSITORY, imageIds=[{"imageDigest": PROD_IMAGE_DIGEST}])
    gaps = run_checks(_target(), aws, _delegated(servers))
    assert {g.check for g in gaps} == {"images"}
    assert len(gaps) == len([s for s in _target().config.services.values() if s.image is not None]) >= 2
    assert f"{PROD_REPOSITORY}@{PROD_IMAGE_DIGEST}: ImageNotFoundException" in gaps[0].message


def test_a_secret_without_a_value_is_a_gap_and_never_read(aws: Callable[[str], Any]) -> None:
    servers = _ready(aws)
    aws("secretsmanager").delete_secret(SecretId="platform/prod/stripe-key", ForceDeleteWithoutRecovery=True)
    aws("secretsmanager").create_secret(Name="platform/prod/stripe-key")
    [gap] = run_checks(_target(), aws, _delegated(servers))
    assert str(gap).startswith("secrets: platform/prod/stripe-key has no value: aws secretsmanager put-secret-value")


def test_a_secret_not_created_yet_is_expected_while_secrets_are_pending(aws: Callable[[str], Any]) -> None:
    servers = _ready(aws)
    aws("secretsmanager").delete_secret(SecretId="platform/prod/stripe-key", ForceDeleteWithoutRecovery=True)
    assert [g.check for g in run_checks(_target(), aws, _delegated(servers))] == ["secrets"]
    assert run_checks(_target(secrets_pending=True), aws, _delegated(servers)) == []


def test_elastic_ips_of_others_leave_too_few_for_the_nat_gateways(aws: Callable[[str], Any]) -> None:
    servers = _ready(aws)
    ec2 = aws("ec2")
    for index in range(3):
        ec2.allocate_address(
            Domain="vpc",
            TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": f"other-{index}"}]}],
        )
    [gap] = run_checks(_target(), aws, _delegated(servers))
    assert gap.check == "quotas"
    assert "3 allocated in us-east-1 (0 of them this stack's), the stack needs 3" in gap.message
    assert "the quota is 5" in gap.message


def test_the_stacks_own_nat_addresses_do_not_count_against_it(aws: Callable[[str], Any]) -> None:
    servers = _ready(aws)
    ec2 = aws("ec2")
    for suffix in ("a", "b", "c"):
        ec2.allocate_address(
            Domain="vpc",
            TagSpecifications=[
                {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": f"platform-prod-nat-{suffix}"}]}
            ],
        )
    ec2.allocate_address(Domain="vpc")
    assert run_checks(_target(), aws, _delegated(servers)) == []


def test_a_certificate_not_issued_is_a_gap(aws: Callable[[str], Any]) -> None:
    servers = _ready(aws)
    arn = aws("acm").request_certificate(DomainName="api.example.com", ValidationMethod="DNS")["CertificateArn"]
    target = _target()
    balancer = target.config.load_balancer.model_copy(update={"certificate_arn": arn, "domain": None})
    [gap] = run_checks(_target(load_balancer=balancer), aws, _delegated(servers))
    assert str(gap) == f"certificate: {arn} is PENDING_VALIDATION, not ISSUED"


def test_the_command_prints_one_line_per_gap_and_fails(
    aws: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real prod stack file against an empty account: every gap on its own line, then the count."""
    monkeypatch.setattr(cli, "public_name_servers", lambda zone: set())
    assert cli.main(["--stack", "prod"]) == 1
    *gaps, summary = capsys.readouterr().out.splitlines()
    assert summary == f"preflight prod (account 123456789012, us-east-1): {len(gaps)} gap(s)"
    checks = [line.split(":", 1)[0] for line in gaps]
    assert {"placeholders", "hosted-zone", "images", "secrets", "service-linked-roles"} <= set(checks)
    assert checks == sorted(
        checks,
        key=["placeholders", "hosted-zone", "certificate", "images", "secrets", "service-linked-roles", "quotas"].index,
    )


def test_placeholders_from_the_example_stack_files_are_gaps(aws: Callable[[str], Any]) -> None:
    config = load_stack_config("prod", stack_config("prod"))
    target = Target(config=config, project="platform", stack="prod", region=REGION, account="210987654321")
    gaps = [str(g) for g in run_checks(target, aws, lambda zone: set()) if g.check == "placeholders"]
    assert (
        "placeholders: alarms.emails: oncall@example.com is a placeholder address; alarms and budget alerts "
        "sent there reach nobody" in gaps
    )
    assert any(g.startswith("placeholders: owner: platform-team@example.com") for g in gaps)
    assert (
        "placeholders: loadBalancer.domain.hostedZone: example.com is a documentation domain: set the stack's "
        "own zone" in gaps
    )


def test_a_full_image_uri_in_the_documentation_account_is_a_placeholder(aws: Callable[[str], Any]) -> None:
    config = load_stack_config("prod", stack_config("prod"))
    api = config.services["api"].model_copy(
        update={"image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/api@{PROD_IMAGE_DIGEST}"}
    )
    config = config.model_copy(update={"services": {**config.services, "api": api}})
    target = Target(config=config, project="platform", stack="prod", region=REGION, account="210987654321")
    gaps = [str(g) for g in run_checks(target, aws, lambda zone: set()) if g.check == "placeholders"]
    assert (
        "placeholders: services.api.image names the documentation account 123456789012: use this account's "
        "ECR (210987654321) or your registry" in gaps
    )
