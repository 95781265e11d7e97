#!/usr/bin/env bash
# Installs cargo-deny, pinned, into the git-ignored .tools/cargo, unless it is there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VERSION=0.18.9
if "$ROOT/.tools/cargo/bin/cargo-deny" --version 2>/dev/null | grep -q " $VERSION"; then
  echo "install: cargo-deny up to date"
  exit 0
fi
echo "install: cargo-deny $VERSION -> $ROOT/.tools/cargo"
# cargo-deny's own release profile (fat LTO, one codegen unit) takes about 10 minutes on
# 2 cores; a lint tool does not need it.
CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
  CARGO_TARGET_DIR=$ROOT/target/tools-build cargo install -q --locked --version "=$VERSION" cargo-deny --root "$ROOT/.tools/cargo"
