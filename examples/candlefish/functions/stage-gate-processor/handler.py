"""stage-gate-processor: consumes stage-gate events from SQS; reports failed records only (partial batches)."""

import json


def main(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            if "stage" not in body.get("detail", {}):
                raise ValueError("no stage")
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
