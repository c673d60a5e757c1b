"""Backup: prod's AWS Backup plan (daily, 35 days, vault with the stack key), its copy to a vault in us-west-2
through an explicit provider (own key there), and a selection of the database, table and bucket by ARN through a
role only AWS Backup of this account assumes."""

from __future__ import annotations

import json

from offline.engine import StackRun

from .data_support import key_arn


def test_prod_backs_up_daily_into_a_vault_with_the_stack_key_and_copies_to_a_second_region(
    stack_runs: dict[str, StackRun],
) -> None:
    run = stack_runs["prod"]
    vault = run.named("backup-vault")
    assert (vault.inputs["name"], vault.inputs["kmsKeyArn"], vault.protect) == ("platform-prod", key_arn(run), True)
    [rule] = run.named("backup-plan").inputs["rules"]
    assert (rule["ruleName"], rule["schedule"], rule["lifecycle"], rule["targetVaultName"]) == (
        "daily",
        "cron(0 5 ? * * *)",
        {"deleteAfter": 35},
        "platform-prod",
    )
    copy_vault = run.named("backup-copy-vault")
    assert rule["copyActions"] == [{"destinationVaultArn": copy_vault.outputs["arn"], "lifecycle": {"deleteAfter": 35}}]
    [provider] = [r for r in run.resources if r.type == "pulumi:providers:aws"]
    assert provider.inputs["region"] == "us-west-2"
    copy_key = run.named("backup-copy-key")
    for resource in (copy_vault, copy_key):
        assert resource.provider is not None and resource.provider.startswith(provider.urn), resource.name
        assert resource.protect
    assert copy_vault.inputs["kmsKeyArn"] == copy_key.outputs["arn"]
    # made through the us-west-2 provider, so they live there (the in-process engine answers as AWS would)
    assert copy_vault.outputs["arn"] == "arn:aws:backup:us-west-2:123456789012:vault/platform-prod-copy"
    assert copy_key.outputs["arn"].startswith("arn:aws:kms:us-west-2:123456789012:key/")
    assert copy_key.inputs["enableKeyRotation"] is True


def test_the_selection_names_the_stacks_stateful_stores(stack_runs: dict[str, StackRun]) -> None:
    run = stack_runs["prod"]
    selection = run.named("backup-selection")
    expected = [
        run.named("database-cluster").outputs["arn"],
        *(t.outputs["arn"] for t in run.of_type("aws:dynamodb/table:Table")),
        *(b.outputs["arn"] for b in run.of_type("aws:s3/bucket:Bucket") if b.name == "bucket-uploads-bucket"),
    ]
    assert selection.inputs["resources"] == expected
    role = run.named("backup-role")
    assert selection.inputs["iamRoleArn"] == role.outputs["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": ["backup.amazonaws.com"]}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    attached = {
        a.inputs["policyArn"]
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith("backup-role")
    }
    assert attached == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
    }


def test_stacks_without_a_backup_section_build_no_plan(stack_runs: dict[str, StackRun]) -> None:
    for stack in ("dev", "staging"):
        assert not stack_runs[stack].of_type("aws:backup/plan:Plan", "aws:backup/vault:Vault")
