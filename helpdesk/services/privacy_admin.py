"""Personal data, as admins handle it on /admin → Privacidad and operators with
`helpdesk privacy ...`: erase an account by its address, the attachment retention, and the
audit log in readable rows.

Erasure and retention themselves live in services/privacy.py; this module finds the account by
address, asks for the address typed twice (an erasure cannot be undone), and names the actors of
the audit log. Admin calls are checked by the policy (require_admin); the operator functions
are for the command line, which already holds the server's files, and are audited with no actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.mail import AuditEvent
from helpdesk.services import audit, privacy
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import NotFound, ValidationError


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    action: str
    actor: str  # the actor's name, "" for the system or the command line
    target: str
    ip: str
    detail: str


def _account(session: Session, email: str) -> User:
    address = normalize_email(email or "")
    user = session.exec(select(User).where(User.email == address)).first() if address else None
    if user is None:
        raise NotFound()
    return user


def anonymize_by_email(session: Session, actor: Optional[User], email: str, confirm: str, *, ip: str = "") -> User:
    """An admin erases someone's account (anonymized: tickets stay, nothing points at them)."""
    admin = require_admin(actor)
    errors = {}
    if not (email or "").strip():
        errors["email"] = "errors.required"
    elif normalize_email(confirm or "") != normalize_email(email):
        errors["confirm"] = "privacy.confirm_mismatch"
    if errors:
        raise ValidationError(errors)
    user = _account(session, email)
    return privacy.anonymize_user(session, admin, user.id, ip=ip)


def audit_rows(session: Session, actor: Optional[User], limit: int = 50) -> list[AuditRow]:
    """The newest audit events with the actors' names (admins only here; services/audit allows staff)."""
    require_admin(actor)
    return _named(session, audit.recent(session, actor, limit))


def _named(session: Session, events: list[AuditEvent]) -> list[AuditRow]:
    ids = {e.actor_id for e in events if e.actor_id}
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return [AuditRow(e.created_at, e.action, names.get(e.actor_id, ""), e.target, e.ip, e.detail) for e in events]


def operator_anonymize(session: Session, email: str) -> User:
    user = _account(session, email)
    return privacy._anonymize(session, user, None, "")


def operator_set_retention(session: Session, days: object) -> int:
    return privacy.store_retention_days(session, None, days)


def operator_audit(session: Session, limit: int = 50) -> list[AuditRow]:
    limit = max(1, min(int(limit), audit.MAX_RECENT))
    return _named(session, list(session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()))
