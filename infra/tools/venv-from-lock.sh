#!/usr/bin/env bash
# Usage: venv-from-lock.sh VENV LOCK NAME
# (Re)creates the Python 3.11 venv VENV from the fully pinned LOCK with uv, unless
# VENV's stamp already holds LOCK's hash. Shared by every project-local venv.
set -euo pipefail
VENV=$1 LOCK=$2 NAME=$3
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
UV=$(command -v uv || echo "$ROOT/.tools/uv-venv/bin/uv")
export UV_PYTHON_DOWNLOADS=never  # use the system python3.11, never download one
want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [[ $(cat "$VENV/.install-stamp" 2>/dev/null) == "$want" ]]; then
  echo "install: $NAME up to date"
  exit 0
fi
echo "install: $NAME -> $VENV"
rm -rf "$VENV"
"$UV" venv -q -p python3.11 "$VENV"
VIRTUAL_ENV=$VENV "$UV" pip install -q -r "$LOCK"
echo "$want" > "$VENV/.install-stamp"
