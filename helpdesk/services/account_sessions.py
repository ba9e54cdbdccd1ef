"""The signed-in browsers of one account, as "Mi cuenta" lists them, and ending them.

Acts only on the actor's own sessions: a forged id of someone else's session ends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import AuthSession, User
from helpdesk.services import audit
from helpdesk.services.accounts import revoke_all_sessions, token_hash
from helpdesk.services.authz import require_user

MAX_LISTED = 50


@dataclass(frozen=True)
class SessionView:
    id: int
    device: str
    ip: str
    last_seen_at: datetime
    current: bool


def describe_agent(user_agent: str) -> str:
    """'Firefox · Windows' from a User-Agent: enough for a person to recognise a device."""
    ua = user_agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                           ("Chrome/", "Chrome"), ("Safari/", "Safari")) if key in ua), "")
    system = next((name for key, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                          ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux")) if key in ua), "")
    return " · ".join(p for p in (browser, system) if p) or "?"


def list_sessions(session: Session, actor: Optional[User], current_token: str = "") -> list[SessionView]:
    user = require_user(actor)
    now = utcnow()
    mine = token_hash(current_token) if current_token else ""
    rows = session.exec(
        select(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None),
                                  AuthSession.expires_at > now)
        .order_by(AuthSession.last_seen_at.desc()).limit(MAX_LISTED)
    ).all()
    return [SessionView(r.id, describe_agent(r.user_agent), r.ip, r.last_seen_at, r.token_hash == mine) for r in rows]


def end_one(session: Session, actor: Optional[User], session_id: object, *, ip: str = "") -> bool:
    user = require_user(actor)
    try:
        wanted = int(str(session_id))
    except ValueError:
        return False
    row = session.get(AuthSession, wanted)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record(session, "session.ended", user.id, target=f"session:{row.id}", ip=ip)
    return True


def end_others(session: Session, actor: Optional[User], current_token: str, *, ip: str = "") -> int:
    user = require_user(actor)
    n = revoke_all_sessions(session, user.id, except_token=current_token or None)
    audit.record(session, "session.ended_all", user.id, detail=str(n), ip=ip)
    return n
