"""The e-mail channel's tables: every received mail (kept for disputes), agents' mail choices,
and the notices waiting to be mailed to agents as one digest."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow


class InboundMail(SQLModel, table=True):
    """One received mail and what became of it. `dedupe_key` (Message-ID, else a hash of the
    bytes; or the IMAP mailbox's UID) is unique, so a mail delivered twice, or fetched again
    after a restart, is taken once."""

    __tablename__ = "inbound_mails"

    id: Optional[int] = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    source: str = Field(default="smtp", max_length=8)  # smtp | imap
    from_email: str = Field(default="", max_length=320, index=True)
    subject: str = Field(default="", max_length=300)
    outcome: str = Field(default="", max_length=24, index=True)  # message | ticket | note | ignored ...
    reason: str = Field(default="", max_length=200)
    ticket_id: Optional[int] = Field(default=None, foreign_key="tickets.id", index=True)
    message_id: Optional[int] = Field(default=None, foreign_key="messages.id", index=True)
    eml_sha256: str = Field(default="", max_length=64)
    size: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AgentMailPref(SQLModel, table=True):
    """Which events an agent wants by mail (set on /account)."""

    __tablename__ = "agent_mail_prefs"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    new_ticket: bool = Field(default=False)
    customer_reply: bool = Field(default=True)
    assignment: bool = Field(default=True)
    sla: bool = Field(default=True)


class AgentNotice(SQLModel, table=True):
    """One event for one agent, mailed with the others of the same ticket once they settle."""

    __tablename__ = "agent_notices"

    id: Optional[int] = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=120, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    kind: str = Field(max_length=24)  # new_ticket | customer_reply | assignment | sla_close | sla_missed
    detail: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: Optional[datetime] = Field(default=None, index=True)
