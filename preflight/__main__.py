"""`python3 run.py preflight --stack NAME`: what the account lacks for an `up` of this stack, one line each.

Needs AWS credentials for the stack's account (read-only is enough: it never writes and never reads a
secret's value). Exit 0 when nothing is missing, 1 with one line per gap, 2 on bad config."""

from __future__ import annotations

import argparse
import sys

import boto3

from components.config import load_stack_config
from components.config.problems import StackConfigError
from offline.engine import stack_config

from .checks import Target, run_checks


def public_name_servers(zone: str) -> set[str]:
    """The NS records the internet resolves for `zone` (empty when the name does not resolve)."""
    import dns.exception
    import dns.resolver

    try:
        return {str(record.target).rstrip(".") for record in dns.resolver.resolve(zone, "NS")}
    except dns.exception.DNSException:
        return set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run.py preflight", description=__doc__)
    parser.add_argument("--stack", required=True, help="the stack to check (its Pulumi.<stack>.yaml)")
    args = parser.parse_args(argv)
    flat = stack_config(args.stack)
    try:
        config = load_stack_config(args.stack, flat)
    except StackConfigError as error:
        print(error, file=sys.stderr)
        return 2
    session = boto3.Session(region_name=flat["aws:region"])
    account = session.client("sts").get_caller_identity()["Account"]
    target = Target(config=config, project=config.name, stack=args.stack, region=flat["aws:region"], account=account)
    gaps = run_checks(target, session.client, public_name_servers)
    for gap in gaps:
        print(gap)
    print(
        f"preflight {args.stack} (account {account}, {target.region}): "
        + (f"{len(gaps)} gap(s)" if gaps else "nothing missing")
    )
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
