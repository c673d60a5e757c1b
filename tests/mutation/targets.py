"""What the mutation check mutates, and which tests run against each module's mutants.

Three packages: the pack (`policies/guardrails/`), config validation (`components/config/`) and the grant/IAM
code (`components/grants.py`, `components/iam.py`, each store's `grant` method). A mutant runs first against
its module's targeted tests (fast: the policy unit tests of its concern, the config model tests), then, if it
survives, against its package's wider set; only a mutant surviving both is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .operators import Scope, everything

PACK_UNIT_TESTS = (
    "tests/policies/test_containers.py",
    "tests/policies/test_data_protection.py",
    "tests/policies/test_encryption.py",
    "tests/policies/test_iam.py",
    "tests/policies/test_load_balancing.py",
    "tests/policies/test_network.py",
    "tests/policies/test_observability.py",
    "tests/policies/test_protection.py",
    "tests/policies/test_tagging.py",
    "tests/policies/test_policy_documents.py",
    "tests/policies/test_security_edge_cases.py",
    "tests/policies/test_access_logging.py",
    "tests/policies/test_account.py",
    "tests/policies/test_api_gateway.py",
    "tests/policies/test_backup.py",
    "tests/policies/test_caches.py",
    "tests/policies/test_cloudfront.py",
    "tests/policies/test_delivery.py",
    "tests/policies/test_ecr.py",
    "tests/policies/test_functions.py",
    "tests/policies/test_opensearch_serverless.py",
    "tests/policies/test_rds.py",
    "tests/policies/test_waf.py",
    "tests/policies/test_settings.py",
)
"""The policy unit tests: in-process, no pack process, no stack run (test_serving runs every stack; the
robustness sweep takes ~10 s: neither is worth running per mutant)."""

EDGES = "tests/policies/test_security_edge_cases.py"
FUNCTIONS = "tests/policies/test_functions.py"
BUDGET_UNIT_TESTS = tuple(
    f"tests/cost/test_budget.py::{name}"
    for name in (
        "test_the_budget_policy_is_advisory_by_its_own_level",
        "test_a_stack_without_a_budget_is_not_judged",
        "test_an_estimate_within_the_budget_passes",
        "test_an_estimate_over_the_budget_is_reported_with_the_excess_and_what_drives_it",
        "test_warn_at_percent_reports_before_the_budget_is_reached",
        "test_the_usage_file_beside_the_stack_file_is_used",
        "test_a_budget_that_is_not_a_positive_number_is_reported",
        "test_a_budget_of_zero_or_less_is_reported",
        "test_a_budget_under_a_dollar_is_still_a_budget",
        "test_an_estimate_exactly_at_the_budget_passes",
        "test_an_estimate_cents_over_the_budget_says_how_much_over",
        "test_a_warning_at_exactly_the_budget_says_the_share_not_an_excess",
        "test_the_report_names_the_three_largest_resources",
        "test_the_estimate_is_priced_in_the_stacks_region_else_the_default",
        "test_a_bad_usage_file_is_reported",
        "test_a_resource_the_table_cannot_price_is_reported_even_under_budget",
        "test_an_unknown_price_driver_defers_the_verdict_to_up",
        "test_a_known_total_already_over_budget_is_reported_at_preview",
    )
)
"""The budget policy's own tests, without those that run whole stacks (the pack process, every stack)."""
ESTIMATE_UNIT_TESTS = tuple(
    f"tests/cost/test_estimate.py::{name}"
    for name in (
        "test_a_small_stack_costs_what_the_hand_computation_says",
        "test_a_created_type_missing_from_the_table_is_reported_not_zero",
        "test_a_region_without_prices_reports_every_priced_resource",
        "test_a_price_driver_unknown_at_preview_leaves_the_resource_unpriced_not_free",
        "test_the_usage_file_overrides_exactly_the_lines_it_names",
        "test_without_a_usage_file_the_defaults_apply",
        "test_a_bad_usage_file_is_refused_naming_the_key",
        "test_a_property_shape_no_pricer_foresaw_is_reported_not_zero",
    )
)
"""The estimator's unit tests (hand-computed small stacks), without the real-stack ones."""
COST_UNIT_TESTS = ("tests/cost/test_pricers.py", "tests/cost/test_estimator_units.py")
"""Each pricer, and what is free, at unit level (one resource each, hand-computed): first, the fastest kill."""
CONFIG_BOUNDS = "tests/config/test_config_boundaries.py"
FIELD_BOUNDS = "tests/config/test_field_bounds.py"
COMPUTE_FIELDS = "tests/config/test_compute_fields.py"
COMPUTE_CROSS_CHECKS = "tests/config/test_compute_cross_checks.py"
"""compute.py's own rules key by key and across keys, both ways (fast: no stack run): first, so `-x` stops early."""
CONFIG_TESTS = (
    CONFIG_BOUNDS,
    "tests/config/test_config_errors.py",
    "tests/config/test_compute_config.py",
    "tests/config/test_data_config.py",
    "tests/config/test_observability_config.py",
    "tests/config/test_config_rules.py",
)
GRANT_TESTS = (
    "tests/components/test_iam.py",
    "tests/components/test_grants.py",  # the fast one first (-x)
)


def _grant_methods(function: str) -> bool:
    """A store's grant code: `Bucket.grant`, `Service._grant_statements` (and what they nest)."""
    return any("grant" in part for part in function.split(".")[1:2])


def _registry(function: str) -> bool:
    """The registry's grant side: the store a grant resolves to, and the statements a stack secret needs."""
    return function in ("Registry.grantable", "Registry.get", "Registry.secret", "Registry._split", "Registry.__init__")


@dataclass(frozen=True)
class Module:
    path: str
    package: str
    tests: tuple[str, ...]
    """Targeted tests, run first."""
    scope: Scope = everything


@dataclass(frozen=True)
class Package:
    name: str
    wider: tuple[str, ...]
    """Run against a mutant that survives its module's targeted tests."""
    modules: list[Module] = field(default_factory=list)


COSTING = ("estimate", "model", "pricers", "prices", "usage")
"""The cost estimator the budget policy runs (`policies/guardrails/costing/`)."""


def _pack(name: str, *tests: str) -> Module:
    return Module(f"policies/guardrails/{name}.py", "pack", tests or PACK_UNIT_TESTS)


def _config(name: str, *tests: str) -> Module:
    return Module(f"components/config/{name}.py", "config", tests or CONFIG_TESTS)


def _store(name: str, *tests: str) -> Module:
    return Module(f"components/{name}.py", "grants", (*GRANT_TESTS, *tests), scope=_grant_methods)


STORE_GRANT_UNITS = "tests/components/test_store_grants.py"
"""The bucket's, the cache's, the collection's and the RDS instance's grants at unit level (no stack run): first,
so `-x` kills most of their mutants in a second."""


GRANT_STATEMENT_UNITS = "tests/components/test_grant_statements.py"
"""`grant_statements` and a service's task-role statements over fake stores (no stack run)."""


def _unit_store(name: str, *tests: str) -> Module:
    return Module(f"components/{name}.py", "grants", (STORE_GRANT_UNITS, *GRANT_TESTS, *tests), scope=_grant_methods)


PACKAGES: list[Package] = [
    Package(
        "pack",
        PACK_UNIT_TESTS,
        [
            _pack("base", "tests/policies/test_base.py"),
            _pack(
                "policy_documents",
                "tests/policies/test_policy_documents.py",
                "tests/policies/test_iam.py",
                "tests/policies/test_data_protection.py",
                EDGES,
            ),
            _pack("iam_catalog", "tests/policies/test_iam_catalog.py", "tests/policies/test_iam.py"),
            _pack("iam", "tests/policies/test_iam.py", EDGES),
            _pack("containers", "tests/policies/test_containers.py", EDGES, "tests/policies/test_containers_edges.py"),
            _pack(
                "data_protection",
                "tests/policies/test_data_protection.py",
                "tests/policies/test_data_protection_deferrals.py",
                EDGES,
            ),
            _pack(
                "encryption", "tests/policies/test_encryption.py", "tests/policies/test_encryption_deferrals.py", EDGES
            ),
            _pack(
                "load_balancing",
                "tests/policies/test_load_balancing.py",
                "tests/policies/test_load_balancing_deferrals.py",
            ),
            _pack("network", "tests/policies/test_network.py", "tests/policies/test_network_deferrals.py", EDGES),
            _pack(
                "observability",
                "tests/policies/test_observability.py",
                "tests/policies/test_observability_deferrals.py",
                EDGES,
            ),
            _pack("protection", "tests/policies/test_protection.py", "tests/policies/test_protection_types.py"),
            _pack("serving", "tests/policies/test_serving_calls.py"),
            _pack("taggable", "tests/policies/test_tagging.py"),
            _pack("tagging", "tests/policies/test_tagging.py", "tests/policies/test_tagging_deferrals.py"),
            _pack(
                "access_logging", "tests/policies/test_access_logging.py", "tests/policies/test_access_logging_cases.py"
            ),
            _pack("account", "tests/policies/test_account.py"),
            _pack("api_gateway", "tests/policies/test_api_gateway.py"),
            _pack("arn_scope", "tests/policies/test_iam.py", EDGES),
            _pack("backup", "tests/policies/test_backup.py"),
            _pack("budget", *BUDGET_UNIT_TESTS),
            _pack("caches", "tests/policies/test_caches.py"),
            _pack("canaries", FUNCTIONS),
            _pack("cloudfront", "tests/policies/test_cloudfront.py"),
            _pack("delivery", "tests/policies/test_delivery.py", "tests/policies/test_delivery_edges.py"),
            _pack("ecr", "tests/policies/test_ecr.py"),
            _pack("functions", FUNCTIONS),
            _pack("opensearch_serverless", "tests/policies/test_opensearch_serverless.py"),
            _pack("rds", "tests/policies/test_rds.py"),
            _pack("rotation", FUNCTIONS),
            _pack("waf", "tests/policies/test_waf.py"),
            *(_pack(f"costing/{name}", *COST_UNIT_TESTS, *ESTIMATE_UNIT_TESTS, *BUDGET_UNIT_TESTS) for name in COSTING),
        ],
    ),
    Package(
        "config",
        CONFIG_TESTS,
        [
            _config("base", "tests/config/test_base_rules.py", *CONFIG_TESTS),
            _config(
                "compute",
                COMPUTE_FIELDS,
                COMPUTE_CROSS_CHECKS,
                FIELD_BOUNDS,
                "tests/config/test_compute_config.py",
                "tests/config/test_config_rules.py",
            ),
            _config(
                "data",
                "tests/config/test_data_rules.py",
                FIELD_BOUNDS,
                "tests/config/test_data_config.py",
                "tests/config/test_config_rules.py",
                "tests/config/test_cache_config.py",
                "tests/config/test_postgres_config.py",
                "tests/config/test_backup_config.py",
            ),
            _config(
                "network",
                "tests/config/test_network_rules.py",
                "tests/config/test_config_errors.py",
                "tests/config/test_config_rules.py",
            ),
            _config(
                "observability",
                "tests/config/test_observability_rules.py",
                "tests/config/test_alarm_threshold_bounds.py",
                "tests/config/test_observability_config.py",
                "tests/config/test_config_rules.py",
            ),
            _config("presets", "tests/config/test_presets_rules.py", *CONFIG_TESTS),
            _config(
                "problems",
                "tests/config/test_problems_rules.py",
                "tests/config/test_config_errors.py",
                "tests/config/test_config_rules.py",
            ),
            _config(
                "stack",
                "tests/config/test_stack_rules.py",
                "tests/config/test_config_errors.py",
                "tests/config/test_config_rules.py",
                "tests/config/test_dr_config.py",
            ),
            _config(
                "apis",
                "tests/config/test_apis_rules.py",
                "tests/config/test_apis_config.py",
                "tests/config/test_config_errors.py",
                "tests/config/test_waf_config.py",
            ),
            _config(
                "collections", CONFIG_BOUNDS, "tests/config/test_config_errors.py", "tests/config/test_config_rules.py"
            ),
            _config(
                "functions",
                "tests/config/test_functions_rules.py",
                FIELD_BOUNDS,
                "tests/config/test_functions_config.py",
                "tests/config/test_delivery_config.py",
                "tests/config/test_config_errors.py",
            ),
            _config("references", "tests/config/test_adoption_config.py", "tests/config/test_config_errors.py"),
            _config(
                "sites",
                "tests/config/test_sites_rules.py",
                CONFIG_BOUNDS,
                "tests/config/test_config_errors.py",
                "tests/config/test_config_rules.py",
            ),
            _config(
                "thresholds",
                "tests/config/test_thresholds_rules.py",
                "tests/config/test_waf_config.py",
                "tests/config/test_threshold_rules.py",
                "tests/config/test_observability_config.py",
                "tests/config/test_adoption_config.py",
                "tests/config/test_config_rules.py",
            ),
            _config(
                "workloads",
                "tests/config/test_workloads_rules.py",
                FIELD_BOUNDS,
                "tests/config/test_workload_config.py",
                "tests/config/test_config_errors.py",
            ),
        ],
    ),
    Package(
        "grants",
        GRANT_TESTS,
        [
            Module("components/grants.py", "grants", (GRANT_STATEMENT_UNITS, *GRANT_TESTS)),
            Module("components/iam.py", "grants", GRANT_TESTS),
            _unit_store("bucket", "tests/components/test_bucket.py"),
            _store("database", "tests/components/test_database.py"),
            _store("events", "tests/components/test_events.py"),
            _store("queue", "tests/components/test_queue.py"),
            _store("secrets", "tests/components/test_secrets.py"),
            _store("table", "tests/components/test_table.py"),
            Module(
                "components/service.py",
                "grants",
                (GRANT_STATEMENT_UNITS, *GRANT_TESTS, "tests/components/test_service.py"),
                scope=_grant_methods,
            ),
            _unit_store("cache", "tests/components/test_cache.py"),
            _unit_store("collection", "tests/components/test_collection.py"),
            _unit_store("rds_instance", "tests/components/test_rds_instance.py"),
            Module("components/registry.py", "grants", ("tests/components/test_registry.py", *GRANT_TESTS), _registry),
        ],
    ),
]

ModuleFilter = Callable[[Module], bool]
