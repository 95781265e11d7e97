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
# A debug build without debuginfo: about 2 minutes on 2 cores, where cargo-deny's own release
# profile (fat LTO, one codegen unit) takes about 10. Its checks still take seconds.
# Niced and outside `make test`'s clippy wrapper: it builds beside the workspace.
CARGO_PROFILE_DEV_DEBUG=0 CARGO_TARGET_DIR=$ROOT/target/tools-build \
  nice -n 10 env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS cargo install -q --locked --debug --version "=$VERSION" cargo-deny --root "$ROOT/.tools/cargo"
