"""Regenerate `guardrails/data/taggable_types.json` from the installed pulumi-aws SDK.

Usage (from the repository root or anywhere):  python policies/tools/generate_taggable_types.py [--check]

The SDK is read as TEXT, never imported: importing all ~1750 resource classes takes ~40 s. A resource is
taggable when its class's `_internal_init` takes a `tags` argument; the annotation tells the shape:
`Mapping[str, ...]` (almost all) or `Sequence[...GroupTagArgs...]` (`aws:autoscaling/group:Group`, a list of
`{key, value, propagateAtLaunch}`). The type token is the one the class registers with
`super(<Class>, __self__).__init__('<token>', ...)`.

`--check` exits 1 when the shipped file differs from what the installed SDK gives (the test suite runs the
same comparison).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import re
import sys
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "guardrails" / "data" / "taggable_types.json"
SDK_DISTRIBUTION = "pulumi-aws"

_CLASS = re.compile(r"^class (\w+)\(pulumi\.CustomResource\):", re.MULTILINE)
_INTERNAL_INIT = re.compile(r"def _internal_init\(__self__,(?P<params>.*?)__props__=None\):", re.DOTALL)
_TAGS_PARAM = re.compile(r"^\s*tags: (?P<annotation>.+?) = None,\s*$", re.MULTILINE)


def _token_of(source: str, class_name: str) -> str | None:
    match = re.search(rf"super\({class_name}, __self__\).__init__\(\s*'([^']+)'", source)
    return match.group(1) if match else None


def scan_module(source: str) -> list[tuple[str, str | None]]:
    """(type token, tag shape) for each resource class in one SDK module: shape "map", "list", "other" (an
    argument named `tags` that is not the resource's own tags) or None (no `tags` argument)."""
    found: list[tuple[str, str | None]] = []
    classes = list(_CLASS.finditer(source))
    for index, match in enumerate(classes):
        end = classes[index + 1].start() if index + 1 < len(classes) else len(source)
        body = source[match.start() : end]
        token = _token_of(body, match.group(1))
        init = _INTERNAL_INIT.search(body)
        if token is None or init is None:
            continue
        shape = None
        tags = _TAGS_PARAM.search(init.group("params"))
        if tags is not None:
            annotation = tags.group("annotation")
            if "Mapping[" in annotation:
                shape = "map"
            elif "Sequence[" in annotation:
                shape = "list"
            else:  # e.g. devopsguru ResourceCollection: `tags` is a filter object, not the resource's tags
                shape = "other"
        found.append((token, shape))
    return found


def sdk_directory() -> Path:
    spec = importlib.util.find_spec("pulumi_aws")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pulumi_aws is not installed in this interpreter")
    return Path(next(iter(spec.submodule_search_locations)))


def generate(sdk_dir: Path | None = None) -> dict[str, object]:
    """The data file's content for the installed SDK."""
    root = sdk_dir or sdk_directory()
    tag_map: set[str] = set()
    tag_list: set[str] = set()
    other: set[str] = set()
    resources = 0
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "_internal_init" not in source:
            continue
        for token, shape in scan_module(source):
            resources += 1
            if shape == "map":
                tag_map.add(token)
            elif shape == "list":
                tag_list.add(token)
            elif shape == "other":
                other.add(token)
    return {
        "generatedBy": "policies/tools/generate_taggable_types.py (do not edit by hand)",
        "sdk": SDK_DISTRIBUTION,
        "sdkVersion": importlib.metadata.version(SDK_DISTRIBUTION),
        "resourceTypes": resources,
        "tagMap": sorted(tag_map),
        "tagList": sorted(tag_list),
        "notResourceTags": sorted(other),
    }


def render(data: dict[str, object]) -> str:
    return json.dumps(data, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate guardrails/data/taggable_types.json.")
    parser.add_argument("--check", action="store_true", help="fail if the shipped file is out of date")
    args = parser.parse_args(argv)
    text = render(generate())
    if args.check:
        current = DATA_FILE.read_text(encoding="utf-8") if DATA_FILE.exists() else ""
        if current != text:
            print(f"{DATA_FILE} is out of date: run python policies/tools/generate_taggable_types.py", file=sys.stderr)
            return 1
        return 0
    DATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    DATA_FILE.write_text(text, encoding="utf-8")
    data = json.loads(text)
    print(
        f"wrote {DATA_FILE}: {len(data['tagMap'])} map-tagged and {len(data['tagList'])} list-tagged types "
        f"of {data['resourceTypes']} in {SDK_DISTRIBUTION} {data['sdkVersion']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
