"""Benchmarks: how fast the platform builds, checks and scales. `python -m benchmarks` prints the table."""
