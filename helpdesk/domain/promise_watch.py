"""Slipping promises: the record that agents were told a ticket's deadline is close or missed.

One row per ticket, deadline and stage; the unique triple makes "told once" hold when several
workers run the watch at the same time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

STAGE_CLOSE = "close"  # WARN_FRACTION of the deadline's business time consumed
STAGE_MISSED = "missed"
WARN_FRACTION = 0.8


class PromiseNotice(SQLModel, table=True):
    __tablename__ = "promise_notices"
    __table_args__ = (UniqueConstraint("ticket_id", "deadline", "stage", name="uq_promise_notice"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    deadline: str = Field(max_length=16)  # "first_response" | "resolution"
    stage: str = Field(max_length=8)  # STAGE_CLOSE | STAGE_MISSED
    created_at: datetime = Field(default_factory=utcnow)
