"""An agent's saved queue views: a name and the queue's query string (filters, search, sort)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

MAX_NAME = 60
MAX_QUERY = 600  # a normalized query is far shorter (search capped at 100, ids at 11 digits)


class SavedView(SQLModel, table=True):
    """One personal view. `query` is always normalized by services/saved_views (known keys only)."""

    __tablename__ = "saved_views"
    # A backstop for the service's own check (which also ignores case): two views of one agent
    # with the same name could not be told apart in the list.
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=MAX_NAME)
    query: str = Field(default="", max_length=MAX_QUERY)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
