#!/usr/bin/env bash
# `timed.sh <label> <command…>`: runs the command and prints how long it took,
# so that a CI log shows where `make test`'s minutes go.
set -uo pipefail
label=$1
shift
start=$(date +%s)
"$@"
status=$?
echo "time: $label $(($(date +%s) - start)) s"
exit $status
