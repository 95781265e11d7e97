"""Sends one request to every operation of openapi.yaml before the contract run:
`warmup.py SPEC BASE_URL TIMEOUT LOG` (TIMEOUT in seconds, for each request).

`cargo lambda watch` builds each function on its first request, which can take longer than
schemathesis' request timeout. The requests carry no session and no body and use placeholder
path parameters, so they only get 4xx answers (or the page); nothing is checked here. Each one
is appended to LOG, so that the run's request count includes them.
"""

import sys

import requests
import yaml

PLACEHOLDERS = {"id": "00000000-0000-0000-0000-000000000000", "comment_id": "00000000-0000-0000-0000-000000000000"}


def main() -> None:
    spec_path, base_url, timeout, log_path = sys.argv[1], sys.argv[2].rstrip("/"), float(sys.argv[3]), sys.argv[4]
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    with open(log_path, "a", encoding="utf-8") as log, requests.Session() as session:
        for path, item in spec["paths"].items():
            for method in item:
                url = base_url + path.format_map({**PLACEHOLDERS, "username": "warmup", "file": "warmup"})
                response = session.request(method.upper(), url, timeout=timeout, allow_redirects=False)
                log.write(f"warm-up {method.upper()} {path} -> {response.status_code}\n")


if __name__ == "__main__":
    main()
