#!/usr/bin/env bash
# Installs the dev tools into git-ignored, project-local folders:
#   .tools/tools-venv   cargo-lambda (with zig) and SAM CLI, from requirements.txt
# Idempotent: a stamp holds the hash of the lock it was installed from.
# uv comes from localstack/install.sh, which runs first.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=$ROOT/.tools/tools-venv
UV=$(command -v uv || echo "$ROOT/.tools/uv-venv/bin/uv")
export UV_PYTHON_DOWNLOADS=never

want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [[ $(cat "$VENV/.install-stamp" 2>/dev/null) != "$want" ]]; then
  echo "install: cargo-lambda and SAM CLI -> $VENV"
  rm -rf "$VENV"
  "$UV" venv -q -p python3.11 "$VENV"
  VIRTUAL_ENV=$VENV "$UV" pip install -q -r "$HERE/requirements.txt"
  echo "$want" > "$VENV/.install-stamp"
else
  echo "install: cargo-lambda and SAM CLI up to date"
fi
