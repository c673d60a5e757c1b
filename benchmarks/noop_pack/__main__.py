"""A policy pack with one resource policy and one stack policy that do nothing: what the Analyzer protocol
costs on its own (the benchmark's floor for the platform's pack)."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)


def judge_nothing(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Accept every resource without looking at it."""


def judge_no_stack(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Accept every stack without looking at it."""


PolicyPack(
    name="noop",
    policies=[
        ResourceValidationPolicy(name="noop-resource", description="Judges nothing.", validate=judge_nothing),
        StackValidationPolicy(name="noop-stack", description="Judges nothing.", validate=judge_no_stack),
    ],
    enforcement_level=EnforcementLevel.MANDATORY,
)
