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
    # -- the pack: encryption, network, data protection ----------------------------------------------------------
    "policies/guardrails/encryption.py::check_bucket_encryption::remove-statement::continue -> pass": "the "
    "`continue` after 'no default-encryption configuration' skips a loop over `configs`, which is empty there: "
    "what runs instead (`permitted`, from side-effect-free lookups) judges nothing, so the verdicts are the same",
    "policies/guardrails/network.py::<module>::constant::True -> False": "`frozen=True` of `Ingress`: each record "
    "is built inside one check and only read there (never assigned to, hashed or kept), so a mutable one gives the "
    "same verdicts",
    "policies/guardrails/network.py::_check_attachments::remove-statement::continue -> pass": "the `continue` after "
    "'attached to no internet-facing load balancer' skips a loop over `users`, which is empty there: the same "
    "verdicts",
    "policies/guardrails/network.py::check_flow_logs::remove-statement::continue -> pass": "the `continue` after "
    "'has no flow log' skips a loop over `logs`, which is empty there: the same verdicts",
    "policies/guardrails/network.py::check_flow_logs::remove-statement::continue -> pass #3": "after deferring an "
    "unknown `retentionInDays` the next lines read `as_int(<Unknown>)`, which is None, and `if days and ...` reports "
    "nothing: the same verdicts",
    "policies/guardrails/data_protection.py::check_public_access_block::remove-statement::continue -> pass": "the "
    "`continue` after 'has no public access block' skips the verdicts of `blocks`, which is empty there: "
    "`any(...)` of no verdicts is False and the loop over them reports nothing, so the verdicts are the same",
    "policies/guardrails/load_balancing.py::_redirects_to_https::remove-statement::if isinstance(action, Unknown): "
    "... -> pass": "without it an unknown action goes to `dig(action, 'type')`, which returns that Unknown, and the "
    "next check returns `Unknown('string')`: an Unknown either way, so the listener defers the same",
    "policies/guardrails/tagging.py::check_required_tags::remove-statement::if shape is None: ... -> pass": "the "
    "policy's `types` is `taggable_types()`, the same data `tag_shape` reads, and the shared `validate` returns "
    "before the check for any other type: the check never meets a type whose shape is None",
    "policies/guardrails/observability.py::AlarmIndex.__init__::remove-statement::continue -> pass": "the "
    "`continue` after recording an alarm whose dimensions are unknown as a whole: without it the next line, "
    "`if not isinstance(dimensions, dict): continue`, skips the same Unknown, so the index is the same",
    "policies/guardrails/base.py::Deferred.__init__::remove-statement::"
    "super().__init__(UNKNOWN_STRING, []) -> pass": "the SDK reports a Deferred through its `message` only (pulumi_policy/policy.py: `during preview: {e.message}`), "
    "which Deferred sets itself; the sentinel and property path the base initialiser sets are read by nothing",
    "policies/guardrails/base.py::Resource::constant::False -> True": "the default of `Resource.protect`: the one "
    "place that builds a Resource (`resource_policy.validate`) always passes `protect=` explicitly",
    "policies/guardrails/base.py::_schema::remove-statement::if not settings: ... -> pass": "a policy without "
    "settings then gets `PolicyConfigSchema(properties={})` instead of None, and the SDK publishes neither (it copies "
    "only non-empty `properties`/`required` into GetAnalyzerInfo): the engine sees the same schema",
    "components/config/compute.py::_tenths::comparison::abs(round(value * 10) - value * 10) > 1e-06 -> "
    "abs(round(value * 10) - value * 10) >= 1e-06": "the two differ only where the distance is exactly the double "
    "1e-06, which no admitted value reaches: both callers' fields are bounded below (canary percent >= 0.1, linear "
    "stepPercent >= 3, checked before this validator), so value * 10 >= 1.0, a multiple of 2**-52; round() of it is "
    "an integer within 0.5, so the difference is exact (Sterbenz) and a multiple of 2**-52 too, while 1e-06's lowest "
    "set bit is 2**-72",
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
