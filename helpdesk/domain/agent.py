"""Agent workspace records: canned responses."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow


class CannedResponse(SQLModel, table=True):
    """A reusable reply. Placeholders such as {customer_name} and {ticket_id} are filled in."""

    __tablename__ = "canned_responses"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    body: str
    locale: str = Field(default="es", max_length=8)
    created_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
