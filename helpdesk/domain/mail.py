"""Outgoing mail, written in the same transaction as the change that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

# An outbox row's status. Here, not in services/mail.py, so that readers of the outbox
# (services/mail_failures.py) need not import the sender that imports them.
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


class OutboxMail(SQLModel, table=True):
    __tablename__ = "outbox"

    id: Optional[int] = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=120, unique=True)
    to_email: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str = Field(default="")
    ticket_id: Optional[int] = Field(default=None, foreign_key="tickets.id", index=True)
    status: str = Field(default="queued", max_length=16, index=True)  # queued | sending | sent | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    last_error: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None


class AuditEvent(SQLModel, table=True):
    """Security-relevant events: sign-ins, role changes, exports, deletions."""

    __tablename__ = "audit_events"

    id: Optional[int] = Field(default=None, primary_key=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=48, index=True)
    target: str = Field(default="", max_length=200)
    ip: str = Field(default="", max_length=64)
    detail: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, index=True)
