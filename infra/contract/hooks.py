"""Schemathesis hooks for the contract test (loaded through infra/contract/schemathesis.toml).

Sessions for the `bearerAuth` operations:
- Every operation that declares a security requirement gets `Authorization: Bearer <session>`
  of one user that this run registers (`contract-<random>`), unless schemathesis is testing
  missing or invalid credentials on purpose, or a stateful link already supplied a session
  (register → create-video → create-comment carries the new user's own session).
- `DELETE /sessions/current` gets a session of its own user each time, so that logging out
  never kills the run's shared session.

The run's user is registered, never logged in: a login would count against the name's failure
window, which the fuzzer can fill by sending wrong passwords for names it has seen in responses.
"""

from __future__ import annotations

import os
import re
import secrets
import threading

import requests
import schemathesis

BASE_URL = os.environ["CONTRACT_BASE_URL"].rstrip("/")
# A real session id: 256 random bits in base64url.
LINKED_SESSION = re.compile(r"^Bearer [A-Za-z0-9_-]{43}$")
_lock = threading.Lock()


def register_user(prefix: str) -> str:
    """Registers a fresh user and returns its session id."""
    username = f"{prefix}{secrets.token_hex(8)}"
    password = secrets.token_urlsafe(24)
    response = requests.post(
        f"{BASE_URL}/users", json={"username": username, "password": password}, timeout=60
    )
    if response.status_code != 201:
        raise RuntimeError(f"registering {username}: {response.status_code} {response.text}")
    return response.json()["session_id"]


def _declares_security(case) -> bool:
    security = case.operation.definition.raw.get("security")
    if security is None:
        security = case.operation.schema.raw_schema.get("security", [])
    return any(requirement for requirement in security)


@schemathesis.auth(refresh_interval=None, retry_on=[])
class SessionAuth:
    def get(self, case, context):
        with _lock:
            return register_user("contract-")

    def set(self, case, data, context):
        if not _declares_security(case):
            return
        headers = case.headers if case.headers is not None else {}
        current = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if isinstance(current, str) and LINKED_SESSION.match(current):
            return  # supplied by a stateful link: that user's own session
        if case.operation.definition.raw.get("operationId") == "logout":
            data = register_user("contract-out-")
        for name in [k for k in headers if k.lower() == "authorization"]:
            del headers[name]
        headers["Authorization"] = f"Bearer {data}"
        case.headers = headers
