"""webhook-secret-rotator: Secrets Manager rotation of the GitHub webhook secret (every 30 days).

Implements the four steps; setSecret would update the webhook's secret through the GitHub API."""

import boto3

client = boto3.client("secretsmanager")


def main(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    if step == "createSecret":
        password = client.get_random_password(PasswordLength=40, ExcludePunctuation=True)["RandomPassword"]
        client.put_secret_value(
            SecretId=arn, ClientRequestToken=token, SecretString=password, VersionStages=["AWSPENDING"]
        )
    elif step == "finishSecret":
        metadata = client.describe_secret(SecretId=arn)
        current = next(v for v, stages in metadata["VersionIdsToStages"].items() if "AWSCURRENT" in stages)
        client.update_secret_version_stage(
            SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )
    # setSecret and testSecret: update and verify the webhook at GitHub (omitted in the example).
