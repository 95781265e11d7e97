"""Schemathesis hooks for the contract test, loaded through infra/contract/schemathesis.toml.

Sessions for the operations that declare `bearerAuth`:
- They get `Authorization: Bearer <session>` of one user that this run registers
  (`contract-<random>`), unless schemathesis is testing missing or invalid credentials on
  purpose, or a stateful link already supplied a real session (register → create-video →
  create-comment carries the new user's own session along, as the links in openapi.yaml say).
- `DELETE /sessions/current` gets a session of a user of its own each time, so that logging
  out never kills the run's shared session.
- Storage quota: every `POST /videos` that succeeds reserves its `size` (the fuzzer picks sizes
  up to 5 GiB) on the user's quota (10 GiB), so the shared user soon gets 413 (013) for every
  create, which the spec documents. When it does, the next case registers a fresh shared user, so
  that later creates can succeed again and their links (upload-parts, get-upload, complete) are
  walked too.
The run's user is registered, never logged in: a login counts against the name's failure
window, which the fuzzer can fill by sending wrong passwords for names it saw in responses.

Two 500s of `cargo lambda watch` (the local emulator of API Gateway), never of vidlet, are not
counted as failures; see `filter_failure` below. Any other 5xx is.

Every request made here is appended to $CONTRACT_HOOK_LOG, so that run.sh counts them too.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time

import requests
import schemathesis

BASE_URL = os.environ["CONTRACT_BASE_URL"].rstrip("/")
HOOK_LOG = os.environ.get("CONTRACT_HOOK_LOG")
# A real session id: 256 random bits in base64url.
LINKED_SESSION = re.compile(r"^Bearer [A-Za-z0-9_-]{43}$")
# Sessions last SESSION_TTL_SECONDS (1800 s by default): register again well before.
SESSION_REUSE_SECS = 1200
_lock = threading.Lock()
_log_lock = threading.Lock()


def _log(line: str) -> None:
    if HOOK_LOG:
        with _log_lock, open(HOOK_LOG, "a", encoding="utf-8") as log:
            log.write(line + "\n")


def register_user(prefix: str) -> str:
    """Registers a fresh user and returns its session id."""
    username = f"{prefix}{secrets.token_hex(8)}"
    password = secrets.token_urlsafe(24)
    response = requests.post(f"{BASE_URL}/users", json={"username": username, "password": password}, timeout=60)
    _log(f"POST /users {username} -> {response.status_code}")
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
    """`refresh_interval=None` makes schemathesis call `get` for every case: the cache is here."""

    def __init__(self):
        self._session = None
        self._registered_at = 0.0

    def get(self, case, context):
        if not _declares_security(case):
            return "unused"
        with _lock:
            if (
                self._session is None
                or self._session in _quota_full
                or time.monotonic() - self._registered_at > SESSION_REUSE_SECS
            ):
                self._session = register_user("contract-")
                self._registered_at = time.monotonic()
            return self._session

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


# Sessions whose user got 413 (013) from POST /videos: their quota is full.
_quota_full: set = set()


@schemathesis.hook
def after_call(context, case, response):
    """Notes a user whose storage quota is full, so that `SessionAuth` replaces the shared one."""
    if case.operation.definition.raw.get("operationId") != "create-video" or response.status_code != 413:
        return
    try:
        code = response.json().get("error_code")
    except Exception:
        return
    if code != "013":
        return
    headers = case.headers or {}
    current = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if isinstance(current, str) and LINKED_SESSION.match(current):
        with _lock:
            _quota_full.add(current.removeprefix("Bearer "))


# `cargo lambda watch` answers some requests with a 500 of its own, an RFC 7807 body in text/plain
# without the headers every vidlet response has, while the function itself answered correctly
# (its log line says so) or never ran:
# 1. A body that is not UTF-8 sent with a text content type (application/json, text/plain): the
#    emulator refuses it before any function runs, every time. The function answers such a body
#    with 400 (001), as the same bytes sent with Content-Type: application/octet-stream show.
# 2. Now and then (about 1 in 15 here) a large response, such as GET /assets/app.js when it was
#    one 45 KB file (the function returns it base64-encoded): the function logs a 200; the
#    emulator relays a 500.
# Neither is vidlet's. Case 1 is recognised by its request; case 2 by replaying the request: a
# 500 that the same request does not give again (3 tries) was the emulator's. A 500 from vidlet
# itself has the Error body, and a panic repeats; both stay failures.
EMULATOR_500 = b'{"type":"https://httpstatuses.com/500","status":500,"title":"Internal Server Error"}'
REPLAYS = 3


def _is_emulator_500(response) -> bool:
    return response is not None and response.status_code == 500 and response.content == EMULATOR_500


def _is_not_utf8(body) -> bool:
    if isinstance(body, str):
        return False
    if not body:
        return False
    try:
        bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _replays_without_emulator_500(request) -> bool:
    with requests.Session() as session:
        for _ in range(REPLAYS):
            replay = session.send(request.copy(), allow_redirects=False, timeout=60)
            _log(f"replay {request.method} {request.path_url} -> {replay.status_code}")
            if not (replay.status_code == 500 and replay.content == EMULATOR_500):
                return True
    return False


_last_verdict: list = [None, True]  # [response, keep?]


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep a failure unless its response is one of the emulator's own 500s described above."""
    if not _is_emulator_500(response):
        return True
    request = response.request
    if _is_not_utf8(request.body):
        return False
    # Every failing check of one response asks, one after the other: replay once per response.
    if _last_verdict[0] is not response:
        _last_verdict[:] = [response, not _replays_without_emulator_500(request)]
    return _last_verdict[1]
