"""Estimated monthly cost of a stack, in USD: per resource, per component and for the stack.

    python -m offline.cost --stack prod [--unknowns] [--json FILE] [--quiet]
    python -m offline.cost --config-file examples/Pulumi.arive.yaml     (as `pulumi preview --config-file`)
    python -m offline.cost diff --base DIR --head DIR [--stacks dev staging prod]

Runs the real program for the stack under the in-process engine and prices what it registered with the
pack's estimator (`policies/guardrails/costing`: the price table, the usage defaults and the stack's
`Pulumi.<stack>.usage.yaml`). The estimator reads only the recorded resources, never the components. `diff`
compares two directories of `--json` outputs (a pull request's base and head) as a Markdown table.
Exits 2 on bad config or a bad usage file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from policies.guardrails.costing import (
    Estimate,
    UsageFileError,
    estimate_stack,
    items_from_records,
    load_usage,
    render,
    to_json,
    usd,
)

from .engine import StackRun
from .stackfile import PROJECT_DIR, STACKS

DEFAULT_REGION = "us-east-1"


def estimate_run(run: StackRun, config: Mapping[str, str], project_dir: Path = PROJECT_DIR) -> Estimate:
    """The estimate of an in-process run, in the stack's region (`aws:region`), with the usage file beside its
    stack file (`project_dir`)."""
    region = config.get("aws:region") or DEFAULT_REGION
    usage = load_usage(run.stack, project_dir)
    return estimate_stack(
        items_from_records(run.resources), stack=f"{run.project}/{run.stack}", region=region, usage=usage
    )


def preview_section(run: StackRun, config: Mapping[str, str], project_dir: Path = PROJECT_DIR) -> str:
    """The offline preview's cost section: per component and the stack total (the full detail is
    `python3 run.py cost --stack <s>`). `project_dir`: where the stack file is, so its usage file is the one
    beside it (an example's `--config-file`), as `python3 run.py cost --config-file` reads it."""
    try:
        estimate = estimate_run(run, config, project_dir)
    except UsageFileError as error:
        return f"\nEstimated monthly cost: not computed: {error}\n"
    return (
        "\nEstimated monthly cost (python3 run.py cost --stack "
        + run.stack
        + " for every line):\n"
        + render(estimate, detail=False)
        + "\n"
    )


def _diff_rows(base: Mapping[str, float], head: Mapping[str, float]) -> list[tuple[str, float, float]]:
    keys = sorted(set(base) | set(head))
    return [(k, base.get(k, 0.0), head.get(k, 0.0)) for k in keys if round(base.get(k, 0.0) - head.get(k, 0.0), 2)]


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "-") + usd(abs(value))


def render_diff(base: Mapping[str, Mapping[str, Any] | None], head: Mapping[str, Mapping[str, Any] | None]) -> str:
    """Markdown: one row per stack (base, head, difference), then the resources whose estimate changed."""
    out = [
        "### Estimated monthly cost (USD), base branch vs this pull request",
        "",
        "| stack | base | pull request | difference |",
        "|---|---:|---:|---:|",
    ]
    details: list[str] = []
    for stack in sorted(set(base) | set(head), key=lambda s: (STACKS.index(s) if s in STACKS else 99, s)):
        old, new = base.get(stack), head.get(stack)
        old_total = float(old["total"]) if old else 0.0
        new_total = float(new["total"]) if new else 0.0
        cells = [usd(old_total) if old else "n/a", usd(new_total) if new else "n/a"]
        out.append(f"| {stack} | {cells[0]} | {cells[1]} | {_signed(new_total - old_total)} |")
        rows = _diff_rows(old["resources"], new["resources"]) if old and new else []  # n/a: the row says it all
        if rows:
            details.append(f"\n<details><summary>{stack}: {len(rows)} resource(s) changed</summary>\n")
            details.append("| resource | base | pull request | difference |\n|---|---:|---:|---:|")
            details.extend(f"| `{k}` | {usd(a)} | {usd(b)} | {_signed(b - a)} |" for k, a, b in rows)
            details.append("\n</details>")
        for entry in (new or {}).get("missing", []):
            details.append(f"\n- {stack}: **not priced** `{entry['type']}` {entry['name']}: {entry['reason']}")
    return "\n".join(out + details) + "\n"


def _load_dir(directory: Path, stacks: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    found: dict[str, dict[str, Any] | None] = {}
    for stack in stacks:
        path = directory / f"cost-{stack}.json"
        found[stack] = json.loads(path.read_text()) if path.exists() else None
    return found


def _stack_name(path: Path) -> str:
    """`Pulumi.<name>.yaml` -> name (the stack name the program and the usage file go by)."""
    parts = path.name.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "Pulumi" else path.stem


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    summary = (__doc__ or "").strip().splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m offline.cost", description=summary)
    sub = parser.add_subparsers(dest="command")
    diff = sub.add_parser("diff", help="compare two directories of --json outputs (cost-<stack>.json) as Markdown")
    diff.add_argument("--base", type=Path, required=True)
    diff.add_argument("--head", type=Path, required=True)
    diff.add_argument("--stacks", nargs="+", default=list(STACKS))
    parser.add_argument("--stack", choices=STACKS, default="dev", help="stack to estimate (default: dev)")
    parser.add_argument(
        "--config-file",
        type=Path,
        metavar="FILE",
        help="a stack file elsewhere (Pulumi.<name>.yaml); its usage file is read beside it",
    )
    parser.add_argument("--unknowns", action="store_true", help="as on a first preview (computed values unknown)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the estimate as JSON")
    parser.add_argument("--quiet", action="store_true", help="per component and the total only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "diff":
        sys.stdout.write(render_diff(_load_dir(args.base, args.stacks), _load_dir(args.head, args.stacks)))
        return 0
    from components.config import StackConfigError

    from .engine import run_stack, stack_config
    from .stackfile import project_name, to_engine_config

    stack, directory = args.stack, PROJECT_DIR
    if args.config_file is not None:
        stack, directory = _stack_name(args.config_file), args.config_file.resolve().parent
        flat = to_engine_config(
            dict((yaml.safe_load(args.config_file.read_text()) or {}).get("config") or {}), project_name()
        )
    else:
        flat = stack_config(stack)
    try:
        run = run_stack(stack, config=flat, preview=args.unknowns, config_file=args.config_file)
        estimate = estimate_run(run, flat, directory)
    except (StackConfigError, UsageFileError) as error:
        print(str(error), file=sys.stderr)
        return 2
    print(render(estimate, detail=not args.quiet))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(to_json(estimate), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
