#!/usr/bin/env bash
# Load every project and stack file with the real Pulumi CLI (the version in .pulumi-version), on a
# throwaway file:// backend: no cloud, no credentials. `pulumi stack init` and `pulumi config` load and
# validate Pulumi.yaml (LoadProject: project.json, then Project.Validate) and the stack file, so a file the
# CLI refuses fails here, on every pull request, instead of on the first real `pulumi up`.
# Example config files (examples/**/Pulumi.*.yaml) are loaded the way they are used: `--config-file`.
# The files are copied first: `stack init` writes an encryption salt into the stack file.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v pulumi >/dev/null || { echo "cli-project-check: the pulumi CLI is not on PATH" >&2; exit 2; }
want=$(cat .pulumi-version)
have=$(pulumi version | sed 's/^v//')
[ "$have" = "$want" ] || { echo "cli-project-check: pulumi $have, but .pulumi-version pins $want" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state"
export PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE=project-file-check
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_SKIP_CONFIRMATIONS=true

checked=0
while IFS= read -r project; do
  dir=$(dirname "$project")
  mkdir -p "$work/$dir"
  cp "$project" "$work/$dir/"
  for stack_file in "$dir"/Pulumi.*.yaml; do
    [ -e "$stack_file" ] || continue
    case "$stack_file" in *.usage.yaml) continue ;; esac   # the cost estimate's usage assumptions, not config
    cp "$stack_file" "$work/$dir/"
    stack=$(basename "$stack_file" .yaml); stack=${stack#Pulumi.}
    pulumi stack init "$stack" --cwd "$work/$dir" --secrets-provider passphrase >/dev/null
    pulumi config --stack "$stack" --cwd "$work/$dir" >/dev/null
    echo "ok  $stack_file (project $project)"; checked=$((checked + 1))
  done
done < <(git ls-files -- 'Pulumi.yaml' '*/Pulumi.yaml' | grep -v '^examples/')

# Example config files belong to the root project and are used with --config-file.
while IFS= read -r config_file; do
  stack="example-$(echo "$config_file" | tr '/.' '--')"
  pulumi stack init "$stack" --cwd "$work/." --secrets-provider passphrase >/dev/null
  pulumi config --stack "$stack" --cwd "$work/." --config-file "$PWD/$config_file" >/dev/null
  echo "ok  $config_file (--config-file, project Pulumi.yaml)"; checked=$((checked + 1))
done < <(git ls-files -- 'examples/*Pulumi.*.yaml' | grep -v '\.usage\.yaml$')

[ "$checked" -gt 0 ] || { echo "cli-project-check: no stack file found" >&2; exit 1; }
echo "$checked stack and config files load in pulumi $have"
