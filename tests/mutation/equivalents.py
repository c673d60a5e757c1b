"""Equivalent mutants: changes no test can detect because the behaviour does not change. Left out of the score.

Key (as the check prints it for a survivor): `path::function::operator::before -> after` (+ ` #n` for the n-th
identical change in one function). Each entry says why the mutant behaves exactly like the original.
"""

from __future__ import annotations

EQUIVALENT: dict[str, str] = {
    "policies/guardrails/iam.py::judge_document::remove-statement::if isinstance(document, str): ... -> pass": "the string branch only memoises (`_judge_text`, an lru_cache over `_judge`); without it a string "
    "document goes straight to `_judge`, which parses strings too: same verdicts, only slower",
    "policies/guardrails/iam.py::_lambda_permission::string::'*' -> ''": "AWS's catalogue lookup of `*` (spaces around it or not) is itself a whole-service match with service '', "
    "so the `or match.whole_service` half flags it with the identical message",
    "policies/guardrails/policy_documents.py::parse::remove-statement::if isinstance(raw, Unknown): ... -> pass": "`as_list` returns an Unknown unchanged and the very next check returns it: the same Unknown either way",
    "policies/guardrails/policy_documents.py::parse::remove-statement::if isinstance(statements, Unknown): ... -> "
    "pass": "dead by construction while the check above it stands: `as_list` of a known value is never Unknown (the "
    "two checks are one guard written twice; removing the first is the other entry)",
    "policies/guardrails/policy_documents.py::condition_keys::remove-statement::if condition is None: ... -> pass": "without it None falls through to `keys = set()`, which no branch fills for a non-dict: the same empty set",
    "components/config/observability.py::_period::number::60 -> 59": "the period must also be a multiple of 60 "
    "(`value % 60 == 0`): 59 is not, so `59 <= value` admits exactly what `60 <= value` admits",
    "components/config/observability.py::_period::number::86400 -> 86401": "the period must also be a multiple of "
    "60: 86401 is not, so `value <= 86401` admits exactly what `value <= 86400` admits",
    "components/config/compute.py::_tenths::comparison::abs(round(value * 10) - value * 10) > 1e-06 -> "
    "abs(round(value * 10) - value * 10) >= 1e-06": "the two differ only where the distance is exactly the double "
    "1e-06, which no admitted value reaches: both callers' fields are bounded below (canary percent >= 0.1, linear "
    "stepPercent >= 3, checked before this validator), so value * 10 >= 1.0, a multiple of 2**-52; round() of it is "
    "an integer within 0.5, so the difference is exact (Sterbenz) and a multiple of 2**-52 too, while 1e-06's lowest "
    "set bit is 2**-72",
    "components/config/compute.py::<module>::constant::False -> True": "the default of `_check_kind`'s keyword "
    "`standby` (`def _check_kind(..., *, standby: bool = False)`): its only caller, `_check_service`, always "
    "passes `standby=is_standby(config)`, so the default is never used",
}
