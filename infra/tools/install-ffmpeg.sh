#!/usr/bin/env bash
# Installs Debian's ffmpeg (ffmpeg and ffprobe, with libx264, libx265 and zscale) when
# either is missing: the local transcoder (TRANSCODER=ffmpeg) and the tests' clips need them.
set -euo pipefail
if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then
  echo "install: ffmpeg present ($(ffmpeg -version | head -n 1 | cut -d' ' -f1-3))"
  exit 0
fi
echo "install: ffmpeg (Debian)"
SUDO=$([[ $(id -u) == 0 ]] || echo sudo)
# One apt at a time: `make test` runs this beside the other installs.
exec 9>"${TMPDIR:-/tmp}/vidlet-apt.lock" && flock 9
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends ffmpeg >/dev/null
