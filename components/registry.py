"""One registry of what a stack builds that others may use: kinds -> names -> attributes, and the grantable.

Everything addressable is one `Kind`, registered once in `KINDS`:

- its config section (`buckets`), which names the config declares (`declared`, read before anything is
  built, so references are checked with the rest of the config) and whether it is a singleton
  (`database`, `events`: addressed without a name);
- its attributes (`name`, `arn`, `url`...), each read from the built component (`Bucket.bucket_name`), and
  the secrets it holds whose fields a container may read (`database.masterSecret`);
- where the built components are: the `DataStores` field of the same name (or a `Registry.add` call).

Both consumers resolve through it: grants (`grantable`: the object implementing `components.grants`'s
protocol) and references in config values (`${buckets.uploads.name}` -> `resolve`; Pulumi YAML's
interpolation syntax). A reference grants nothing: access stays an explicit grant. Adding a kind (caches,
functions, collections) is one `register_kind(Kind(...))`: its references, its listing in error messages and
its lookup for grants follow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pulumi

from .grants import DataStores
from .iam import Statement

if TYPE_CHECKING:
    from .aws_context import AwsContext
    from .config.stack import StackConfig

REFERENCE = re.compile(r"\$\{([^}]*)\}")
"""`${kind.name.attribute}` (or `${kind.attribute}` for a singleton), as Pulumi YAML interpolates."""

SECRET_REFERENCE = re.compile(r"^(?P<path>[a-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+){1,2})(:(?P<key>[^:]+))?$")
"""A container secret read from what the stack built: `database.masterSecret:password` (`<path>[:json-key]`)."""


@dataclass(frozen=True)
class Kind:
    """One kind of addressable thing (see the module docstring)."""

    section: str
    """Config section and first word of a reference: `buckets` -> `${buckets.<name>.<attribute>}`."""
    attributes: Mapping[str, str]
    """Reference attribute -> the built component's attribute: `{"name": "bucket_name", "arn": "arn"}`."""
    declared: Callable[[StackConfig], Iterable[str]]
    """The names the config declares (a singleton: `[""]` when present, `[]` when not)."""
    singleton: bool = False
    """Addressed without a name: `${database.endpoint}`."""
    secrets: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Secrets a container may read a field of: name -> (attribute of the secret's ARN, attribute of the
    KMS key that encrypts it). `database.masterSecret:password`."""


KINDS: dict[str, Kind] = {}
"""Every addressable kind, by section."""


def register_kind(kind: Kind) -> Kind:
    """Make a kind addressable (references, grants, error listings). One call per kind."""
    if kind.section in KINDS:
        raise ValueError(f"kind {kind.section} is already registered")
    KINDS[kind.section] = kind
    return kind


def _present(value: object) -> list[str]:
    return [""] if value else []


register_kind(Kind("buckets", {"name": "bucket_name", "arn": "arn"}, lambda c: c.buckets))
register_kind(Kind("tables", {"name": "table_name", "arn": "arn"}, lambda c: c.tables))
register_kind(Kind("queues", {"name": "queue_name", "url": "url", "arn": "arn"}, lambda c: c.queues))
register_kind(Kind("secrets", {"name": "secret_name", "arn": "arn"}, lambda c: c.secrets))
register_kind(
    Kind(
        "events", {"busName": "bus_name", "busArn": "bus_arn"}, lambda c: _present(c.events.creates_bus), singleton=True
    )
)
register_kind(
    Kind(
        "database",
        {"endpoint": "endpoint", "readerEndpoint": "reader_endpoint", "port": "port", "name": "database_name"},
        lambda c: _present(c.database is not None),
        singleton=True,
        secrets={"masterSecret": ("master_secret_arn", "master_secret_kms_key_arn")},
    )
)
register_kind(
    Kind("caches", {"endpoint": "endpoint", "readerEndpoint": "reader_endpoint", "port": "port"}, lambda c: c.caches)
)
register_kind(
    Kind("collections", {"name": "collection_name", "arn": "arn", "endpoint": "endpoint"}, lambda c: c.collections)
)
register_kind(Kind("services", {"url": "url"}, lambda c: [name for name, s in c.services.items() if s.kind == "web"]))


# -- config time: what can be referenced ------------------------------------------------------------
def addressable(config: StackConfig) -> dict[str, list[str]]:
    """Every reference the config allows, by kind: `{"buckets": ["buckets.uploads.name", ...]}`."""
    found: dict[str, list[str]] = {}
    for kind in KINDS.values():
        names = sorted(kind.declared(config))
        found[kind.section] = [_path(kind, name, attribute) for name in names for attribute in kind.attributes]
    return found


def readable_secrets(config: StackConfig) -> list[str]:
    """Every `<path>` a container secret may read from: `database.masterSecret`."""
    return [
        _path(kind, name, secret)
        for kind in KINDS.values()
        if kind.secrets
        for name in sorted(kind.declared(config))
        for secret in kind.secrets
    ]


def _path(kind: Kind, name: str, attribute: str) -> str:
    return f"{kind.section}.{attribute}" if kind.singleton else f"{kind.section}.{name}.{attribute}"


def references_in(value: str) -> list[str]:
    """The `${...}` references in a config value, in order."""
    return [match.strip() for match in REFERENCE.findall(value)]


def listing(config: StackConfig) -> str:
    """What can be referenced, compactly: `buckets.uploads.{name,arn}, database.{endpoint,port}`."""
    parts: list[str] = []
    for kind in KINDS.values():
        attributes = ",".join(kind.attributes)
        for name in sorted(kind.declared(config)):
            prefix = kind.section if kind.singleton else f"{kind.section}.{name}"
            parts.append(f"{prefix}.{{{attributes}}}" if len(kind.attributes) > 1 else f"{prefix}.{attributes}")
    return ", ".join(parts) if parts else "nothing (the stack declares no buckets, tables, queues, database...)"


# -- build time: the built things ---------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    """A service as references see it: its URL."""

    url: pulumi.Input[str]


class Registry:
    """What one stack built, by kind and name. Built from the `DataStores` (each kind's field of the same
    name) plus what `add` registers (`services`)."""

    def __init__(self, stores: DataStores | None = None, aws_context: AwsContext | None = None) -> None:
        self._things: dict[str, dict[str, object]] = {section: {} for section in KINDS}
        self._stores = stores
        self.aws_context = aws_context
        if stores is not None:
            for section, kind in KINDS.items():
                built = getattr(stores, section, None)
                if isinstance(built, Mapping):
                    self._things[section].update({str(k): v for k, v in built.items()})
                elif built is not None and kind.singleton:
                    self._things[section][""] = built

    def add(self, section: str, name: str, thing: object) -> None:
        """Register a built thing (`add("services", "api", Endpoint(url))`)."""
        if section not in KINDS:
            raise KeyError(f"no kind {section!r}; registered: {', '.join(KINDS)}")
        self._things[section][name] = thing

    def get(self, section: str, name: str = "") -> object | None:
        return self._things.get(section, {}).get(name)

    def grantable(self, section: str, name: str = "") -> Any:
        """The store a grant on `section.name` resolves to (None when the stack did not build it)."""
        return self.get(section, name)

    def attribute(self, path: str) -> pulumi.Output[str]:
        """`buckets.uploads.name` -> the bucket's name, as a string Output."""
        kind, name, attribute = self._split(path)
        thing = self.get(kind.section, name)
        component_attribute = kind.attributes.get(attribute)
        if thing is None or component_attribute is None:
            raise KeyError(f"`{path}` is not something this stack built")
        value = getattr(thing, component_attribute)
        return pulumi.Output.from_input(value).apply(str)

    def resolve(self, text: str) -> pulumi.Input[str]:
        """A config value with its `${...}` references replaced: the text itself when it has none, else an
        Output concatenating literal parts and resolved attributes."""
        parts = REFERENCE.split(text)
        if len(parts) == 1:
            return text
        # split() alternates literal text and the captured reference: even indexes are literal
        pieces: list[pulumi.Input[str]] = [
            part if index % 2 == 0 else self.attribute(part.strip()) for index, part in enumerate(parts)
        ]
        return pulumi.Output.concat(*[p for p in pieces if p != ""])

    def secret(self, reference: str, grantee: str) -> tuple[pulumi.Output[str], list[Statement]]:
        """`database.masterSecret:password` -> (the `valueFrom`: `<secret arn>:password::`, the statements the
        execution role needs: GetSecretValue on that secret, kms:Decrypt on its key through Secrets Manager)."""
        match = SECRET_REFERENCE.match(reference)
        if match is None:
            raise KeyError(f"{reference!r} is not <kind>[.<name>].<secret>[:json-key]")
        kind, name, secret = self._split(match["path"])
        thing = self.get(kind.section, name)
        attributes = kind.secrets.get(secret)
        if thing is None or attributes is None:
            raise KeyError(f"`{match['path']}` is not a secret this stack built")
        arn = pulumi.Output.from_input(getattr(thing, attributes[0]))
        key_arn = getattr(thing, attributes[1])
        json_key = match["key"]
        value_from = pulumi.Output.concat(arn, ":", json_key, "::") if json_key else arn
        label = "".join(
            w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", f"{kind.section} {name} {secret}") if w
        )
        statements = [Statement(sid=f"Inject{label}", actions=["secretsmanager:GetSecretValue"], resources=[arn])]
        if key_arn is not None:
            conditions = {}
            if self.aws_context is not None:
                from .keys import via_service

                conditions = via_service(self.aws_context, "secretsmanager")
            statements.append(
                Statement(sid=f"Inject{label}Key", actions=["kms:Decrypt"], resources=[key_arn], conditions=conditions)
            )
        return value_from, statements

    @staticmethod
    def _split(path: str) -> tuple[Kind, str, str]:
        words = path.split(".")
        kind = KINDS.get(words[0])
        if kind is None or len(words) != (2 if kind.singleton else 3):
            raise KeyError(f"`{path}` is not <kind>.<name>.<attribute> (or <kind>.<attribute>)")
        return kind, ("" if kind.singleton else words[1]), words[-1]


def is_stack_secret_reference(reference: str) -> bool:
    """A container secret that reads a secret the stack built by path (`database.masterSecret:password`),
    rather than a `platform:secrets` name (`stripe-key[:json-key]`) or an ARN."""
    return not reference.startswith("arn:") and "." in reference.split(":", 1)[0]


class _WebEntry(Protocol):
    """A service's config as `register_services` reads it."""

    @property
    def kind(self) -> str: ...
    @property
    def routing(self) -> Any: ...


class _LoadBalancerUrl(Protocol):
    """The load balancer as a web service's URL needs it."""

    @property
    def url(self) -> pulumi.Output[str]: ...
    @property
    def https(self) -> bool: ...


def service_url(load_balancer: _LoadBalancerUrl, hosts: Sequence[str]) -> pulumi.Input[str]:
    """A web service's URL: its first routing host without wildcards (`https://api.example.com`), else the
    load balancer's URL (`https://<domain>`, or its DNS name)."""
    exact = [host for host in hosts if "*" not in host and "?" not in host]
    if exact:
        return f"{'https' if load_balancer.https else 'http'}://{exact[0]}"
    return load_balancer.url


def register_services(
    registry: Registry, services: Mapping[str, _WebEntry], load_balancer: _LoadBalancerUrl | None
) -> None:
    """`services.<name>.url` for every web service: known before any service is built, so services may
    reference each other (and themselves) in any order."""
    if load_balancer is None:
        return
    for name, service in services.items():
        if service.kind == "web":
            hosts = list(getattr(service.routing, "hosts", None) or [])
            registry.add("services", name, Endpoint(service_url(load_balancer, hosts)))


__all__ = [
    "KINDS",
    "Endpoint",
    "Kind",
    "Registry",
    "addressable",
    "is_stack_secret_reference",
    "listing",
    "readable_secrets",
    "references_in",
    "register_kind",
    "register_services",
    "service_url",
]
