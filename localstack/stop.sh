#!/usr/bin/env bash
# Stop what localstack/start.sh started, by its recorded pid (process group).
# Usage: localstack/stop.sh [all|dynamodb|localstack]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${STACK_DATA_DIR:-$ROOT/.stack}
TIMEOUT=${STOP_TIMEOUT:-15}
what=${1:-all}
case $what in all) services="localstack dynamodb" ;; dynamodb|localstack) services=$what ;;
  *) echo "usage: $0 [all|dynamodb|localstack]" >&2; exit 2 ;; esac
declare -A pattern=([localstack]=localstack.runtime.main [dynamodb]=DynamoDBLocal.jar)

for s in $services; do
  pidf=$DATA/pids/$s.pid
  pid=$(cat "$pidf" 2>/dev/null) || { echo "stop: $s not running (no pid file)"; continue; }
  # Only signal the pid if it is still the process we started (pids get reused).
  if ps -o args= -p "$pid" 2>/dev/null | grep -q "${pattern[$s]}"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + TIMEOUT))
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      echo "stop: $s still running after ${TIMEOUT}s, sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
      while kill -0 -- "-$pid" 2>/dev/null; do sleep 0.1; done
    fi
    echo "stop: $s stopped (pid $pid)"
  else
    echo "stop: $s not running (stale pid file)"
  fi
  rm -f "$pidf"
done
