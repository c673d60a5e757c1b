"""End to end over gRPC (the real pack process): the troubleshooter with its API behind a VPC link, and prod with
CloudFront in front of its ALB, pass every mandatory policy on `up` and on a first preview; broken copies fail
exactly nlb-hardening and nlb-listeners, or cloudfront-origin-tls."""

from __future__ import annotations

import dataclasses

import pytest

from offline.engine import RecordedResource
from offline.policy_harness import PolicyHarness, format_report
from tests.components.test_alb_cdn import cdn_run
from tests.components.test_private_link import vpc_link_run

PROD = "policies/config/prod.json"


@pytest.fixture
def harness(pack_harness: PolicyHarness) -> PolicyHarness:
    """The worker's pack session (tests/conftest.py): prod's pack processes are already running for it."""
    return pack_harness


def _with(resource: RecordedResource, **props: object) -> RecordedResource:
    return dataclasses.replace(resource, inputs={**resource.inputs, **props}, outputs={**resource.outputs, **props})


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_vpc_link_variant_passes_every_mandatory_policy(preview: bool, harness: PolicyHarness) -> None:
    run = vpc_link_run(preview)
    report = harness.check(run.resources, stack="prod", preview=preview, policy_config=PROD)
    assert report.mandatory == [], format_report(report)
    assert {"nlb-hardening", "nlb-listeners"} <= set(report.levels)


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_a_broken_nlb_fails_exactly_the_nlb_policies(preview: bool, harness: PolicyHarness) -> None:
    resources = list(vpc_link_run(preview).resources)
    faults: dict[str, str] = {}
    for index, resource in enumerate(resources):
        if resource.name == "private-link-nlb":
            resources[index] = _with(resource, enableCrossZoneLoadBalancing=False)
            faults["nlb-hardening"] = resource.urn
        elif resource.name == "private-link-alb-target":
            resources[index] = _with(resource, targetType="ip")
        elif resource.name == "private-link-tcp":
            faults["nlb-listeners"] = resource.urn
    report = harness.check(resources, stack="prod", preview=preview, policy_config=PROD)
    assert report.violated("mandatory") == set(faults), format_report(report)
    for policy, urn in faults.items():
        assert {d.resource for d in report.mandatory if d.policy == policy} == {urn}, policy


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_cloudfront_variant_passes_every_mandatory_policy(preview: bool, harness: PolicyHarness) -> None:
    run = cdn_run(preview)
    report = harness.check(run.resources, stack="prod", preview=preview, policy_config=PROD)
    assert report.mandatory == [], format_report(report)


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_a_distribution_calling_the_alb_in_clear_fails_exactly_cloudfront_origin_tls(
    preview: bool, harness: PolicyHarness
) -> None:
    resources = list(cdn_run(preview).resources)
    index = next(i for i, r in enumerate(resources) if r.name == "cdn-distribution")
    origin = dict(resources[index].inputs["origins"][0])
    origin["customOriginConfig"] = {**origin["customOriginConfig"], "originProtocolPolicy": "http-only"}
    resources[index] = _with(resources[index], origins=[origin])
    report = harness.check(resources, stack="prod", preview=preview, policy_config=PROD)
    assert report.violated("mandatory") == {"cloudfront-origin-tls"}, format_report(report)
    assert {d.resource for d in report.mandatory} == {resources[index].urn}
