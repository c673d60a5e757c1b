"""Offline preview: what `pulumi preview --policy-pack policies` would show, with no cloud and no CLI.

    python -m offline.preview --stack prod [--unknowns] [--json resources.json] [--report-json report.json]
    python -m offline.preview --config-file examples/arive/Pulumi.prod.yaml [--stack prod]

Any stack: `--stack NAME` reads `Pulumi.NAME.yaml`; `--config-file PATH` reads that file instead, as `pulumi
preview --config-file` does (the stack is `--stack`, or derived from the file name: `Pulumi.<stack>.yaml`, else
its stem). The environment is the file's `platform:environment`, and the policy pack runs with the stack's
pack config (`policies/config/<stack>.json`, else `<environment>.json`).

Runs the real program for the stack under the in-process engine, prints the resource tree (components and their
children), counts by type, the effective config (presets applied) and the policy pack's report,
and exits non-zero on a mandatory violation (2 for bad config, 1 for a mandatory policy violation).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import queue
import sys
import threading
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

if __name__ == "__main__":  # a one-shot command: no cyclic collection from the first import on (see the end)
    gc.disable()

import yaml

from components.config import StackConfigError, effective_config, load_stack_config

from .engine import ROOT_TYPE, RecordedResource, StackRun, run_stack, stack_config
from .stackfile import STACKS, pack_config, project_name, stack_file_path, stack_from_config_file

if TYPE_CHECKING:
    from .policy_harness import Analysis, PolicyReport


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    summary = (__doc__ or "").strip().splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m offline.preview", description=summary)
    parser.add_argument(
        "--stack",
        help="stack to preview: reads Pulumi.<stack>.yaml unless --config-file is given "
        f"(default: dev, or derived from --config-file; stack files here: {', '.join(STACKS)})",
    )
    parser.add_argument(
        "--config-file",
        type=Path,
        metavar="PATH",
        help="the stack config file to use instead of Pulumi.<stack>.yaml (as `pulumi preview --config-file`)",
    )
    parser.add_argument(
        "--unknowns",
        action="store_true",
        help="leave computed ids/ARNs unknown, as on a stack's first `pulumi preview`",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the recorded resources as JSON")
    parser.add_argument("--report-json", type=Path, metavar="FILE", help="write the policy report as JSON")
    parser.add_argument("--no-policies", action="store_true", help="skip the policy pack")
    parser.add_argument("--quiet", action="store_true", help="print only the summary and the policy report")
    return parser.parse_args(argv)


def render_tree(run: StackRun, out: TextIO) -> None:
    """The resource tree, components first-class, children indented under their parent."""
    children: dict[str | None, list[RecordedResource]] = {}
    for resource in run.resources:
        children.setdefault(resource.parent, []).append(resource)
    roots = [r for r in run.resources if r.type == ROOT_TYPE]

    def walk(resource: RecordedResource, depth: int) -> None:
        marker = "+" if not resource.custom else "-"
        flags = " [protected]" if resource.protect else ""
        out.write(f"{'  ' * depth}{marker} {resource.type}  {resource.name}{flags}\n")
        # Components first, then by type and name: a stable tree, comparable between runs and commits.
        for child in sorted(children.get(resource.urn, []), key=lambda r: (r.custom, r.type, r.name)):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)


def render_counts(run: StackRun, out: TextIO) -> None:
    counts = Counter(r.type for r in run.resources if r.type != ROOT_TYPE)
    width = max((len(t) for t in counts), default=10)
    for resource_type, count in sorted(counts.items()):
        out.write(f"  {resource_type:<{width}}  {count:>4}\n")
    custom = sum(1 for r in run.resources if r.custom)
    out.write(f"  {'total':<{width}}  {sum(counts.values()):>4}  ({custom} AWS resources)\n")


def write_resources_json(run: StackRun, path: Path) -> None:
    document = {
        "stack": run.stack,
        "project": run.project,
        "preview": run.preview,
        "outputs": run.outputs,
        "resources": [{k: v for k, v in asdict(r).items() if k != "registered_at"} for r in run.resources],
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=True, default=str))


class PolicyCheck:
    """The policy pack's check, run beside the program as `pulumi preview` runs it: the pack starts before the
    program does (its start-up overlaps the program's instead of following it), judges each resource as the
    engine registers it (Remediate + Analyze), and the whole stack once the program is done (AnalyzeStack).
    A pack that fails to start raises its error when the report is asked for.

    The judging thread waits on the pack twice per resource while the program's thread computes; after each
    wait it needs the GIL back, which a busy thread yields only every `sys.getswitchinterval()` (5 ms). Until
    the check finishes the interval is 0.2 ms, so the pack keeps pace with the program (on prod: the last
    verdict ~0.5 s after the last registration at 5 ms, ~0.35 s at 0.2 ms)."""

    SWITCH_INTERVAL = 0.0002

    def __init__(
        self, stack: str, preview: bool, policy_config: Path | None = None, config: dict[str, str] | None = None
    ) -> None:
        """`policy_config`: the `--policy-pack-config` file; default: the stack's (`stackfile.pack_config`).
        `config`: the stack config, which the pack receives as the engine passes it (PULUMI_CONFIG)."""
        from .policy_harness import PolicyHarness

        self.harness: PolicyHarness = PolicyHarness()
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(self.SWITCH_INTERVAL)
        self._queue: queue.Queue[RecordedResource | None] = queue.Queue()
        self._analysis: Analysis | None = None
        self._error: BaseException | None = None
        policy_config = policy_config if policy_config is not None else pack_config(stack)
        self._thread = threading.Thread(target=self._judge, args=(stack, preview, policy_config, config), daemon=True)
        self._thread.start()

    def _judge(self, stack: str, preview: bool, policy_config: Path | None, config: dict[str, str] | None) -> None:
        try:
            # The stack config reaches the pack as PULUMI_CONFIG, as the engine passes it (platform:budget...).
            analysis = self.harness.begin(
                stack=stack, project=project_name(), preview=preview, policy_config=policy_config, stack_config=config
            )
            while (resource := self._queue.get()) is not None:
                analysis.add(resource)
            self._analysis = analysis
        except BaseException as error:  # the report raises it
            self._error = error

    def add(self, resource: RecordedResource) -> None:
        """`run_stack`'s `on_register`: queue a registered resource for the pack."""
        self._queue.put(resource)

    def finish(self) -> PolicyReport:
        self._queue.put(None)
        self._thread.join()
        sys.setswitchinterval(self._switch_interval)
        if self._error is not None:
            raise self._error
        assert self._analysis is not None
        return self._analysis.finish()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        sys.setswitchinterval(self._switch_interval)
        self.harness.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stack is None:
        args.stack = stack_from_config_file(args.config_file) if args.config_file is not None else "dev"
    source = args.config_file if args.config_file is not None else stack_file_path(args.stack)
    if not source.is_file():
        shown = args.config_file or source.name
        print(
            f"{shown}: no such stack config file (stack files here: {', '.join(STACKS)}; or give --config-file PATH)",
            file=sys.stderr,
        )
        return 2
    args.pack_config = pack_config(args.stack, args.config_file)
    check = (
        None
        if args.no_policies
        else PolicyCheck(
            args.stack, args.unknowns, args.pack_config, stack_config(args.stack, config_file=args.config_file)
        )
    )
    try:
        return _preview(args, check)
    finally:
        if check is not None:
            check.close()


def _preview(args: argparse.Namespace, check: PolicyCheck | None) -> int:
    out = sys.stdout
    file = args.config_file
    flat = stack_config(args.stack) if file is None else stack_config(args.stack, config_file=file)
    label = str(args.config_file) if args.config_file is not None else None
    try:
        config = load_stack_config(args.stack, flat, stack_file=label, project=project_name())
        run = run_stack(
            args.stack,
            config=flat,
            preview=args.unknowns,
            config_file=args.config_file,
            on_register=check.add if check is not None else None,
        )
    except StackConfigError as error:
        print(str(error), file=sys.stderr)
        return 2
    mode = "first preview (computed values unknown)" if run.preview else "update (computed values mocked)"
    out.write(f"Stack {run.project}/{run.stack} — {config.environment}, {flat.get('aws:region')}, {mode}\n")
    source = args.config_file or stack_file_path(args.stack).name
    pack = args.pack_config or "(none: the pack's defaults)"
    if isinstance(pack, Path) and pack.is_relative_to(Path.cwd()):
        pack = pack.relative_to(Path.cwd())
    out.write(f"Config {source}; physical names {config.name}-{run.stack}-*; policy config {pack}\n\n")
    if not args.quiet:
        out.write("Resources:\n")
        render_tree(run, out)
        out.write("\nEffective config (presets applied):\n")
        out.write(
            yaml.safe_dump(
                {f"platform:{k}": v for k, v in effective_config(config).items()}, sort_keys=False, width=110
            )
        )
    out.write("\nCounts by type:\n")
    render_counts(run, out)
    from .cost import preview_section  # the estimated monthly cost (python3 run.py cost for every line)

    out.write(preview_section(run, flat, (args.config_file or stack_file_path(args.stack)).resolve().parent))
    if args.json:
        write_resources_json(run, args.json)
        out.write(f"\nWrote {len(run.resources)} resources to {args.json}\n")
    if check is None:
        return 0
    from .policy_harness import write_report

    return write_report(check.finish(), out=out, report_json=args.report_json)


def exit_now(code: int) -> NoReturn:
    """Flush the output and end the process with `code`, skipping the interpreter's teardown: for a one-shot
    command that has written its files and stopped the pack (`main` closes it), tearing down the ~million
    objects the run left (the pulumi_aws classes above all: ~0.07 s of CPU on prod, a tenth of a second and
    more of wall time on a loaded machine, plus the last full collection if the collector were on) frees
    nothing anyone sees. The atexit handlers still run first (the SDK registers one to flush its spans when
    traced, TRACEPARENT set)."""
    atexit._run_exitfuncs()  # pyright: ignore[reportPrivateUsage]
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    # A one-shot command: no cyclic collection at all. The engine pauses the collector during a run anyway
    # and would switch it back on after, when the first collection scans everything the run allocated
    # (~0.25 s on prod, seconds on large stacks) to free a few MB the exit frees too. And exit without the
    # interpreter's teardown (`exit_now`).
    gc.disable()
    exit_now(main())
