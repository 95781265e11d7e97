#!/usr/bin/env bash
# Smoke test of `make dev`: serves the workspace with `cargo lambda watch` on a
# spare port, with tables and a bucket of its own, drives the API with curl,
# then runs the browser scenario (e2e/scenario.mjs) and the contract fuzzing
# (infra/contract/run.sh) against the same server, then searches its logs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH=$ROOT/.tools/tools-venv/bin:$PATH
PORT=${SMOKE_PORT:-9010}
export TABLE_PREFIX="smoke$$_" BUCKET_NAME="vidlet-smoke-$$"
export SITE_ORIGINS="http://127.0.0.1:$PORT,http://localhost:$PORT"
LOG=$ROOT/target/smoke-watch.log
mkdir -p target

cargo run -q -p infra -- bootstrap
cargo lambda watch --ignore-changes -A 127.0.0.1 -P "$PORT" > "$LOG" 2>&1 &
WATCH=$!
trap 'kill $WATCH 2>/dev/null; wait $WATCH 2>/dev/null || true' EXIT

BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do
  curl -s -o /dev/null "$BASE/" && break
  kill -0 $WATCH 2>/dev/null || { echo "smoke: cargo lambda watch exited"; cat "$LOG"; exit 1; }
  sleep 1
done

passed=0 failed=0
# expect NAME STATUS CURL-ARGS...: runs curl, checks the status, keeps the body in $BODY.
expect() {
  local name=$1 want=$2; shift 2
  local out; out=$(curl -s -m 120 -w '\n%{http_code}' "$@")
  BODY=$(head -n -1 <<< "$out"); local got; got=$(tail -n 1 <<< "$out")
  if [[ $got == "$want" ]]; then passed=$((passed + 1)); echo "ok   $name ($got)"
  else failed=$((failed + 1)); echo "FAIL $name: want $want, got $got: $BODY"; fi
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<< "$BODY"; }

creds='{"username":"smoke","password":"correct horse"}'
expect "register" 201 -X POST "$BASE/users" -d "$creds"
expect "register again is a conflict" 409 -X POST "$BASE/users" -d "$creds"
[[ $(field error_code) == 006 ]] || { echo "FAIL conflict code"; failed=$((failed + 1)); }
expect "login" 201 -X POST "$BASE/sessions" -d "$creds"
TOKEN=$(field session_id)
expect "me" 200 "$BASE/me" -H "Authorization: Bearer $TOKEN"
[[ $(field username) == smoke ]] || { echo "FAIL me username"; failed=$((failed + 1)); }
expect "public profile" 200 "$BASE/users/smoke"
expect "unknown profile" 404 "$BASE/users/nobody"
expect "unknown path" 404 "$BASE/no/such/path"
[[ $(field error_code) == 005 ]] || { echo "FAIL 404 code"; failed=$((failed + 1)); }
expect "wrong method" 405 -X PUT "$BASE/users"
[[ $(field error_code) == 012 ]] || { echo "FAIL 405 code"; failed=$((failed + 1)); }
FIXTURE=tests/fixtures/clip.mp4
SIZE=$(stat -c %s "$FIXTURE")
expect "create video" 201 -X POST "$BASE/videos" -H "Authorization: Bearer $TOKEN" \
  -d "{\"name\":\"smoke clip\",\"content_type\":\"video/mp4\",\"size\":$SIZE}"
VIDEO=$(python3 -c "import json,sys; print(json.load(sys.stdin)['video']['id'])" <<< "$BODY")
UPLOAD=$(python3 -c "import json,sys; print(json.load(sys.stdin)['upload']['url'])" <<< "$BODY")
expect "PUT to the presigned URL" 200 -X PUT "$UPLOAD" -H "Content-Type: video/mp4" --data-binary "@$FIXTURE"
expect "complete" 200 -X POST "$BASE/videos/$VIDEO/complete" -H "Authorization: Bearer $TOKEN"
expect "feed" 200 "$BASE/videos"
[[ $BODY == *"$VIDEO"* ]] || { echo "FAIL feed lacks the video"; failed=$((failed + 1)); }
expect "stream, range 0-1, through the redirect" 206 -o /dev/null -L -H "Range: bytes=0-1" "$BASE/videos/$VIDEO/stream"
expect "comment" 201 -X POST "$BASE/videos/$VIDEO/comments" -H "Authorization: Bearer $TOKEN" -d '{"content":"nice"}'
expect "page" 200 "$BASE/"
expect "logout" 204 -X DELETE "$BASE/sessions/current" -H "Authorization: Bearer $TOKEN"
expect "me after logout" 401 "$BASE/me" -H "Authorization: Bearer $TOKEN"

echo "smoke: $passed passed, $failed failed"
[[ $failed == 0 ]] || { echo "--- watch log tail"; tail -n 40 "$LOG"; exit 1; }

BASE_URL=$BASE node e2e/scenario.mjs

# The contract: schemathesis against openapi.yaml, on the same server and stack.
BASE_URL=$BASE bash infra/contract/run.sh

# The functions' logs of this whole run hold no secret: no password, no
# session id, no presigned signature, no Authorization header.
leaks=0
for secret in "$TOKEN" "correct horse" "X-Amz-Signature" "X-Amz-Credential" "Bearer "; do
  if grep -qF -- "$secret" "$LOG"; then echo "FAIL log hygiene: the watch log contains ${secret:0:12}..."; leaks=$((leaks + 1)); fi
done
echo "log hygiene: $(wc -l < "$LOG") log lines searched, $leaks secrets found"
[[ $leaks == 0 ]]
