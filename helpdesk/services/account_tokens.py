"""Single-use links mailed to a person: issue one, and consume it exactly once.

The browser (the mail) holds a random token; the database keeps only its SHA-256 with the
purpose, the user, an expiry and when it was used. A token made for one purpose never works
for another, a used or expired one never works again, and the stored hash is compared in
constant time (the lookup itself is by hash, so timing says nothing about the token).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.account_tokens import AccountToken
from helpdesk.services.errors import ServiceError

VERIFY = "verify"
RESET = "reset"
EMAIL_CHANGE = "email_change"
EMAIL_UNDO = "email_undo"

LIFETIMES = {
    VERIFY: timedelta(days=3),
    RESET: timedelta(hours=1),
    EMAIL_CHANGE: timedelta(hours=24),
    EMAIL_UNDO: timedelta(days=7),
}
MAX_TOKEN_CHARS = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, purpose: str, user_id: int, *, data: str = "") -> str:
    """A new token for `purpose`; earlier unused ones of the same purpose stop working."""
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = utcnow()
    session.exec(
        update(AccountToken)
        .where(AccountToken.user_id == user_id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(AccountToken(purpose=purpose, token_hash=_hash(token), user_id=user_id, data=data[:320],
                             created_at=now, expires_at=now + LIFETIMES[purpose]))
    session.flush()
    return token


def peek(session: Session, purpose: str, token: str) -> AccountToken | None:
    """The live token row, without using it (a page may show a form before the final step)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    wanted = _hash(token)
    row = session.exec(select(AccountToken).where(AccountToken.token_hash == wanted)).first()
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or row.purpose != purpose:
        return None
    if row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def consume(session: Session, purpose: str, token: str) -> AccountToken:
    """Mark the token used and return it, or raise `trust.link_invalid` (forged, used, expired)."""
    row = peek(session, purpose, token)
    if row is None:
        raise ServiceError("trust.link_invalid")
    # Conditional update: two clicks racing each other cannot both use the token.
    result = session.exec(
        update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None)).values(used_at=utcnow())
    )
    if not result.rowcount:
        raise ServiceError("trust.link_invalid")
    return row
