#!/usr/bin/env bash
# The one way to run a real `pulumi preview` / `pulumi up` from a workstation: always with the policy pack
# and the stack's pack config (on a self-managed backend, an update without --policy-pack enforces nothing).
#
#   scripts/pulumi.sh preview dev [extra pulumi flags...]
#   scripts/pulumi.sh up prod
#   PROJECT_DIR=bootstrap PACK_CONFIG=prod scripts/pulumi.sh preview shared     # the state backend
#
# The program runs with the project's .venv (built from uv.lock by run.py; Pulumi.yaml's toolchain is uv, so
# the pinned uv goes on PATH too); the policy pack with its own virtualenv, which scripts/pack-venv.sh builds
# from policies/requirements.txt where PulumiPolicy.yaml's runtime options say (the engine installs nothing).
set -euo pipefail

usage() {
  echo "usage: scripts/pulumi.sh preview|up STACK [pulumi flags...]" >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
command=$1
stack=$2
shift 2
case "$command" in
  preview | up) ;;
  *) usage ;;
esac
[[ -n "$stack" ]] || usage

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project_dir=${PROJECT_DIR:-.}
project_dir=$(cd "$root" && cd "$project_dir" && pwd)
config_stack=${PACK_CONFIG:-$stack}

if [[ ! -f "$root/policies/PulumiPolicy.yaml" ]]; then
  echo "scripts/pulumi.sh: no policy pack in $root/policies; refusing to run without it" >&2
  exit 1
fi
if [[ ! -f "$root/policies/config/$config_stack.json" ]]; then
  echo "scripts/pulumi.sh: no pack config policies/config/$config_stack.json; refusing to run without it" >&2
  exit 1
fi
if ! command -v pulumi >/dev/null 2>&1; then
  echo "scripts/pulumi.sh: the pulumi CLI is not on PATH (version: $(cat "$root/.pulumi-version"))" >&2
  exit 1
fi

python3 "$root/run.py" sync >/dev/null
"$root/scripts/pack-venv.sh"
export PATH="$root/.venv/bin:$root/.tools/bin:$PATH"

set -x
exec pulumi "$command" --cwd "$project_dir" --stack "$stack" \
  --policy-pack "$root/policies" --policy-pack-config "$root/policies/config/$config_stack.json" "$@"
