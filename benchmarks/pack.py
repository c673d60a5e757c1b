"""The policy pack over the engine's protocol: start-up, cost per resource, the stack check, peak memory.

The pack is driven by `offline.policy_harness.PolicyPackProcess`, the same driver the offline preview and
the tests use, which speaks to it as the engine does (Remediate then Analyze per resource, AnalyzeStack at
the end). The RPCs are timed at the client stub, so a figure is what the engine waits for: serialisation,
the round trip and the pack's own work. The no-op pack (`benchmarks/noop_pack`) on the same resources is
the protocol's floor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from offline.policy_harness import (
    ENGINE_ADDRESS,
    PACK_DIR,
    PolicyPackProcess,
    default_policy_config,
    load_policy_config,
)

NOOP_PACK_DIR = Path(__file__).resolve().parent / "noop_pack"


class TimedStub:
    """Wraps the gRPC stub: every call goes through, its wall time is kept per method."""

    def __init__(self, stub: Any) -> None:
        self._stub = stub
        self.times: dict[str, list[float]] = defaultdict(list)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._stub, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.times[name].append(time.perf_counter() - start)

        return timed

    def reset(self) -> None:
        self.times.clear()


@dataclass
class Pass:
    """One check of every resource: what each phase cost."""

    resources: int
    per_resource_ms: float
    """Remediate + Analyze, summed over the resources, divided by their number."""
    stack_ms: float
    """The AnalyzeStack call."""
    total_s: float
    """Configure to report, as the offline preview pays it (request building included)."""
    mandatory: int


@dataclass
class PackSession:
    """One pack process, checked several times over the same resources."""

    pack_dir: Path
    stack: str
    policy_config: Mapping[str, Any]
    passes: list[Pass] = field(default_factory=list)
    peak_rss_kb: int = 0

    def run(self, resources: Sequence[Any], passes: int, *, warm_up: Sequence[Any] | None = None) -> PackSession:
        process = PolicyPackProcess(self.pack_dir, project="platform", stack=self.stack, dry_run=False)
        try:
            timed = TimedStub(process.stub)
            cast(Any, process).stub = timed  # the harness calls `self.stub.<method>(...)`: timed here
            if warm_up:
                process.analyze(warm_up, self.policy_config)
            for _ in range(passes):
                timed.reset()
                start = time.perf_counter()
                report = process.analyze(resources, self.policy_config)
                total = time.perf_counter() - start
                per_resource = sum(timed.times["Remediate"]) + sum(timed.times["Analyze"])
                self.passes.append(
                    Pass(
                        len(resources),
                        per_resource / len(resources) * 1000,
                        sum(timed.times["AnalyzeStack"]) * 1000,
                        total,
                        len(report.mandatory),
                    )
                )
            self.peak_rss_kb = peak_rss_kb(process.process.pid)
        finally:
            process.close()
        return self


def platform_session(stack: str = "prod") -> PackSession:
    """The platform's pack with the stack's `--policy-pack-config`, as the offline preview runs it."""
    return PackSession(PACK_DIR, stack, load_policy_config(default_policy_config(stack)))


def noop_session(stack: str = "prod") -> PackSession:
    return PackSession(NOOP_PACK_DIR, stack, {})


def startup_seconds(pack_dir: Path, stack: str = "prod") -> float:
    """Process start to port printed, as the engine starts a Python pack (`python -u -m pulumi.policy <engine>
    <pack dir>` from the pack directory, the PULUMI_* environment set)."""
    env = dict(os.environ)
    env.update(
        {
            "PULUMI_PROJECT": "platform",
            "PULUMI_STACK": stack,
            "PULUMI_ORGANIZATION": "organization",
            "PULUMI_DRY_RUN": "false",
            "PULUMI_CONFIG": json.dumps({}),
        }
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(pack_dir)],
        cwd=pack_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        elapsed = time.perf_counter() - start
        if not line.strip().isdigit():
            raise RuntimeError(f"policy pack at {pack_dir} printed no port: {line!r}")
        return elapsed
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def peak_rss_kb(pid: int) -> int:
    """A live process's peak resident memory (VmHWM), 0 where /proc does not say."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
