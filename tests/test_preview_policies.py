"""The offline preview's policy check: the pack starts before the program and judges resources as they are
registered; the report is the one the whole-stack check makes, and a failed preview stops the pack."""

from __future__ import annotations

from typing import Any

import pytest

from offline import preview
from offline.engine import StackRun
from offline.policy_harness import PolicyHarness, PolicyPackProcess
from tests.config.mutate import broken


def test_judging_resources_as_they_register_reports_what_the_whole_check_reports(
    preview_runs: dict[str, StackRun],
) -> None:
    run = preview_runs["dev"]  # a first preview: documents built from unknown ARNs defer, so there is a report
    check = preview.PolicyCheck(run.stack, preview=True)
    try:
        for resource in run.resources:  # what run_stack's on_register hands it, in registration order
            check.add(resource)
        streamed = check.finish()
    finally:
        check.close()
    with PolicyHarness() as harness:
        whole = harness.check_run(run)
    assert streamed.diagnostics, "two empty reports would prove nothing"
    assert {d.stage for d in streamed.diagnostics} >= {"analyze"}
    assert streamed.diagnostics == whole.diagnostics
    assert streamed.not_applicable == whole.not_applicable
    assert streamed.resources == whole.resources == len(run.resources)
    assert streamed.levels == whole.levels


def test_bad_config_stops_the_pack_started_for_the_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    processes: list[PolicyPackProcess] = []
    real = PolicyHarness.process

    def recording(self: PolicyHarness, **kwargs: Any) -> PolicyPackProcess:
        process = real(self, **kwargs)
        processes.append(process)
        return process

    monkeypatch.setattr(PolicyHarness, "process", recording)
    monkeypatch.setattr(preview, "stack_config", lambda stack, **_: broken(stack, "platform:network.azCount", 9))
    assert preview.main(["--stack", "dev"]) == 2
    assert "platform:network.azCount = 9" in capsys.readouterr().err
    assert len(processes) == 1, "the pack is started before the program runs"
    assert not processes[0].running
