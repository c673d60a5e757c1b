"""github-webhook: the ALB forwards POST /webhooks/github; the signature is checked with the secret whose ARN
is in GITHUB_WEBHOOK_SECRET_SECRET_ARN (read at run time, never in the environment)."""

import functools
import hashlib
import hmac
import os

import boto3


@functools.cache
def _key():
    """Read once per execution environment: the secret's value never sits in the environment."""
    arn = os.environ["GITHUB_WEBHOOK_SECRET_SECRET_ARN"]
    return boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"].encode()


def main(event, context):
    body = event.get("body") or ""
    signature = (event.get("headers") or {}).get("x-hub-signature-256", "")
    expected = "sha256=" + hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return {"statusCode": 401, "body": "bad signature"}
    boto3.client("events").put_events(
        Entries=[
            {
                "Source": "candlefish.github",
                "DetailType": "push",
                "Detail": body,
                "EventBusName": os.environ["EVENT_BUS"],
            }
        ]
    )
    return {"statusCode": 202, "body": "accepted"}
