#!/usr/bin/env bash
# make bench: release builds of every function plus the hello-world baseline (one
# cargo invocation, the workspace's release profile, for this host), then the bench
# against the local stack. Writes BENCHMARKS.md and prints the total wall time.
# BENCH_ONLY=10 (say, the search item alone) or BENCH_QUICK=1 run part of it, written to
# target/bench/BENCHMARKS.quick.md instead.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
now_ms() { date +%s%3N; }
export BENCH_STARTED_AT=$(now_ms)

# The local stack and its credentials, as the Makefile sets them.
export AWS_ENDPOINT_URL_DYNAMODB=${AWS_ENDPOINT_URL_DYNAMODB:-http://127.0.0.1:${DYNAMODB_PORT:-8000}}
export AWS_ENDPOINT_URL_S3=${AWS_ENDPOINT_URL_S3:-http://127.0.0.1:${LOCALSTACK_PORT:-4566}}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1}
bash localstack/start.sh

# Functions and hello together, so hello gets exactly the functions' lambda_http features;
# the bench separately, so its extra dependencies cannot change the functions' build; the CLI
# (item 8 runs target/release/vidlet) on its own too, built as a user builds it.
packages=()
for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
cargo build --release "${packages[@]}" -p hello
cargo build --release -p vidlet-cli
cargo build --release -p bench
export BENCH_BUILD_SECONDS=$(( ($(now_ms) - BENCH_STARTED_AT) / 1000 ))

target/release/bench
echo "make bench: total wall time $(( ($(now_ms) - BENCH_STARTED_AT) / 1000 )) s"
