"""Drive the real policy pack process exactly as the Pulumi engine does, without the Pulumi CLI.

The engine starts a Python pack as `python -u -m pulumi.policy <engine address> <pack dir>` from the pack
directory, with PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN / PULUMI_CONFIG in its environment, reads the
port from the first line of stdout, and talks gRPC (`pulumirpc.Analyzer`):

    Handshake (UNIMPLEMENTED by the Python SDK: tolerated) -> GetAnalyzerInfo -> Configure (policy config
    reconciled like the engine's ReconcilePolicyPackConfig: schema defaults, the pack's initial config, then
    the per-stack config file; validated with JSON Schema; an enforcement level always set) ->
    ConfigureStack -> Remediate + Analyze for every resource (custom resources and components) ->
    AnalyzeStack with every resource's outputs, parent, dependencies and property dependencies.

Resources are anything shaped like `offline.engine.RecordedResource` (type, name, urn, custom, parent, inputs,
outputs, dependencies, property_dependencies, protect, provider, id), so the pack and this driver stay
independent of the platform's code.

    with PolicyHarness() as harness:
        report = harness.check(run.resources, stack="dev", preview=True)
    print(format_report(report)); write_json_report(report, "out/policy-dev.json")

`harness.begin(...)` gives the same check one resource at a time (`Analysis.add` as each is registered, then
`finish`): the offline preview judges resources while the program is still running, as the engine does.

Numbers travel as floats (protobuf Struct). Violations are returned as typed `Diagnostic`s; a stack passes
when no diagnostic is mandatory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

import grpc
import jsonschema
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from .pack_forkserver import SUPPORTED as FORK_SUPPORTED
from .pack_forkserver import ForkedProcess, ForkServer

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACK_DIR = PROJECT_DIR / "policies"
ENGINE_ADDRESS = "127.0.0.1:0"
"""What the engine passes as its own address; `pulumi.policy` parses and ignores it."""

LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVEL_VALUES = {name: value for value, name in LEVELS.items()}
SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
ROOT_TYPE = "pulumi:pulumi:Stack"


class ResourceLike(Protocol):
    """The shape of `offline.engine.RecordedResource` this driver reads (any object with these attributes)."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def custom(self) -> bool: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...
    @property
    def outputs(self) -> Mapping[str, Any]: ...
    @property
    def dependencies(self) -> Sequence[str]: ...
    @property
    def property_dependencies(self) -> Mapping[str, Sequence[str]]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def provider(self) -> str | None: ...
    @property
    def id(self) -> str | None: ...


class PolicyPackError(RuntimeError):
    """The pack process could not be started or answered an RPC with an error."""


class PolicyConfigError(ValueError):
    """The policy config is invalid, as the engine would say it ("validating policy config: ...")."""


# -- results ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Diagnostic:
    """One policy finding, as the engine would print it."""

    policy: str
    level: str
    """advisory | mandatory | disabled | remediate (a remediation that could not run)."""
    resource: str
    """URN of the resource; the root stack's URN for stack-wide findings."""
    message: str
    """The finding, without the policy description the SDK puts in front of it."""
    severity: str = ""
    description: str = ""
    pack: str = ""
    resource_type: str = ""
    stage: str = "analyze"
    """analyze | analyze-stack | remediate."""

    @property
    def mandatory(self) -> bool:
        return self.level == "mandatory"

    @property
    def deferred(self) -> bool:
        """The SDK's "can't run policy ... during preview" advisory: the policy deferred unknown values."""
        return self.message.startswith(f"can't run policy '{self.policy}'")


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    level: str
    kind: str
    """resource | stack."""
    config_schema: dict[str, Any]
    required: list[str]
    severity: str


@dataclass
class PolicyReport:
    """Everything the pack said about one stack."""

    stack: str
    project: str
    preview: bool
    pack: str
    version: str
    levels: dict[str, str]
    """Effective enforcement level of each policy after config reconciliation."""
    config: dict[str, dict[str, Any]]
    """Effective properties of each policy (defaults filled in)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)
    """(policy, resource URN, reason)."""
    resources: int = 0

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.mandatory]

    @property
    def advisory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "advisory"]

    @property
    def deferred(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.deferred]

    @property
    def passed(self) -> bool:
        """What decides the exit code: no mandatory violation."""
        return not self.mandatory

    def by_policy(self) -> dict[str, list[Diagnostic]]:
        grouped: dict[str, list[Diagnostic]] = {}
        for diagnostic in self.diagnostics:
            grouped.setdefault(diagnostic.policy, []).append(diagnostic)
        return grouped

    def violated(self, level: str | None = None) -> set[str]:
        """Names of the policies with a (non-deferral) finding, optionally of one level."""
        return {d.policy for d in self.diagnostics if not d.deferred and (level is None or d.level == level)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "project": self.project,
            "preview": self.preview,
            "pack": {"name": self.pack, "version": self.version},
            "passed": self.passed,
            "resources": self.resources,
            "summary": {
                "mandatory": len(self.mandatory),
                "advisory": len(self.advisory),
                "deferred": len(self.deferred),
            },
            "levels": self.levels,
            "diagnostics": [
                {
                    "policy": d.policy,
                    "level": d.level,
                    "resource": d.resource,
                    "message": d.message,
                    "severity": d.severity,
                    "resourceType": d.resource_type,
                    "stage": d.stage,
                }
                for d in self.diagnostics
            ],
        }


def write_json_report(reports: PolicyReport | Sequence[PolicyReport], path: str | os.PathLike[str]) -> Path:
    """Write one report (an object) or several (`{"reports": [...], "passed": ...}`) as JSON."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(reports, PolicyReport):
        data: dict[str, Any] = reports.to_dict()
    else:
        data = {"passed": all(r.passed for r in reports), "reports": [r.to_dict() for r in reports]}
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return target


def format_report(report: PolicyReport, *, show_advisory: bool = True) -> str:
    """The policy report as lines: `LEVEL  policy  resource  message`, mandatory first, then a verdict."""
    lines = [
        f"Policies ({report.pack}@v{report.version}) for stack {report.stack}"
        f"{' (preview)' if report.preview else ''}: {report.resources} resources analyzed"
    ]
    order = {"mandatory": 0, "remediate": 1, "advisory": 2, "disabled": 3}
    shown = [d for d in report.diagnostics if show_advisory or d.mandatory]
    for d in sorted(shown, key=lambda d: (order.get(d.level, 9), d.policy, d.resource)):
        where = _short_urn(d.resource)
        text = " ".join(d.message.split())
        lines.append(f"  {d.level.upper():<9} {d.policy:<42} {where}\n            {text}")
    verdict = "passed" if report.passed else f"FAILED: {len(report.mandatory)} mandatory violation(s)"
    lines.append(
        f"  {len(report.mandatory)} mandatory, {len(report.advisory)} advisory "
        f"({len(report.deferred)} deferred to `pulumi up`): {verdict}"
    )
    return "\n".join(lines)


def _short_urn(urn: str) -> str:
    """`urn:pulumi:dev::platform::a$b$aws:ec2/vpc:Vpc::network-vpc` -> `aws:ec2/vpc:Vpc::network-vpc`."""
    if "::" not in urn:
        return urn or "(stack)"
    parts = urn.split("::")
    return f"{parts[-2].split('$')[-1]}::{parts[-1]}"


# -- engine-side config reconciliation ---------------------------------------------------------------
def load_policy_config(source: str | os.PathLike[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """A `--policy-pack-config` file (or its parsed content), `{}` for None."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return dict(source)
    text = Path(source).read_text(encoding="utf-8")
    if not text.strip():
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{source}: the policy pack config must be a JSON object")
    return data


LevelAndProps = tuple[str | None, dict[str, Any] | None]
"""A policy's entry in a config: its enforcement level and its properties (either may be absent)."""


def _parse_config(raw: Mapping[str, Any]) -> dict[str, LevelAndProps]:
    """Like the engine's parsePolicyPackConfig: each entry is a level string or an object with an optional
    `enforcementLevel` and properties."""
    parsed: dict[str, LevelAndProps] = {}
    for key, value in raw.items():
        if key == "environments":  # ESC environments: not policy config
            continue
        if isinstance(value, str):
            if value not in LEVEL_VALUES:
                raise PolicyConfigError(
                    f"parsing enforcement level for {key!r}: {value!r} is not a valid enforcement level"
                )
            parsed[key] = (value, None)
        elif isinstance(value, Mapping):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None and level not in LEVEL_VALUES:
                raise PolicyConfigError(
                    f"parsing enforcement level for {key!r}: {level!r} is not a valid enforcement level"
                )
            if level is None and not props:
                continue
            parsed[key] = (level, props or None)
        else:
            raise PolicyConfigError(f"parsing {key!r}: {value!r} is not a valid value; must be a string or object")
    return parsed


def reconcile_config(
    policies: Sequence[PolicyInfo],
    initial: Mapping[str, LevelAndProps],
    given: Mapping[str, Any],
    *,
    pack: str = "",
    version: str = "",
) -> dict[str, tuple[str, dict[str, Any]]]:
    """The engine's ReconcilePolicyPackConfig: schema defaults and each policy's own level, then the pack's
    initial config, then the given config ("all" first, then per policy); then JSON Schema validation."""
    result: dict[str, tuple[str, dict[str, Any]]] = {}
    for policy in policies:
        defaults = {k: v["default"] for k, v in policy.config_schema.items() if isinstance(v, dict) and "default" in v}
        result[policy.name] = (policy.level, defaults)

    def apply(config: Mapping[str, LevelAndProps]) -> None:
        everyone = config.get("all")
        if everyone and everyone[0]:
            for name, (_, props) in result.items():
                result[name] = (everyone[0], props)
        for name, (level, props) in config.items():
            if name == "all":
                continue
            current_level, current_props = result.get(name, ("advisory", {}))
            merged = dict(current_props)
            merged.update(props or {})
            result[name] = (level or current_level, merged)

    apply(initial)
    apply(_parse_config(given))

    errors = []
    for policy in policies:
        schema: dict[str, Any] = {"type": "object"}
        if policy.config_schema:
            schema["properties"] = policy.config_schema
        if policy.required:
            schema["required"] = policy.required
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(result[policy.name][1]), key=lambda e: list(e.path)):
            location = ".".join(str(p) for p in error.path)
            errors.append(f"{policy.name}: {location + ': ' if location else ''}{error.message}")
    if errors:
        raise PolicyConfigError("validating policy config: " + "; ".join(f"{pack} {version}  {e}" for e in errors))
    return {name: value for name, value in result.items() if name in {p.name for p in policies}}


# -- wire conversion --------------------------------------------------------------------------------
def _struct(value: Mapping[str, Any] | None) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    if value:
        try:
            struct.update(value)  # JSON-like data, as the engine records it: taken as it is
        except (TypeError, ValueError):  # a key that is not a string, a value of another type: made JSON-like first
            struct = struct_pb2.Struct()
            struct.update(_jsonable(dict(value)))
    return struct


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _options(resource: ResourceLike) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(getattr(resource, "protect", False)),
        ignoreChanges=list(getattr(resource, "ignore_changes", []) or []),
        parent=getattr(resource, "parent", None) or "",
    )


def _provider(
    resource: ResourceLike, by_urn: Mapping[str, ResourceLike]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    reference = getattr(resource, "provider", None)
    if not reference:
        return None
    urn = reference.rsplit("::", 1)[0] if reference.count("::") > 3 else reference
    provider = by_urn.get(urn)
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, urn=provider.urn, name=provider.name, properties=_struct(provider.inputs)
    )


def _property_dependencies(resource: ResourceLike) -> dict[str, analyzer_pb2.AnalyzerPropertyDependencies]:
    return {
        key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
        for key, urns in (resource.property_dependencies or {}).items()
        if urns
    }


# -- the process ------------------------------------------------------------------------------------
class PolicyPackProcess:
    """One running pack process for one (project, stack, dry-run, stack config); reusable across checks."""

    def __init__(
        self,
        pack_dir: str | os.PathLike[str] = PACK_DIR,
        *,
        project: str,
        stack: str,
        dry_run: bool,
        stack_config: Mapping[str, str] | None = None,
        organization: str = "organization",
        python: str | None = None,
        startup_timeout: float = 60.0,
        rpc_timeout: float = 120.0,
        remember_answers: bool = False,
        fork_server: ForkServer | None = None,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.dry_run = project, stack, dry_run
        self._answers: dict[str, dict[tuple[str, bytes], Any]] | None = {} if remember_answers else None
        """Per policy config, this process's Remediate and Analyze answers by request (`answers`, `Analysis.ask`)."""
        self.stack_config = dict(stack_config or {})
        self.rpc_timeout = rpc_timeout
        env = dict(os.environ)
        env.update(
            {
                "PULUMI_PROJECT": project,
                "PULUMI_STACK": stack,
                "PULUMI_ORGANIZATION": organization,
                "PULUMI_DRY_RUN": "true" if dry_run else "false",
                "PULUMI_CONFIG": json.dumps(self.stack_config),
            }
        )
        self._stderr: list[str] = []
        command = ["-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(self.pack_dir)]
        self.process: subprocess.Popen[str] | ForkedProcess
        if fork_server is not None:  # the same command, forked from a process that has done its imports
            self.process = fork_server.start(command, env, self.pack_dir)
        else:
            self.process = subprocess.Popen(
                [python or sys.executable, *command],
                cwd=self.pack_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        self._finalizer = weakref.finalize(self, _terminate, self.process)
        threading.Thread(target=_drain, args=(self.process.stderr, self._stderr), daemon=True).start()
        try:
            port = self._read_port(startup_timeout)
            self.channel = grpc.insecure_channel(
                f"127.0.0.1:{port}",
                options=[
                    ("grpc.max_receive_message_length", 400 * 1024 * 1024),
                    ("grpc.max_send_message_length", 400 * 1024 * 1024),
                ],
            )
            try:
                grpc.channel_ready_future(self.channel).result(timeout=startup_timeout)
            except grpc.FutureTimeoutError as error:
                raise PolicyPackError(f"policy pack at {self.pack_dir} did not accept connections") from error
            self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
            self._handshake()
            self.info = self._analyzer_info()
        except BaseException:
            self.close()  # never leave a half-started pack running
            raise

    def _read_port(self, timeout: float) -> int:
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None

        def first_line() -> None:
            lines.put(stdout.readline())
            _drain(stdout, [])

        threading.Thread(target=first_line, daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise PolicyPackError(
                f"policy pack at {self.pack_dir} printed no port in {timeout:.0f}s: {self.stderr}"
            ) from None
        try:
            return int(line.strip())
        except ValueError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            raise PolicyPackError(
                f"policy pack at {self.pack_dir} did not start (exit "
                f"{self.process.returncode}): {line.strip()} {self.stderr}"
            ) from None

    @property
    def stderr(self) -> str:
        return "".join(self._stderr).strip()

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=self.rpc_timeout)
        except grpc.RpcError as error:
            raise PolicyPackError(f"{method} failed: {error.code().name}: {error.details()}\n{self.stderr}") from error

    def _handshake(self) -> None:
        request = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=ENGINE_ADDRESS, root_directory=str(self.pack_dir), program_directory=str(self.pack_dir)
        )
        try:
            self.stub.Handshake(request, timeout=self.rpc_timeout)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:  # the Python SDK does not implement it
                raise PolicyPackError(f"Handshake failed: {error.code().name}: {error.details()}") from error

    def _analyzer_info(self) -> analyzer_pb2.AnalyzerInfo:
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        # The engine reports the version PulumiPolicy.yaml states; the Python SDK always answers 0.0.1.
        self.name, self.version = info.name, _project_version(self.pack_dir) or info.version
        self.policies = [
            PolicyInfo(
                name=p.name,
                description=p.description,
                level=LEVELS[p.enforcementLevel],
                kind="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
                config_schema=json_format.MessageToDict(p.configSchema.properties),
                required=list(p.configSchema.required),
                severity=SEVERITIES.get(p.severity, ""),
            )
            for p in info.policies
        ]
        self.initial_config = {
            key: (LEVELS[value.enforcementLevel], json_format.MessageToDict(value.properties) or None)
            for key, value in info.initialConfig.items()
        }
        return info

    def plugin_version(self) -> str:
        return self._call("GetPluginInfo", empty_pb2.Empty()).version

    def configure(self, policy_config: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Reconcile `policy_config` (the --policy-pack-config content) as the engine does, send it."""
        effective = reconcile_config(
            self.policies, self.initial_config, policy_config, pack=self.name, version=self.version
        )
        request = analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(enforcementLevel=LEVEL_VALUES[level], properties=_struct(props))
                for name, (level, props) in effective.items()
            }
        )
        self._call("Configure", request)
        self._call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.stack,
                project=self.project,
                organization="organization",
                dry_run=self.dry_run,
                config=self.stack_config,
                tags={},
            ),
        )
        return effective

    def analyze(self, resources: Iterable[ResourceLike], policy_config: Mapping[str, Any]) -> PolicyReport:
        """Configure, then Remediate + Analyze every resource, then AnalyzeStack: one report."""
        analysis = self.begin(policy_config)
        for resource in resources:
            analysis.add(resource)
        return analysis.finish()

    def begin(self, policy_config: Mapping[str, Any]) -> Analysis:
        """Configure, and return the check in progress: `add` each resource as the program registers it
        (Remediate + Analyze, as the engine does during the run), then `finish` (AnalyzeStack)."""
        return Analysis(self, self.configure(policy_config), self.answers(policy_config))

    def answers(self, policy_config: Mapping[str, Any]) -> dict[tuple[str, bytes], Any] | None:
        """The Remediate and Analyze answers this process remembers under `policy_config` (by method and request
        bytes; `Analysis.ask`), None when it remembers nothing. A session may add answers it had from the same
        process command, stack config and policy config (another worker's)."""
        if self._answers is None:
            return None
        return self._answers.setdefault(json.dumps(policy_config, sort_keys=True), {})

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.channel.close()
        self._finalizer()

    @property
    def running(self) -> bool:
        return self.process.poll() is None


def _project_version(pack_dir: Path) -> str | None:
    path = pack_dir / "PulumiPolicy.yaml"
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    version = data.get("version") if isinstance(data, dict) else None
    return str(version) if version is not None else None


def _drain(stream: Any, sink: list[str]) -> None:
    with contextlib.suppress(Exception):
        for line in iter(stream.readline, ""):
            sink.append(line)


def _terminate(process: subprocess.Popen[str] | ForkedProcess) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    for stream in (process.stdout, process.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.close()


class Analysis:
    """One check in progress on a configured pack: resources are judged one by one as they are added (in
    registration order, as the engine calls Remediate and Analyze while the program runs), the whole stack
    when it is finished. Adding them all and finishing is `PolicyPackProcess.analyze`."""

    def __init__(
        self,
        process: PolicyPackProcess,
        effective: Mapping[str, tuple[str, dict[str, Any]]],
        answers: dict[tuple[str, bytes], Any] | None = None,
    ) -> None:
        self.process = process
        self._answers = answers
        self._descriptions = {p.name: p.description for p in process.policies}
        self._by_urn: dict[str, ResourceLike] = {}
        self._root = ""
        self._stack_resources: list[analyzer_pb2.AnalyzerResource] = []
        self.report = PolicyReport(
            stack=process.stack,
            project=process.project,
            preview=process.dry_run,
            pack=process.name,
            version=process.version,
            levels={k: v[0] for k, v in effective.items()},
            config={k: v[1] for k, v in effective.items()},
        )

    def _collect(self, diagnostics: Iterable[Any], default_urn: str, stage: str) -> None:
        for d in diagnostics:
            description = d.description or self._descriptions.get(d.policyName, "")
            message = d.message
            if description and message.startswith(description + "\n"):
                message = message[len(description) + 1 :]
            urn = d.urn or default_urn
            self.report.diagnostics.append(
                Diagnostic(
                    policy=d.policyName,
                    level=LEVELS.get(d.enforcementLevel, str(d.enforcementLevel)),
                    resource=urn,
                    message=message,
                    severity=SEVERITIES.get(d.severity, ""),
                    description=description,
                    pack=d.policyPackName,
                    resource_type=self._by_urn[urn].type if urn in self._by_urn else "",
                    stage=stage,
                )
            )

    def add(self, resource: ResourceLike) -> None:
        """Remediate + Analyze one resource (its provider, if any, was added before it, as registered)."""
        report = self.report
        self._by_urn[resource.urn] = resource
        if resource.type == ROOT_TYPE and not self._root:
            self._root = resource.urn
        report.resources += 1
        properties = _struct(resource.inputs)
        provider = _provider(resource, self._by_urn)
        base = {"type": resource.type, "urn": resource.urn, "name": resource.name, "options": _options(resource)}
        if provider is not None:
            base["provider"] = provider
        remediated = self.ask("Remediate", analyzer_pb2.AnalyzeRequest(properties=properties, **base))
        for remediation in remediated.remediations:
            if remediation.diagnostic:
                report.diagnostics.append(
                    Diagnostic(
                        policy=remediation.policyName,
                        level="advisory",
                        resource=resource.urn,
                        message=remediation.diagnostic,
                        description=remediation.description,
                        pack=remediation.policyPackName,
                        resource_type=resource.type,
                        stage="remediate",
                    )
                )
            if remediation.HasField("properties"):
                properties = remediation.properties  # the engine continues with the remediated inputs
        analyzed = self.ask("Analyze", analyzer_pb2.AnalyzeRequest(properties=properties, **base))
        self._collect(analyzed.diagnostics, resource.urn, "analyze")
        report.not_applicable += [(n.policy_name, resource.urn, n.reason) for n in analyzed.not_applicable]
        self._stack_resources.append(
            analyzer_pb2.AnalyzerResource(
                properties=_struct(resource.outputs),
                parent=resource.parent or "",
                dependencies=list(resource.dependencies or []),
                propertyDependencies=_property_dependencies(resource),
                **base,
            )
        )

    def ask(self, method: str, request: analyzer_pb2.AnalyzeRequest) -> Any:
        """The pack's answer to a Remediate or Analyze request. With remembered answers (a test session's
        harness), a request this process already answered under the same policy config gets that answer
        again: a resource policy is given one resource (its properties, options and provider: the whole
        request) and the process's fixed stack, project, dry-run flag and stack config, so the pack answers
        the same bytes the same way; a changed copy of a run sends only what changed. AnalyzeStack, which
        sees every resource, is always asked."""
        if self._answers is None:
            return self.process._call(method, request)
        key = (method, request.SerializeToString(deterministic=True))
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self.process._call(method, request)
        return answer

    def finish(self) -> PolicyReport:
        """AnalyzeStack over every resource added; the report."""
        report = self.report
        analyzed = self.process._call("AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(resources=self._stack_resources))
        self._collect(analyzed.diagnostics, self._root, "analyze-stack")
        report.not_applicable += [(n.policy_name, self._root, n.reason) for n in analyzed.not_applicable]
        # a resource policy may name a resource registered after the one judged: type it now all are known
        report.diagnostics = [
            dataclasses.replace(d, resource_type=self._by_urn[d.resource].type)
            if not d.resource_type and d.resource in self._by_urn
            else d
            for d in report.diagnostics
        ]
        return report


# -- the session --------------------------------------------------------------------------------------
def default_policy_config(stack: str, pack_dir: str | os.PathLike[str] = PACK_DIR) -> Path | None:
    """What `--policy-pack-config` is given for the stack: `<pack>/config/<stack>.json` when it exists, else
    `<pack>/config/<environment>.json` for the environment its stack file states (offline/stackfile.py)."""
    path = Path(pack_dir) / "config" / f"{stack}.json"
    if path.exists():
        return path
    from .stackfile import pack_config

    return pack_config(stack, config_dir=Path(pack_dir) / "config")


_DEFAULT = object()


class _SharedForks:
    def __init__(self) -> None:
        self.source: Callable[[], ForkServer | None] | None = None
        """Where harnesses made without `fork=` get a fork server (`fork_packs_from`); None: they start plainly."""


_SHARED_FORKS = _SharedForks()


def fork_packs_from(source: Callable[[], ForkServer | None] | None) -> None:
    """Fork the pack processes of every harness made without `fork=` (the offline preview's) from the server
    `source` returns when one is needed: a test session's, so a CLI preview run in a test forks its pack (~0.05 s
    of CPU) instead of starting it (~0.45 s); None: start them plainly again, as the engine does."""
    _SHARED_FORKS.source = source


class PolicyHarness:
    """A session: pack processes started on demand, one per (project, stack, preview, stack config) because
    those reach the pack through its environment, reused across checks, all terminated on close."""

    def __init__(
        self,
        pack_dir: str | os.PathLike[str] = PACK_DIR,
        *,
        python: str | None = None,
        remember_answers: bool = False,
        fork: bool | None = None,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.python = python
        self.remember_answers = remember_answers
        """Each process answers a given Remediate or Analyze request once (`Analysis.ask`): for a session
        checking many copies of the same runs (the tests)."""
        self.fork = bool(fork) and python is None and FORK_SUPPORTED
        """Start pack processes from a fork server of this harness's own (`offline/pack_forkserver.py`, Linux):
        for a session starting many. Not given (None): from the one `fork_packs_from` shares, if any and for
        this pack; False: always plainly."""
        self._shared_forks = fork is None and python is None
        self._fork_server: ForkServer | None = None
        self._processes: dict[tuple[str, str, bool, str], PolicyPackProcess] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> PolicyHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def process(
        self,
        *,
        stack: str,
        project: str = "platform",
        preview: bool = False,
        stack_config: Mapping[str, str] | None = None,
    ) -> PolicyPackProcess:
        key = (project, stack, preview, json.dumps(dict(stack_config or {}), sort_keys=True))
        with self._lock:
            process = self._processes.get(key)
            if process is not None and process.running:
                return process
        started = PolicyPackProcess(
            self.pack_dir,
            fork_server=self.fork_server(),
            project=project,
            stack=stack,
            dry_run=preview,
            stack_config=stack_config,
            python=self.python,
            remember_answers=self.remember_answers,
        )
        with self._lock:
            current = self._processes.get(key)
            if current is not None and current.running:  # another thread won the race
                started.close()
                return current
            self._processes[key] = started
        return started

    def fork_server(self) -> ForkServer | None:
        """Where this harness's pack processes are forked from (its own server, started on first use, or the
        shared one); None: they start plainly."""
        if not self.fork:
            source = _SHARED_FORKS.source if self._shared_forks else None
            shared = source() if source is not None else None
            return shared if shared is not None and shared.pack_dir == self.pack_dir else None
        with self._lock:
            if self._fork_server is None or not self._fork_server.running:
                self._fork_server = ForkServer(self.pack_dir)
            return self._fork_server

    def check(
        self,
        resources: Iterable[ResourceLike],
        *,
        stack: str,
        project: str = "platform",
        preview: bool = False,
        stack_config: Mapping[str, str] | None = None,
        policy_config: str | os.PathLike[str] | Mapping[str, Any] | object | None = _DEFAULT,
    ) -> PolicyReport:
        """Run the pack over `resources` as `pulumi preview` (preview=True) or `pulumi up` would.

        `policy_config`: the `--policy-pack-config` file or content; by default `<pack>/config/<stack>.json`,
        None for no file at all (every policy at its own level)."""
        analysis = self.begin(
            stack=stack, project=project, preview=preview, stack_config=stack_config, policy_config=policy_config
        )
        for resource in resources:
            analysis.add(resource)
        return analysis.finish()

    def begin(
        self,
        *,
        stack: str,
        project: str = "platform",
        preview: bool = False,
        stack_config: Mapping[str, str] | None = None,
        policy_config: str | os.PathLike[str] | Mapping[str, Any] | object | None = _DEFAULT,
    ) -> Analysis:
        """`check` one resource at a time: the configured check, to `add` resources to as they are registered
        and `finish`. Same arguments as `check`."""
        source = default_policy_config(stack, self.pack_dir) if policy_config is _DEFAULT else policy_config
        config = load_policy_config(source)  # type: ignore[arg-type]
        process = self.process(stack=stack, project=project, preview=preview, stack_config=stack_config)
        return process.begin(config)

    def check_run(self, run: Any, **kwargs: Any) -> PolicyReport:
        """`check` for an `offline.engine.StackRun` (its stack, project and preview flag)."""
        return self.check(run.resources, stack=run.stack, project=run.project, preview=run.preview, **kwargs)

    def check_runs(self, runs: Iterable[Any], **kwargs: Any) -> list[PolicyReport]:
        """`check_run` for several runs at once: each stack has its own pack process, so they run in parallel."""
        runs = list(runs)
        with ThreadPoolExecutor(max_workers=max(1, len(runs))) as pool:
            return list(pool.map(lambda run: self.check_run(run, **kwargs), runs))

    def close(self) -> None:
        for process in self._processes.values():
            process.close()
        self._processes.clear()
        if self._fork_server is not None:
            self._fork_server.close()
            self._fork_server = None


def check_stack_run(run: Any, **kwargs: Any) -> PolicyReport:
    """One-shot: start the pack, check one `StackRun`, stop the pack."""
    with PolicyHarness() as harness:
        return harness.check_run(run, **kwargs)


def print_report(
    run: Any, *, out: TextIO | None = None, report_json: str | os.PathLike[str] | None = None, **kwargs: Any
) -> int:
    """For the offline preview: run the pack over a `StackRun`, print the policy report, optionally write it as
    JSON; return the exit code (1 on a mandatory violation, else 0)."""
    return write_report(check_stack_run(run, **kwargs), out=out, report_json=report_json)


def write_report(
    report: PolicyReport, *, out: TextIO | None = None, report_json: str | os.PathLike[str] | None = None
) -> int:
    """Print a report (and write it as JSON); the exit code: 1 on a mandatory violation, else 0."""
    stream = out if out is not None else sys.stdout
    stream.write("\n" + format_report(report) + "\n")
    if report_json is not None:
        path = write_json_report(report, report_json)
        stream.write(f"Policy report written to {path}\n")
    return 0 if report.passed else 1


__all__ = [
    "PACK_DIR",
    "Analysis",
    "Diagnostic",
    "PolicyConfigError",
    "PolicyHarness",
    "PolicyInfo",
    "PolicyPackError",
    "PolicyPackProcess",
    "PolicyReport",
    "check_stack_run",
    "default_policy_config",
    "fork_packs_from",
    "format_report",
    "load_policy_config",
    "print_report",
    "reconcile_config",
    "write_json_report",
    "write_report",
]
