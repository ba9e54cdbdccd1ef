"""Sliding-window rate limits stored in the database, so every worker shares one count.

Keys name the action and who does it, e.g. "ticket:ip:1.2.3.4" or "ticket:user:7".
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.security import RateLimitHit
from helpdesk.services.errors import RateLimited

MAX_KEY_CHARS = 120


def _key(key: str) -> str:
    if not key:
        raise ValueError("empty rate-limit key")
    return key[:MAX_KEY_CHARS]


def _window(session: Session, key: str, window_s: int, now: datetime) -> tuple[int, datetime | None]:
    since = now - timedelta(seconds=window_s)
    count, oldest = session.exec(
        select(func.count(), func.min(RateLimitHit.created_at)).where(
            RateLimitHit.key == key, RateLimitHit.created_at > since
        )
    ).one()
    return int(count), oldest


def _refuse(oldest: datetime | None, window_s: int, now: datetime) -> RateLimited:
    # The caller may try again when the oldest counted hit leaves the window.
    if oldest is None:
        return RateLimited(retry_after_s=window_s)
    retry = (oldest + timedelta(seconds=window_s) - now).total_seconds()
    return RateLimited(retry_after_s=max(1, math.ceil(retry)))


def check_only(session: Session, key: str, limit: int, window_s: int, *, now: datetime | None = None) -> None:
    """Raise RateLimited if `key` already used its `limit` hits in the last `window_s`; record nothing."""
    now = now or utcnow()
    count, oldest = _window(session, _key(key), window_s, now)
    if count >= limit:
        raise _refuse(oldest, window_s, now)


def hit(session: Session, key: str, limit: int, window_s: int, *, now: datetime | None = None, cost: int = 1) -> None:
    """Count one action under `key`, or raise RateLimited (recording nothing) when over `limit`.

    `cost` counts one action as several units (e.g. one per MiB of an upload), so a byte
    budget uses the same table and the same window arithmetic as a count of actions.

    The hit is written in the caller's transaction, so an action that fails and rolls back
    is not counted. To count every attempt, successful or not (e.g. guessing), call this
    inside its own `session_scope()` before doing the work.
    """
    now = now or utcnow()
    key = _key(key)
    if session.get_bind().dialect.name == "postgresql":
        # Serialise concurrent hits on one key until commit, so two requests cannot both
        # see "limit - 1" and both pass.
        session.exec(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))").bindparams(k=key))
    # Write first, count after: on SQLite the insert takes the single write lock, so the
    # count that follows sees every committed hit and no other writer is half-way.
    rows = [RateLimitHit(key=key, created_at=now) for _ in range(max(1, cost))]
    session.add_all(rows)
    session.flush()
    count, oldest = _window(session, key, window_s, now)
    if count > limit:
        for row in rows:
            session.delete(row)
        session.flush()
        raise _refuse(oldest, window_s, now)


def purge_old(session: Session, older_than_s: int = 24 * 3600, *, now: datetime | None = None) -> int:
    """Delete hits older than any window in use; returns how many rows went."""
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_s)
    result = session.exec(delete(RateLimitHit).where(RateLimitHit.created_at < cutoff))
    return int(result.rowcount or 0)
