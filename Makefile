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
# Transcoding locally: ffmpeg in complete-video, its job events POSTed to transcode-events
# through cargo lambda watch's invoke endpoint, as EventBridge invokes it on AWS.
export TRANSCODER ?= ffmpeg
export TRANSCODE ?= needed
export TRANSCODE_EVENTS_URL ?= http://127.0.0.1:$(WATCH_PORT)/2015-03-31/functions/transcode-events/invocations
export SAM_CLI_TELEMETRY := 0

.PHONY: help setup browser deny-tool contract-tool test-build stack stop bootstrap dev test test-setup lint routes sweep package fuzz bench

help:
	@echo "make dev    run the whole site locally on the emulators"
	@echo "make test   run every test (unit, integration, smoke, template lint)"
	@echo "make stop   stop the local stack"
	@echo "make sweep  run the deletion sweep once (make dev must be running)"
	@echo "make package  build every function for Lambda arm64 and print the zip sizes"
	@echo "make bench  regenerate BENCHMARKS.md"
	@echo "make fuzz   run the cargo-fuzz targets for a bounded time"
	@echo "make lint   every cargo-deny check (advisories need the network)"

## Install whatever is missing: LocalStack venv, DynamoDB Local, cargo-lambda, SAM CLI, ffmpeg.
setup:
	bash localstack/install.sh
	bash infra/tools/install.sh
	bash infra/tools/install-ffmpeg.sh

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
	cargo run -q --bin infra -- bootstrap

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
	cargo run -q --bin infra -- routes

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

T := bash infra/tools/timed.sh

## `make test` lints as it builds: clippy's driver wraps rustc for the workspace's own crates,
## as `cargo clippy` does, so one build serves clippy, the tests and the smoke's watch.
test: export RUSTC_WORKSPACE_WRAPPER = $(shell rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
test: export CLIPPY_ARGS = -D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

## The installs wait mostly on the network, the build on the CPU: all at once.
## cargo-deny's build runs niced, behind the workspace's.
test-setup:
	$(MAKE) --no-print-directory -j5 stack browser deny-tool contract-tool test-build

## schemathesis, for the contract fuzzing that the smoke test runs.
contract-tool: setup
	bash infra/tools/venv-from-lock.sh .tools/contract-venv infra/contract/requirements.txt schemathesis

test-build:
	$(T) fmt cargo fmt --all -- --check
	$(T) build cargo build --workspace --lib --bins --tests

test: test-setup
	$(T) deny .tools/cargo/bin/cargo-deny check licenses bans sources
	$(T) routes cargo run -q --bin infra -- routes --check
	$(T) cargo-test cargo test --workspace
	$(T) smoke bash infra/smoke.sh
	$(T) sam-lint sam validate --lint
