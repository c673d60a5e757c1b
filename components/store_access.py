"""What the network stores (Aurora, RDS PostgreSQL, ElastiCache) share: their own security group admitting only the
groups granted access, one rule per grantee on the store's port, and (for the two PostgreSQL kinds) the IAM side of a
`connect` grant."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .grants import statement_id
from .iam import Statement
from .naming import physical_name

_DB_USER = re.compile(r"[a-z][a-z0-9_]{0,62}")


class GrantedIngress:
    """The store's security group, `<name>-sg`: no inline rules, so no egress (the provider removes AWS's default
    allow-all egress from a new group) and ingress only through `admit`, one rule per grantee referencing its
    group (never a CIDR)."""

    def __init__(
        self,
        parent: pulumi.Resource,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        group_name: str,
        description: str,
        port: int,
        owner: str,
    ) -> None:
        """`owner`: how errors name the store (`database`, `cache sessions`)."""
        self._parent, self._name, self._port, self._owner = parent, name, port, owner
        self._granted: set[str] = set()
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            name=group_name,
            description=description,
            tags={"Name": group_name},
            opts=pulumi.ResourceOptions(parent=parent),
        )

    def admit(self, grantee: str, security_group_id: pulumi.Input[str], *, description: str, tag_name: str) -> None:
        """Admit `security_group_id` on the store's port, as rule `<name>-from-<grantee>`. Twice is an error."""
        if grantee in self._granted:
            raise ValueError(f"{self._owner}: {grantee} is already allowed in")
        self._granted.add(grantee)
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-from-{grantee}",
            security_group_id=self.security_group.id,
            referenced_security_group_id=security_group_id,
            ip_protocol="tcp",
            from_port=self._port,
            to_port=self._port,
            description=description,
            tags={"Name": tag_name},
            opts=pulumi.ResourceOptions(parent=self._parent),
        )


def postgres_ingress(parent: pulumi.Resource, name: str, vpc_id: pulumi.Input[str], engine: str) -> GrantedIngress:
    """The security group of a PostgreSQL store (`<project>-<stack>-db`, 5432)."""
    return GrantedIngress(
        parent,
        name,
        vpc_id=vpc_id,
        group_name=physical_name("db"),
        description=f"{engine}: 5432 only from granted services; no egress",
        port=5432,
        owner="database",
    )


def postgres_subnet_group(
    parent: pulumi.Resource, name: str, subnet_ids: Sequence[pulumi.Input[str]], engine: str
) -> aws.rds.SubnetGroup:
    """The DB subnet group of a PostgreSQL store (`<project>-<stack>-db`): the network's isolated data subnets."""
    return aws.rds.SubnetGroup(
        f"{name}-subnets",
        name=physical_name("db"),
        subnet_ids=list(subnet_ids),
        description=f"{engine}: the isolated data subnets",
        tags={"Name": physical_name("db")},
        opts=pulumi.ResourceOptions(parent=parent),
    )


def admit_postgres(ingress: GrantedIngress, grantee: str, security_group_id: pulumi.Input[str]) -> None:
    ingress.admit(
        grantee,
        security_group_id,
        description=f"PostgreSQL from {grantee}",
        tag_name=physical_name("db", "from", grantee),
    )


def connect_statements(
    access: str, iam_user: str, resource_ids: Sequence[pulumi.Output[str]], context: AwsContext
) -> list[Statement]:
    """`connect`: rds-db:connect as `iam_user`; `connect:<user>` as another database user; on each of
    `resource_ids` (a cluster's resource id, or an instance's and its replicas'):
    `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`. IAM authentication needs no KMS action
    and no password."""
    if access == "connect":
        user = iam_user
    elif access.startswith("connect:") and _DB_USER.fullmatch(access.removeprefix("connect:")):
        user = access.removeprefix("connect:")
    else:
        raise ValueError(
            f"database: unknown access {access!r}; allowed: connect (as {iam_user}), connect:<database user>"
        )
    prefix = f"arn:{context.partition}:rds-db:{context.region}:{context.account_id}:dbuser:"
    resources = [resource_id.apply(lambda value: f"{prefix}{value}/{user}") for resource_id in resource_ids]
    return [Statement(sid=statement_id("database", "connect", user), actions=["rds-db:connect"], resources=resources)]
