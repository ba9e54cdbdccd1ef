"""The security audit log: who signed in, changed roles or passwords, exported or erased data.

Rows are written in the caller's transaction, so an audit entry exists exactly when the change
it describes was committed. Reading the log is for staff only.
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.mail import AuditEvent
from helpdesk.services.authz import require_staff

# Actions written across the services (accounts.py writes the sign-in and role ones itself).
LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"
LOGOUT = "logout"
ROLE_CHANGED = "role.changed"
PASSWORD_CHANGED = "password.changed"
DATA_EXPORTED = "privacy.exported"
DELETION_REQUESTED = "privacy.deletion_requested"
USER_ANONYMIZED = "privacy.anonymized"
ATTACHMENTS_PURGED = "privacy.attachments_purged"
MAX_RECENT = 200


def record(session: Session, action: str, actor_id: int | None, *, target: str = "", ip: str = "", detail: str = "") -> AuditEvent:
    event = AuditEvent(action=action[:48], actor_id=actor_id, target=target[:200], ip=(ip or "")[:64], detail=detail)
    session.add(event)
    return event


def recent(session: Session, actor: Optional[User], limit: int = 50) -> list[AuditEvent]:
    """Newest first. Staff only: the log names accounts and addresses."""
    require_staff(actor)
    limit = max(1, min(int(limit), MAX_RECENT))
    return list(session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all())
