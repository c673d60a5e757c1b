"""`python -m scan [--stack LABEL ...] [--exceptions FILE] [--keep DIR]`: scan, judge, print, exit 0 or 1.

Exit 1 on any failed check the exceptions file does not list, on a stale exception (it excuses nothing any
more: delete it) and on a scan that could not judge everything; 2 on a malformed exceptions file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checkov_scan import ScanError, scan, targets
from .exceptions import ExceptionsFileError, judge, load

EXCEPTIONS = Path(__file__).resolve().parent / "exceptions.yaml"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scan", description=__doc__)
    parser.add_argument("--stack", action="append", help="a label (dev, staging, prod, account-shared); default all")
    parser.add_argument("--exceptions", type=Path, default=EXCEPTIONS)
    parser.add_argument("--keep", type=Path, help="write the Terraform plans here (default: a temporary directory)")
    args = parser.parse_args(argv)
    try:
        accepted = load(args.exceptions)
    except ExceptionsFileError as error:
        print(error, file=sys.stderr)
        return 2
    chosen = [t for t in targets() if not args.stack or t.label in args.stack]
    try:
        findings = scan(chosen, keep=args.keep)
    except ScanError as error:
        print(f"scan: {error}", file=sys.stderr)
        return 1
    verdict = judge(findings, accepted, [t.label for t in chosen], [t.label for t in targets()])
    labels = ", ".join(t.label for t in chosen)
    print(
        f"checkov over {labels}: {len(findings)} failed checks, {len(verdict.excused)} excused by "
        f"{args.exceptions.name}, {len(verdict.unexcused)} not, {len(verdict.stale)} stale exceptions"
    )
    for finding in verdict.unexcused:
        print(f"FAILED {finding.render()}")
    for line in verdict.stale:
        print(f"STALE {line}")
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
