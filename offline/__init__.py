"""Offline tooling: the in-process engine, the policy-pack driver and the offline preview command."""
