#!/usr/bin/env bash
# Installs the dev tools, cargo-lambda (with zig) and SAM CLI, into the
# git-ignored venv .tools/tools-venv from requirements.txt. uv comes from
# localstack/install.sh, which runs first.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
"$HERE/venv-from-lock.sh" "$ROOT/.tools/tools-venv" "$HERE/requirements.txt" "cargo-lambda and SAM CLI"
