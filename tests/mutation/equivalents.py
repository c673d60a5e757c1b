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
    "policies/guardrails/delivery.py::_missing_advanced::remove-statement::if isinstance(entries, Unknown): ... -> "
    "pass": "dead by construction: `check_release` calls `_missing_advanced` only after `_balanced` has read the same "
    "`as_list(resource.get('loadBalancers'))` and deferred when it is Unknown, so `entries` is never Unknown here",
    "policies/guardrails/delivery.py::check_test_listeners::remove-statement::if not named: ... -> pass": "with no "
    "named test rule, `all(...)` over the empty list is True and the loop over it judges nothing before its own "
    "`continue`: the early `continue` only skips building `rules` and `by_arn`, which nothing else reads",
    "policies/guardrails/delivery.py::check_test_listeners::remove-statement::continue -> pass #2": "the same "
    "early `continue` (after `if not named:`): falling through reaches the `all(...)` branch over an empty list, "
    "which judges nothing and continues",
    "policies/guardrails/containers.py::image_problem::remove-statement::if '@' in image: ... -> pass": "a digest "
    "is `algorithm:hex` after `@`, so the last path segment of a pinned reference always holds a `:` and the "
    "fall-through reads the tag as `<hex>` or `<tag>@sha256:<hex>`, never a forbidden tag word (`latest`): the "
    "reference passes either way",
    "policies/guardrails/containers.py::check_task_definition::remove-statement::continue -> pass": "the "
    "`continue` after deferring an Unknown container: an Unknown is not a dict, so the very next check "
    "(`if not isinstance(container, dict): continue`) skips it the same way",
}
