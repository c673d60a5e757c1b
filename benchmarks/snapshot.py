"""What every stack and example registers, as one canonical JSON: the check that a speed-up changed nothing.

    python -m benchmarks.snapshot write FILE          every stack file and example config file, `up` and first
                                                      preview (`--unknowns`), under the in-process engine
    python -m benchmarks.snapshot compare BEFORE AFTER    the differences, one line each; exit 1 if any

Each run is recorded as the engine records it (`offline.engine.RecordedResource`: type, name, URN, parent,
inputs, outputs, dependencies, property dependencies, provider, id and the options), keyed by URN, with the
stack's outputs; `registered_at` (a clock reading) is left out, and what varies between two processes running
the same code is put in one order (`canonical`). Write one before a change and
one after it, then compare: 0 differences means the program registers exactly what it did.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from offline.engine import RecordedResource, run_stack
from offline.stackfile import PROJECT_DIR, STACKS, stack_from_config_file


def targets(project_dir: Path = PROJECT_DIR) -> list[tuple[str, Path | None]]:
    """The project's stacks (their `Pulumi.<stack>.yaml`), then every example config file."""
    found: list[tuple[str, Path | None]] = [(stack, None) for stack in STACKS]
    for path in sorted((project_dir / "examples").glob("*/Pulumi.*.yaml")):
        if not path.name.endswith(".usage.yaml"):
            found.append((stack_from_config_file(path), path))
    return found


def canonical(resource: RecordedResource) -> dict[str, Any]:
    """The record without its clock reading, its dependency lists sorted: the SDK gathers dependencies in sets,
    so their order (like the order of registration, by URN here) changes from one process to the next."""
    record = {k: v for k, v in asdict(resource).items() if k != "registered_at"}
    record["dependencies"] = sorted(record["dependencies"])
    record["property_dependencies"] = {k: sorted(v) for k, v in record["property_dependencies"].items()}
    return record


def snapshot(project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """`{"<stack or config file>:<up|preview>": {"outputs": ..., "resources": [...]}}` for every target."""
    document: dict[str, Any] = {}
    for stack, config_file in targets(project_dir):
        label = str(config_file.relative_to(project_dir)) if config_file is not None else stack
        for preview in (False, True):
            run = run_stack(stack, preview=preview, config_file=config_file)
            key = f"{label}:{'preview' if preview else 'up'}"
            document[key] = {"outputs": run.outputs, "resources": {r.urn: canonical(r) for r in run.resources}}
            print(f"{key}: {len(run.resources)} resources", file=sys.stderr)
    return json.loads(json.dumps(document, sort_keys=True, default=repr))


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Every place the two documents differ, as `path: before -> after` (dict keys and list indexes)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[str] = []
        for key in sorted(set(before) | set(after)):
            where = f"{path}/{key}"
            if key not in before or key not in after:
                found.append(
                    f"{where}: {'missing' if key not in before else 'present'} -> "
                    f"{'missing' if key not in after else 'present'}"
                )
            else:
                found += differences(before[key], after[key], where)
        return found
    if isinstance(before, list) and isinstance(after, list):
        found = [f"{path}: {len(before)} items -> {len(after)}"] if len(before) != len(after) else []
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            found += differences(old, new, f"{path}[{index}]")
        return found
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.snapshot", description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("write").add_argument("file", type=Path)
    compare = commands.add_parser("compare")
    compare.add_argument("before", type=Path)
    compare.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "write":
        document = snapshot()
        args.file.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
        total = sum(len(run["resources"]) for run in document.values())
        print(f"{len(document)} runs, {total} resources written to {args.file}")
        return 0
    found = differences(json.loads(args.before.read_text()), json.loads(args.after.read_text()))
    for line in found:
        print(line)
    print(f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
