#!/usr/bin/env bash
# Report whether LocalStack and/or DynamoDB Local answer. Exit 0 only if all asked for do.
# Usage: localstack/health.sh [all|dynamodb|localstack]
set -euo pipefail
LOCALSTACK_PORT=${LOCALSTACK_PORT:-4566}
DYNAMODB_PORT=${DYNAMODB_PORT:-8000}
what=${1:-all}
case $what in all|dynamodb|localstack) ;; *) echo "usage: $0 [all|dynamodb|localstack]" >&2; exit 2 ;; esac
rc=0

if [[ $what != dynamodb ]]; then
  # Up = S3 available/running and LocalStack's "ready" stage completed (it logged "Ready.").
  url=http://127.0.0.1:$LOCALSTACK_PORT/_localstack
  health=$(curl -fsS -m 3 "$url/health" 2>/dev/null || true)
  ready=$(curl -fsS -m 3 "$url/init/ready" 2>/dev/null || true)
  if grep -Eq '"s3": *"(available|running)"' <<< "$health" && grep -q '"completed": true' <<< "$ready"; then
    echo "localstack: up ($url/health)"
  else
    echo "localstack: DOWN ($url/health)"; rc=1
  fi
fi

if [[ $what != localstack ]]; then
  # Any HTTP answer counts (an unsigned POST gets 400).
  code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' -X POST "http://127.0.0.1:$DYNAMODB_PORT/" 2>/dev/null || true)
  if [[ $code != 000 && -n $code ]]; then
    echo "dynamodb: up (http://127.0.0.1:$DYNAMODB_PORT, HTTP $code)"
  else
    echo "dynamodb: DOWN (http://127.0.0.1:$DYNAMODB_PORT)"; rc=1
  fi
fi
exit $rc
