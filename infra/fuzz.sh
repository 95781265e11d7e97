#!/usr/bin/env bash
# Bounded fuzzing of the library's untrusted-input parsers (fuzz/, cargo-fuzz).
#
#   bash infra/fuzz.sh [TARGET...]     # default: every target in fuzz/
#
# Environment:
#   FUZZ_SECONDS       fuzzing time per target (libFuzzer -max_total_time); default 60
#   FUZZ_SANITIZER     address (default) or none: cargo fuzz's -s
#   FUZZ_UNIT_TIMEOUT  seconds one input may take before it counts as a hang; default 30
#
# cargo-fuzz is installed into the git-ignored .tools/cargo when missing. It
# passes nightly-only flags (-Zsanitizer, -Cpasses=sancov-module, ...) to
# rustc; RUSTC_BOOTSTRAP=1 makes the stable toolchain accept them.
#
# Each target's corpus is target/fuzz-corpus/<target>, seeded from
# fuzz/seeds/<target> (only the seeds are in git); crashing inputs land in
# fuzz/artifacts/<target>/ (git-ignored). Exits non-zero when a target crashed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CARGO_FUZZ_VERSION=0.13.2
TOOLS=$ROOT/.tools/cargo
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
SANITIZER=${FUZZ_SANITIZER:-address}
UNIT_TIMEOUT=${FUZZ_UNIT_TIMEOUT:-30}
CORPORA=$ROOT/target/fuzz-corpus
LOGS=$ROOT/target/fuzz-logs

case $SECONDS_PER_TARGET in '' | *[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2 ;; esac
case $SANITIZER in address | none) ;; *) echo "fuzz: FUZZ_SANITIZER must be address or none" >&2; exit 2 ;; esac

export PATH=$TOOLS/bin:$PATH
export RUSTC_BOOTSTRAP=1

if [[ $(cargo-fuzz --version 2>/dev/null) != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION -> $TOOLS"
  cargo install cargo-fuzz --locked --version "=$CARGO_FUZZ_VERSION" --root "$TOOLS"
fi

FUZZ=(cargo fuzz)
BUILD_OPTS=(--fuzz-dir fuzz --sanitizer "$SANITIZER")

if (($#)); then
  TARGETS=("$@")
else
  mapfile -t TARGETS < <("${FUZZ[@]}" list --fuzz-dir fuzz)
fi
((${#TARGETS[@]})) || { echo "fuzz: no fuzz targets found" >&2; exit 2; }

# Build everything first, so that the time below is fuzzing time only.
echo "fuzz: building ${TARGETS[*]} (sanitizer: $SANITIZER)"
for target in "${TARGETS[@]}"; do
  "${FUZZ[@]}" build "${BUILD_OPTS[@]}" "$target"
done

mkdir -p "$CORPORA" "$LOGS"
summary=()
crashed=0
for target in "${TARGETS[@]}"; do
  corpus=$CORPORA/$target
  log=$LOGS/$target.log
  mkdir -p "$corpus"
  if [[ -d fuzz/seeds/$target ]]; then
    cp -n fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
  fi
  echo
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s (corpus $corpus: $(find "$corpus" -type f | wc -l) entries; log $log)"
  start=$(date +%s)
  status=0
  # One job, one process (no -fork); the outer timeout only guards against a
  # libFuzzer that fails to stop on its own.
  timeout --kill-after=30 $((SECONDS_PER_TARGET + 300)) \
    "${FUZZ[@]}" run "${BUILD_OPTS[@]}" --jobs 1 "$target" "$corpus" -- \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout="$UNIT_TIMEOUT" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))

  fuzzed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [[ -n $execs ]] || execs=$(grep -Eo '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
  cov=$(grep -Eo ' cov: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  ft=$(grep -Eo ' ft: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  corp=$(grep -Eo ' corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n 1 | sed 's/ corp: //' || true)
  grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -n 1 || true

  if ((status == 0)); then
    result=ok
  else
    crashed=1
    result="CRASH (exit $status)"
    ((status == 124 || status == 137)) && result="HUNG (killed by the outer timeout)"
    echo "fuzz: $target FAILED; the end of its log:"
    grep -nE -A2 "panicked at" "$log" | head -n 12 || true
    grep -nE "^==[0-9]+== ?ERROR|SUMMARY:|Test unit written to|ALARM|out-of-memory|timeout after" "$log" | tail -n 20 || true
    echo "--- last lines of $log ---"
    tail -n 40 "$log"
    artifacts=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
    for artifact in $artifacts; do
      echo "fuzz: $artifact ($(wc -c <"$artifact") bytes), hex (first 1 KiB):"
      head -c 1024 "$artifact" | od -An -v -tx1 | tr -d ' \n' | fold -w 64
      echo
      result+=" artifact: $artifact"
    done
  fi
  # fuzzed: libFuzzer's own count; wall: with cargo's up-to-date check (or a
  # rebuild, when the library changed since the build above).
  line=$(printf '%-18s fuzzed %4ss (wall %4ss)  execs %-10s cov %-5s ft %-5s corp %-12s %s' \
    "$target" "${fuzzed:-?}" "$elapsed" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")
  echo "fuzz: $line"
  summary+=("$line")
done

echo
echo "fuzz: summary (${SECONDS_PER_TARGET}s per target, sanitizer $SANITIZER)"
printf '  %s\n' "${summary[@]}"
if ((crashed)); then
  echo "fuzz: FAILED: a target crashed; the failing input is the artifact named above (fuzz/artifacts/<target>/)"
  exit 1
fi
echo "fuzz: no crashes"
