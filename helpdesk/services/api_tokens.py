"""Personal API tokens: created by their owner (or the CLI), shown once, stored as a hash.

A token acts as its user with exactly that user's rights; its scope can only narrow them
(read-only tokens cannot change anything). Revoked and expired tokens are refused like
unknown ones, and so is any token of a deactivated user.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.integrations import SCOPE_READ, SCOPE_WRITE, SCOPES, ApiToken
from helpdesk.domain.principals import ApiClient
from helpdesk.domain.principals import of_actor
from helpdesk.services import audit, policy
from helpdesk.services.authz import require_admin, require_user
from helpdesk.services.errors import NotFound, ValidationError
from helpdesk.services.policy import Action

TOKEN_PREFIX = "hdk_"
MAX_NAME = 100
MAX_EXPIRY_DAYS = 3650
MAX_TOKENS_PER_USER = 50
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Who an API request acts as: the token's user and what the token allows (domain/principals.py).
Principal = ApiClient


def create_token(
    session: Session,
    actor: Optional[User],
    *,
    name: str = "",
    scope: str = SCOPE_WRITE,
    expires_in_days: Optional[int] = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `actor` itself. Returns (row, secret); the secret is never stored."""
    actor = require_user(actor)
    now = now or utcnow()
    errors: dict[str, str] = {}
    clean_name = " ".join(str(name or "").replace("\x00", "").split())[:MAX_NAME] or "API"
    if scope not in SCOPES:
        errors["scope"] = "api.scope_invalid"
    if expires_in_days is not None and not (1 <= int(expires_in_days) <= MAX_EXPIRY_DAYS):
        errors["expires"] = "api.expiry_invalid"
    active = session.exec(
        select(ApiToken.id).where(ApiToken.user_id == actor.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    if len(active) >= MAX_TOKENS_PER_USER:
        errors["name"] = "api.too_many_tokens"
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=actor.id,
        name=clean_name,
        token_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=int(expires_in_days)) if expires_in_days else None,
    )
    session.add(row)
    session.flush()
    audit.record(session, "api.token_created", actor.id, target=actor.email, detail=f"{row.id}:{row.scope}")
    return row, secret


def authenticate(session: Session, secret: str | None, *, now: datetime | None = None) -> Optional[Principal]:
    """The principal behind a bearer token, or None (unknown, revoked, expired, inactive user)."""
    if not secret or len(secret) > 200 or not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or utcnow()
    found = session.exec(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if found is None:
        return None
    token, user = found
    if not token.is_valid(now) or not user.is_active or user.anonymized_at is not None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        token.last_used_at = now
    return ApiClient(account=user, scope=token.scope, token_id=token.id)


def list_own(session: Session, actor: Optional[User]) -> list[ApiToken]:
    actor = require_user(actor)
    return list(
        session.exec(select(ApiToken).where(ApiToken.user_id == actor.id).order_by(col(ApiToken.id).desc())).all()
    )


def list_all(session: Session, actor: Optional[User], limit: int = 500) -> list[tuple[ApiToken, User]]:
    """Every token of every user, newest first (admins)."""
    require_admin(actor)
    rows = session.exec(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(col(ApiToken.id).desc()).limit(limit)
    ).all()
    return [(t, u) for t, u in rows]


def revoke(session: Session, actor: Optional[User], token_id: int, *, now: datetime | None = None) -> ApiToken:
    """Owners revoke their own tokens; admins any token. Someone else's token is NotFound."""
    actor = require_user(actor)
    token = session.get(ApiToken, int(token_id)) if str(token_id).lstrip("-").isdigit() else None
    if token is None or (token.user_id != actor.id and not policy.can(of_actor(actor), Action.MANAGE_USERS)):
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record(session, "api.token_revoked", actor.id, target=str(token.user_id), detail=str(token.id))
    return token


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """"active", "revoked" or "expired", for the lists."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def purge_idempotency(session: Session, older_than: timedelta = timedelta(hours=24)) -> int:
    """Idempotency records are for retries: a day later they can go."""
    from sqlalchemy import delete

    from helpdesk.domain.integrations import ApiIdempotency

    result = session.exec(delete(ApiIdempotency).where(ApiIdempotency.created_at < utcnow() - older_than))
    return int(result.rowcount or 0)


__all__ = ["Principal", "SCOPE_READ", "SCOPE_WRITE", "authenticate", "create_token", "list_all", "list_own", "revoke"]
