"""The Arive example (seed 004, `examples/arive/Pulumi.{prod,dev}.yaml`): previewed with `--config-file` as a user
would (0 mandatory violations, `arive-*` names), and the seed's numbers on the recorded resources of each stack:
the VPC and subnet plan, the one image of the API and the SAQ worker, Aurora Serverless v2 0.5-4 ACU with
database `arive` and user `postgres`, the uploads bucket's CORS rule and versioning, DNS and the certificate,
7-day logs and backups in dev. Each stack runs once per session (tests/examples/support.py); the pack judges
both stacks on up and first preview over gRPC in tests/policies/test_pack_e2e.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.tagging import takes_tag_map
from offline import preview
from offline.engine import StackRun
from tests.test_tagging import REQUIRED, sdk_class

from .support import EXAMPLES, example_run

PROD_FILE = EXAMPLES / "arive" / "Pulumi.prod.yaml"
STACKS = ["prod", "dev"]
SERVICE = "aws:ecs/service:Service"


@pytest.fixture(scope="module")
def prod() -> StackRun:
    return example_run("arive", stack="prod")


@pytest.fixture(scope="module")
def dev() -> StackRun:
    return example_run("arive", stack="dev")


def _containers(run: StackRun, service: str) -> dict[str, object]:
    [container] = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return container


def _environment(run: StackRun, service: str) -> dict[str, str]:
    return {e["name"]: e["value"] for e in _containers(run, service)["environment"]}  # type: ignore[index]


def test_the_prod_example_previews_with_its_config_file_and_passes_every_mandatory_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    code = preview.main(["--config-file", str(PROD_FILE), "--quiet", "--report-json", str(report)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "physical names arive-prod-*; policy config policies/config/prod.json" in printed
    verdict = json.loads(report.read_text())
    assert (verdict["passed"], verdict["summary"]["mandatory"], verdict["stack"]) == (True, 0, "prod")


@pytest.mark.parametrize("stack", STACKS)
def test_names_and_tags_are_arives(stack: str) -> None:
    run = example_run("arive", stack=stack)
    named = {
        r.inputs["name"] for r in run.of_type("aws:ecs/cluster:Cluster", SERVICE, "aws:lb/loadBalancer:LoadBalancer")
    }
    assert named == {f"arive-{stack}-cluster", f"arive-{stack}-api", f"arive-{stack}-worker", f"arive-{stack}-alb"}
    taggable = [r for r in run.custom_resources if r.type.startswith("aws:") and takes_tag_map(sdk_class(r.type))]
    assert taggable and all(set(r.inputs.get("tags") or {}) >= REQUIRED for r in taggable)
    assert {r.inputs["tags"]["Project"] for r in taggable} == {"arive"}
    assert {r.inputs["tags"]["Environment"] for r in taggable} == {stack}


@pytest.mark.parametrize("stack", STACKS)
def test_the_vpc_is_the_seeds_plan_in_two_azs(stack: str) -> None:
    run = example_run("arive", stack=stack)
    [vpc] = run.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    subnets = {
        r.name: (r.inputs["cidrBlock"], r.inputs["availabilityZone"]) for r in run.of_type("aws:ec2/subnet:Subnet")
    }
    assert subnets["network-public-a"] == ("10.0.1.0/24", "us-east-1a")
    assert subnets["network-public-b"] == ("10.0.2.0/24", "us-east-1b")
    assert subnets["network-private-a"] == ("10.0.11.0/24", "us-east-1a")
    assert subnets["network-private-b"] == ("10.0.12.0/24", "us-east-1b")
    assert len(subnets) == 6  # plus the isolated data tier the database lives in
    # the S3 endpoint on the private route tables (`com.amazonaws.us-east-1.s3`)
    services = {r.inputs["serviceName"]: r.inputs for r in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert services["com.amazonaws.us-east-1.s3"]["vpcEndpointType"] == "Gateway"


@pytest.mark.parametrize("stack", STACKS)
def test_api_and_worker_run_one_image_with_their_own_commands(stack: str) -> None:
    run = example_run("arive", stack=stack)
    api, worker = _containers(run, "api"), _containers(run, "worker")
    assert (
        api["image"] == worker["image"] == f"123456789012.dkr.ecr.us-east-1.amazonaws.com/arive-{stack}-backend:2.3.1"
    )
    assert api["command"] == ["litestar", "run", "--host", "0.0.0.0", "--port", "8000"]
    assert worker["command"] == ["litestar", "workers", "run"]
    assert [m["containerPort"] for m in api["portMappings"]] == [8000]  # type: ignore[index]
    assert "portMappings" not in worker or not worker["portMappings"]
    # API behind the ALB on 8000; worker: no load balancer
    services = {r.inputs["name"]: r.inputs for r in run.of_type(SERVICE)}
    assert {lb["containerPort"] for lb in services[f"arive-{stack}-api"]["loadBalancers"]} == {8000}
    assert not services[f"arive-{stack}-worker"].get("loadBalancers")
    [repository] = run.of_type("aws:ecr/repository:Repository")
    assert (repository.inputs["name"], repository.inputs["imageTagMutability"]) == (
        f"arive-{stack}-backend",
        "IMMUTABLE",
    )


@pytest.mark.parametrize("stack", STACKS)
def test_containers_get_env_database_url_and_s3_bucket_by_reference(stack: str) -> None:
    run = example_run("arive", stack=stack)
    environment = _environment(run, "api")
    assert environment["ENV"] == ("production" if stack == "prod" else "dev")
    assert environment["S3_BUCKET"].startswith(f"arive-{stack}-uploads-")
    assert environment["DATABASE_URL"].startswith(f"postgresql://arive-{stack}-db.cluster-")
    assert environment["DATABASE_URL"].endswith(":5432/arive?sslmode=require")
    secrets = {s["name"] for s in _containers(run, "worker")["secrets"]}  # type: ignore[index]
    assert secrets == {"DB_USER", "DB_PASSWORD"}  # from the RDS-managed secret, never a "postgres" default


@pytest.mark.parametrize("stack", STACKS)
def test_aurora_serverless_v2_up_to_4_acu_database_arive_user_postgres(stack: str) -> None:
    cluster = example_run("arive", stack=stack).named("database-cluster").inputs
    assert (cluster["engine"], cluster["engineMode"], cluster["port"]) == ("aurora-postgresql", "provisioned", 5432)
    assert (cluster["databaseName"], cluster["masterUsername"]) == ("arive", "postgres")
    scaling = cluster["serverlessv2ScalingConfiguration"]
    # 0.5-4 ACU; "can scale to 0 ACU when idle": in dev only (the platform refuses a pausing prod database)
    assert (scaling["minCapacity"], scaling["maxCapacity"]) == ((0.5, 4) if stack == "prod" else (0, 4))
    # backups: the seed's 7 days in dev; 35 in prod (the prod pack's floor: a documented difference)
    assert cluster["backupRetentionPeriod"] == (35 if stack == "prod" else 7)


@pytest.mark.parametrize("stack", STACKS)
def test_uploads_bucket_is_versioned_private_with_the_seeds_cors_rule(stack: str) -> None:
    run = example_run("arive", stack=stack)
    [cors] = run.of_type("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")
    assert cors.inputs["corsRules"] == [
        {
            "allowedHeaders": ["*"],
            "allowedMethods": ["GET", "PUT", "POST"],
            "allowedOrigins": ["https://tryarive.com"],
            "maxAgeSeconds": 3000,
        }
    ]
    assert cors.inputs["bucket"].startswith(f"arive-{stack}-uploads-")
    assert run.named("bucket-uploads-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    block = run.named("bucket-uploads-public-access").inputs
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))


@pytest.mark.parametrize("stack", STACKS)
def test_https_name_in_route53_with_a_dns_validated_certificate(stack: str) -> None:
    run = example_run("arive", stack=stack)
    name = "api.tryarive.com" if stack == "prod" else "api.dev.tryarive.com"
    [certificate] = run.of_type("aws:acm/certificate:Certificate")
    assert (certificate.inputs["domainName"], certificate.inputs["validationMethod"]) == (name, "DNS")
    alias = run.named("load-balancer-alias").inputs
    assert (alias["name"], alias["type"], alias["aliases"][0]["evaluateTargetHealth"]) == (name, "A", True)


def test_the_security_groups_are_the_seeds(prod: StackRun) -> None:
    rules = [r.inputs for r in prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    database = [r for r in rules if r["description"].startswith("PostgreSQL from")]
    assert {(r["fromPort"], r["toPort"]) for r in database} == {(5432, 5432)}
    assert {r["description"] for r in database} == {"PostgreSQL from api", "PostgreSQL from worker"}
    internet = [r for r in rules if r.get("cidrIpv4") == "0.0.0.0/0"]
    assert {r["fromPort"] for r in internet} == {443, 80}  # 80 only redirects to HTTPS


def test_dev_is_the_seeds_small_environment(dev: StackRun) -> None:
    # 256 CPU / 512 MB, desired_count = 1 each, /ecs/arive-api retention 7 days
    tasks = {
        r.name: (r.inputs["cpu"], r.inputs["memory"]) for r in dev.of_type("aws:ecs/taskDefinition:TaskDefinition")
    }
    assert tasks == {"api-task": ("256", "512"), "worker-task": ("256", "512")}
    assert {r.inputs["desiredCount"] for r in dev.of_type(SERVICE)} == {1}
    services = {r.inputs["name"] for r in dev.of_type("aws:cloudwatch/logGroup:LogGroup")} & {
        "/arive/dev/services/api",
        "/arive/dev/services/worker",
    }
    assert len(services) == 2
    retention = {r.inputs["name"]: r.inputs["retentionInDays"] for r in dev.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert retention["/arive/dev/services/api"] == retention["/arive/dev/services/worker"] == 7
    # the worker scales to 3 (the seed's `--desired-count 3`) by its own target
    targets = {r.inputs["resourceId"]: r.inputs for r in dev.of_type("aws:appautoscaling/target:Target")}
    assert targets["service/arive-dev-cluster/arive-dev-worker"]["maxCapacity"] == 3


def test_prod_protects_its_stateful_resources(prod: StackRun) -> None:
    assert {r.type for r in prod.resources if r.protect} >= {
        "aws:rds/cluster:Cluster",
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:ecr/repository:Repository",
    }
