"""The checks `run.py preflight` makes before an `up`: one `Gap` per thing the account lacks.

Each check reads the account (never writes, never reads a secret's value) and returns the gaps it found,
each with the way to close it. They cover what config validation cannot see and what makes a first `up`
fail or half-work: placeholder values left from the example stack files; the hosted zone of the stack's
domain exists and is delegated; a configured certificate is issued; the pinned images exist in this
account's ECR; every stack secret exists and has a value; the ECS service-linked role exists; the Elastic
IP quota leaves room for the stack's NAT gateways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from components.config import StackConfig
from components.config.compute import parse_image
from components.config.workloads import ImageSpec

NsLookup = Callable[[str], set[str]]
"""Public DNS: the name servers the internet resolves for a zone (empty if none)."""

ELASTIC_IP_QUOTA_CODE = "L-0263D0A3"
"""Service Quotas code of "EC2-VPC Elastic IPs" (default 5 per region)."""
ELASTIC_IP_DEFAULT_QUOTA = 5
ECS_SERVICE_LINKED_ROLE_PATH = "/aws-service-role/ecs.amazonaws.com/"
ON_DEMAND_SERVICE_LINKED_ROLES = (
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
)
"""Created by AWS on first use, provided the deploy role may `iam:CreateServiceLinkedRole` for them."""


@dataclass(frozen=True)
class Gap:
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


@dataclass(frozen=True)
class Target:
    """What the checks look at: the stack's validated config and where it deploys."""

    config: StackConfig
    project: str
    """The product name (`platform:name`): the first word of every physical name."""
    stack: str
    region: str
    account: str

    def physical(self, *parts: str) -> str:
        """As `components.naming.physical_name` spells a name (short names only: no length cut)."""
        return "-".join([self.project, self.stack, *parts]).lower()

    def secret_name(self, key: str) -> str:
        return f"{self.project}/{self.stack}/{key}"


Clients = Callable[[str], Any]
"""`clients("ecr")` -> a boto3 client for the target's region."""


def hosted_zone(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    domain = target.config.load_balancer.domain
    if domain is None:
        return []
    zone_name = domain.hosted_zone.rstrip(".") + "."
    route53 = clients("route53")
    zones = [
        z
        for z in route53.list_hosted_zones_by_name(DNSName=zone_name).get("HostedZones", [])
        if z["Name"] == zone_name and not z.get("Config", {}).get("PrivateZone")
    ]
    if not zones:
        return [
            Gap(
                "hosted-zone",
                f"no public hosted zone {zone_name} in account {target.account}: create it "
                "(the account layer's hostedZones) and delegate it from the parent domain; the load "
                "balancer's certificate is validated through it",
            )
        ]
    assigned = {
        ns.rstrip(".").lower() for ns in route53.get_hosted_zone(Id=zones[0]["Id"])["DelegationSet"]["NameServers"]
    }
    public = {ns.rstrip(".").lower() for ns in ns_lookup(zone_name)}
    if not public & assigned:
        found = ", ".join(sorted(public)) or "none"
        return [
            Gap(
                "hosted-zone",
                f"{zone_name} is not delegated to its Route 53 zone: the internet resolves "
                f"name servers {found}, the zone has {', '.join(sorted(assigned))}; set those NS records "
                "at the parent domain, or certificate validation will time out",
            )
        ]
    return []


def certificate(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    arn = target.config.load_balancer.certificate_arn
    if arn is None:
        return []
    try:
        status = clients("acm").describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
    except ClientError as error:
        return [Gap("certificate", f"{arn}: {_code(error)}; import or request it in {target.region}")]
    return [] if status == "ISSUED" else [Gap("certificate", f"{arn} is {status}, not ISSUED")]


def images(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    ecr = clients("ecr")
    gaps: list[Gap] = []
    for name, service in target.config.services.items():
        located = _ecr_image(target, service.image)
        if located is None:
            continue  # built by the program itself, or in another registry (out of our reach)
        repository, identifier, shown = located
        try:
            ecr.describe_images(repositoryName=repository, imageIds=[identifier])
        except ClientError as error:
            gaps.append(
                Gap(
                    "images",
                    f"services.{name}: {shown}: {_code(error)}; push the image before the up, "
                    "or ECS fails every task start",
                )
            )
    return gaps


def _ecr_image(target: Target, image: str | ImageSpec | None) -> tuple[str, dict[str, str], str] | None:
    """(repository, ECR image id, how config spells it) for an image in this account's and region's ECR."""
    if isinstance(image, ImageSpec):
        own = image.repository in target.config.repositories
        repository = target.physical(image.repository) if own else image.repository
        identifier = {"imageDigest": image.digest} if image.digest else {"imageTag": image.tag or ""}
        return repository, identifier, f"{repository}@{image.digest}" if image.digest else f"{repository}:{image.tag}"
    if image is None:
        return None
    parsed = parse_image(image)
    if (parsed.ecr_account, parsed.ecr_region) != (target.account, target.region):
        return None
    identifier = {"imageDigest": parsed.digest} if parsed.digest else {"imageTag": parsed.tag or ""}
    return parsed.repository, identifier, image


def secrets(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    manager = clients("secretsmanager")
    pending = target.config.secrets_pending
    gaps: list[Gap] = []
    for key in target.config.secrets:
        name = target.secret_name(key)
        try:
            stages = manager.describe_secret(SecretId=name).get("VersionIdsToStages") or {}
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise
            if not pending:
                gaps.append(
                    Gap(
                        "secrets",
                        f"{name} does not exist yet: for a first deploy set "
                        "`platform:secretsPending: true` (services that read it start with 0 tasks), "
                        "`up`, put its value, then remove the key",
                    )
                )
            continue
        if not any("AWSCURRENT" in labels for labels in stages.values()):
            gaps.append(
                Gap(
                    "secrets",
                    f"{name} has no value: aws secretsmanager put-secret-value --secret-id "
                    f"{name} --secret-string file://<file> (then remove platform:secretsPending)",
                )
            )
    return gaps


def service_linked_roles(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    roles = clients("iam").list_roles(PathPrefix=ECS_SERVICE_LINKED_ROLE_PATH).get("Roles", [])
    if roles:
        return []
    return [
        Gap(
            "service-linked-roles",
            "the ECS service-linked role does not exist in this account: create it "
            "once (the account layer, or aws iam create-service-linked-role --aws-service-name "
            "ecs.amazonaws.com); a new account's first cluster creation can fail without it",
        )
    ]


def elastic_ips(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    network = target.config.network
    needed = {"none": 0, "single": 1, "per-az": network.az_count}[network.nat_strategy]
    if needed == 0:
        return []
    addresses = clients("ec2").describe_addresses().get("Addresses", [])
    own_prefix = target.physical("nat", "")
    own = sum(1 for a in addresses if _tag(a, "Name").startswith(own_prefix))
    limit = _elastic_ip_quota(clients)
    if len(addresses) - own + needed <= limit:
        return []
    return [
        Gap(
            "quotas",
            f"Elastic IPs: {len(addresses)} allocated in {target.region} ({own} of them this "
            f"stack's), the stack needs {needed} for its NAT gateways, the quota is {limit}: request a "
            "quota increase (Service Quotas, EC2-VPC Elastic IPs) or use natStrategy single",
        )
    ]


DOCUMENTATION_ACCOUNT = "123456789012"
"""The account id AWS's documentation uses; in a stack file it is a placeholder, never a real registry."""
DOCUMENTATION_DOMAINS = ("example.com", "example.org", "example.net", "example")
"""RFC 2606 names: addresses there reach nobody."""


def placeholders(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    """Values the example stack files carry that must be replaced before a real deploy."""
    config = target.config
    gaps: list[Gap] = []
    for name, service in config.services.items():
        if (
            isinstance(service.image, str)
            and parse_image(service.image).ecr_account == DOCUMENTATION_ACCOUNT != target.account
        ):
            gaps.append(
                Gap(
                    "placeholders",
                    f"services.{name}.image names the documentation account "
                    f"{DOCUMENTATION_ACCOUNT}: use this account's ECR ({target.account}) or your registry",
                )
            )
    for key, address in [("owner", config.owner), *(("alarms.emails", e) for e in config.alarms.emails)]:
        if _documentation_domain(address.rpartition("@")[2]):
            gaps.append(
                Gap(
                    "placeholders",
                    f"{key}: {address} is a placeholder address; alarms and budget alerts sent there reach nobody",
                )
            )
    domain = config.load_balancer.domain
    if domain is not None and _documentation_domain(domain.hosted_zone):
        gaps.append(
            Gap(
                "placeholders",
                f"loadBalancer.domain.hostedZone: {domain.hosted_zone} is a "
                "documentation domain: set the stack's own zone",
            )
        )
    return gaps


def _documentation_domain(name: str) -> bool:
    name = name.lower().rstrip(".")
    return any(name == d or name.endswith("." + d) for d in DOCUMENTATION_DOMAINS)


CHECKS: tuple[Callable[[Target, Clients, NsLookup], list[Gap]], ...] = (
    placeholders,
    hosted_zone,
    certificate,
    images,
    secrets,
    service_linked_roles,
    elastic_ips,
)


def run_checks(target: Target, clients: Clients, ns_lookup: NsLookup) -> list[Gap]:
    return [gap for check in CHECKS for gap in check(target, clients, ns_lookup)]


def _elastic_ip_quota(clients: Clients) -> int:
    try:
        quota = clients("service-quotas").get_service_quota(ServiceCode="ec2", QuotaCode=ELASTIC_IP_QUOTA_CODE)
        return int(quota["Quota"]["Value"])
    except ClientError:
        return ELASTIC_IP_DEFAULT_QUOTA  # not readable (permissions, partition): assume the default


def _tag(resource: dict[str, Any], key: str) -> str:
    tags: Iterable[dict[str, str]] = resource.get("Tags", [])
    return next((t["Value"] for t in tags if t["Key"] == key), "")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "error"))
