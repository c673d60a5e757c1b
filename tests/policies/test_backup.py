"""prod-backup-coverage: production databases, tables and file systems are selected by an AWS Backup plan."""

from __future__ import annotations

from collections.abc import Callable

from policies.guardrails.backup import HINT, PROD_BACKUP_COVERAGE

from .helpers import STANDARD_TAGS, UNKNOWN, R, check_stack

CLUSTER = "aws:rds/cluster:Cluster"
TABLE = "aws:dynamodb/table:Table"
PROD_TAGS = {**STANDARD_TAGS, "Environment": "prod"}
CLUSTER_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:platform-prod-db"


def _stores() -> tuple[R, R]:
    return (
        R(CLUSTER, "db", {"arn": CLUSTER_ARN, "tags": PROD_TAGS}),
        R(
            TABLE,
            "sessions",
            {"arn": "arn:aws:dynamodb:us-east-1:123456789012:table/platform-prod-sessions", "tags": PROD_TAGS},
        ),
    )


def test_stores_selected_by_dependency_pass_even_with_unknown_arns(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    cluster, table = _stores()
    selection = R(
        "aws:backup/selection:Selection",
        "selection",
        {"resources": [UNKNOWN, UNKNOWN]},
        deps={"resources": [cluster, table]},
    )
    assert check_stack(PROD_BACKUP_COVERAGE, [cluster, table, selection]).passed


def test_a_production_store_no_plan_selects_is_refused(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    cluster, table = _stores()
    selection = R("aws:backup/selection:Selection", "selection", {"resources": [CLUSTER_ARN]})
    result = check_stack(PROD_BACKUP_COVERAGE, [cluster, table, selection])
    assert result.violations == [f"{TABLE} 'sessions' is production data that no AWS Backup plan selects. {HINT}"]
    assert result.urns == [table.urn]


def test_arn_wildcards_and_selection_tags_cover_too(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    cluster, table = _stores()
    wildcard = R(
        "aws:backup/selection:Selection",
        "all-tables",
        {"resources": ["arn:aws:dynamodb:us-east-1:123456789012:table/*"]},
    )
    tagged = R(
        "aws:backup/selection:Selection",
        "tagged",
        {"selectionTags": [{"type": "STRINGEQUALS", "key": "Environment", "value": "prod"}]},
    )
    assert check_stack(PROD_BACKUP_COVERAGE, [cluster, table, wildcard, tagged]).passed


def test_read_replicas_and_non_production_stores_need_no_plan(stack_name: Callable[[str], None]) -> None:
    replica = R("aws:rds/instance:Instance", "replica", {"replicateSourceDb": "platform-prod-db", "tags": PROD_TAGS})
    dev_table = R(TABLE, "sessions", {"tags": STANDARD_TAGS})
    assert check_stack(PROD_BACKUP_COVERAGE, [dev_table]).passed
    stack_name("prod")
    assert check_stack(PROD_BACKUP_COVERAGE, [replica]).passed


def test_an_unknown_selection_list_defers_to_up(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    cluster, _ = _stores()
    selection = R("aws:backup/selection:Selection", "selection", {"resources": UNKNOWN})
    result = check_stack(PROD_BACKUP_COVERAGE, [cluster, selection])
    assert result.violations == [] and result.deferred


SELECTION = "aws:backup/selection:Selection"


def test_selection_tags_must_all_match_with_string_equals(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    cluster, _ = _stores()

    def covered(*tags: dict[str, str]) -> bool:
        return check_stack(PROD_BACKUP_COVERAGE, [cluster, R(SELECTION, "s", {"selectionTags": list(tags)})]).passed

    prod = {"type": "STRINGEQUALS", "key": "Environment", "value": "prod"}
    assert covered({**prod, "type": "StringEquals"})
    assert not covered({**prod, "value": "dev"})
    assert not covered({**prod, "type": "STRINGLIKE"})
    assert not covered(prod, {"type": "STRINGEQUALS", "key": "Owner", "value": "someone-else"})
    assert not covered()
    untagged = R(CLUSTER, "db", {"arn": CLUSTER_ARN})
    assert not check_stack(PROD_BACKUP_COVERAGE, [untagged, R(SELECTION, "s", {"selectionTags": [prod]})]).passed


def test_unknown_arns_defer_but_an_unknown_among_known_arns_only_when_none_matches(
    stack_name: Callable[[str], None],
) -> None:
    stack_name("prod")
    cluster, _ = _stores()
    some_unknown = R(SELECTION, "s", {"resources": [UNKNOWN, "arn:aws:s3:::other"]})
    result = check_stack(PROD_BACKUP_COVERAGE, [cluster, some_unknown])
    assert result.violations == [] and "whether a backup selection covers" in result.deferred[0]
    matching = R(SELECTION, "s", {"resources": [UNKNOWN, CLUSTER_ARN]})
    result = check_stack(PROD_BACKUP_COVERAGE, [cluster, matching])
    assert result.passed
    new_store = R(CLUSTER, "db", {"arn": UNKNOWN, "tags": PROD_TAGS})
    result = check_stack(PROD_BACKUP_COVERAGE, [new_store, R(SELECTION, "s", {"resources": ["arn:aws:s3:::x"]})])
    assert result.violations == [] and result.deferred


def test_production_by_tag_and_the_covered_types_setting() -> None:
    table = R(TABLE, "sessions", {"arn": "arn:t", "tags": {**STANDARD_TAGS, "Environment": "Production"}})
    assert not check_stack(PROD_BACKUP_COVERAGE, [table]).passed
    assert check_stack(PROD_BACKUP_COVERAGE, [table], config={"coveredTypes": [CLUSTER]}).passed
    unknown = R(TABLE, "sessions", {"arn": "arn:t", "tags": {"Environment": UNKNOWN}})
    result = check_stack(PROD_BACKUP_COVERAGE, [unknown])
    assert result.violations == [] and "the Environment tag of" in result.deferred[0]


def test_every_default_stateful_type_needs_a_plan_in_production(stack_name: Callable[[str], None]) -> None:
    stack_name("prod")
    for kind in (CLUSTER, "aws:rds/instance:Instance", TABLE, "aws:efs/fileSystem:FileSystem"):
        store = R(kind, "store", {"arn": "arn:x", "tags": PROD_TAGS})
        assert check_stack(PROD_BACKUP_COVERAGE, [store]).violations == [
            f"{kind} 'store' is production data that no AWS Backup plan selects. {HINT}"
        ], kind
