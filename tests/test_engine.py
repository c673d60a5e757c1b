"""The in-process engine records what the real engine would, and runs are isolated from each other."""

from __future__ import annotations

import json
from pathlib import Path

from offline.engine import UNKNOWN, StackRun, run_stack
from offline.mocks import ACCOUNT_ID


def test_runs_are_isolated_between_stacks(stack_runs: dict[str, StackRun]) -> None:
    for stack, run in stack_runs.items():
        assert all(r.urn.startswith(f"urn:pulumi:{stack}::platform::") for r in run.resources)
    again = run_stack("dev")
    assert sorted(r.urn for r in again.resources) == sorted(r.urn for r in stack_runs["dev"].resources)


def test_urns_follow_the_real_engine_shape(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["dev"]
    [vpc] = run.of_type("aws:ec2/vpc:Vpc")
    assert vpc.urn == (
        "urn:pulumi:dev::platform::platform:stack:Platform$platform:network:Network$aws:ec2/vpc:Vpc::network-vpc"
    )
    [platform] = run.of_type("platform:stack:Platform")
    assert platform.urn == "urn:pulumi:dev::platform::platform:stack:Platform::platform"


def test_parents_dependencies_and_property_dependencies_are_recorded(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["dev"]
    [vpc] = run.of_type("aws:ec2/vpc:Vpc")
    [network] = run.of_type("platform:network:Network")
    subnet = run.named("network-public-a")  # by name: registration order is not fixed
    assert subnet.parent == network.urn
    assert vpc.urn in subnet.dependencies
    assert subnet.property_dependencies["vpcId"] == [vpc.urn]


def test_mocked_outputs_carry_account_and_region(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["dev"]
    group = run.named("network-flow-logs")
    assert group.outputs["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/platform/dev/vpc/flow-logs"
    [vpc] = run.of_type("aws:ec2/vpc:Vpc")
    assert (vpc.id or "").startswith("vpc-")
    assert vpc.outputs["arn"].startswith(f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc/")


def test_first_preview_leaves_computed_values_unknown(preview_runs: dict[str, StackRun]) -> None:
    run = preview_runs["dev"]
    subnet = run.named("network-public-a")  # by name: registration order is not fixed
    assert subnet.inputs["vpcId"] == UNKNOWN
    assert subnet.inputs["cidrBlock"] == "10.10.0.0/20"
    assert run.named("network-flow-logs-write").inputs["role"] == UNKNOWN  # the new role's name
    # A document built only from names known before create is known at a first preview.
    assert json.loads(run.named("network-flow-logs-write").inputs["policy"])["Statement"][0]["Resource"] == [
        f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/platform/dev/vpc/flow-logs",
        f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/platform/dev/vpc/flow-logs:*",
    ]


def test_policy_documents_are_rendered_json(stack_runs: dict[str, StackRun]) -> None:
    for run in stack_runs.values():
        for resource in run.of_type("aws:iam/rolePolicy:RolePolicy", "aws:iam/role:Role"):
            text = resource.inputs.get("policy") or resource.inputs["assumeRolePolicy"]
            assert json.loads(text)["Version"] == "2012-10-17"


def test_get_policy_document_invoke_renders_real_json() -> None:
    from pulumi.runtime import MockCallArgs

    from offline.mocks import AwsMocks

    rendered, _ = AwsMocks("us-east-1").call(
        MockCallArgs(
            token="aws:iam/getPolicyDocument:getPolicyDocument",
            args={
                "statements": [
                    {
                        "effect": "Allow",
                        "actions": ["s3:GetObject"],
                        "resources": ["arn:aws:s3:::b/*"],
                        "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}],
                        "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}],
                    }
                ]
            },
            provider="",
        )
    )
    assert json.loads(rendered["json"])["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
            "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
            "Condition": {"Bool": {"aws:SecureTransport": ["true"]}},
        }
    ]


def test_stack_outputs_are_exported(stack_runs: dict[str, StackRun]) -> None:
    outputs = stack_runs["prod"].outputs
    assert outputs["vpcId"].startswith("vpc-")
    assert len(outputs["dataSubnetIds"]) == 3


def test_stack_traces_are_the_sdks_without_reading_source_lines_for_a_run_only() -> None:
    from pulumi.runtime import resource as sdk

    from offline.engine import _fast_stack_traces  # pyright: ignore[reportPrivateUsage]

    original = sdk._get_stack_trace  # pyright: ignore[reportPrivateUsage]
    traces: list[tuple[object, object]] = []

    def both() -> None:
        traces.append((sdk._get_stack_trace(), original()))  # pyright: ignore[reportPrivateUsage]

    class Resource:  # the SDK's rule: the stack outside the third __init__ from the top
        def __init__(self, depth: int) -> None:
            if depth:
                Resource(depth - 1)
            else:
                both()

    undo = _fast_stack_traces()
    try:
        assert sdk._get_stack_trace is not original  # pyright: ignore[reportPrivateUsage]
        for depth in (2, 3):
            Resource(depth)  # three nested __init__ frames, then four
        both()  # none at all: an empty trace
        Resource(1)  # two: an empty trace too
    finally:
        undo()
    assert sdk._get_stack_trace is original  # pyright: ignore[reportPrivateUsage]
    assert [fast for fast, _ in traces] == [sdk_trace for _, sdk_trace in traces]
    outside = len(traces[0][0].frames)  # pyright: ignore[reportAttributeAccessIssue]
    assert [len(fast.frames) for fast, _ in traces] == [outside, outside + 1, 0, 0]  # pyright: ignore[reportAttributeAccessIssue]
    assert traces[0][0].frames[0].pc.uri == Path(__file__).as_uri()  # pyright: ignore[reportAttributeAccessIssue]


def test_unknowns_are_found_as_the_sdk_finds_them_without_garbage_for_the_collector() -> None:
    import gc

    from pulumi.output import UNKNOWN
    from pulumi.runtime import rpc

    from offline.engine import _acyclic_unknown_checks  # pyright: ignore[reportPrivateUsage]

    class Text(str):  # a scalar's subclass takes the SDK's whole path
        pass

    shared: dict[str, object] = {"deep": [1, {"x": UNKNOWN}]}
    looped: list[object] = ["a"]
    looped.append(looped)  # a cycle: each container is walked once
    values: list[object] = [
        None, True, 0, 1.5, "text", Text("t"), UNKNOWN, [], {}, (UNKNOWN,), {UNKNOWN}, [[[UNKNOWN]]],
        {"a": {"b": [None, {"c": UNKNOWN}]}}, {"a": [1, 2, "3"], "b": {"c": None}}, shared, [shared, shared],
        looped, [looped, UNKNOWN], {"k": (1, [UNKNOWN])}, [{"a": 1}, {"b": [UNKNOWN]}],
    ]  # fmt: skip
    original = rpc.contains_unknowns
    expected = [original(value) for value in values]
    undo = _acyclic_unknown_checks()
    try:
        assert rpc.contains_unknowns is not original
        gc.collect(0)  # the young generation only: the worker's whole heap is not this test's business
        paused = gc.isenabled()
        gc.disable()
        try:
            found = [rpc.contains_unknowns(value) for value in values]
            left = gc.collect(0)  # what the checks left for the collector (all young: nothing collected meanwhile)
        finally:
            if paused:
                gc.enable()
    finally:
        undo()
    assert rpc.contains_unknowns is original
    assert found == expected
    assert expected.count(True) == 7 and left == 0


TYPED_PROGRAM = """
import pulumi_aws as aws

role = aws.iam.Role("role", assume_role_policy="{}", tags={"a": "b"}, inline_policies=[{"name": "p", "policy": "{}"}])
aws.ecs.TaskDefinition(
    "task",
    family="f",
    container_definitions="[]",
    requires_compatibilities=["FARGATE"],
    runtime_platform={"cpu_architecture": "ARM64", "operating_system_family": "LINUX"},
    volumes=[{"name": "v", "efs_volume_configuration": {"file_system_id": "fs-1"}}],
    execution_role_arn=role.arn,
)
aws.s3.BucketV2("bucket", tags={"t": "v"})
"""


def test_declared_types_are_unwrapped_as_the_sdk_unwraps_them(tmp_path: Path) -> None:
    from pulumi import _types

    from offline.engine import _memoized_type_unwrapping, _TypeUnwrapping, run_stack  # pyright: ignore[reportPrivateUsage]

    original = _types.unwrap_type
    program = tmp_path / "typed.py"
    program.write_text(TYPED_PROGRAM)
    _TypeUnwrapping.answers.clear()
    run = run_stack("dev", program=program)
    assert _types.unwrap_type is original  # undone after the run
    answers = dict(_TypeUnwrapping.answers)
    assert len(run.resources) == 4 and len(answers) > 20, "nested input types were unwrapped"
    assert {declared: original(declared) for declared in answers} == answers  # the SDK's answers, kept
    assert any(answer is not declared for declared, answer in answers.items()), "some had something to unwrap"
    undo = _memoized_type_unwrapping()
    try:
        unhashable = [int]
        assert _types.unwrap_type(unhashable) is unhashable and len(_TypeUnwrapping.answers) == len(answers)  # pyright: ignore[reportArgumentType]
    finally:
        undo()
