"""The state backend bootstrap: a separate Pulumi project (Pulumi.yaml here) run once per account."""
