"""The rules the Pulumi CLI applies when it loads project, policy-pack and stack files, in Python.

Mocks never load these files, and their JSON schema alone lets through what the CLI refuses, so a file the
CLI would reject can pass every other test (it did: `aws:region: {description: ...}` in Pulumi.yaml stopped
every real command). Rules read in pulumi/pulumi `sdk/go/common/workspace/` (CLI 3.272.0 is pinned in
`.pulumi-version`; read at commits 0351806b `project.go` and 0498be11 `project.json`, where these functions
match the pinned release's):

- `LoadProject`: `ValidateProject(raw)` (non-empty string `name`, then `project.json`), then
  `RewriteShorthandConfigValues` (a primitive under `config:` becomes `{default: v}` for the project's own keys
  and `{value: v}` for another namespace's), then `Project.Validate()`.
- `Project.Validate`: `default` and `value` never together; project keys: an `array` type needs `items`, a
  typed `default` must pass `ValidateConfigValue`; keys of another namespace (`aws:region`): no `type`, no
  `default`, and a `value` is required ("Configuration key 'aws:region' is namespaced and must provide an
  attribute 'value'").
- `project.json`: a `config:` entry is a string, an integer, a boolean, or a declaration object whose only
  keys are `type` (required: string | integer | boolean | array), `items`, `description`, `secret`,
  `default`; `runtime` is a non-empty string or `{name, options}`; `options` holds only `refresh: always`.
- `PolicyPackProject.Validate`: a runtime name is required.
- `LoadProjectStack` / `mergeConfig` (`config.go`): stack files hold `secretsprovider`, `encryptedkey`,
  `encryptionsalt`, `config`, `environment`; a project key with neither `value` nor `default` must be set by
  every stack; a typed project key's stack value must pass `ValidateConfigValue`; a `secret: true` key must
  be `secure:` in the stack.
"""

from __future__ import annotations

from typing import Any

SIMPLE_TYPES = ("string", "integer", "boolean", "array")
DECLARATION_KEYS = {"type", "items", "description", "secret", "default"}
PROJECT_KEYS = {
    "name",
    "runtime",
    "main",
    "description",
    "author",
    "website",
    "license",
    "config",
    "stackConfigDir",
    "backend",
    "options",
    "template",
    "plugins",
    "packages",
    "requiredPulumiVersion",
}
POLICY_PACK_KEYS = {"runtime", "version", "main", "description", "author", "website", "license"}
STACK_KEYS = {"secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"}


def namespaced_by_project(project: str, key: str) -> bool:
    return ":" not in key or key.startswith(f"{project}:")


def valid_config_value(type_name: str, items: dict[str, Any] | None, value: object) -> bool:
    """`ValidateConfigValue`: YAML floats that are whole and strings that parse count as integers."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and value.lstrip("+-").isdigit()
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or items is None:
        return False
    return all(valid_config_value(items.get("type", ""), items.get("items"), item) for item in value)


def _runtime_problems(runtime: object) -> list[str]:
    if isinstance(runtime, str):
        return [] if runtime else ["runtime: must be a non-empty string"]
    if isinstance(runtime, dict):
        extra = sorted(set(runtime) - {"name", "options"})
        problems = [f"runtime.{key}: not allowed" for key in extra]
        if not isinstance(runtime.get("name"), str) or not runtime["name"]:
            problems.append("runtime.name: required, a non-empty string")
        if "options" in runtime and not isinstance(runtime["options"], dict):
            problems.append("runtime.options: must be an object")
        return problems
    return ["runtime: required, a string or {name, options}"]


def _declaration_problems(key: str, entry: dict[str, Any]) -> list[str]:
    """`project.json`'s `configTypeDeclaration`."""
    problems = [f"config.{key}.{extra}: not allowed" for extra in sorted(set(entry) - DECLARATION_KEYS)]
    if entry.get("type") not in SIMPLE_TYPES:
        problems.append(f"config.{key}: missing or invalid 'type' (allowed: {', '.join(SIMPLE_TYPES)})")
    elif entry["type"] == "array" and "items" not in entry:
        problems.append(f"config.{key}: an array declares its element type in 'items'")
    return problems


def project_problems(raw: object) -> list[str]:
    """Everything `LoadProject` would refuse in a parsed Pulumi.yaml."""
    if not isinstance(raw, dict):
        return ["the project must be an object"]
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        return ["project is missing a non-empty string 'name' attribute"]
    problems = _runtime_problems(raw.get("runtime"))
    options = raw.get("options")
    if options is not None and (
        not isinstance(options, dict) or set(options) - {"refresh"} or options.get("refresh", "always") != "always"
    ):
        problems.append("options: only `refresh: always` is allowed")
    config = raw.get("config") or {}
    if not isinstance(config, dict):
        return [*problems, "config: must be a map of keys to declarations"]
    for key, entry in config.items():
        if isinstance(entry, bool | int | str):
            # Shorthand: RewriteShorthandConfigValues makes it a default (own key) or a value (other namespace).
            continue
        if not isinstance(entry, dict):
            problems.append(f"config.{key}: must be a string, an integer, a boolean or a declaration")
            continue
        problems.extend(_declaration_problems(key, entry))
        problems.extend(_validate_entry(name, key, entry))
    return problems


def _validate_entry(project: str, key: str, entry: dict[str, Any]) -> list[str]:
    """`Project.Validate` for one declaration."""
    if entry.get("default") is not None and entry.get("value") is not None:
        return [f"project config '{key}' cannot have both a 'default' and 'value' attribute"]
    if namespaced_by_project(project, key):
        if (
            entry.get("type") is not None
            and entry.get("default") is not None
            and not valid_config_value(entry["type"], entry.get("items"), entry["default"])
        ):
            return [
                f"The default value specified for configuration key '{key}' is not of the expected type "
                f"'{entry['type']}'"
            ]
        return []
    if entry.get("type") is not None:
        return [f"Configuration key '{key}' is not namespaced by the project and should not define a type"]
    if entry.get("default") is not None:
        return [
            f"Configuration key '{key}' is not namespaced by the project and should not define a default "
            "value. Did you mean to use the 'value' attribute instead of 'default'?"
        ]
    if entry.get("value") is None:
        return [f"Configuration key '{key}' is namespaced and must provide an attribute 'value'"]
    return []


def policy_pack_problems(raw: object) -> list[str]:
    """What `PolicyPackProject` loading refuses in a PulumiPolicy.yaml."""
    if not isinstance(raw, dict):
        return ["the policy pack project must be an object"]
    problems = [f"{key}: not a PulumiPolicy.yaml attribute" for key in sorted(set(raw) - POLICY_PACK_KEYS)]
    if "runtime" not in raw:
        return [*problems, "project is missing a 'runtime' attribute"]
    return [*problems, *_runtime_problems(raw["runtime"])]


def stack_problems(project: dict[str, Any], stack: str, raw: object) -> list[str]:
    """What loading a stack file and merging it with the project's config declarations refuses."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return [f"Stack '{stack}': the stack file must be an object"]
    problems = [f"{key}: not a stack file attribute" for key in sorted(set(raw) - STACK_KEYS)]
    name = project["name"]
    values = {_full_key(name, key): value for key, value in (raw.get("config") or {}).items()}
    problems.extend(
        f"Stack '{stack}': config key '{key}' has an empty namespace or name"
        for key in values
        if not all(key.split(":", 1))
    )
    for key, entry in (project.get("config") or {}).items():
        declaration = entry if isinstance(entry, dict) else {}
        full = _full_key(name, key)
        present = full in values
        if not present and entry is not None and not isinstance(entry, dict):
            continue  # shorthand: a default (own key) or a value (other namespace)
        if (
            not present
            and declaration.get("value") is None
            and declaration.get("default") is None
            and full.split(":", 1)[0] == name
        ):
            problems.append(f"Stack '{stack}' is missing configuration value '{key}'")
            continue
        if present and declaration.get("secret") and not _secure(values[full]):
            problems.append(f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret")
        if (
            present
            and declaration.get("type")
            and not _secure(values[full])
            and not valid_config_value(declaration["type"], declaration.get("items"), values[full])
        ):
            problems.append(f"Stack '{stack}' with configuration key '{key}' must be of type '{declaration['type']}'")
    return problems


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _secure(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}
