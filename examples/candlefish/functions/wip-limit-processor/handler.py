"""wip-limit-processor: consumes WIP events and publishes the custom metric WipLimitViolations."""

import json


def main(event, context):
    violations = 0
    failures = []
    for record in event.get("Records", []):
        try:
            detail = json.loads(record["body"]).get("detail", {})
            violations += int(detail.get("inProgress", 0) > detail.get("limit", 0))
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    # Embedded metric format: CloudWatch Logs turns this line into the metric Candlefish/WipLimitViolations.
    print(
        json.dumps(
            {
                "_aws": {
                    "CloudWatchMetrics": [
                        {"Namespace": "Candlefish", "Dimensions": [[]], "Metrics": [{"Name": "WipLimitViolations"}]}
                    ]
                },
                "WipLimitViolations": violations,
            }
        )
    )
    return {"batchItemFailures": failures}
