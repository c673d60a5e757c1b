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
