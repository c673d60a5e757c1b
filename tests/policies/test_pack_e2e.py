"""End to end, as the engine runs the pack: the real pack process (`python -u -m pulumi.policy`), driven over the
Analyzer gRPC protocol by offline/policy_harness.py with the resources the in-process engine records from the
real program. Generic over whatever the stacks contain."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from components.config import StackConfigError
from offline.engine import UNKNOWN, RecordedResource, StackRun, run_stack, stack_config
from offline.pack_forkserver import SUPPORTED as FORK_SUPPORTED
from offline.policy_harness import (
    PACK_DIR,
    PolicyConfigError,
    PolicyHarness,
    PolicyPackError,
    PolicyReport,
    format_report,
    write_json_report,
)
from policies.guardrails import POLICIES, REQUIRED
from policies.guardrails.iam import DOCUMENTS
from policies.guardrails.protection import STATEFUL_DEFAULT
from tests.shared_runs import SharedChecks

STACKS = ("dev", "staging", "prod")
DEV_ADVISORY = {"container-insights", "service-and-database-alarms", "prod-web-progressive-delivery"}
ADVISORY_BY_DESIGN = {"stack-budget"}


@pytest.fixture(scope="module")
def harness(pack_harness: PolicyHarness) -> PolicyHarness:
    """The session's pack processes (one per stack, mode and stack config), shared with the other modules."""
    return pack_harness


@pytest.fixture(scope="module")
def up_reports(harness: PolicyHarness, stack_runs: dict[str, StackRun]) -> dict[str, PolicyReport]:
    return dict(zip(stack_runs, harness.check_runs(stack_runs.values()), strict=True))


@pytest.fixture(scope="module")
def preview_reports(harness: PolicyHarness, preview_runs: dict[str, StackRun]) -> dict[str, PolicyReport]:
    return dict(zip(preview_runs, harness.check_runs(preview_runs.values()), strict=True))


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_passes_every_mandatory_policy_on_up(stack: str, up_reports: dict[str, PolicyReport]) -> None:
    report = up_reports[stack]
    assert report.mandatory == [], format_report(report)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_passes_every_mandatory_policy_on_first_preview(
    stack: str, preview_reports: dict[str, PolicyReport]
) -> None:
    report = preview_reports[stack]
    assert report.mandatory == [], format_report(report)


@pytest.mark.parametrize("stack", STACKS)
def test_up_knows_every_value_so_nothing_is_deferred(stack: str, up_reports: dict[str, PolicyReport]) -> None:
    assert up_reports[stack].deferred == [], format_report(up_reports[stack])


@pytest.mark.parametrize("stack", STACKS)
def test_preview_defers_exactly_the_documents_that_are_unknown(
    stack: str, preview_runs: dict[str, StackRun], preview_reports: dict[str, PolicyReport]
) -> None:
    run, report = preview_runs[stack], preview_reports[stack]

    def unknown_document(resource: RecordedResource) -> bool:
        for prop, _ in DOCUMENTS.get(resource.type, []):
            value = resource.inputs.get(prop)
            if value == UNKNOWN or (
                isinstance(value, list)
                and any(item == UNKNOWN or (isinstance(item, dict) and item.get("policy") == UNKNOWN) for item in value)
            ):
                return True
        return False

    unknown_documents = {r.urn for r in run.resources if unknown_document(r)}
    deferred_iam = {d.resource for d in report.deferred if d.policy == "no-wildcard-iam"}
    assert deferred_iam == unknown_documents
    assert all(d.level == "advisory" for d in report.deferred)
    for d in report.deferred:
        assert d.message.startswith(
            f"can't run policy '{d.policy}' from policy pack 'platform-guardrails@v0.0.1' during preview: "
        ), d.message


@pytest.mark.parametrize("stack", STACKS)
def test_the_pack_sees_every_resource_with_the_levels_of_its_stack_config(
    stack: str, stack_runs: dict[str, StackRun], up_reports: dict[str, PolicyReport]
) -> None:
    report = up_reports[stack]
    assert report.resources == len(stack_runs[stack].resources)
    assert (report.pack, report.version) == ("platform-guardrails", "0.1.0")
    assert set(report.levels) == {p.name for p in POLICIES}
    advisory = {n for n, level in report.levels.items() if level == "advisory"}
    assert advisory == (DEV_ADVISORY if stack == "dev" else set()) | ADVISORY_BY_DESIGN
    assert all(report.levels[name] == "mandatory" for name in REQUIRED)
    assert report.config["no-public-app-ingress"]["allowedPublicPorts"] == [80, 443]  # schema default, filled in


# -- broken copies ------------------------------------------------------------------------------------
def _with(resource: RecordedResource, **props: object) -> RecordedResource:
    return dataclasses.replace(resource, inputs={**resource.inputs, **props}, outputs={**resource.outputs, **props})


def _ingress(group: RecordedResource, port: int) -> RecordedResource:
    props = {
        "securityGroupId": group.outputs.get("id", UNKNOWN),
        "ipProtocol": "tcp",
        "fromPort": float(port),
        "toPort": float(port),
        "cidrIpv4": "0.0.0.0/0",
        "tags": group.inputs.get("tags", {}),
    }
    token = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    name = f"{group.name}-open-{port}"
    return RecordedResource(
        type=token,
        name=name,
        urn=group.urn.rsplit("::", 2)[0] + f"::{token}::{name}",
        custom=True,
        parent=group.parent,
        inputs=props,
        outputs=props,
        dependencies=[group.urn],
        property_dependencies={"securityGroupId": [group.urn]},
        protect=False,
    )


STATEFUL = ("aws:rds/cluster:Cluster", "aws:dynamodb/table:Table", "aws:s3/bucket:Bucket")


def break_stack(run: StackRun) -> tuple[list[RecordedResource], dict[str, str]]:
    """A copy of the stack with six deliberate faults (seven in prod: a stateful resource recorded without
    `protect`); returns the resources and {policy: faulty URN}."""
    resources = list(run.resources)
    lb_groups = {
        urn
        for r in resources
        if r.type == "aws:lb/loadBalancer:LoadBalancer"
        for urn in r.property_dependencies.get("securityGroups", [])
    }
    app_group = next(r for r in resources if r.type == "aws:ec2/securityGroup:SecurityGroup" and r.urn not in lb_groups)
    ssh, https = _ingress(app_group, 22), _ingress(app_group, 443)
    resources += [ssh, https]
    index = next(i for i, r in enumerate(resources) if r.type == "aws:ec2/vpc:Vpc")
    vpc = resources[index]
    resources[index] = _with(vpc, tags={k: v for k, v in vpc.inputs["tags"].items() if k != "Owner"})
    index = next(i for i, r in enumerate(resources) if r.type == "aws:iam/rolePolicy:RolePolicy")
    wildcard = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    resources[index] = _with(resources[index], policy=wildcard)
    faults = {
        "no-public-app-ingress": ssh.urn,
        "public-ingress-only-on-internet-facing-lb": https.urn,
        "required-tags": vpc.urn,
        "no-wildcard-iam": resources[index].urn,
    }
    index = next(i for i, r in enumerate(resources) if r.type == "aws:kms/key:Key")
    resources[index] = _with(resources[index], enableKeyRotation=False)
    faults["kms-key-rotation"] = resources[index].urn
    index = next(i for i, r in enumerate(resources) if r.type == "aws:ecr/repository:Repository")
    resources[index] = _with(resources[index], imageTagMutability="MUTABLE")
    faults["ecr-repository-hardening"] = resources[index].urn
    if run.stack == "prod":
        index = next(i for i, r in enumerate(resources) if r.type in STATEFUL)
        assert resources[index].protect, "the platform protects prod's stateful resources"
        resources[index] = dataclasses.replace(resources[index], protect=False)
        faults["prod-stateful-resources-protected"] = resources[index].urn
    return resources, faults


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_broken_copy_fails_exactly_the_right_policies(
    stack: str,
    preview: bool,
    harness: PolicyHarness,
    stack_runs: dict[str, StackRun],
    preview_runs: dict[str, StackRun],
) -> None:
    run = (preview_runs if preview else stack_runs)[stack]
    resources, faults = break_stack(run)
    report = harness.check(resources, stack=stack, preview=preview)
    assert report.violated("mandatory") == set(faults), format_report(report)
    for policy, urn in faults.items():
        assert {d.resource for d in report.mandatory if d.policy == policy} == {urn}, policy
    ssh = next(d for d in report.mandatory if d.policy == "no-public-app-ingress")
    assert "allows 0.0.0.0/0 on tcp 22." in ssh.message
    assert ssh.resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    assert not report.passed


def test_the_dev_configuration_deployed_as_prod_fails_the_production_guardrails(
    harness: PolicyHarness, stack_runs: dict[str, StackRun]
) -> None:
    # The stack name decides production (pulumi.get_stack() in the pack): dev's relaxations are refused, by the
    # config validation first (same thresholds: components/config/thresholds.py) ...
    with pytest.raises(StackConfigError) as refused:
        run_stack("prod", config=stack_config("dev"))
    assert [line.split(" = ")[0] for line in refused.value.lines] == [
        "Pulumi.prod.yaml: platform:database.backupRetentionDays",
        "Pulumi.prod.yaml: platform:database.instances",
        "Pulumi.prod.yaml: platform:cluster.executeCommand",
        "Pulumi.prod.yaml: platform:loadBalancer.waf.enabled",  # internet-entry-points-have-waf, same pack config
    ]
    # ... and by the pack, judging dev's resources as stack prod with prod's pack config.
    run = stack_runs["dev"]
    report = harness.check(run.resources, stack="prod", policy_config=PACK_DIR / "config" / "prod.json")
    production = {
        "prod-data-protection",
        "prod-database-standby",
        "ecs-service-hardening",
        "prod-stateful-resources-protected",
        "rds-instance-hardening",
        "prod-backup-coverage",
        "prod-secrets-rotated",
    }
    production.add("internet-entry-points-have-waf")  # dev's ALB has no web ACL (waf.enabled: false)
    assert production <= report.violated("mandatory")
    assert report.violated("mandatory") <= production | {"prod-bucket-versioning"}
    assert any("allows ECS Exec in production" in d.message for d in report.mandatory)
    assert any(
        d.policy == "internet-entry-points-have-waf" and "is internet-facing in a production stack" in d.message
        for d in report.mandatory
    )
    # dev's preset leaves `protect` off: every stateful resource is named, nothing else.
    unprotected = {r.urn for r in run.resources if r.type in STATEFUL_DEFAULT and not r.protect}
    assert (
        unprotected
        and {d.resource for d in report.mandatory if d.policy == "prod-stateful-resources-protected"} == unprotected
    )


def test_without_a_config_file_every_policy_is_mandatory(
    harness: PolicyHarness, stack_runs: dict[str, StackRun], up_reports: dict[str, PolicyReport]
) -> None:
    report = harness.check_run(stack_runs["dev"], policy_config=None)
    assert {n for n, level in report.levels.items() if level != "mandatory"} == ADVISORY_BY_DESIGN  # their own
    relaxed = up_reports["dev"]  # with policies/config/dev.json
    assert {d.policy for d in report.mandatory} == {d.policy for d in relaxed.advisory if not d.deferred}


def test_invalid_policy_config_is_refused_like_the_engine_does(
    harness: PolicyHarness, stack_runs: dict[str, StackRun]
) -> None:
    expected = (
        r"validating policy config: platform-guardrails 0\.1\.0  "
        r"no-public-app-ingress: allowedPublicPorts: '80' is not of type 'array'"
    )
    with pytest.raises(PolicyConfigError, match=expected):
        harness.check_run(stack_runs["dev"], policy_config={"no-public-app-ingress": {"allowedPublicPorts": "80"}})
    with pytest.raises(PolicyConfigError, match="'strict' is not a valid enforcement level"):
        harness.check_run(stack_runs["dev"], policy_config={"all": "strict"})


def test_a_configured_setting_reaches_the_pack(harness: PolicyHarness, stack_runs: dict[str, StackRun]) -> None:
    config = {"all": "mandatory", "no-public-app-ingress": {"allowedPublicPorts": [443]}}
    report = harness.check_run(stack_runs["staging"], policy_config=config)
    assert report.config["no-public-app-ingress"]["allowedPublicPorts"] == [443]
    http_open = [d for d in report.mandatory if d.policy == "no-public-app-ingress"]
    assert http_open and all("on tcp 80." in d.message for d in http_open)


def test_the_report_is_written_as_json(tmp_path: Path, up_reports: dict[str, PolicyReport]) -> None:
    path = write_json_report([up_reports[s] for s in STACKS], tmp_path / "policy-report.json")
    data = json.loads(path.read_text())
    assert data["passed"] is True
    assert [r["stack"] for r in data["reports"]] == list(STACKS)
    dev = data["reports"][0]
    assert dev["summary"]["mandatory"] == 0
    for diagnostic in dev["diagnostics"]:
        assert set(diagnostic) >= {"policy", "level", "resource", "message"}


def test_pack_processes_are_reused_and_terminated() -> None:
    with PolicyHarness() as session:
        first = session.process(stack="dev")
        assert session.process(stack="dev") is first
        assert first.plugin_version() == "1.21.0"  # GetPluginInfo: the pulumi-policy SDK's version
        assert [p.name for p in first.policies] == [p.name for p in POLICIES]
    assert not first.running


def test_remembered_answers_change_no_verdict(stack_runs: dict[str, StackRun], tmp_path: Path) -> None:
    """A session's pack processes answer a given Remediate or Analyze request once (`Analysis.ask`), and its
    workers share what their processes answered (`SharedChecks`): a second worker checking a broken copy of dev,
    which the first checked whole, sends its own process only the changed resources, and reports exactly what a
    process that remembers nothing reports."""
    run = stack_runs["dev"]
    resources, faults = break_stack(run)
    before = run.by_urn()
    changed = sum(1 for resource in resources if before.get(resource.urn) != resource)  # changed or added
    with (
        SharedChecks(remember_answers=True, root=tmp_path) as first,  # forked from the session's server
        SharedChecks(remember_answers=True, root=tmp_path) as second,
        PolicyHarness() as forgetting,
    ):
        first.check(run.resources, stack="dev")
        process = second.process(stack="dev")
        asked: list[str] = []
        call = process._call  # pyright: ignore[reportPrivateUsage]
        process._call = lambda method, request: asked.append(method) or call(method, request)  # pyright: ignore[reportPrivateUsage]
        again = second.check(resources, stack="dev")
        expected = forgetting.check(resources, stack="dev")
    assert again.to_dict() == expected.to_dict() and again.violated("mandatory") == set(faults)
    assert 0 < changed == asked.count("Analyze") == asked.count("Remediate") and asked.count("AnalyzeStack") == 1


FORKING = pytest.mark.skipif(not FORK_SUPPORTED, reason="pack processes are forked on Linux only")


@pytest.mark.parametrize("fork", [False, pytest.param(True, marks=FORKING)], ids=["started", "forked"])
def test_a_pack_that_fails_to_start_is_reported_and_not_left_running(tmp_path: Path, fork: bool) -> None:
    (tmp_path / "__main__.py").write_text("import sys\nprint('broken pack', file=sys.stderr)\nsys.exit(3)\n")
    with (
        PolicyHarness(tmp_path, fork=fork) as session,
        pytest.raises(PolicyPackError, match=r"did not start \(exit 3\): +broken pack"),
    ):
        session.process(stack="dev")
    assert session._fork_server is None  # pyright: ignore[reportPrivateUsage]


@FORKING
def test_a_forked_pack_process_answers_as_a_started_one(stack_runs: dict[str, StackRun]) -> None:
    """`PolicyHarness(fork=True)` (the session's) forks its pack processes from a process that has done their
    imports (offline/pack_forkserver.py): the same command, environment and directory, the same report; each
    ends with the session, the fork server too."""
    resources = stack_runs["staging"].resources[:80]  # enough to violate: the rest of the stack is not there
    with PolicyHarness(fork=True) as forking, PolicyHarness(fork=False) as starting:
        forked = forking.process(stack="staging")
        assert forked.process.pid != forking.fork_server().process.pid  # pyright: ignore[reportOptionalMemberAccess]
        reports = [harness.check(resources, stack="staging").to_dict() for harness in (forking, starting)]
        server = forking._fork_server  # pyright: ignore[reportPrivateUsage]
    assert reports[0] == reports[1] and reports[0]["summary"]["mandatory"] > 0
    assert not forked.running and forked.process.returncode == -15  # terminated (SIGTERM) with the session
    assert server is not None and not server.running


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_a_prod_copy_with_an_unsafe_release_fails_exactly_the_delivery_policies(
    preview: bool, harness: PolicyHarness, stack_runs: dict[str, StackRun], preview_runs: dict[str, StackRun]
) -> None:
    # GIVEN prod with its api rolling without deployment alarms, and its test listener moved onto 443
    resources = list((preview_runs if preview else stack_runs)["prod"].resources)
    at = {r.name: i for i, r in enumerate(resources)}
    service = resources[at["api-service"]] = _with(
        resources[at["api-service"]],
        deploymentConfiguration={"strategy": "ROLLING"},
        alarms={"enable": False, "rollback": False, "alarmNames": []},
    )
    listener = resources[at["load-balancer-test"]] = _with(resources[at["load-balancer-test"]], port=443.0)
    # WHEN the pack judges it
    report = harness.check(resources, stack="prod", preview=preview)
    # THEN exactly the two delivery policies fail, each on the culprit (before ARNs are known, the service whose
    # rules the internet reaches; after, the listener carrying its test traffic)
    faults = {
        "prod-web-progressive-delivery": service.urn,
        "test-listener-not-public": service.urn if preview else listener.urn,
    }
    assert report.violated("mandatory") == set(faults), format_report(report)
    for policy, urn in faults.items():
        assert {d.resource for d in report.mandatory if d.policy == policy} == {urn}, policy
    [release] = [d for d in report.mandatory if d.policy == "prod-web-progressive-delivery"]
    assert "no deployment alarm rolls it back" in release.message


# -- the Candlefish example (seed 001): functions, triggers, canaries, rotation --------------------------------
def _candlefish(preview: bool) -> StackRun:
    from tests.examples.support import example_run

    return example_run("candlefish", stack="prod", preview=preview)


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_candlefish_example_passes_every_mandatory_policy(preview: bool, harness: PolicyHarness) -> None:
    run = _candlefish(preview)
    report = harness.check(run.resources, stack="prod", preview=preview, policy_config="policies/config/prod.json")
    assert report.mandatory == [], format_report(report)
    assert report.resources == len(run.resources)
    assert not [d for d in report.advisory if not d.deferred], format_report(report)


# -- the other example stacks of seeds 001 and 004 (the stack file of each environment), by the pack config rule --
EXAMPLE_STACKS = [("candlefish", "dev"), ("arive", "prod"), ("arive", "dev")]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize(("example", "stack"), EXAMPLE_STACKS, ids=[f"{e}-{s}" for e, s in EXAMPLE_STACKS])
def test_the_example_stacks_pass_every_mandatory_policy(
    example: str, stack: str, preview: bool, harness: PolicyHarness
) -> None:
    from tests.examples.support import example_run

    run = example_run(example, stack=stack, preview=preview)
    report = harness.check_run(run, policy_config=f"policies/config/{stack}.json")
    assert report.mandatory == [], format_report(report)
    assert report.resources == len(run.resources)
    assert not [d for d in report.advisory if not d.deferred], format_report(report)


def _replace(resources: list[RecordedResource], predicate: object, **props: object) -> str:
    index = next(i for i, r in enumerate(resources) if predicate(r))  # type: ignore[operator]
    resources[index] = _with(resources[index], **props)
    return resources[index].urn


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_a_broken_candlefish_fails_exactly_the_serverless_guardrails(preview: bool, harness: PolicyHarness) -> None:
    resources = list(_candlefish(preview).resources)
    faults = {
        "lambda-supported-runtime": _replace(
            resources, lambda r: r.name == "function-db-init-function", runtime="python3.9"
        ),
        "lambda-tracing-active": _replace(
            resources,
            lambda r: r.name == "function-wip-limit-processor-function",
            tracingConfig={"mode": "PassThrough"},
        ),
        "lambda-permission-scoped": _replace(
            resources, lambda r: r.name == "function-github-webhook-alb-invoke", principal="123456789012"
        ),
        "canary-artifacts-encrypted": _replace(resources, lambda r: r.name == "api-health-canary", artifactConfig={}),
    }
    url = "aws:lambda/functionUrl:FunctionUrl"
    fn = next(r for r in resources if r.name == "function-daily-unblock-function")
    open_url = RecordedResource(
        type=url,
        name="daily-unblock-url",
        urn=fn.urn.rsplit("::", 2)[0] + f"::{url}::open",
        custom=True,
        parent=fn.parent,
        inputs={"authorizationType": "NONE", "functionName": "x"},
        outputs={"authorizationType": "NONE", "functionName": "x"},
        dependencies=[],
        property_dependencies={},
        protect=False,
    )
    resources.append(open_url)
    faults["lambda-url-iam-auth"] = open_url.urn
    # the async invoke config of daily-unblock dropped: its schedule now drops failed events
    resources = [r for r in resources if r.name != "function-daily-unblock-async"]
    faults["lambda-async-failure-destination"] = fn.urn
    # db-init outside the VPC while its role may rds-db:connect
    faults["lambda-in-vpc-with-network-store"] = _replace(
        resources, lambda r: r.name == "function-db-init-function", runtime="python3.9", vpcConfig={}
    )
    faults["lambda-supported-runtime"] = faults["lambda-in-vpc-with-network-store"]
    # a third-party secret no longer says who rotates it
    faults["prod-secrets-rotated"] = _replace(
        resources, lambda r: r.name == "secret-slack-token-secret", tags={"Name": "x", "Environment": "prod"}
    )
    # the wip-limit-processor's log group loses its retention
    group = next(r for r in resources if r.name == "function-wip-limit-processor-logs")
    _replace(resources, lambda r: r is group, retentionInDays=None)
    faults["lambda-log-retention"] = next(r.urn for r in resources if r.name == "function-wip-limit-processor-function")
    report = harness.check(resources, stack="prod", preview=preview, policy_config="policies/config/prod.json")
    # A first preview cannot read the role documents or the schedule's target ARN: those two are deferred to
    # `pulumi up` (advisory "can't run"), never passed.
    deferred = {"lambda-async-failure-destination", "lambda-in-vpc-with-network-store"} if preview else set()
    expected = (set(faults) - deferred) | {"log-retention", "required-tags"}  # the secret lost its tags
    assert report.violated("mandatory") == expected, format_report(report)
    for policy, urn in faults.items():
        if policy not in deferred:
            assert urn in {d.resource for d in report.mandatory if d.policy == policy}, policy
    assert deferred <= {d.policy for d in report.deferred}


# -- the OpenClaw example (seed 000): prod, staging and dev from their config files ---------------------------
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize("stack", STACKS)
def test_the_openclaw_example_passes_every_mandatory_policy(stack: str, preview: bool, harness: PolicyHarness) -> None:
    from tests.examples.support import example_run

    # GIVEN each OpenClaw stack file run as `up` and as a first preview, judged at its environment's levels
    run = example_run("openclaw", stack=stack, preview=preview)
    report = harness.check(run.resources, stack=stack, preview=preview, policy_config=f"policies/config/{stack}.json")
    # THEN nothing mandatory fails, every resource was seen, and nothing advisory is left over either
    assert report.mandatory == [], format_report(report)
    assert report.resources == len(run.resources)
    assert not [d for d in report.advisory if not d.deferred], format_report(report)
    # every policy judged at its level: mandatory in prod, but the budget's (advisory by design)
    if stack == "prod":
        assert {level for name, level in report.levels.items() if name not in ADVISORY_BY_DESIGN} == {"mandatory"}


# -- the Troubleshooter example (seed 002): AC1, the stack file passes the pack on up and first preview ---------
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_troubleshooter_example_passes_every_mandatory_policy(preview: bool, harness: PolicyHarness) -> None:
    from tests.examples.support import example_run

    run = example_run("troubleshooter", stack="prod", preview=preview)
    report = harness.check_run(run, policy_config="policies/config/prod.json")
    assert report.mandatory == [], format_report(report)
    assert report.resources == len(run.resources)
    assert not [d for d in report.advisory if not d.deferred], format_report(report)
    assert {level for name, level in report.levels.items() if name not in ADVISORY_BY_DESIGN} == {"mandatory"}


# -- the PetForce example (seed 003): dev, staging, the production pair ------------------------------------------
PETFORCE = {
    "petforce-dev": "dev",
    "petforce-staging": "staging",
    "petforce-prod": "prod",
    "petforce-prod-us-west-2": "prod",
}


@pytest.mark.parametrize("stack", list(PETFORCE))
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_every_petforce_stack_file_passes_every_mandatory_policy(
    stack: str, preview: bool, harness: PolicyHarness
) -> None:
    from tests.shared_runs import shared_run

    path = Path(__file__).parents[2] / "examples" / "petforce" / f"Pulumi.{stack}.yaml"
    run = shared_run(stack, config_file=path, preview=preview)
    report = harness.check_run(run, policy_config=f"policies/config/{PETFORCE[stack]}.json")
    assert report.mandatory == [], format_report(report)
    assert report.resources == len(run.resources)
    assert not [d for d in report.advisory if not d.deferred], format_report(report)
