#!/usr/bin/env bash
# The one way to run a real `pulumi preview` / `pulumi up` from a workstation: always with the policy pack
# and the stack's pack config (on a self-managed backend, an update without --policy-pack enforces nothing).
#
#   scripts/pulumi.sh preview dev [extra pulumi flags...]
#   scripts/pulumi.sh up prod
#   scripts/pulumi.sh preview prod --config-file examples/arive/Pulumi.prod.yaml   # (or CONFIG_FILE=...)
#   PROJECT_DIR=bootstrap PACK_CONFIG=prod scripts/pulumi.sh preview shared     # the state backend
#
# The stack's pack config, by the rule offline/stackfile.py `pack_config` documents (a test keeps them equal):
# policies/config/<stack>.json when it exists, else policies/config/<environment>.json for the
# `platform:environment` of the stack's config file (Pulumi.<stack>.yaml, or the --config-file given).
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

# --config-file in the pulumi flags (or CONFIG_FILE): the stack's config file instead of Pulumi.<stack>.yaml
config_file=${CONFIG_FILE:-}
previous=
for argument in "$@"; do
  case "$argument" in
    --config-file=*) config_file=${argument#--config-file=} ;;
    *) if [[ "$previous" == "--config-file" ]]; then config_file=$argument; fi ;;
  esac
  previous=$argument
done
extra=()
if [[ -n "${CONFIG_FILE:-}" ]]; then
  extra=(--config-file "$CONFIG_FILE")
fi
stack_file=${config_file:-Pulumi.$stack.yaml}
[[ "$stack_file" == /* ]] || stack_file=$project_dir/$stack_file # pulumi reads it relative to --cwd
if [[ -n "$config_file" ]]; then
  export PLATFORM_CONFIG_FILE=$config_file # config problems name this file (components/config/config_source.py)
fi

if [[ -n "${PACK_CONFIG:-}" ]]; then
  config_stack=$PACK_CONFIG
elif [[ -f "$root/policies/config/$stack.json" ]]; then
  config_stack=$stack
else
  environment=
  if [[ -f "$stack_file" ]]; then
    environment=$(sed -n -E "s/^[[:space:]]*platform:environment:[[:space:]]*[\"']?([a-z]+)[\"']?[[:space:]]*(#.*)?$/\1/p" \
      "$stack_file" | head -n 1)
  fi
  config_stack=${environment:-$stack}
fi

if [[ ! -f "$root/policies/PulumiPolicy.yaml" ]]; then
  echo "scripts/pulumi.sh: no policy pack in $root/policies; refusing to run without it" >&2
  exit 1
fi
if [[ ! -f "$root/policies/config/$config_stack.json" ]]; then
  echo "scripts/pulumi.sh: no pack config policies/config/$config_stack.json (nor policies/config/$stack.json);" \
    "refusing to run without it" >&2
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
  --policy-pack "$root/policies" --policy-pack-config "$root/policies/config/$config_stack.json" \
  ${extra[@]+"${extra[@]}"} "$@"
