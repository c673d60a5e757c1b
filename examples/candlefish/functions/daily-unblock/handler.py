"""daily-unblock: runs every weekday morning (EventBridge Scheduler) and releases items blocked overnight."""

import os

import boto3


def main(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    released = 0
    for item in table.scan(FilterExpression="attribute_exists(blockedUntil)").get("Items", []):
        table.update_item(Key={"id": item["id"]}, UpdateExpression="REMOVE blockedUntil")
        released += 1
    return {"released": released}
