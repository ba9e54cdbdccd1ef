"""Chat intake: the conversation record, the admin's priority questions, call-back requests.

Tables only; the conversation's steps are data and pure rules in domain/chat_script.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow


class ChatConversation(SQLModel, table=True):
    """One guided conversation. It belongs to an account (`user_id`) or to the browser that
    holds a random guest key (only its SHA-256 is stored here), never to a tab."""

    __tablename__ = "chat_conversations"

    id: Optional[int] = Field(default=None, primary_key=True)
    guest_key_hash: Optional[str] = Field(default=None, max_length=64, unique=True, index=True)
    user_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True)
    # A host site's signed-in user, vouched for by an HMAC (widget identity verification).
    identity_email: str = Field(default="", max_length=320)
    identity_name: str = Field(default="", max_length=200)
    status: str = Field(default="open", max_length=16, index=True)  # open | done
    step: str = Field(default="reason", max_length=32)
    answers: str = Field(default="{}")  # JSON: what the person answered so far
    transcript: str = Field(default="[]")  # JSON: the turns shown (bot turns in both languages)
    locale: str = Field(default="es", max_length=8)
    ticket_id: Optional[int] = Field(default=None, foreign_key="tickets.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class ChatQuestion(SQLModel, table=True):
    """A yes/no question the assistant asks before the description. A "yes" suggests
    `raises_to` as the ticket's priority (seed 000: blocks 100% use of the system => high).
    `service_id` None: asked for every service."""

    __tablename__ = "chat_questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    service_id: Optional[int] = Field(default=None, foreign_key="services.id", index=True)
    position: int = Field(default=0)
    text_es: str = Field(max_length=300)
    text_en: str = Field(default="", max_length=300)
    raises_to: str = Field(default="high", max_length=16)
    is_active: bool = Field(default=True)


class CallbackRequest(SQLModel, table=True):
    """A customer asked to be phoned about a ticket; agents aim to call within 5 minutes."""

    __tablename__ = "callback_requests"

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    phone: str = Field(max_length=32)  # E.164
    requested_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    status: str = Field(default="pending", max_length=16, index=True)  # pending | taken | done | missed
    created_at: datetime = Field(default_factory=utcnow, index=True)
    due_at: datetime
    taken_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    taken_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    outcome: str = Field(default="")
