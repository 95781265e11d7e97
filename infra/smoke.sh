#!/usr/bin/env bash
# Smoke test of `make dev`: serves the workspace with `cargo lambda watch` on a
# spare port, with tables and a bucket of its own, drives the API with curl
# (a video sent as an S3 multipart upload of 3 parts, resumed after a
# `/complete` that finds a part missing), then runs the browser scenario
# (e2e/scenario.mjs) and the contract fuzzing (infra/contract/run.sh) against
# the same server, then searches its logs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH=$ROOT/.tools/tools-venv/bin:$PATH
PORT=${SMOKE_PORT:-9010}
export TABLE_PREFIX="smoke$$_" BUCKET_NAME="vidlet-smoke-$$"
export SITE_ORIGINS="http://127.0.0.1:$PORT,http://localhost:$PORT"
# Parts of S3's minimum, 5 MiB (the default is 8 MiB), so that the ~11.5 MiB
# videos of this script and of the browser scenario are 3 parts.
export MIN_PART_BYTES=5242880
# Transcoding as `make dev` does it: ffmpeg in complete-video, its events to this watch's
# transcode-events.
export TRANSCODER=ffmpeg TRANSCODE=needed
export TRANSCODE_EVENTS_URL=http://127.0.0.1:$PORT/2015-03-31/functions/transcode-events/invocations
# Sessions short enough that the browser scenario outlives one: a session in use is extended.
export SESSION_TTL_SECONDS=${SMOKE_SESSION_TTL_SECONDS:-60}
LOG=$ROOT/target/smoke-watch.log
mkdir -p target

cargo run -q --bin infra -- bootstrap
cargo lambda watch --ignore-changes -A 127.0.0.1 -P "$PORT" > "$LOG" 2>&1 &
WATCH=$!
trap 'kill $WATCH 2>/dev/null; wait $WATCH 2>/dev/null || true' EXIT

BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do
  curl -s -o /dev/null "$BASE/" && break
  kill -0 $WATCH 2>/dev/null || { echo "smoke: cargo lambda watch exited"; cat "$LOG"; exit 1; }
  sleep 1
done

# cargo lambda watch builds a function on its first request (and vidlet once per feature set):
# build every one now, so that no browser step waits on the compiler.
NIL=00000000-0000-7000-8000-000000000000
warm_start=$SECONDS
for route in "GET /" "GET /videos" "GET /search?q=warm" "GET /users/nobody" "GET /users/nobody/videos" "GET /videos/$NIL" \
  "GET /videos/$NIL/comments" "GET /videos/$NIL/stream" "GET /videos/$NIL/poster" "GET /videos/$NIL/upload" \
  "POST /videos/$NIL/views" \
  "GET /me" "POST /users" "POST /sessions" "POST /videos" "POST /videos/$NIL/upload/parts" \
  "POST /videos/$NIL/complete" "POST /videos/$NIL/poster" "POST /videos/$NIL/poster/complete" \
  "POST /videos/$NIL/comments" "PATCH /videos/$NIL" "PUT /videos/$NIL/like" "DELETE /videos/$NIL/like" \
  "PUT /users/nobody/follow" "DELETE /users/nobody/follow" "GET /me/following" "GET /feed/following" \
  "GET /v/$NIL" "GET /u/nobody" "GET /videos/$NIL/playback" "GET /videos/$NIL/hls/master.m3u8" \
  "DELETE /videos/$NIL" "DELETE /videos/$NIL/comments/$NIL" "DELETE /users/nobody" "DELETE /sessions/current" \
  "PATCH /nowhere"; do
  curl -s -o /dev/null -m 300 -X "${route%% *}" "$BASE${route#* }" || true
done
# And transcode-events, which no route reaches: the ffmpeg transcoder invokes it (below, checked).
WARM_EVENT='{"detail-type":"MediaConvert Job State Change","source":"aws.mediaconvert","detail":{"jobId":"warm-up","status":"PROGRESSING"}}'
curl -s -o /dev/null -m 300 -X POST "$TRANSCODE_EVENTS_URL" -d "$WARM_EVENT" || true
echo "time: warm-up $((SECONDS - warm_start)) s"

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
# A video of 3 parts: clip.mp4 padded with a trailing `free` box (still a
# valid MP4) to 11.5 MiB, made here and never committed.
WORK=$ROOT/target/smoke
rm -rf "$WORK" && mkdir -p "$WORK"
BIG=$WORK/clip-11.5MiB.mp4
python3 - tests/fixtures/clip.mp4 "$BIG" $((23 * 512 * 1024)) <<'PY'
import struct, sys
clip = open(sys.argv[1], "rb").read()
pad = int(sys.argv[3]) - len(clip)
open(sys.argv[2], "wb").write(clip + struct.pack(">I", pad) + b"free" + bytes(pad - 8))
PY
SIZE=$(stat -c %s "$BIG")
# json EXPR: a Python expression on the body `d`.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" <<< "$BODY"; }
expect "create video" 201 -X POST "$BASE/videos" -H "Authorization: Bearer $TOKEN" \
  -d "{\"name\":\"smoke clip\",\"content_type\":\"video/mp4\",\"size\":$SIZE}"
VIDEO=$(json "d['video']['id']")
PART_SIZE=$(json "d['upload']['part_size']")
PARTS=$(json "d['upload']['part_count']")
[[ $PART_SIZE == 5242880 && $PARTS == 3 ]] ||
  { echo "FAIL the plan: $PARTS parts of $PART_SIZE bytes (MIN_PART_BYTES=$MIN_PART_BYTES)"; failed=$((failed + 1)); }
expect "me: the size is reserved" 200 "$BASE/me" -H "Authorization: Bearer $TOKEN"
[[ $(field used_bytes) == "$SIZE" && $(field quota_bytes) == 10737418240 ]] ||
  { echo "FAIL me used_bytes, quota_bytes: $BODY"; failed=$((failed + 1)); }
split -b "$PART_SIZE" -d -a 5 --numeric-suffixes=1 "$BIG" "$WORK/part."
# urls N...: asks for the parts' URLs; part N's request lands in $WORK/put.N: the URL on
# the first line, then every header it must carry, one a line.
urls() {
  local numbers; numbers=$(IFS=,; echo "$*")
  expect "part URLs for parts $numbers" 200 -X POST "$BASE/videos/$VIDEO/upload/parts" \
    -H "Authorization: Bearer $TOKEN" -d "{\"part_numbers\":[$numbers]}"
  BODY=$BODY python3 - "$WORK" <<'PY'
import json, os, sys
for part in json.loads(os.environ["BODY"])["parts"]:
    assert part["method"] == "PUT", part
    lines = [part["url"]] + [f"{name}: {value}" for name, value in part["headers"].items()]
    with open(f"{sys.argv[1]}/put.{part['part_number']}", "w") as f:
        f.write("\n".join(lines) + "\n")
PY
}
# put NAME STATUS N [FILE]: PUTs FILE (part N of the video by default) to part N's URL with
# exactly its headers (curl adds no Content-Type of its own). A FILE of another length is sent
# with its own Content-Length: with the signed one, curl would send only that many bytes.
put() {
  local name=$1 want=$2 n=$3 file=${4:-$WORK/part.$(printf %05d "$3")} url line args=()
  local length; length=$(stat -c %s "$file")
  { read -r url; while read -r line; do
      if [[ ${line,,} == content-length:* && ${line#*: } != "$length" ]]; then continue; fi
      args+=(-H "$line")
    done; } < "$WORK/put.$n"
  grep -qi '^content-type:' "$WORK/put.$n" || args+=(-H "Content-Type:")
  expect "$name" "$want" -X PUT "${args[@]}" --data-binary "@$file" "$url"
}
# 1. Parts 1 and 2, then a complete that finds part 3 missing: the video stays pending.
urls 1 2 3
put "PUT part 1" 200 1
put "PUT part 2" 200 2
put "PUT of a part of the wrong length is refused" 403 3 "$WORK/part.00001"
expect "upload progress: parts 1 and 2" 200 "$BASE/videos/$VIDEO/upload" -H "Authorization: Bearer $TOKEN"
[[ $(json "[p['part_number'] for p in d['parts']]") == "[1, 2]" ]] ||
  { echo "FAIL upload progress lists $BODY"; failed=$((failed + 1)); }
expect "complete with part 3 missing" 422 -X POST "$BASE/videos/$VIDEO/complete" -H "Authorization: Bearer $TOKEN"
[[ $(field error_code) == 010 && $(field error) == "parts missing: 3" ]] ||
  { echo "FAIL missing-part answer: $BODY"; failed=$((failed + 1)); }
expect "still pending" 200 "$BASE/videos/$VIDEO" -H "Authorization: Bearer $TOKEN"
[[ $(field status) == pending ]] || { echo "FAIL status after the 422: $BODY"; failed=$((failed + 1)); }
# 2. Resume: a fresh URL for part 3 only, then complete.
urls 3
put "PUT part 3" 200 3
expect "complete" 200 -X POST "$BASE/videos/$VIDEO/complete" -H "Authorization: Bearer $TOKEN"
[[ $(json "d['video']['status']") == ready ]] || { echo "FAIL status after complete: $BODY"; failed=$((failed + 1)); }
# 3. After complete no part URL can change the object (S3: NoSuchUpload), and no new one is handed out.
put "PUT to a part URL after complete is refused" 404 1
expect "part URLs after complete" 409 -X POST "$BASE/videos/$VIDEO/upload/parts" \
  -H "Authorization: Bearer $TOKEN" -d '{"part_numbers":[1]}'
expect "feed" 200 "$BASE/videos"
[[ $BODY == *"$VIDEO"* ]] || { echo "FAIL feed lacks the video"; failed=$((failed + 1)); }
# Its share link: the page with the video's card (a crawler runs no script).
expect "share page" 200 "$BASE/v/$VIDEO"
[[ $BODY == *"<meta property=\"og:url\" content=\"$BASE/v/$VIDEO\">"* ]] ||
  { echo "FAIL the share page lacks the video's og:url"; failed=$((failed + 1)); }
# Following: a second user follows the uploader and finds the video in their following feed.
expect "register a follower" 201 -X POST "$BASE/users" -d '{"username":"smoke-fan","password":"correct horse"}'
FAN=$(field session_id)
expect "follow" 204 -X PUT "$BASE/users/smoke/follow" -H "Authorization: Bearer $FAN"
expect "follow again changes nothing" 204 -X PUT "$BASE/users/smoke/follow" -H "Authorization: Bearer $FAN"
expect "follow yourself" 400 -X PUT "$BASE/users/smoke-fan/follow" -H "Authorization: Bearer $FAN"
expect "follow an unknown user" 404 -X PUT "$BASE/users/nobody/follow" -H "Authorization: Bearer $FAN"
expect "following list" 200 "$BASE/me/following" -H "Authorization: Bearer $FAN"
[[ $(json "[f['username'] for f in d['following']]") == "['smoke']" ]] || { echo "FAIL following list: $BODY"; failed=$((failed + 1)); }
expect "following feed" 200 "$BASE/feed/following" -H "Authorization: Bearer $FAN"
[[ $BODY == *"$VIDEO"* ]] || { echo "FAIL the following feed lacks the video"; failed=$((failed + 1)); }
expect "following feed, signed out" 401 "$BASE/feed/following"
expect "unfollow" 204 -X DELETE "$BASE/users/smoke/follow" -H "Authorization: Bearer $FAN"
expect "following feed after unfollow" 200 "$BASE/feed/following" -H "Authorization: Bearer $FAN"
[[ $BODY != *"$VIDEO"* ]] || { echo "FAIL the following feed keeps an unfollowed video"; failed=$((failed + 1)); }
# Search folds case and accents: "SMÓKE cl" finds "smoke clip".
expect "search" 200 "$BASE/search?q=SM%C3%93KE%20cl"
[[ $BODY == *"$VIDEO"* ]] || { echo "FAIL search lacks the video: $BODY"; failed=$((failed + 1)); }
expect "search without words" 400 "$BASE/search?q=%20"
expect "stream, range 0-1, through the redirect" 206 -o /dev/null -L -H "Range: bytes=0-1" "$BASE/videos/$VIDEO/stream"
# A range across the boundary of parts 1 and 2 gives the file's own bytes.
from=$((PART_SIZE - 8)) to=$((PART_SIZE + 7))
expect "stream, range $from-$to, across parts" 206 -o "$WORK/range" -L -H "Range: bytes=$from-$to" "$BASE/videos/$VIDEO/stream"
cmp -s "$WORK/range" <(tail -c +$((from + 1)) "$BIG" | head -c 16) ||
  { echo "FAIL the streamed range differs from the file"; failed=$((failed + 1)); }
# The page's path: GET /videos/{id} carries a presigned stream_url that serves ranges; neither
# read counts a view, a reported one counts once per viewer.
expect "video with stream_url" 200 "$BASE/videos/$VIDEO"
STREAM_URL=$(json "d['stream_url']")
[[ $(field views) == 0 ]] || { echo "FAIL streaming counted a view: $BODY"; failed=$((failed + 1)); }
expect "stream_url, range 0-1" 206 -o /dev/null -H "Range: bytes=0-1" "$STREAM_URL"
expect "report a view" 204 -X POST "$BASE/videos/$VIDEO/views"
expect "report it again" 204 -X POST "$BASE/videos/$VIDEO/views"
expect "report a view of an unknown video" 404 -X POST "$BASE/videos/00000000-0000-7000-8000-000000000000/views"
expect "one view" 200 "$BASE/videos/$VIDEO"
[[ $(field views) == 1 ]] || { echo "FAIL views after two reports: $BODY"; failed=$((failed + 1)); }
# A poster URL writes once (If-None-Match: *).
POSTER=tests/fixtures/poster.jpg
expect "poster URL" 201 -X POST "$BASE/videos/$VIDEO/poster" -H "Authorization: Bearer $TOKEN" \
  -d "{\"content_type\":\"image/jpeg\",\"size\":$(stat -c %s "$POSTER")}"
BODY=$BODY python3 - "$WORK/put.poster" <<'PY'
import json, os, sys
upload = json.loads(os.environ["BODY"])["upload"]
assert upload["headers"].get("If-None-Match") == "*", upload["headers"]
lines = [upload["url"]] + [f"{name}: {value}" for name, value in upload["headers"].items()]
with open(sys.argv[1], "w") as f:
    f.write("\n".join(lines) + "\n")
PY
put "PUT the poster" 200 poster "$POSTER"
put "PUT the poster again is refused" 412 poster "$POSTER"
expect "no poster before the upload is confirmed" 404 -o /dev/null "$BASE/videos/$VIDEO/poster"
expect "confirm the poster" 200 -X POST "$BASE/videos/$VIDEO/poster/complete" -H "Authorization: Bearer $TOKEN"
expect "poster, through the redirect" 200 -o /dev/null -L "$BASE/videos/$VIDEO/poster"
expect "comment" 201 -X POST "$BASE/videos/$VIDEO/comments" -H "Authorization: Bearer $TOKEN" -d '{"content":"nice"}'
# HEAD reaches the GET's function through the router: its headers, no body.
expect "HEAD the video" 200 -I "$BASE/videos/$VIDEO" -H "Authorization: Bearer $TOKEN"
[[ ${BODY,,} == *"content-type: application/json"* && ${BODY,,} =~ content-length:\ [1-9] ]] ||
  { echo "FAIL HEAD video headers: $BODY"; failed=$((failed + 1)); }
expect "delete the video" 204 -X DELETE "$BASE/videos/$VIDEO" -H "Authorization: Bearer $TOKEN"
expect "me: the bytes are back" 200 "$BASE/me" -H "Authorization: Bearer $TOKEN"
[[ $(field used_bytes) == 0 ]] || { echo "FAIL me used_bytes after delete: $BODY"; failed=$((failed + 1)); }
# A job event reaches transcode-events as the ffmpeg transcoder sends it (one of no vidlet job: ignored).
expect "transcode-events through the invoke endpoint" 200 -X POST "$TRANSCODE_EVENTS_URL" -d "$WARM_EVENT"
[[ $(field result) == ignored ]] || { echo "FAIL transcode-events answered $BODY"; failed=$((failed + 1)); }
expect "page" 200 "$BASE/"
expect "HEAD page" 200 -I "$BASE/"
[[ ${BODY,,} == *"content-type: text/html"* && ${BODY,,} =~ content-length:\ [1-9] ]] ||
  { echo "FAIL HEAD page headers: $BODY"; failed=$((failed + 1)); }
expect "logout" 204 -X DELETE "$BASE/sessions/current" -H "Authorization: Bearer $TOKEN"
expect "me after logout" 401 "$BASE/me" -H "Authorization: Bearer $TOKEN"

echo "smoke: $passed passed, $failed failed"
[[ $failed == 0 ]] || { echo "--- watch log tail"; tail -n 40 "$LOG"; exit 1; }

BASE_URL=$BASE bash infra/tools/timed.sh browser node e2e/scenario.mjs

# The contract: schemathesis against openapi.yaml, on the same server and stack.
BASE_URL=$BASE bash infra/tools/timed.sh contract bash infra/contract/run.sh

# The functions' logs of this whole run hold no secret: no password, no
# session id, no presigned signature, no Authorization header.
leaks=0
for secret in "$TOKEN" "correct horse" "X-Amz-Signature" "X-Amz-Credential" "Bearer "; do
  if grep -qF -- "$secret" "$LOG"; then echo "FAIL log hygiene: the watch log contains ${secret:0:12}..."; leaks=$((leaks + 1)); fi
done
echo "log hygiene: $(wc -l < "$LOG") log lines searched, $leaks secrets found"
[[ $leaks == 0 ]]
