#!/usr/bin/env bash
# Build the policy pack's own virtualenv before any `pulumi preview` / `pulumi up`: the engine does not
# install a local pack's dependencies, it only runs the interpreter PulumiPolicy.yaml's runtime options name
# (`virtualenv: venv` -> policies/venv). Built from policies/requirements.txt with the pinned uv;
# skipped when it already matches the requirements.
#
#   scripts/pack-venv.sh            build (or confirm) the pack's virtualenv
#   scripts/pack-venv.sh --print    print the path it builds, and nothing else
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python3 "$root/run.py" sync >/dev/null # the pinned uv in .tools and .venv (which has PyYAML)

venv=$("$root/.venv/bin/python" - "$root/policies/PulumiPolicy.yaml" <<'EOF'
import sys
from pathlib import Path

import yaml

manifest = Path(sys.argv[1])
runtime = yaml.safe_load(manifest.read_text()).get("runtime")
options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
virtualenv = options.get("virtualenv")
print((manifest.parent / virtualenv).resolve() if virtualenv else "")
EOF
)

if [[ "${1:-}" == "--print" ]]; then
  echo "$venv"
  exit 0
fi
if [[ -z "$venv" ]]; then
  echo "pack-venv: PulumiPolicy.yaml names no virtualenv; the pack runs with the interpreter pulumi finds" >&2
  exit 0
fi

requirements="$root/policies/requirements.txt"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi
uv="$root/.tools/bin/uv"
"$uv" venv --quiet --allow-existing --python "$(python3 -c 'import sys; print(sys.executable)')" "$venv"
"$uv" pip install --quiet --python "$venv/bin/python" --exact -r "$requirements"
echo "$wanted" >"$stamp"
echo "pack-venv: $venv built from policies/requirements.txt"
