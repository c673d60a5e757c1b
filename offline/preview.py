"""Offline preview: what `pulumi preview --policy-pack policies` would show, with no cloud and no CLI.

    python -m offline.preview --stack prod [--unknowns] [--json resources.json] [--report-json report.json]

Runs the real program for the stack under the in-process engine, prints the resource tree (components and
their children), counts by type, the effective config (presets applied) and the policy pack's report,
and exits non-zero on a mandatory violation (2 for bad config, 1 for a mandatory policy violation).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

import yaml

from components.config import StackConfigError, effective_config, load_stack_config

from .engine import ROOT_TYPE, RecordedResource, StackRun, run_stack, stack_config
from .stackfile import STACKS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    summary = (__doc__ or "").strip().splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m offline.preview", description=summary)
    parser.add_argument("--stack", choices=STACKS, default="dev", help="stack to preview (default: dev)")
    parser.add_argument("--unknowns", action="store_true",
                        help="leave computed ids/ARNs unknown, as on a stack's first `pulumi preview`")
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
    document = {"stack": run.stack, "project": run.project, "preview": run.preview, "outputs": run.outputs,
                "resources": [asdict(r) for r in run.resources]}
    path.write_text(json.dumps(document, indent=2, sort_keys=True, default=str))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = sys.stdout
    flat = stack_config(args.stack)
    try:
        config = load_stack_config(args.stack, flat)
        run = run_stack(args.stack, config=flat, preview=args.unknowns)
    except StackConfigError as error:
        print(str(error), file=sys.stderr)
        return 2
    mode = "first preview (computed values unknown)" if run.preview else "update (computed values mocked)"
    out.write(f"Stack {run.project}/{run.stack} — {config.environment}, {flat.get('aws:region')}, {mode}\n\n")
    if not args.quiet:
        out.write("Resources:\n")
        render_tree(run, out)
        out.write("\nEffective config (presets applied):\n")
        out.write(yaml.safe_dump({f"platform:{k}": v for k, v in effective_config(config).items()},
                                 sort_keys=False, width=110))
    out.write("\nCounts by type:\n")
    render_counts(run, out)
    if args.json:
        write_resources_json(run, args.json)
        out.write(f"\nWrote {len(run.resources)} resources to {args.json}\n")
    if args.no_policies:
        return 0
    return run_policy_report(run, args, out)


def run_policy_report(run: StackRun, args: argparse.Namespace, out: TextIO) -> int:
    """Drive the real policy pack over the Analyzer protocol with the recorded resources."""
    try:
        from . import policy_harness
    except ImportError:  # pragma: no cover - the pack's driver lands with the policy pack
        out.write("\nPolicy report: skipped (offline/policy_harness.py is not present)\n")
        return 0
    return policy_harness.print_report(run, out=out, report_json=args.report_json)


if __name__ == "__main__":
    sys.exit(main())
