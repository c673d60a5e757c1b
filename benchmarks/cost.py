"""What the cost estimate adds: the offline preview's cost section (importing the estimator, reading the usage
file, pricing the recorded resources, rendering) timed in a fresh process that has already done what the
preview does before it (the program's run, loaded from a pickle); and `python -m offline.cost` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .program import ROOT, command_sample

_SECTION = """
import json, pickle, sys, time
import offline.preview  # what the preview has imported by the time it prints the section
from offline.engine import stack_config
run = pickle.loads(open(sys.argv[1], "rb").read())
config = stack_config(run.stack)
start = time.perf_counter()
from offline.cost import preview_section, estimate_run
text = preview_section(run, config)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "total": estimate_run(run, config).total, "lines": text.count(chr(10))}))
"""


def section_sample(saved_run: Path) -> tuple[float, float]:
    """(seconds the preview's cost section takes, the stack's estimated monthly total in USD)."""
    done = subprocess.run(
        [sys.executable, "-c", _SECTION, str(saved_run)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"cost section failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), float(result["total"])


def command_seconds(stack: str) -> float:
    """`python -m offline.cost --stack <stack> --quiet`, process start to exit."""
    sample = command_sample([sys.executable, "-m", "offline.cost", "--stack", stack, "--quiet"])
    if sample.returncode != 0 or "Stack total:" not in sample.output:
        raise RuntimeError(f"cost of {stack} failed ({sample.returncode}):\n{sample.output[-3000:]}")
    return sample.seconds


__all__ = ["command_seconds", "section_sample"]
