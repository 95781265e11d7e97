#!/usr/bin/env bash
# Installs what the browser scenario needs, if missing: Debian's chromium
# (Playwright cannot download its own browser here) and e2e/'s npm packages.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ! -x /usr/bin/chromium ]]; then
  echo "install: chromium (Debian)"
  SUDO=$([[ $(id -u) == 0 ]] || echo sudo)
  # One apt at a time: `make test` runs this beside the other installs.
  exec 9>"${TMPDIR:-/tmp}/vidlet-apt.lock" && flock 9
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null
fi
want=$(sha256sum "$ROOT/e2e/package-lock.json" | cut -d' ' -f1)
if [[ $(cat "$ROOT/e2e/node_modules/.install-stamp" 2>/dev/null) != "$want" ]]; then
  echo "install: e2e npm packages"
  (cd "$ROOT/e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$ROOT/e2e/node_modules/.install-stamp"
else
  echo "install: e2e npm packages up to date"
fi
