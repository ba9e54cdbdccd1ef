"""What a merge or a split moved between two tickets, kept so that an admin can undo it.

One row per merge (source -> target) or split (original -> the new ticket). The ids are what
the operation itself moved or added, and only those go back on undo: replies written on the
target afterwards stay where they were written, and a CC someone had added before stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

MERGE, SPLIT = "merge", "split"


class TicketMerge(SQLModel, table=True):
    __tablename__ = "ticket_merges"

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(default=MERGE, max_length=8)  # merge | split
    # SET NULL: a row must never keep a ticket from being deleted; a missing side refuses undo.
    source_id: Optional[int] = Field(
        default=None, sa_column=Column(Integer, ForeignKey("tickets.id", ondelete="SET NULL"), index=True, nullable=True)
    )
    target_id: Optional[int] = Field(
        default=None, sa_column=Column(Integer, ForeignKey("tickets.id", ondelete="SET NULL"), index=True, nullable=True)
    )
    message_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attachment_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cc_emails: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_status: str = Field(default="", max_length=16)  # the source's status before a merge closed it
    # The "continues in #B" note a merge posts on the source: undo hides it from the customer.
    note_message_id: Optional[int] = Field(
        default=None, sa_column=Column(Integer, ForeignKey("messages.id", ondelete="SET NULL"), nullable=True)
    )
    actor_id: Optional[int] = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    undone_at: Optional[datetime] = Field(default=None)
    undone_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
