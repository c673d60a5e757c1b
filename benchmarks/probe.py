"""One sample of the program under the in-process engine, in a process of its own (so import cost counts).

    python -m benchmarks.probe --stack prod [--services N] [--save resources.pickle]

Runs the program for the stack (or the prod stack with N generated services) and prints one JSON line:
when the first and the last resource were registered (`time.time()`, comparable with the parent's clock),
how many resources, and the process's peak memory. The parent takes its own clock just before it starts
this process, so "start to last registered" includes interpreter start and every import.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import sys
import time
from pathlib import Path

from offline.engine import run_stack
from offline.stackfile import STACKS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    parser.add_argument("--stack", choices=STACKS, default="prod")
    parser.add_argument("--services", type=int, help="the prod stack with this many generated services")
    parser.add_argument("--save", type=Path, help="pickle the recorded resources here (for the pack benchmark)")
    args = parser.parse_args(argv)
    config = None
    if args.services:
        from .generate import scaled_config

        config = scaled_config(args.services)
    run = run_stack(args.stack, config=config)
    finished = time.time()
    registered = [r.registered_at for r in run.resources]
    result = {
        "stack": args.stack,
        "services": args.services,
        "resources": len(run.resources),
        "first_registered": min(registered),
        "last_registered": max(registered),
        "finished": finished,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    if args.save:
        args.save.write_bytes(pickle.dumps(run))
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
