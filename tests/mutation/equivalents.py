"""Equivalent mutants: changes no test can detect because the behaviour does not change. Left out of the score.

Key (as the check prints it for a survivor): `path::function::operator::before -> after` (+ ` #n` for the n-th
identical change in one function). Each entry says why the mutant behaves exactly like the original.
"""

from __future__ import annotations

EQUIVALENT: dict[str, str] = {
}
