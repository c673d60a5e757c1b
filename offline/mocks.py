"""Mocks that answer like AWS: ids, ARNs with the account and region, AZs, endpoints, rendered policies.

`outputs_for(type, name, inputs)` gives the computed outputs a real provider would return after create.
Types not listed still get a plausible `arn` (from the token's service) and an id.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
ELB_ACCOUNT_BY_REGION = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
}


def _hex(seed: str, length: int = 17) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))


class AwsMocks(Mocks):
    """Deterministic, realistic answers for resources and invokes in one region of one account."""

    def __init__(
        self, region: str, *, preview: bool = False, stack_outputs: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        self.region = region
        self.preview = preview
        self.stack_outputs = dict(stack_outputs or {})
        """Other stacks' exported outputs by fully qualified name (`organization/<project>/<stack>`): what a
        `pulumi:pulumi:StackReference` reads (offline/engine.py runs those stacks first)."""
        self._regions_by_provider_id: dict[str, str] = {}
        """Explicit `aws.Provider`s' regions by their id: a resource created through one gets ARNs and
        endpoints of that region (a backup copy vault, a replica bucket), as the real provider would."""

    # -- invokes ---------------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        handler = _INVOKES.get(args.token)
        if handler is None:
            return {}, []
        return handler(self, args.args), []

    # -- resources -------------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args)
        if not args.custom and args.typ not in _REMOTE_COMPONENTS:
            return None, {}
        region = self._regions_by_provider_id.get((args.provider or "").rsplit("::", 1)[-1])
        mocks = self if region is None or region == self.region else AwsMocks(region, preview=self.preview)
        resource_id, outputs = mocks.outputs_for(args.typ, args.name, args.inputs)
        if args.typ == "pulumi:providers:aws" and isinstance(args.inputs.get("region"), str):
            self._regions_by_provider_id[resource_id] = args.inputs["region"]
        if self.preview:
            # A first `pulumi preview` knows only the inputs: computed ids and ARNs stay unknown.
            return None, dict(args.inputs)
        return resource_id, {**args.inputs, **outputs}

    def _stack_reference(self, args: MockResourceArgs) -> tuple[str, dict]:
        """A StackReference is a read of the referenced stack's outputs: they exist (the stack was deployed
        first), so even a first preview sees them, as the real engine's read does."""
        name = str(args.inputs.get("name") or args.resource_id or args.name)
        if name not in self.stack_outputs:
            known = ", ".join(sorted(self.stack_outputs)) or "none"
            raise KeyError(f"stack reference {name}: no such stack was run first (known: {known})")
        return name, {"name": name, "outputs": dict(self.stack_outputs[name]), "secret_output_names": []}

    def outputs_for(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        builder = _RESOURCES.get(typ)
        physical = inputs.get("name") or inputs.get("bucket") or f"{name}-{_hex(typ + name, 7)}"
        if builder is not None:
            return builder(self, name, str(physical), inputs)
        service = typ.split(":")[1].split("/", maxsplit=1)[0]
        resource_id = f"{name}-{_hex(typ + name, 8)}"
        return resource_id, {"arn": self.arn(service, f"{typ.rsplit(':', maxsplit=1)[-1].lower()}/{physical}")}

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        acct = ACCOUNT_ID if account else ""
        return f"arn:{PARTITION}:{service}:{region}:{acct}:{resource}"


Builder = Callable[[AwsMocks, str, str, dict[str, Any]], tuple[str, dict[str, Any]]]
STACK_REFERENCE = "pulumi:pulumi:StackReference"
_RESOURCES: dict[str, Builder] = {}
_REMOTE_COMPONENTS = frozenset({"awsx:ecr:Image"})
"""Multi-language components that reach the mocks as one opaque registration (pulumi/pulumi#12553): nothing
computes their outputs, so their builders below stand in for the provider's `Construct`."""
_INVOKES: dict[str, Callable[[AwsMocks, dict[str, Any]], dict[str, Any]]] = {}


def resource(*tokens: str) -> Callable[[Builder], Builder]:
    """Register the output builder of one or more resource type tokens."""

    def register(builder: Builder) -> Builder:
        for token in tokens:
            _RESOURCES[token] = builder
        return builder

    return register


def invoke(token: str):
    def register(handler):
        _INVOKES[token] = handler
        return handler

    return register


# -- invokes ---------------------------------------------------------------------------------------
@resource("random:index/randomPassword:RandomPassword")
def _random_password(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """pulumi-random's password: generated once, then stable (deterministic here, from the resource name)."""
    length = int(inputs.get("length") or 16)
    value = (_hex(name, 64) * (length // 64 + 1))[:length]
    return "none", {"result": value, "bcryptHash": f"$2a$10${_hex(name + 'bcrypt', 53)}"}


@invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def _azs(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    letters = "abcdef"
    return {
        "names": [f"{m.region}{c}" for c in letters],
        "zoneIds": [f"use1-az{i + 1}" for i in range(len(letters))],
        "groupNames": [m.region] * len(letters),
        "id": m.region,
        "state": args.get("state"),
    }


@invoke("aws:index/getCallerIdentity:getCallerIdentity")
def _caller(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/deployer",
        "userId": "AROAEXAMPLEDEPLOYER",
        "id": ACCOUNT_ID,
    }


@invoke("aws:index/getRegion:getRegion")
def _region(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": m.region,
        "region": m.region,
        "id": m.region,
        "endpoint": f"ec2.{m.region}.amazonaws.com",
        "description": m.region,
    }


@invoke("aws:index/getPartition:getPartition")
def _partition(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "id": PARTITION, "reverseDnsPrefix": "com.amazonaws"}


@invoke("aws:elb/getServiceAccount:getServiceAccount")
def _elb_account(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    account = ELB_ACCOUNT_BY_REGION.get(m.region, "127311923021")
    return {"id": account, "arn": f"arn:{PARTITION}:iam::{account}:root"}


@invoke("aws:route53/getZone:getZone")
def _zone(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name") or "example.com").rstrip(".")
    zone_id = "Z" + _hex(name, 13).upper()
    return {
        "zoneId": zone_id,
        "id": zone_id,
        "name": name,
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "privateZone": False,
        "nameServers": ["ns-1.awsdns-01.org"],
    }


@invoke("aws:ec2/getManagedPrefixList:getManagedPrefixList")
def _managed_prefix_list(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    """An AWS-managed prefix list by name (`com.amazonaws.global.cloudfront.origin-facing`: max entries 55, the
    weight a security group rule referencing it counts against the rules quota)."""
    name = str(args.get("name") or "com.amazonaws.global.cloudfront.origin-facing")
    list_id = args.get("id") or "pl-" + _hex(name, 8)
    cloudfront = "cloudfront" in name
    return {
        "id": list_id,
        "name": name,
        "arn": f"arn:{PARTITION}:ec2:{m.region}:aws:prefix-list/{list_id}",
        "addressFamily": "IPv4",
        "maxEntries": 55 if cloudfront else 10,
        "ownerId": "AWS",
        "version": 1,
        "entries": [{"cidr": "130.176.0.0/18", "description": ""}, {"cidr": "15.158.0.0/16", "description": ""}],
        "tags": {},
    }


AURORA_POSTGRESQL_NEWEST_MINOR = {"13": "13.20", "14": "14.17", "15": "15.12", "16": "16.8", "17": "17.4"}
"""What `aws.rds.getEngineVersion(engine="aurora-postgresql", version=<major>, latest=True)` answers here: a
plausible newest minor per major (the real answer moves as AWS releases minors)."""


@invoke("aws:rds/getEngineVersion:getEngineVersion")
def _engine_version(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    requested = str(args.get("version") or "16")
    actual = AURORA_POSTGRESQL_NEWEST_MINOR.get(requested, requested)
    family = f"{args.get('engine', 'aurora-postgresql')}{actual.split('.')[0]}"
    return {
        "engine": args.get("engine"),
        "version": actual,
        "versionActual": actual,
        "id": actual,
        "parameterGroupFamily": family,
        "status": "available",
        "latest": args.get("latest"),
    }


@invoke("aws:iam/getPolicyDocument:getPolicyDocument")
def _policy_document(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for s in args.get("statements") or []:
        rendered: dict[str, Any] = {"Effect": s.get("effect", "Allow")}
        if s.get("sid"):
            rendered["Sid"] = s["sid"]
        for key, out in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if s.get(key):
                values = s[key]
                rendered[out] = values[0] if len(values) == 1 else values
        for key, out in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if s.get(key):
                block: dict[str, Any] = {}
                for p in s[key]:
                    block.setdefault(p["type"], []).extend(p["identifiers"])
                rendered[out] = "*" if list(block) == ["*"] else block
        if s.get("conditions"):
            cond: dict[str, Any] = {}
            for c in s["conditions"]:
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            rendered["Condition"] = cond
        statements.append(rendered)
    return {"json": json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2), "id": "policy"}


# -- resources -------------------------------------------------------------------------------------
def _prefixed(prefix: str, kind: str) -> Builder:
    def build(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rid = f"{prefix}-{_hex(kind + name)}"
        return rid, {"arn": m.arn("ec2", f"{kind}/{rid}"), "ownerId": ACCOUNT_ID}

    return build


for _token, _prefix, _kind in (
    ("aws:ec2/subnet:Subnet", "subnet", "subnet"),
    ("aws:ec2/routeTable:RouteTable", "rtb", "route-table"),
    ("aws:ec2/internetGateway:InternetGateway", "igw", "internet-gateway"),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", "vpce", "vpc-endpoint"),
    ("aws:ec2/flowLog:FlowLog", "fl", "vpc-flow-log"),
    ("aws:ec2/networkAcl:NetworkAcl", "acl", "network-acl"),
    ("aws:ec2/routeTableAssociation:RouteTableAssociation", "rtbassoc", "route-table-association"),
    ("aws:ec2/route:Route", "r", "route"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "sgr", "security-group-rule"),
    ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "sgr", "security-group-rule"),
    ("aws:ec2/securityGroupRule:SecurityGroupRule", "sgrule", "security-group-rule"),
):
    resource(_token)(_prefixed(_prefix, _kind))


@resource("aws:ec2/vpc:Vpc")
def _vpc(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    rid = f"vpc-{_hex(name)}"
    return rid, {
        "arn": m.arn("ec2", f"vpc/{rid}"),
        "defaultSecurityGroupId": f"sg-{_hex(name + 'default')}",
        "defaultRouteTableId": f"rtb-{_hex(name + 'main')}",
        "mainRouteTableId": f"rtb-{_hex(name + 'main')}",
        "defaultNetworkAclId": f"acl-{_hex(name)}",
        "ownerId": ACCOUNT_ID,
    }


@resource("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def _sg(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    rid = f"sg-{_hex(name)}"
    return rid, {"arn": m.arn("ec2", f"security-group/{rid}"), "name": physical, "ownerId": ACCOUNT_ID}


@resource("aws:ec2/eip:Eip")
def _eip(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    rid = f"eipalloc-{_hex(name)}"
    octet = int(_hex(name, 2), 16)
    return rid, {
        "allocationId": rid,
        "publicIp": f"203.0.113.{octet % 250 + 1}",
        "domain": "vpc",
        "arn": m.arn("ec2", f"elastic-ip/{rid}"),
    }


@resource("aws:ec2/natGateway:NatGateway")
def _nat(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    rid = f"nat-{_hex(name)}"
    return rid, {"publicIp": "203.0.113.10", "privateIp": "10.0.0.10", "networkInterfaceId": f"eni-{_hex(name)}"}


@resource("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {"name": physical, "arn": m.arn("logs", f"log-group:{physical}")}


@resource("aws:iam/role:Role")
def _role(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {
        "name": physical,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{physical}",
        "uniqueId": "AROA" + _hex(name, 17).upper(),
    }


@resource("aws:iam/policy:Policy")
def _policy(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:policy/{physical}"
    return arn, {"name": physical, "arn": arn, "policyId": "ANPA" + _hex(name, 17).upper()}


@resource("aws:iam/rolePolicy:RolePolicy")
def _role_policy(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"{inputs.get('role')}:{physical}", {"name": physical}


@resource("aws:kms/key:Key")
def _key(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    key_id = ("mrk-" + _hex(name, 32)) if inputs.get("multiRegion") else _uuid(name)  # multi-region: `mrk-` ids
    return key_id, {"keyId": key_id, "arn": m.arn("kms", f"key/{key_id}")}


@resource("aws:kms/replicaKey:ReplicaKey")
def _replica_key(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A replica shares its primary's key id (`mrk-...`); only the region in its ARN differs."""
    primary = str(inputs.get("primaryKeyArn") or "")
    key_id = primary.rsplit("/", 1)[-1] if "/mrk-" in primary else "mrk-" + _hex(name, 32)
    return key_id, {"keyId": key_id, "arn": m.arn("kms", f"key/{key_id}")}


@resource("aws:kms/alias:Alias")
def _alias(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {"arn": m.arn("kms", physical), "targetKeyArn": m.arn("kms", f"key/{_uuid(name)}")}


@resource("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    bucket = str(inputs.get("bucket") or f"{name}-{_hex(name, 7)}")
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:{PARTITION}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{m.region}.amazonaws.com",
        "hostedZoneId": "Z3AQBSTGFYJSTF",
        "region": m.region,
    }


@resource("aws:dynamodb/table:Table")
def _table(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("dynamodb", f"table/{physical}")
    return physical, {"name": physical, "arn": arn, "streamArn": f"{arn}/stream/2026-01-01T00:00:00.000"}


@resource("aws:sqs/queue:Queue")
def _queue(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url = f"https://sqs.{m.region}.amazonaws.com/{ACCOUNT_ID}/{physical}"
    return url, {"name": physical, "url": url, "arn": m.arn("sqs", physical)}


@resource("aws:sns/topic:Topic")
def _topic(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("sns", physical)
    return arn, {"name": physical, "arn": arn}


@resource("aws:sns/topicPolicy:TopicPolicy")
def _topic_policy(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(inputs.get("arn")), {"owner": ACCOUNT_ID}


@resource("aws:sns/topicSubscription:TopicSubscription")
def _topic_subscription(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = f"{inputs.get('topic')}:{_uuid(name)}"
    email = inputs.get("protocol") in ("email", "email-json")
    return arn, {
        "arn": arn,
        "ownerId": ACCOUNT_ID,
        "pendingConfirmation": email,
        "confirmationWasAuthenticated": not email,
    }


@resource("aws:cloudwatch/eventBus:EventBus")
def _bus(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {"name": physical, "arn": m.arn("events", f"event-bus/{physical}")}


@resource("aws:cloudwatch/eventRule:EventRule")
def _rule(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    bus = inputs.get("eventBusName") or "default"
    path = f"rule/{physical}" if bus == "default" else f"rule/{bus}/{physical}"
    return f"{bus}|{physical}", {"name": physical, "arn": m.arn("events", path)}


@resource("aws:secretsmanager/secret:Secret")
def _secret(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("secretsmanager", f"secret:{physical}-{_hex(name, 6)}")
    return arn, {"name": physical, "arn": arn}


@resource("aws:rds/cluster:Cluster")
def _db_cluster(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ident = str(inputs.get("clusterIdentifier") or physical)
    host = f"{ident}.cluster-{_hex(name, 12)}.{m.region}.rds.amazonaws.com"
    return ident, {
        "clusterIdentifier": ident,
        "arn": m.arn("rds", f"cluster:{ident}"),
        "endpoint": host,
        "readerEndpoint": host.replace(".cluster-", ".cluster-ro-"),
        "port": 5432,
        "clusterResourceId": "cluster-" + _hex(name, 26).upper(),
        "engineVersionActual": _actual_version(inputs.get("engineVersion")),
        "masterUserSecrets": [
            {
                "secretArn": m.arn("secretsmanager", f"secret:rds!cluster-{_uuid(name)}-AbCdEf"),
                "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ],
    }


def _actual_version(configured: Any) -> str:
    """The version RDS runs: the configured `major.minor`, or a major's newest minor (as `_engine_version`)."""
    version = str(configured or "16")
    return version if "." in version else AURORA_POSTGRESQL_NEWEST_MINOR.get(version, f"{version}.1")


@resource("aws:rds/clusterInstance:ClusterInstance")
def _db_instance(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ident = str(inputs.get("identifier") or physical)
    return ident, {
        "identifier": ident,
        "arn": m.arn("rds", f"db:{ident}"),
        "dbiResourceId": "db-" + _hex(name, 26).upper(),
        "endpoint": f"{ident}.{_hex(name, 12)}.{m.region}.rds.amazonaws.com",
        "port": 5432,
    }


def _rds_named(kind: str) -> Builder:
    def build(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return physical, {"name": physical, "arn": m.arn("rds", f"{kind}:{physical}")}

    return build


resource("aws:rds/subnetGroup:SubnetGroup")(_rds_named("subgrp"))
resource("aws:rds/clusterParameterGroup:ClusterParameterGroup")(_rds_named("cluster-pg"))
resource("aws:rds/parameterGroup:ParameterGroup")(_rds_named("pg"))


@resource("aws:ecs/cluster:Cluster")
def _ecs_cluster(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("ecs", f"cluster/{physical}")
    return arn, {"name": physical, "arn": arn}


@resource("aws:ecs/service:Service")
def _ecs_service(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cluster = str(inputs.get("cluster") or "default").split("/")[-1]
    arn = m.arn("ecs", f"service/{cluster}/{physical}")
    return arn, {"name": physical, "arn": arn}


@resource("aws:ecs/taskDefinition:TaskDefinition")
def _task_definition(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    family = str(inputs.get("family") or physical)
    arn = m.arn("ecs", f"task-definition/{family}:1")
    return arn, {"arn": arn, "arnWithoutRevision": m.arn("ecs", f"task-definition/{family}"), "revision": 1}


def _elb_arn(m: AwsMocks, kind: str, physical: str, name: str) -> tuple[str, str]:
    suffix = f"{kind}/{physical}/{_hex(name, 16)}"
    return m.arn("elasticloadbalancing", suffix), suffix


@resource("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
def _lb(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn, suffix = _elb_arn(m, "loadbalancer/app", physical, name)
    return arn, {
        "arn": arn,
        "arnSuffix": suffix.removeprefix("loadbalancer/"),
        "name": physical,
        "dnsName": f"{physical}-{int(_hex(name, 8), 16) % 10**10}.{m.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


@resource("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
def _tg(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn, suffix = _elb_arn(m, "targetgroup", physical, name)
    return arn, {"arn": arn, "arnSuffix": suffix, "name": physical}


@resource("aws:lb/listener:Listener", "aws:alb/listener:Listener")
def _listener(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn, _ = _elb_arn(m, "listener/app", name, name)
    return arn, {"arn": arn}


@resource("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
def _listener_rule(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn, _ = _elb_arn(m, "listener-rule/app", name, name)
    return arn, {"arn": arn}


@resource("aws:acm/certificate:Certificate")
def _certificate(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("acm", f"certificate/{_uuid(name)}")
    domains = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
    return arn, {
        "arn": arn,
        "status": "PENDING_VALIDATION",
        "domainValidationOptions": [
            {
                "domainName": d,
                "resourceRecordName": f"_{_hex(str(d), 32)}.{d}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_hex(str(d) + 'v', 32)}.acm-validations.aws.",
            }
            for d in domains
            if d
        ],
    }


@resource("aws:route53/record:Record")
def _record(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"{inputs.get('zoneId')}_{inputs.get('name')}_{inputs.get('type')}", {"fqdn": inputs.get("name")}


@resource("aws:cloudwatch/metricAlarm:MetricAlarm")
def _alarm(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {"arn": m.arn("cloudwatch", f"alarm:{physical}")}


@resource("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    dashboard = str(inputs.get("dashboardName") or physical)
    return dashboard, {"dashboardArn": f"arn:{PARTITION}:cloudwatch::{ACCOUNT_ID}:dashboard/{dashboard}"}


@resource("aws:ecr/repository:Repository")
def _repository(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {
        "name": physical,
        "arn": m.arn("ecr", f"repository/{physical}"),
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{m.region}.amazonaws.com/{physical}",
    }


@resource("aws:wafv2/webAcl:WebAcl")
def _web_acl(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    acl_id = _uuid(name)
    return acl_id, {"arn": m.arn("wafv2", f"regional/webacl/{physical}/{acl_id}"), "capacity": 700}


@resource("aws:appautoscaling/target:Target")
def _scaling_target(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    resource_id = str(inputs.get("resourceId"))
    return resource_id, {"arn": m.arn("application-autoscaling", f"scalable-target/{_hex(name, 30)}")}


@resource("aws:appautoscaling/policy:Policy")
def _scaling_policy(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("autoscaling", f"scalingPolicy:{_uuid(name)}:resource/{inputs.get('resourceId')}:policyName/{physical}")
    return physical, {"arn": arn, "alarmArns": []}


# -- compute (cluster, load balancer, services, images) -------------------------------------------------
@resource("awsx:ecr:Image")
def _awsx_image(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """What awsx's `Construct` returns after building and pushing: the image pinned by its digest."""
    digest = hashlib.sha256(f"{inputs.get('repositoryUrl')}:{inputs.get('imageTag')}".encode()).hexdigest()
    return name, {"imageUri": f"{inputs.get('repositoryUrl')}@sha256:{digest}"}


@resource("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
def _capacity_providers(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(inputs.get("clusterName")), {}


@resource("aws:acm/certificateValidation:CertificateValidation")
def _certificate_validation(
    m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    return "2026-01-01 00:00:00 +0000 UTC", {"certificateArn": inputs.get("certificateArn")}


@resource("aws:wafv2/webAclAssociation:WebAclAssociation")
def _web_acl_association(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"{inputs.get('webAclArn')},{inputs.get('resourceArn')}", {}


@resource("aws:appautoscaling/scheduledAction:ScheduledAction")
def _scheduled_action(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("autoscaling", f"scheduledAction:{_uuid(name)}:scheduledActionName/{physical}")
    return physical, {"arn": arn}


@resource("aws:scheduler/scheduleGroup:ScheduleGroup")
def _schedule_group(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {"name": physical, "arn": m.arn("scheduler", f"schedule-group/{physical}"), "state": "ACTIVE"}


@resource("aws:scheduler/schedule:Schedule")
def _schedule(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    group = inputs.get("groupName") or "default"
    return f"{group}/{physical}", {"name": physical, "arn": m.arn("scheduler", f"schedule/{group}/{physical}")}


@resource("aws:ecr/lifecyclePolicy:LifecyclePolicy")
def _ecr_lifecycle(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(inputs.get("repository")), {"registryId": ACCOUNT_ID}


# -- data (buckets' side-by-side configuration, queue attributes, event targets) ------------------------
def _bucket_config(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """S3's per-bucket configuration resources: the provider's id is the bucket name; no ARN of their own."""
    return str(inputs.get("bucket")), {}


for _token in (
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
):
    resource(_token)(_bucket_config)


@resource(
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:sqs/redrivePolicy:RedrivePolicy",
)
def _queue_attribute(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A queue attribute resource: the provider's id is the queue URL."""
    return str(inputs.get("queueUrl")), {}


@resource("aws:cloudwatch/eventTarget:EventTarget")
def _event_target(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    bus = inputs.get("eventBusName") or "default"
    return f"{bus}-{inputs.get('rule')}-{inputs.get('targetId')}", {}


# -- ElastiCache -------------------------------------------------------------------------------------
@resource("aws:elasticache/replicationGroup:ReplicationGroup")
def _cache_group(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ident = str(inputs.get("replicationGroupId") or physical)
    nodes = int(inputs.get("numCacheClusters") or 1)
    suffix = f"{_hex(name, 6)}.{'use1' if m.region == 'us-east-1' else m.region}.cache.amazonaws.com"
    return ident, {
        "arn": m.arn("elasticache", f"replicationgroup:{ident}"),
        "primaryEndpointAddress": f"master.{ident}.{suffix}",
        "readerEndpointAddress": f"replica.{ident}.{suffix}",
        "memberClusters": [f"{ident}-{i + 1:03d}" for i in range(nodes)],
        "port": inputs.get("port", 6379),
        "engineVersionActual": f"{inputs.get('engineVersion')}.0",
    }


@resource("aws:elasticache/user:User")
def _cache_user(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ident = str(inputs.get("userId"))
    return ident, {"arn": m.arn("elasticache", f"user:{ident}")}


@resource("aws:elasticache/userGroup:UserGroup")
def _cache_user_group(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ident = str(inputs.get("userGroupId"))
    return ident, {"arn": m.arn("elasticache", f"usergroup:{ident}")}


@resource("aws:elasticache/subnetGroup:SubnetGroup")
def _cache_subnets(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {"name": physical, "arn": m.arn("elasticache", f"subnetgroup:{physical}")}


# -- RDS instances (database engine postgres) -------------------------------------------------------------
@resource("aws:rds/instance:Instance")
def _rds_instance(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ident = str(inputs.get("identifier") or physical)
    host = f"{ident}.{_hex(name, 12)}.{m.region}.rds.amazonaws.com"
    outputs: dict[str, Any] = {
        "identifier": ident,
        "arn": m.arn("rds", f"db:{ident}"),
        "address": host,
        "endpoint": f"{host}:5432",
        "port": 5432,
        "resourceId": "db-" + _hex(name, 26).upper(),
        "engineVersionActual": f"{inputs.get('engineVersion') or '16'}.4",
    }
    if inputs.get("manageMasterUserPassword"):
        outputs["masterUserSecrets"] = [
            {
                "secretArn": m.arn("secretsmanager", f"secret:rds!db-{_uuid(name)}-AbCdEf"),
                "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ]
    return ident, outputs


@resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _role_policy_attachment(
    m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    return f"{inputs.get('role')}-{_hex(name, 8)}", {}


@resource("aws:s3/bucketLogging:BucketLogging")
def _bucket_logging(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """S3's logging configuration: the provider's id is the source bucket name."""
    return str(inputs.get("bucket")), {}


@resource("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
def _bucket_replication(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """S3's replication configuration: the provider's id is the source bucket name."""
    return str(inputs.get("bucket")), {}


@resource("aws:lambda/function:Function")
def _lambda_function(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("lambda", f"function:{physical}")
    return physical, {
        "arn": arn,
        "qualifiedArn": f"{arn}:1",
        "version": "1",
        "name": physical,
        "invokeArn": f"arn:{PARTITION}:apigateway:{m.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
    }


@resource("aws:lambda/alias:Alias")
def _lambda_alias(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("lambda", f"function:{inputs.get('functionName')}:{physical}")
    return arn, {
        "arn": arn,
        "invokeArn": f"arn:{PARTITION}:apigateway:{m.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
    }


@resource("aws:synthetics/canary:Canary")
def _canary(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return physical, {
        "arn": m.arn("synthetics", f"canary:{physical}"),
        "engineArn": m.arn("lambda", f"function:cwsyn-{physical}-{_uuid(name)}:1"),
        "status": "RUNNING",
    }


# -- the account layer (bootstrap/) ------------------------------------------------------------------
@resource("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
def _oidc_provider(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    host = str(inputs.get("url") or "https://oidc.example.com").removeprefix("https://")
    arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:oidc-provider/{host}"
    return arn, {"arn": arn}


@resource("aws:iam/serviceLinkedRole:ServiceLinkedRole")
def _service_linked_role(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    service = str(inputs.get("awsServiceName") or "ecs.amazonaws.com")
    prefix = service.split(".", maxsplit=1)[0]
    role = {"ecs.amazonaws.com": "AWSServiceRoleForECS"}.get(service, f"AWSServiceRoleFor{prefix}")
    arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/aws-service-role/{service}/{role}"
    return arn, {
        "arn": arn,
        "name": role,
        "path": f"/aws-service-role/{service}/",
        "uniqueId": "AROA" + _hex(name).upper(),
    }


@resource("aws:guardduty/detector:Detector")
def _detector(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    detector = _hex(name, 32)
    return detector, {"accountId": ACCOUNT_ID, "arn": m.arn("guardduty", f"detector/{detector}")}


@resource("aws:securityhub/account:Account")
def _security_hub(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return ACCOUNT_ID, {"arn": m.arn("securityhub", "hub/default")}


@resource("aws:cloudtrail/trail:Trail")
def _trail(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("cloudtrail", f"trail/{physical}")
    return arn, {"arn": arn, "homeRegion": m.region}


@resource("aws:route53/zone:Zone")
def _hosted_zone(m: AwsMocks, name: str, physical: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    zone_id = "Z" + _hex(physical, 13).upper()
    return zone_id, {
        "zoneId": zone_id,
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "nameServers": [f"ns-{i}.awsdns-{i:02d}.org" for i in (1, 2, 3, 4)],
    }
