# vidlet: `make dev` runs the site locally, `make test` runs every test.
# Everything installs into git-ignored folders of this checkout (.tools/, localstack/node_modules).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

export PATH := $(CURDIR)/.tools/tools-venv/bin:$(PATH)
export LOCALSTACK_PORT ?= 4566
export DYNAMODB_PORT ?= 8000
export WATCH_PORT ?= 9000
export AWS_ENDPOINT_URL_DYNAMODB ?= http://127.0.0.1:$(DYNAMODB_PORT)
export AWS_ENDPOINT_URL_S3 ?= http://127.0.0.1:$(LOCALSTACK_PORT)
export AWS_ENDPOINT_URL_STS ?= http://127.0.0.1:$(LOCALSTACK_PORT)
export AWS_ACCESS_KEY_ID ?= test
export AWS_SECRET_ACCESS_KEY ?= test
export AWS_REGION ?= us-east-1
export SITE_ORIGINS ?= http://127.0.0.1:$(WATCH_PORT),http://localhost:$(WATCH_PORT)
export SAM_CLI_TELEMETRY := 0

.PHONY: help setup browser deny-tool stack stop bootstrap dev test lint routes sweep package fuzz bench

help:
	@echo "make dev    run the whole site locally on the emulators"
	@echo "make test   run every test (unit, integration, smoke, template lint)"
	@echo "make stop   stop the local stack"
	@echo "make sweep  run the deletion sweep once (make dev must be running)"
	@echo "make package  build every function for Lambda arm64 and print the zip sizes"
	@echo "make bench  regenerate BENCHMARKS.md"
	@echo "make fuzz   run the cargo-fuzz targets for a bounded time"
	@echo "make lint   every cargo-deny check (advisories need the network)"

## Install whatever is missing: LocalStack venv, DynamoDB Local, cargo-lambda, SAM CLI.
setup:
	bash localstack/install.sh
	bash infra/tools/install.sh

## Headless Chromium (Debian) and playwright-core (npm) for the browser scenario.
browser:
	bash infra/tools/install-browser.sh

## Start LocalStack and DynamoDB Local (a second start is harmless).
stack: setup
	bash localstack/start.sh

stop:
	bash localstack/stop.sh

## Create the tables and the bucket from template.yaml (idempotent).
bootstrap: stack
	cargo run -q -p infra -- bootstrap

dev: bootstrap
	@echo
	@echo "vidlet API: http://127.0.0.1:$(WATCH_PORT)/"
	@echo "  curl -s -X POST http://127.0.0.1:$(WATCH_PORT)/users -d '{\"username\":\"alice\",\"password\":\"correct horse\"}'"
	@echo "  curl -s -X POST http://127.0.0.1:$(WATCH_PORT)/sessions -d '{\"username\":\"alice\",\"password\":\"correct horse\"}'"
	@echo "  curl -s http://127.0.0.1:$(WATCH_PORT)/me -H 'Authorization: Bearer <session_id>'"
	@echo "  curl -s -X DELETE http://127.0.0.1:$(WATCH_PORT)/sessions/current -H 'Authorization: Bearer <session_id>'"
	@echo
	@echo "The command-line client (cli/): cargo install --path cli, or cargo run -q -p vidlet-cli --"
	@echo "  VIDLET_URL=http://127.0.0.1:$(WATCH_PORT) vidlet login --username alice"
	@echo "  vidlet upload clip.mp4 --name 'My clip' --privacy unlisted   # again after an interruption: resumes"
	@echo "  vidlet ls"
	@echo "  vidlet rm <video id>"
	@echo
	cargo lambda watch -A 127.0.0.1 -P $(WATCH_PORT)

## Regenerate the watch router in Cargo.toml from shared/src/routes.rs.
routes:
	cargo run -q -p infra -- routes

## Release build of every function for Lambda arm64, the workspace at once; prints zip sizes.
package: setup
	rustup target add aarch64-unknown-linux-gnu
	cargo lambda build --release --arm64 --output-format zip $(foreach f,$(notdir $(wildcard functions/*)),--bin $(f))
	@ls -l target/lambda/*/bootstrap.zip | awk '{printf "%-22s %8.1f KiB\n", $$9, $$5/1024}' | sed 's|target/lambda/||; s|/bootstrap.zip||'

## Benchmarks against the local stack; rewrites BENCHMARKS.md (about 5 minutes here).
bench: stack
	bash infra/bench.sh

## cargo-fuzz: the container sniffer, the cursor decoder and body parsing, FUZZ_SECONDS (60) each.
fuzz:
	bash infra/fuzz.sh

## Run the sweep once against `make dev` (which must be running).
sweep:
	cargo lambda invoke sweep --invoke-address 127.0.0.1 --invoke-port $(WATCH_PORT) --data-file infra/events/scheduled-event.json

## cargo-deny, project-local.
deny-tool:
	bash infra/tools/install-cargo-deny.sh

## Every cargo-deny check; advisories fetch the RustSec database, so this needs the network.
lint: deny-tool
	.tools/cargo/bin/cargo-deny check

test: stack browser deny-tool
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	.tools/cargo/bin/cargo-deny check licenses bans sources
	cargo run -q -p infra -- routes --check
	cargo build --workspace
	cargo test --workspace
	bash infra/smoke.sh
	sam validate --lint
