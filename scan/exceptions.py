"""The exceptions file: each entry names one checkov check, the resources it is accepted on and why.

    exceptions:
      - check: CKV_AWS_145
        resources: ["*/aws_s3_bucket.load-balancer-logs-bucket"]
        reason: Elastic Load Balancing writes access logs only to SSE-S3 buckets.

A resource is `<stack>/<terraform address>` (`prod/aws_lb.load-balancer-alb`); a pattern may use `*` and `?`
(fnmatch). `judge` splits the scan's findings into excused and unexcused, and reports every stale pattern (one
that excuses no finding): an exception that no longer matches must go, or it would silently excuse the next
real finding on that resource.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


class ExceptionsFileError(ValueError):
    """The exceptions file is malformed: one line per problem, naming the entry."""


@dataclass(frozen=True)
class Finding:
    """One failed checkov check on one resource of one stack."""

    stack: str
    check: str
    address: str
    name: str = ""

    @property
    def resource(self) -> str:
        return f"{self.stack}/{self.address}"

    def render(self) -> str:
        return f"{self.check} {self.resource}: {self.name}"


@dataclass(frozen=True)
class Accepted:
    """One entry of the exceptions file."""

    check: str
    resources: tuple[str, ...]
    reason: str
    index: int = 0


@dataclass
class Verdict:
    unexcused: list[Finding] = field(default_factory=list)
    excused: list[tuple[Finding, Accepted]] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    """`exceptions[<i>] <check> <pattern>: matches no finding` lines."""

    @property
    def ok(self) -> bool:
        return not self.unexcused and not self.stale


def load(path: Path) -> list[Accepted]:
    """Read and validate the file; raise `ExceptionsFileError` listing every malformed entry."""
    document: Any = yaml.safe_load(path.read_text()) if path.exists() else None
    entries = document.get("exceptions") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ExceptionsFileError(f"{path}: expected a mapping with an `exceptions:` list")
    problems: list[str] = []
    loaded: list[Accepted] = []
    for index, entry in enumerate(entries):
        where = f"{path.name}: exceptions[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with check, resources and reason")
            continue
        unknown = sorted(set(entry) - {"check", "resources", "reason"})
        if unknown:
            problems.append(f"{where}: unknown keys {', '.join(unknown)}")
        check, resources, reason = entry.get("check"), entry.get("resources"), entry.get("reason")
        if not isinstance(check, str) or not CHECK_ID.match(check):
            problems.append(f"{where}.check = {check!r}: a checkov check id such as CKV_AWS_145")
        if (
            not isinstance(resources, list)
            or not resources
            or not all(isinstance(r, str) and "/" in r for r in resources)
        ):
            problems.append(f"{where}.resources: a non-empty list of `<stack>/<terraform address>` patterns")
        if not isinstance(reason, str) or len(reason.strip()) < 20:
            problems.append(f"{where}.reason: say why this finding is an accepted trade-off (20 characters or more)")
        if isinstance(check, str) and isinstance(resources, list) and isinstance(reason, str):
            loaded.append(Accepted(check, tuple(str(r) for r in resources), reason.strip(), index))
    if problems:
        raise ExceptionsFileError("\n".join(problems))
    return loaded


def judge(
    findings: Iterable[Finding],
    exceptions: Sequence[Accepted],
    scanned: Sequence[str] | None = None,
    known: Sequence[str] = (),
) -> Verdict:
    """Excuse each finding listed by an exception; report unlisted findings and stale patterns. `scanned`: the
    stack labels scanned (default: all) among the `known` ones: a pattern is judged stale only when every known
    stack it can match was scanned, so a partial scan does not call other stacks' exceptions stale."""
    verdict = Verdict()
    used: set[tuple[int, str]] = set()
    for finding in sorted(set(findings), key=lambda f: (f.check, f.stack, f.address)):
        match = None
        for entry in exceptions:
            if entry.check != finding.check:
                continue
            for pattern in entry.resources:
                if fnmatch.fnmatchcase(finding.resource, pattern):
                    used.add((entry.index, pattern))
                    match = entry
        if match is None:
            verdict.unexcused.append(finding)
        else:
            verdict.excused.append((finding, match))
    for entry in exceptions:
        for pattern in entry.resources:
            stack_part = pattern.split("/", 1)[0]
            if scanned is not None:
                reach = {label for label in (*known, *scanned) if fnmatch.fnmatchcase(label, stack_part)}
                if not reach or not reach <= set(scanned):
                    continue
            if (entry.index, pattern) not in used:
                verdict.stale.append(f"exceptions[{entry.index}] {entry.check} {pattern}: matches no finding")
    return verdict
