"""How fast the platform builds, checks and scales: one table, each figure min / median / max over runs.

    python -m benchmarks [--runs N] [--quick] [--only SECTION ...] [--json [FILE]] [--compare FILE]
    python3 run.py bench [...]      make bench

Sections: program (start to last resource registered, per stack, in a fresh process), preview (the offline
preview end to end, per stack), pack (the policy pack over the engine protocol on prod's resources, beside a
no-op pack), scaling (prod with 10, 50, 200 generated services: the in-process run and the pack, time and
peak memory, and the slope per service), peer (checkov's terraform_plan scan of the same prod graph), suite
(`pytest -q -n 2`), cost (what the estimate adds to a preview, the cost command end to end and
prod's estimate). `--quick` is a smoke check: one run, prod only, small sizes, no test suite.
`--json` without FILE prints the JSON instead of the table; with FILE it writes it there as well.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import cost as cost_bench
from . import pack as pack_bench
from . import program as program_bench
from .stats import Figure, compare, linear_fit, render

SECTIONS = ("program", "preview", "pack", "scaling", "peer", "suite", "cost")
STACKS = ("dev", "staging", "prod")
EXAMPLES = tuple(
    str(p.relative_to(Path(__file__).resolve().parent.parent))
    for p in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*/Pulumi.*.yaml"))
    if not p.name.endswith(".usage.yaml")
)
"""The example systems' stack config files (examples/<system>/), previewed with `--config-file`."""
SIZES = (10, 50, 200)
QUICK_SIZES = (5, 10)
TARGETS = {"preview_prod_s": 3.0, "scaling_200_s": 10.0, "suite_s": 60.0, "pack_ratio": 1.2, "cost_section_s": 1.0}
"""The bar: prod's offline preview under 3 s, 200 services under 10 s, the suite under 60 s on 2 cores, the pack's
whole warm check (Remediate, Analyze and AnalyzeStack) within 1.2x of a no-op pack's on the same graph."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    """Where the figures come from."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=program_bench.ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=program_bench.ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    )
    return {
        "nproc": usable,
        "cpu": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "commit": commit + ("+dirty" if dirty else ""),
        "load_average": list(os.getloadavg()),
    }


class Bench:
    """The figures of one `python -m benchmarks` run, and the derived lines (ratios, slopes) beside them."""

    def __init__(self, runs: int, quick: bool) -> None:
        self.runs = runs
        self.quick = quick
        self.figures: list[Figure] = []
        self.derived: dict[str, Any] = {}
        self.notes: list[str] = []
        self.errors: list[str] = []

    def figure(self, section: str, name: str, unit: str, note: str = "", target: float | None = None) -> Figure:
        figure = Figure(name, unit, note=note, section=section, target=target)
        self.figures.append(figure)
        return figure

    def sample(self, figure: Figure, take: Callable[[], float]) -> None:
        for index in range(self.runs):
            value = take()
            figure.samples.append(value)
            log(f"  {figure.name}: {value:.3f} {figure.unit} ({index + 1}/{self.runs})")

    # -- sections -----------------------------------------------------------------------------------
    def calibrate(self, when: str) -> None:
        """A fixed pure-Python workload, before and after the rest: how fast this machine was during the run
        (shared machines drift by tens of percent; divide by it to compare runs)."""
        figure = self.figure(
            "machine",
            f"calibration loop, {when} (2M iterations)",
            "s",
            note="same work every run: a slower machine, not slower code",
        )
        self.sample(figure, calibration_seconds)

    def program(self, stacks: Sequence[str]) -> None:
        section = "program: process start to last resource registered (in-process engine)"
        for stack in stacks:
            figure = self.figure(section, f"program {stack}", "s")
            counts: list[int] = []
            memory: list[float] = []

            def take(stack: str = stack, counts: list[int] = counts, memory: list[float] = memory) -> float:
                sample = program_bench.program_sample(stack)
                counts.append(sample.resources)
                memory.append(sample.peak_rss_mb)
                return sample.seconds

            self.sample(figure, take)
            figure.note = f"{counts[-1]} resources, peak {max(memory):.0f} MB"

    def preview(self, stacks: Sequence[str]) -> None:
        section = "offline preview: process start to exit, policy report printed"
        for stack in stacks:
            target = TARGETS["preview_prod_s"] if stack == "prod" else None
            figure = self.figure(section, f"preview {stack}", "s", target=target)
            cpu = self.figure(
                section,
                f"preview {stack}: CPU time, preview + pack processes",
                "s",
                note="user + system; a loaded machine stretches the wall time, much less this",
            )

            def take(stack: str = stack, cpu: Figure = cpu) -> float:
                sample = program_bench.preview_command_sample(stack)
                cpu.samples.append(sample.cpu_seconds)
                return sample.seconds

            self.sample(figure, take)
        if self.quick:
            return
        for example in EXAMPLES:  # the seed systems, as `--config-file` previews
            figure = self.figure(section, f"preview {example}", "s")
            self.sample(figure, lambda example=example: program_bench.preview_sample("", config_file=example))

    def pack(self, resources: Sequence[Any]) -> None:
        section = f"policy pack over the engine protocol, prod's {len(resources)} recorded resources"
        packs = {"platform pack": pack_bench.platform_session, "no-op pack": pack_bench.noop_session}
        for label, make in packs.items():
            figure = self.figure(section, f"{label}: start-up (process start to port)", "s")
            pack_dir = make().pack_dir
            self.sample(figure, lambda pack_dir=pack_dir: pack_bench.startup_seconds(pack_dir))
        sessions = {}
        for label, make in packs.items():
            log(f"  {label}: {self.runs} checks of {len(resources)} resources (+ a cold first check)")
            cold = make().run(resources, 1)
            warm = make().run(resources, self.runs, warm_up=resources)
            sessions[label] = warm
            self.figure(section, f"{label}: first check, cold (Configure to report)", "s").samples.append(
                cold.passes[0].total_s
            )
            self.figure(section, f"{label}: Remediate + Analyze per resource", "ms").samples.extend(
                p.per_resource_ms for p in warm.passes
            )
            self.figure(
                section,
                f"{label}: AnalyzeStack",
                "ms",
                note=f"{statistics_median([p.stack_ms for p in warm.passes]) / len(resources):.2f} ms/resource",
            ).samples.extend(p.stack_ms for p in warm.passes)
            self.figure(
                section,
                f"{label}: whole check, warm (Configure to report)",
                "s",
                note=f"{warm.passes[-1].mandatory} mandatory violations",
            ).samples.extend(p.total_s for p in warm.passes)
        platform_ms = statistics_median([p.per_resource_ms for p in sessions["platform pack"].passes])
        floor_ms = statistics_median([p.per_resource_ms for p in sessions["no-op pack"].passes])
        self.derived["pack_per_resource_ratio"] = platform_ms / floor_ms
        platform_s = statistics_median([p.total_s for p in sessions["platform pack"].passes])
        floor_s = statistics_median([p.total_s for p in sessions["no-op pack"].passes])
        ratio = platform_s / floor_s
        self.derived["pack_whole_check_ratio"] = ratio
        verdict = "meets" if ratio <= TARGETS["pack_ratio"] else "MISSES"
        self.notes.append(
            f"pack's whole warm check (Remediate, Analyze, AnalyzeStack): {platform_s:.2f} s against the protocol "
            f"floor (no-op pack) {floor_s:.2f} s = {ratio:.2f}x ({verdict} target <= {TARGETS['pack_ratio']}x); "
            f"per resource {platform_ms:.2f} / {floor_ms:.2f} ms = {platform_ms / floor_ms:.2f}x"
        )

    def scaling(self, sizes: Sequence[int], workdir: Path) -> None:
        section = "scaling: prod with N generated services"
        run_points: list[tuple[float, float]] = []
        pack_points: list[tuple[float, float]] = []
        for size in sizes:
            target = TARGETS["scaling_200_s"] if size == 200 else None
            run_figure = self.figure(section, f"run, {size} services (start to last registered)", "s", target=target)
            memory_figure = self.figure(section, f"run, {size} services: peak memory", "MB")
            saved = workdir / f"scaled-{size}.pickle"
            counts: list[int] = []

            def take(
                size: int = size, saved: Path = saved, memory_figure: Figure = memory_figure, counts: list[int] = counts
            ) -> float:
                sample = program_bench.program_sample("prod", services=size, save=saved)
                memory_figure.samples.append(sample.peak_rss_mb)
                counts.append(sample.resources)
                return sample.seconds

            self.sample(run_figure, take)
            run_figure.note = f"{counts[-1]} resources, {run_figure.median / counts[-1] * 1000:.2f} ms/resource" + (
                f"; {run_figure.note}" if run_figure.note else ""
            )
            run_points.append((size, run_figure.median))
            run = pickle.loads(saved.read_bytes())
            log(f"  pack over {len(run.resources)} resources of {size} services")
            session = pack_bench.platform_session().run(run.resources, self.runs, warm_up=run.resources[:200])
            pack_figure = self.figure(
                section,
                f"pack, {size} services: whole check (warm)",
                "s",
                note=f"{statistics_median([p.per_resource_ms for p in session.passes]):.2f} "
                f"ms/resource Remediate+Analyze, AnalyzeStack "
                f"{statistics_median([p.stack_ms for p in session.passes]):.0f} ms",
            )
            pack_figure.samples.extend(p.total_s for p in session.passes)
            self.figure(section, f"pack, {size} services: peak memory", "MB").samples.append(session.peak_rss_kb / 1024)
            pack_points.append((size, pack_figure.median))
        if len(sizes) >= 2:
            for label, points in (("run", run_points), ("pack", pack_points)):
                slope, intercept, r2 = linear_fit(points)
                self.derived[f"scaling_{label}_slope_s_per_service"] = slope
                self.derived[f"scaling_{label}_r2"] = r2
                self.notes.append(
                    f"scaling, {label}: {slope * 1000:.0f} ms per service + {intercept:.2f} s fixed "
                    f"(least squares over {', '.join(str(int(p[0])) for p in points)} services, "
                    f"r² = {r2:.4f}; 1.0 is a straight line)"
                )

    def peer(self, run: Any, workdir: Path) -> None:
        from . import peer

        section = "peer: checkov terraform_plan scan of the same prod graph"
        started = time.perf_counter()
        plan, mapping = peer.plan_for(run.resources)
        converted = time.perf_counter() - started
        path = workdir / "prod.tfplan.json"
        path.write_text(json.dumps(plan))
        self.notes.append(
            f"terraform plan for checkov ({converted * 1000:.0f} ms to convert, SDK imports included): "
            f"{mapping.summary()}"
        )
        if not peer.checkov_available():
            self.notes.append(
                "checkov is not installed (it is in the `bench` dependency group: "
                "`uv run --group bench python -m benchmarks`): peer scan skipped"
            )
            return
        figure = self.figure(section, "checkov scan (process start to report)", "s")
        results: list[peer.ScanResult] = []

        def take() -> float:
            result = peer.scan(path)
            results.append(result)
            return result.seconds

        self.sample(figure, take)
        figure.note = results[-1].summary()
        self.derived["checkov_failed_checks"] = dict(results[-1].top_failed)

    def cost(self, saved_run: Path) -> None:
        section = "cost estimate (policies/guardrails/costing)"
        figure = self.figure(
            section,
            "preview's cost section: import, usage file, estimate, render (prod)",
            "s",
            target=TARGETS["cost_section_s"],
        )
        totals: list[float] = []

        def take() -> float:
            seconds, total = cost_bench.section_sample(saved_run)
            totals.append(total)
            return seconds

        self.sample(figure, take)
        self.notes.append(f"prod's estimated monthly cost: ${totals[-1]:,.2f} (python3 run.py cost --stack prod)")
        command = self.figure(section, "python -m offline.cost --stack prod (process start to exit)", "s")
        self.sample(command, lambda: cost_bench.command_seconds("prod"))

    def suite(self) -> None:
        figure = self.figure("tests", "pytest -q -n 2 (wall)", "s", target=TARGETS["suite_s"])
        summaries: list[str] = []

        def take() -> float:
            seconds, summary = program_bench.suite_sample()
            summaries.append(summary)
            return seconds

        self.sample(figure, take)
        figure.note = summaries[-1]

    # -- output -------------------------------------------------------------------------------------
    def to_dict(self, info: dict[str, Any]) -> dict[str, Any]:
        return {
            "machine": info,
            "runs": self.runs,
            "quick": self.quick,
            "figures": [f.as_dict() for f in self.figures],
            "derived": self.derived,
            "notes": self.notes,
            "errors": self.errors,
        }


def calibration_seconds() -> float:
    start = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return time.perf_counter() - start


def statistics_median(values: Sequence[float]) -> float:
    import statistics

    return statistics.median(values)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="samples per figure (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke check: one run, prod only, small sizes, no suite")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only these sections ({', '.join(SECTIONS)})",
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: tuple(int(x) for x in s.split(",")),
        default=None,
        help=f"scaling sizes, comma-separated (default {','.join(map(str, SIZES))})",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write the figures as JSON to FILE (without FILE: print JSON instead of the table)",
    )
    parser.add_argument("--compare", type=Path, metavar="FILE", help="show each median against a previous --json")
    args = parser.parse_args(argv)
    if args.quick and "--runs" not in (argv if argv is not None else sys.argv[1:]):
        args.runs = 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915  (one branch per section)
    args = parse_args(argv)
    sections = args.only or [s for s in SECTIONS if not (args.quick and s == "suite")]
    stacks = ("prod",) if args.quick else STACKS
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    bench = Bench(args.runs, args.quick)
    info = machine()
    started = time.perf_counter()
    log(
        f"benchmarks: {args.runs} run(s), sections {', '.join(sections)}; {info['nproc']} CPUs, {info['cpu']}, "
        f"Python {info['python']}, load {info['load_average'][0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        prod_run = None
        if {"pack", "peer", "cost"} & set(sections):
            log("recording prod's resources for the pack and the peer")
            program_bench.program_sample("prod", save=workdir / "prod.pickle")
            prod_run = pickle.loads((workdir / "prod.pickle").read_bytes())
        bench.calibrate("before")
        for section in sections:
            log(f"[{section}]")
            try:
                if section == "program":
                    bench.program(stacks)
                elif section == "preview":
                    bench.preview(stacks)
                elif section == "pack":
                    bench.pack(prod_run.resources)  # type: ignore[union-attr]
                elif section == "scaling":
                    bench.scaling(sizes, workdir)
                elif section == "peer":
                    bench.peer(prod_run, workdir)
                elif section == "suite":
                    bench.suite()
                elif section == "cost":
                    bench.cost(workdir / "prod.pickle")
            except Exception as error:  # one broken section must not hide the others' figures
                bench.errors.append(f"{section}: {type(error).__name__}: {error}")
                log(f"  {section} failed: {error}")
        bench.calibrate("after")
    info["load_average_after"] = list(os.getloadavg())
    info["seconds"] = round(time.perf_counter() - started, 1)
    document = bench.to_dict(info)
    table = "\n".join(
        [
            f"Benchmarks at {info['commit']} on {info['nproc']} CPUs ({info['cpu']}), {info['implementation']} "
            f"{info['python']}, {info['system']}; {args.runs} run(s) per figure; load average "
            f"{info['load_average'][0]:.2f} before, {info['load_average_after'][0]:.2f} after; took {info['seconds']} s",
            "",
            render(bench.figures),
            *([""] + [f"* {note}" for note in bench.notes] if bench.notes else []),
            *([""] + [f"! {error}" for error in bench.errors] if bench.errors else []),
        ]
    )
    if args.json == "-":
        print(json.dumps(document, indent=2))
    else:
        print(table)
        if args.json:
            Path(args.json).write_text(json.dumps(document, indent=2) + "\n")
            print(f"\nJSON written to {args.json}")
    if args.compare:
        previous = json.loads(args.compare.read_text())
        print(f"\nAgainst {args.compare} ({previous.get('machine', {}).get('commit', '?')}):", file=sys.stdout)
        print(compare(document["figures"], previous.get("figures", [])))
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main())
