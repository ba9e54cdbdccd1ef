"""Per-request plumbing of /api/v1: bearer token -> principal, rate limit, one transaction, idempotency.

A request's work runs in ONE database transaction together with its authentication (so
last-used is written with it) and, for a POST with an Idempotency-Key, with the stored first
answer: a ticket and the record of the answer that announced it commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import time
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.responses import JSONResponse

from helpdesk.domain.integrations import ApiIdempotency
from helpdesk.infra.db import session_scope
from helpdesk.services import api_tokens, policy
from helpdesk.services.api_tokens import Principal
from helpdesk.services.policy import Action
from helpdesk.web.api_v1.errors import ApiError

bearer = HTTPBearer(auto_error=False, description="Personal API token from /account or `helpdesk token create`")

MAX_IDEMPOTENCY_KEY = 200


def _rate() -> tuple[int, float]:
    """(requests, per seconds) for one token in one server process."""
    raw = os.environ.get("HELPDESK_API_RATE_LIMIT", "").strip()
    try:
        return max(1, int(raw)), 60.0
    except ValueError:
        return 600, 60.0


class SlidingWindow:
    """In-memory sliding window per key. Kept in the process: a database write per read would
    cost more than most reads; with several workers each enforces the limit on its own share."""

    def __init__(self) -> None:
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def check(self, key: str, limit: int, window_s: float, now: float | None = None) -> Optional[int]:
        """None when allowed (and counted), else seconds until the next request is allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(hits[0] + window_s - now))
            hits.append(now)
            if len(self._hits) > 50_000:  # forget idle keys now and then
                for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - window_s][:10_000]:
                    self._hits.pop(k, None)
            return None

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


LIMITER = SlidingWindow()


def _secret(cred: Optional[HTTPAuthorizationCredentials]) -> str:
    if cred is None or cred.scheme.lower() != "bearer" or not cred.credentials:
        raise ApiError(401, "api.unauthorized", headers={"WWW-Authenticate": "Bearer"})
    return cred.credentials


@contextmanager
def unit(request: Request, cred: Optional[HTTPAuthorizationCredentials], *, write: bool = False,
         staff: bool = False) -> Iterator[tuple[Session, Principal]]:
    """Authenticate, rate-limit and open the request's one transaction (commit on success)."""
    secret = _secret(cred)
    limit, window = _rate()
    retry = LIMITER.check(hashlib.sha256(secret.encode()).hexdigest(), limit, window)
    if retry is not None:
        raise ApiError(429, "errors.rate_limited", headers={"Retry-After": str(retry)}, minutes=max(1, (retry + 59) // 60))
    with session_scope() as s:
        principal = api_tokens.authenticate(s, secret)
        if principal is None:
            raise ApiError(401, "api.unauthorized", headers={"WWW-Authenticate": "Bearer"})
        request.state.locale = principal.user.locale if principal.user.locale in ("es", "en") else "es"
        if write and not policy.can(principal, Action.USE_API_WRITE):
            raise ApiError(403, "api.read_only_token")
        if staff and not policy.can(principal, Action.STAFF_AREA):
            raise ApiError(403, "errors.forbidden")
        yield s, principal


def _request_hash(request: Request, payload: object) -> str:
    raw = json.dumps([request.method, request.url.path, payload], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _stored(s: Session, user_id: int, key: str) -> Optional[ApiIdempotency]:
    return s.exec(select(ApiIdempotency).where(ApiIdempotency.user_id == user_id, ApiIdempotency.key == key)).first()


def _replay(row: ApiIdempotency, request_hash: str) -> JSONResponse:
    if row.request_hash != request_hash:
        raise ApiError(409, "api.idempotency_mismatch")
    return JSONResponse(json.loads(row.body), status_code=row.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent_post(
    request: Request,
    cred: Optional[HTTPAuthorizationCredentials],
    payload: object,
    work: Callable[[Session, Principal], tuple[int, dict]],
) -> JSONResponse:
    """Run a POST; with an Idempotency-Key, a retry (same key, same request) gets the first answer.

    The answer is stored in the same transaction as the change. Two concurrent first tries
    race on the unique (user, key): the loser's whole transaction rolls back and it answers
    with the winner's stored response, so the work happens exactly once.
    """
    key = (request.headers.get("idempotency-key") or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise ApiError(422, "api.idempotency_key_invalid", fields={"Idempotency-Key": "api.field_invalid"})
    request_hash = _request_hash(request, payload)
    try:
        with unit(request, cred, write=True) as (s, principal):
            if key:
                row = _stored(s, principal.user.id, key)
                if row is not None:
                    return _replay(row, request_hash)
            status, body = work(s, principal)
            text = json.dumps(body, default=str)
            if key:
                s.add(ApiIdempotency(user_id=principal.user.id, key=key, request_hash=request_hash,
                                     status_code=status, body=text))
                s.flush()
            user_id = principal.user.id
    except IntegrityError:
        if not key:
            raise
        with session_scope() as s:
            principal = api_tokens.authenticate(s, _secret(cred))
            row = _stored(s, principal.user.id, key) if principal else None
        if row is None:
            raise
        return _replay(row, request_hash)
    del user_id
    return JSONResponse(json.loads(text), status_code=status)
