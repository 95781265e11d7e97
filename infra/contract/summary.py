"""Counts what a contract run did, from its reports: `summary.py REPORTS PASS...`.

Prints `requests failures complete`:
- requests: every interaction recorded in the passes' cassettes (each request schemathesis sent),
  plus the requests of warmup.py and hooks.py (registrations, replays), one line each in
  hook-requests.log;
- failures: per pass, the unique failures (a check failing on an operation) plus the errors
  (network errors, unusable schema); -1 when a pass left no report;
- complete: 1 when every pass ran to its end.
"""

import json
import pathlib
import re
import sys


def main() -> None:
    reports = pathlib.Path(sys.argv[1])
    requests = failures = 0
    complete = True
    for name in sys.argv[2:]:
        cassette = reports / f"cassette-{name}.yaml"
        if cassette.exists():
            with cassette.open(encoding="utf-8", errors="replace") as f:
                requests += sum(1 for line in f if re.match(r"^- id: ", line))
        report = reports / f"report-{name}.json"
        if not report.exists():
            failures, complete = -1, False
            break
        data = json.loads(report.read_text(encoding="utf-8"))
        failures += data["test_cases"]["unique_failures"]
        failures += sum(error.get("count", 1) for error in data["errors"])
        complete = complete and bool(data.get("complete"))
    hook_log = reports / "hook-requests.log"
    if hook_log.exists():
        with hook_log.open(encoding="utf-8") as f:
            requests += sum(1 for line in f if line.strip())
    print(requests, failures, int(complete))


if __name__ == "__main__":
    main()
