"""prod-backup-coverage.

In production every stateful store of the `coveredTypes` setting (default: RDS clusters, RDS instances that are
not read replicas, DynamoDB tables, EFS file systems) is selected by an AWS Backup selection
(`aws:backup/selection:Selection`) of a plan in the stack. Automated RDS backups and DynamoDB PITR live and die
with the resource and its account-region; a backup plan keeps recovery points in a vault (and, with a copy action,
in another region), on its own retention.

A store is covered when a selection lists it in `resources`: by property dependency (the selection's `resources`
depend on the store, so this works while ARNs are unknown), by its ARN, or by a `*` wildcard ARN pattern that
matches it; or when a selection's `selectionTags` (STRINGEQUALS) all match the store's tags. ElastiCache is not an
AWS Backup resource type and is not judged here (caches keep their own snapshots). Outside production nothing is
required.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from pulumi_policy import Severity

from .base import PRODUCTION_SETTING, Context, Stack, StackResource, Unknown, as_list, stack_policy, string_list

SELECTION = "aws:backup/selection:Selection"
COVERED_DEFAULT = [
    "aws:rds/cluster:Cluster",
    "aws:rds/instance:Instance",
    "aws:dynamodb/table:Table",
    "aws:efs/fileSystem:FileSystem",
]
COVERABLE = [
    *COVERED_DEFAULT,
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:fsx/lustreFileSystem:LustreFileSystem",
    "aws:docdb/cluster:Cluster",
    "aws:neptune/cluster:Cluster",
    "aws:redshift/cluster:Cluster",
]

HINT = (
    "Declare platform:backup in the stack (components/backup.py: a daily plan selecting the database, tables "
    "and buckets), or add the resource's ARN to an aws.backup.Selection of a plan."
)


def _tags_match(selection: StackResource, tags: Any) -> bool:
    wanted = as_list(selection.get("selectionTags"))
    if isinstance(wanted, Unknown) or not wanted or not isinstance(tags, dict):
        return False
    return all(
        isinstance(t, dict)
        and str(t.get("type", "")).upper() == "STRINGEQUALS"
        and tags.get(t.get("key")) == t.get("value")
        for t in wanted
    )


def check_coverage(stack: Stack, ctx: Context) -> None:
    selections = stack.of_type(SELECTION)
    by_dependency = {urn for s in selections for urn in s.property_dependencies.get("resources", [])}
    patterns: list[str] = []
    unknown = False
    for selection in selections:
        listed = as_list(selection.get("resources"))
        if isinstance(listed, Unknown):
            unknown = True
            continue
        for item in listed:
            if isinstance(item, Unknown):
                unknown = True
            elif isinstance(item, str):
                patterns.append(item)
    for store in stack.of_type(*ctx.settings["coveredTypes"]):
        if store.get("replicateSourceDb"):
            continue  # a read replica is a copy of a primary, which is what gets backed up
        if not ctx.in_production(store) or store.urn in by_dependency:
            continue
        arn = store.get("arn")
        if isinstance(arn, str) and any(fnmatch.fnmatchcase(arn, p) for p in patterns):
            continue
        if any(_tags_match(s, store.get("tags")) for s in selections):
            continue
        if unknown or isinstance(arn, Unknown):
            ctx.defer(
                f"whether a backup selection covers {store.subject}", "judged on `pulumi up`, when ARNs are known"
            )
            continue
        ctx.violation(f"{store.subject} is production data that no AWS Backup plan selects. {HINT}", store.urn)


PROD_BACKUP_COVERAGE = stack_policy(
    name="prod-backup-coverage",
    description="Production databases, tables and file systems are selected by an AWS Backup plan.",
    check=check_coverage,
    settings={
        **PRODUCTION_SETTING,
        "coveredTypes": string_list(
            COVERED_DEFAULT, "Stateful resource types a production backup plan must select.", allowed=COVERABLE
        ),
    },
    severity=Severity.HIGH,
    remediation=HINT,
)

POLICIES = [PROD_BACKUP_COVERAGE]
