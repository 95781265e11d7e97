#!/usr/bin/env bash
# Contract test: schemathesis drives a running vidlet API with the spec openapi.yaml and checks
# that every response is documented (status code, content type, headers, body schema) and that
# none is a server error. Stateful testing follows the spec's links
# (register → session → create-video → video id → create-comment → delete-comment; and the
# multipart upload: create-video → upload-parts → get-upload → complete-video → delete-video).
#
#   BASE_URL=http://127.0.0.1:9000 bash infra/contract/run.sh
#
# Environment:
#   BASE_URL                 the API (default http://127.0.0.1:9000, `make dev`)
#   CONTRACT_MAX_EXAMPLES    test cases per operation and phase (default 25)
#   CONTRACT_SEED            the seed of the generated data (default 20261124); the API's own
#                            answers (fresh ids, names taken) still steer later requests
#   CONTRACT_MAX_TIME        hard limit for the whole run, in seconds (default 1200); a run
#                            that reaches it fails
#   CONTRACT_WAIT            seconds to wait for the API, and for each function's first answer
#                            (cargo lambda watch builds it then; default 180)
# Three passes: every operation in every phase, then two documented stateful chains alone
# (comments, and the multipart upload).
# Reports go to target/contract/, per pass: output-<pass>.txt, junit-<pass>.xml,
# cassette-<pass>.yaml (every request and response), report-<pass>.json; and
# hook-requests.log (the requests of warmup.py and hooks.py). Prints `contract: N requests, M failures` (summary.py counts them from the
# reports) and exits non-zero on any failure.
#
# The run registers users and creates videos and comments: point it at a stack of its own
# (e.g. TABLE_PREFIX=contract_ BUCKET_NAME=vidlet-contract), not at data you keep.
#
# Installs schemathesis first, idempotently: .tools/contract-venv from requirements.txt, with a
# stamp holding the hash of the lock it was installed from. uv comes from localstack/install.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=$ROOT/.tools/contract-venv
"$ROOT/infra/tools/venv-from-lock.sh" "$VENV" "$HERE/requirements.txt" schemathesis

BASE_URL=${BASE_URL:-http://127.0.0.1:9000}
BASE_URL=${BASE_URL%/}
MAX_EXAMPLES=${CONTRACT_MAX_EXAMPLES:-25}
SEED=${CONTRACT_SEED:-20261124}
MAX_TIME=${CONTRACT_MAX_TIME:-1200}
WAIT=${CONTRACT_WAIT:-180}
REPORTS=$ROOT/target/contract

# The first request to each function of `cargo lambda watch` compiles it: wait for the page.
deadline=$((SECONDS + WAIT))
until curl -sf -o /dev/null -m 60 "$BASE_URL/"; do
  if ((SECONDS >= deadline)); then
    echo "contract: $BASE_URL/ did not answer within ${WAIT}s" >&2
    exit 1
  fi
  sleep 2
done

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
export CONTRACT_BASE_URL=$BASE_URL
export CONTRACT_HOOKS=$HERE/hooks.py
export CONTRACT_HOOK_LOG=$REPORTS/hook-requests.log
: > "$CONTRACT_HOOK_LOG"

# Then one request per operation: `cargo lambda watch` builds each function on its first one.
"$VENV/bin/python" "$HERE/warmup.py" "$ROOT/openapi.yaml" "$BASE_URL" "$WAIT" "$CONTRACT_HOOK_LOG"

echo "contract: schemathesis $("$VENV/bin/st" --version | awk '{print $NF}') against $BASE_URL," \
  "$MAX_EXAMPLES examples per operation, seed $SEED, at most ${MAX_TIME}s"

# One pass of schemathesis, its reports named after the pass. It runs from the reports folder,
# so that nothing schemathesis or hypothesis writes lands in the tree. At the time limit, SIGINT
# lets schemathesis stop and still write its reports.
started=$SECONDS
run_pass() {
  local name=$1 left
  shift
  left=$((MAX_TIME - (SECONDS - started)))
  if ((left < 10)); then
    echo "contract: no time left for the $name pass" >&2
    return 124
  fi
  echo "contract: $name pass"
  (
    cd "$REPORTS"
    timeout --signal=INT --kill-after=60 "$left" \
      "$VENV/bin/st" --config-file "$HERE/schemathesis.toml" run "$ROOT/openapi.yaml" \
      --url "$BASE_URL" \
      --max-examples "$MAX_EXAMPLES" \
      --seed "$SEED" \
      --report junit,vcr,json \
      --report-junit-path "$REPORTS/junit-$name.xml" \
      --report-vcr-path "$REPORTS/cassette-$name.yaml" \
      --report-json-path "$REPORTS/report-$name.json" \
      --no-color \
      "$@"
  ) 2>&1 | tee "$REPORTS/output-$name.txt"
  return "${PIPESTATUS[0]}"
}

status=0
# 1. Every operation, every phase: examples, coverage (boundaries and invalid values), fuzzing,
#    and stateful sequences along the links of openapi.yaml.
run_pass all --phases examples,coverage,fuzzing,stateful || status=$?
# 2. The documented chain alone, statefully, so that every run walks it: register → its
#    session_id as the bearer → create-video → the video id (a pending video, which only its
#    owner may see) → create-comment with the same session → delete-comment.
run_pass chain --phases stateful \
  --include-operation-id register --include-operation-id create-video \
  --include-operation-id create-comment --include-operation-id delete-comment || status=$?
# 3. The multipart upload, statefully: register → create-video (the plan) → upload-parts with
#    part numbers of that plan → get-upload → complete-video (422 naming the missing parts, the
#    video still pending) → upload-parts or get-upload again → delete-video (the cancel).
run_pass upload --phases stateful \
  --include-operation-id register --include-operation-id create-video \
  --include-operation-id upload-parts --include-operation-id get-upload \
  --include-operation-id complete-video --include-operation-id delete-video || status=$?

summary=$("$VENV/bin/python" "$HERE/summary.py" "$REPORTS" all chain upload) || summary="0 -1 0"
read -r requests failures complete <<< "$summary"
if ((failures < 0)); then
  echo "contract: $requests requests, a pass left no report (exit status $status)"
  exit 1
fi
echo "contract: $requests requests, $failures failures"
if ((status == 124 || complete == 0)); then
  echo "contract: stopped at the ${MAX_TIME}s limit before the end" >&2
  exit 1
fi
if ((status != 0 || failures != 0)); then
  exit 1
fi
