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
    "components/config/data.py::_DatabaseSettings._pi_retention::number::0 -> 1": "the branch also needs `value % 31 "
    "== 0`: the positive multiples of 31 start at 31, so `value > 1` admits exactly what `value > 0` admits",
    "components/config/data.py::_DatabaseSettings._pi_retention::number::713 -> 714": "the branch also needs `value % "
    "31 == 0`: 714 is not a multiple of 31 (713 = 23 x 31 is), so `value <= 714` admits exactly what `value <= 713` "
    "admits",
    "components/config/observability.py::<module>::number::9531392 -> 9531393": "BYTES_PER_CONNECTION only divides "
    "the memory of the classes the platform knows (1, 2, 4, 8, 16, 32 GiB, and 48 GiB up, capped at 5000): one byte "
    "more moves each quotient by under 0.0002 and none of them (104.92, 209.83, 419.67, 839.33, 1678.66, 3357.33) "
    "lies that close to an integer, so `int()` gives the same max_connections for every class",
    "components/config/observability.py::<module>::number::9531392 -> 9531391": "as for 9531393: one byte less moves "
    "each quotient of a known class's memory by under 0.0002, none is that close to an integer, so `int()` is "
    "unchanged for every class",
    "components/config/observability.py::instance_memory_gib::string::'postgres' -> ''": "the condition also needs "
    "`database.serverless`, which PostgresConfig (the only model with engine postgres) defines as always False: "
    "`engine != ''` then decides exactly as `engine != 'postgres'` (Aurora's engine, aurora-postgresql, passes both)",
    "components/config/observability.py::default_max_connections::comparison::acu >= points[-1][0] -> acu > "
    "points[-1][0]": "the interpolation is continuous at every row: at exactly 32 ACU the last segment (16 -> 32) gives "
    "3360 + 1640 x 16 / 16 = 5000.0, the value the clamp gives (whole numbers, exact in floating point)",
    "components/config/observability.py::default_max_connections::comparison::acu <= points[0][0] -> acu < "
    "points[0][0]": "continuous at the first row: at exactly 1 ACU the first segment (1 -> 4) gives 189 + 634 x 0 = "
    "189.0, what the proportional branch gives (189 x 1 / 1)",
    "components/config/observability.py::default_max_connections::comparison::a[0] <= acu <= b[0] -> a[0] < acu <= "
    "b[0]": "at a row's ACU the segment ending there gives that row's value exactly (low_value + (high_value - "
    "low_value) x 1), as the segment starting there would; between rows the same segment is chosen",
    "components/config/observability.py::default_max_connections::comparison::a[0] <= acu <= b[0] -> a[0] <= acu < "
    "b[0]": "at a row's ACU the segment starting there gives that row's value exactly (low_value + 0), as the segment "
    "ending there would; the ends (1 and 32 ACU) never reach this line",
    "components/config/observability.py::default_max_connections::string::'postgres' -> ''": "as in "
    "instance_memory_gib: the condition also needs `database.serverless`, always False for PostgresConfig, so "
    "`engine != ''` decides exactly as `engine != 'postgres'`",
    "components/config/problems.py::_untagged::number::2 -> 1": "differs only for an error located at ('database',) "
    "alone, which pydantic never reports: the section's discriminator is a function that always returns one of its "
    "two tags, so every error under database carries the tag as the location's second part (and None is a valid "
    "database)",
    "components/config/problems.py::problems_from_validation_error::constant::False -> True": "`include_url` only "
    "adds a `url` entry to each error dict; the function reads `loc`, `type`, `msg` and `input`, never `url`",
    "components/config/problems.py::allowed_keys::remove-statement::if current is None: ... -> pass": "an early "
    "exit only: `_child_model(None, part)` finds no model, origin or arguments in None and returns None again, and "
    "the final step finds no model in None either: the same empty list",
    "components/config/problems.py::_child_model::remove-statement::continue -> pass": "after a model without the "
    "field, the rest of the loop body looks at `get_origin`/`get_args` of the model class, which are None and (): "
    "no branch matches and nothing is added, exactly what `continue` does",
    "components/config/stack.py::<module>::string::'Pulumi.yaml' -> ''": "with '' the project file path is the "
    "project directory, which cannot be read, so the default product name falls back to `platform`; the project "
    "file (Pulumi.yaml) names the project `platform` too: the same default (tests/config/test_stack_rules.py proves "
    "the file is read by pointing PROJECT_FILE at another one)",
}
