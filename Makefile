# The vet clinic platform backend. `make run` serves it, `make test` tests it;
# both start PostgreSQL and Redis first when they are not running.

SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO   ?= cargo
SERVICES := .ci/services.sh
DEV_ENV := APP_ENV=development
GATEWAY := $(CARGO) run --quiet -p gateway --
ROLE    ?= pet_owner
EMAIL   ?= dev@vet-platform.local

.PHONY: help services run test lint fmt migrate dev-token seed fuzz-api bench schema

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

services: ## Start PostgreSQL and Redis if they are not running
	@$(SERVICES) services

run: services ## Seed demo data (once), then serve the API and run the job worker on :8080 in development mode
	@$(SERVICES) database vet_dev
	@$(CARGO) build -p gateway
	@$(DEV_ENV) $(GATEWAY) migrate run
	@$(DEV_ENV) $(GATEWAY) seed
	@echo
	@echo "  API docs:  http://localhost:8080/docs (Authorize with a token above)"
	@echo "  Another:   make dev-token ROLE=pet_owner EMAIL=you@example.com"
	@echo "  Try:       curl -H \"Authorization: Bearer \$$TOKEN\" localhost:8080/api/v1/auth/session"
	@echo "  Metrics:   http://127.0.0.1:9464/metrics"
	@echo
	@$(DEV_ENV) $(GATEWAY) serve --with-worker

test: services ## Run every crate's tests against real PostgreSQL and Redis
	@$(SERVICES) nextest
	@$(SERVICES) test-servers
	$(CARGO) nextest run --workspace --no-fail-fast

lint: services ## Formatting, clippy, docs, unused dependencies, the crate graph, table ownership, prepared inserts, schema.rs
	@$(SERVICES) machete
	@$(SERVICES) diesel
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --quiet
	cargo machete
	python3 .ci/check_dependency_graph.py
	python3 .ci/check_table_ownership.py --self-test >/dev/null
	python3 .ci/check_table_ownership.py
	python3 .ci/check_prepared_inserts.py --self-test >/dev/null
	python3 .ci/check_prepared_inserts.py
	.ci/check_deploy.sh
	@$(SERVICES) print-schema .schema.rs.generated
	@diff -u crates/db/src/schema.rs .schema.rs.generated >/dev/null || { \
	  diff -u crates/db/src/schema.rs .schema.rs.generated; rm -f .schema.rs.generated; \
	  echo "crates/db/src/schema.rs is stale: run make schema"; exit 1; }
	@rm -f .schema.rs.generated && echo "schema.rs matches migrations/"

schema: services ## Regenerate crates/db/src/schema.rs from migrations/ (diesel print-schema)
	@$(SERVICES) diesel
	@$(SERVICES) print-schema crates/db/src/schema.rs

fmt: ## Format the code
	$(CARGO) fmt --all

migrate: services ## Apply pending migrations to the development database
	@$(SERVICES) database vet_dev
	@$(DEV_ENV) $(GATEWAY) migrate run

dev-token: services ## Create/update a local user (ROLE=..., EMAIL=...); its token is the last line
	@$(SERVICES) database vet_dev
	@$(DEV_ENV) $(GATEWAY) dev-token --role "$(ROLE)" --email "$(EMAIL)"

seed: services ## Fill the development database with the demo world (once) and print its tokens
	@$(SERVICES) database vet_dev
	@$(DEV_ENV) $(GATEWAY) seed

fuzz-api: services ## Schemathesis against the running gateway's /openapi.json
	@.ci/fuzz-api.sh

bench: services ## Requests/s and latency per endpoint (release build), pgbench ceiling
	@$(SERVICES) wrk
	@.ci/bench.sh
