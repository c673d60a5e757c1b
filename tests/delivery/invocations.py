"""Find every `pulumi preview` / `pulumi up` the project can run, and say which lack the policy pack.

On a self-managed backend an update run without `--policy-pack` enforces nothing, so every path that runs
one must pass the pack (`policies`) and a pack config (`policies/config/<stack>.json`), one config per pack
(the CLI matches them by position). Places looked at, under a project root:

- `.github/workflows/*.yml|yaml` and `.github/actions/*/action.yml|yaml`: `run:` scripts, and
  `pulumi/actions` steps whose `command` is preview or up (inputs `policyPacks` / `policyPackConfigs`);
- `Makefile` recipes (simple `NAME = value` variables expanded);
- `scripts/*.sh`;
- shell code blocks of `README.md` (what people copy).

A subcommand that is a shell variable (`pulumi "$command" ...`) counts as preview/up: it may be one.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: the same documents, parsed several times faster."""
GUARDED = frozenset({"preview", "pre", "up", "update"})
"""`pulumi preview` (alias `pre`) and `pulumi up` (alias `update`)."""
_GLOBAL_FLAGS_WITH_VALUE = frozenset(
    {"-C", "--cwd", "--color", "-v", "--verbose", "--tracing", "--profiling", "--memprofilerate", "--logflow"}
)
_PACK = re.compile(r"(^|/)policies/?$")
_PACK_CONFIG = re.compile(r"(^|/)policies/config/[^/]+\.json$")
_SEPARATORS = re.compile(r"&&|\|\||[;|\n]")
_SHELL_FENCE = re.compile(r"^```(sh|bash|shell|console|zsh)?\s*$")


@dataclass(frozen=True)
class Invocation:
    """One place that runs `pulumi preview` or `pulumi up`."""

    source: str
    """`path` or `path: job/step`."""
    command: str
    """The subcommand as written (`preview`, `up`, `$command`)."""
    stack: str | None
    packs: tuple[str, ...]
    pack_configs: tuple[str, ...]
    text: str

    def problems(self) -> list[str]:
        found: list[str] = []
        if not self.packs:
            found.append("runs without --policy-pack policies")
        found.extend(
            f"--policy-pack {pack!r} is not the policies/ pack" for pack in self.packs if not _PACK.search(pack)
        )
        if not self.pack_configs:
            found.append("runs without --policy-pack-config policies/config/<stack>.json")
        found.extend(
            f"--policy-pack-config {config!r} is not a policies/config/<stack>.json file"
            for config in self.pack_configs
            if not _PACK_CONFIG.search(config)
        )
        if self.packs and self.pack_configs and len(self.packs) != len(self.pack_configs):
            found.append(f"{len(self.packs)} packs but {len(self.pack_configs)} pack configs (matched by position)")
        if self.stack and self.pack_configs and not any(_names_stack(c, self.stack) for c in self.pack_configs):
            found.append(f"stack {self.stack!r} runs with pack config {list(self.pack_configs)}, not its own")
        return [f"{self.source}: `{self.text}`: {problem}" for problem in found]


def _names_stack(config_path: str, stack: str) -> bool:
    """`policies/config/dev.json` names `dev`. A stack given by a variable (`${{ matrix.stack }}`, `$stack`)
    cannot be checked statically beyond this: its config must be variable too (the stack's own file or its
    environment's, `policies/config/${{ matrix.packConfigName }}.json`), never one fixed file for every stack."""
    if stack.startswith("$"):
        return "$" in config_path
    return Path(config_path).name == f"{stack}.json"


# -- shell ----------------------------------------------------------------------------------------------
def _commands(script: str) -> Iterator[list[str]]:
    """Simple commands of a shell script, each as tokens (continuations joined, quotes and comments
    removed, split at `;`, `&&`, `||`, `|`)."""
    for line in script.replace("\\\n", " ").splitlines():
        for part in _SEPARATORS.split(line):
            try:
                tokens = shlex.split(part, comments=True)
            except ValueError:
                tokens = part.split("#", 1)[0].split()
            if tokens:
                yield tokens


def shell_invocations(script: str, source: str) -> list[Invocation]:
    """Every pulumi preview/up in a shell script."""
    return list(_shell_invocations(script, source))


@functools.lru_cache(maxsize=1024)
def _shell_invocations(script: str, source: str) -> tuple[Invocation, ...]:
    """`shell_invocations`, once per script and source: the tests scan the same files many times, and
    tokenising with `shlex` is most of a scan."""
    found = []
    for tokens in _commands(script):
        for index, token in enumerate(tokens):
            if Path(token).name != "pulumi":
                continue
            subcommand = _subcommand(tokens[index + 1 :])
            if subcommand is None or not (subcommand in GUARDED or subcommand.startswith("$")):
                continue
            args = tokens[index + 1 :]
            stacks = _flag_values(args, "--stack", "-s")
            found.append(
                Invocation(
                    source=source,
                    command=subcommand,
                    stack=stacks[0] if stacks else None,
                    packs=tuple(_flag_values(args, "--policy-pack")),
                    pack_configs=tuple(_flag_values(args, "--policy-pack-config")),
                    text=" ".join(tokens[index:]),
                )
            )
            break
    return tuple(found)


def _subcommand(args: list[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in _GLOBAL_FLAGS_WITH_VALUE
            continue
        return arg
    return None


def _flag_values(args: list[str], *names: str) -> list[str]:
    values = []
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                values.append(args[index + 1])
            elif arg.startswith(f"{name}="):
                values.append(arg.split("=", 1)[1])
    return values


# -- GitHub Actions ---------------------------------------------------------------------------------------
def workflow_files(root: Path) -> list[Path]:
    workflows = root / ".github" / "workflows"
    return sorted([*workflows.glob("*.yml"), *workflows.glob("*.yaml")])


def action_files(root: Path) -> list[Path]:
    actions = root / ".github" / "actions"
    return sorted([*actions.glob("*/action.yml"), *actions.glob("*/action.yaml")])


def load_yaml(path: Path) -> dict[str, Any]:
    document = yaml.load(path.read_text(), Loader=_SAFE_LOADER)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a YAML mapping")
    return document


def workflow_steps(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(job id, step label, step) of a workflow, or of a composite action (job id `runs`)."""
    jobs = document.get("jobs") or {}
    for job_id, job in jobs.items():
        for number, step in enumerate((job or {}).get("steps") or []):
            yield job_id, str(step.get("name") or step.get("uses") or f"step {number + 1}"), step
    runs = document.get("runs") or {}
    for number, step in enumerate(runs.get("steps") or []):
        yield "runs", str(step.get("name") or step.get("uses") or f"step {number + 1}"), step


def _split_input(value: Any) -> tuple[str, ...]:
    """pulumi/actions splits `policyPacks` / `policyPackConfigs` on newlines and semicolons."""
    if value is None:
        return ()
    return tuple(part.strip() for part in re.split(r"[\n;]", str(value)) if part.strip())


def github_invocations(path: Path, root: Path) -> list[Invocation]:
    found: list[Invocation] = []
    relative = path.relative_to(root).as_posix()
    for job_id, label, step in workflow_steps(load_yaml(path)):
        source = f"{relative}: {job_id}/{label}"
        if "run" in step:
            found.extend(shell_invocations(str(step["run"]), source))
        uses = str(step.get("uses") or "")
        if uses.split("@", maxsplit=1)[0] == "pulumi/actions":
            inputs = step.get("with") or {}
            command = str(inputs.get("command") or "")
            if command in GUARDED:
                packs = _split_input(inputs.get("policyPacks"))
                configs = _split_input(inputs.get("policyPackConfigs"))
                stack = inputs.get("stack-name")
                found.append(
                    Invocation(
                        source=source,
                        command=command,
                        stack=str(stack) if stack else None,
                        packs=packs,
                        pack_configs=configs,
                        text=f"uses: pulumi/actions command={command} stack-name={stack}",
                    )
                )
    return found


# -- Makefile, scripts, README --------------------------------------------------------------------------
_MAKE_VARIABLE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?|:|::)?=\s*(.*)$")


def makefile_recipes(text: str) -> list[tuple[str, str]]:
    """(target, recipe) pairs; `$(NAME)` of simple variables expanded, `$$` unescaped."""
    variables: dict[str, str] = {}
    recipes: list[tuple[str, str]] = []
    target = ""
    lines = text.replace("\\\n", " ").splitlines()
    for line in lines:
        if line.startswith("\t"):
            recipes.append((target, line.strip().lstrip("@-+")))
            continue
        match = _MAKE_VARIABLE.match(line)
        if match:
            variables[match.group(1)] = match.group(2).strip()
            continue
        if ":" in line and not line.startswith("#"):
            target = line.split(":", 1)[0].strip()
    expanded = []
    for name, recipe in recipes:
        text = recipe
        for _ in range(5):
            new = re.sub(
                r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                lambda m: variables.get(m.group(1), m.group(0)) if m.group(1) != "STACK" else m.group(0),
                text,
            )
            if new == text:
                break
            text = new
        expanded.append((name, text.replace("$$", "$")))
    return expanded


def markdown_shell_blocks(text: str) -> list[str]:
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if current is None:
            if _SHELL_FENCE.match(line.strip()):
                current = []
        elif line.strip().startswith("```"):
            blocks.append("\n".join(current))
            current = None
        else:
            current.append(line.removeprefix("$ "))
    return blocks


def all_invocations(root: Path) -> list[Invocation]:
    """Every pulumi preview/up under `root`, wherever the project runs or documents one."""
    found: list[Invocation] = []
    for path in [*workflow_files(root), *action_files(root)]:
        found.extend(github_invocations(path, root))
    makefile = root / "Makefile"
    if makefile.exists():
        for target, recipe in makefile_recipes(makefile.read_text()):
            found.extend(shell_invocations(recipe, f"Makefile: {target}"))
    for script in sorted((root / "scripts").glob("*.sh")):
        found.extend(shell_invocations(script.read_text(), script.relative_to(root).as_posix()))
    readme = root / "README.md"
    if readme.exists():
        for number, block in enumerate(markdown_shell_blocks(readme.read_text())):
            found.extend(shell_invocations(block, f"README.md: shell block {number + 1}"))
    return found


def unguarded(root: Path) -> list[str]:
    """One line per pulumi preview/up under `root` that would run without the policy pack and its config."""
    return [problem for invocation in all_invocations(root) for problem in invocation.problems()]
