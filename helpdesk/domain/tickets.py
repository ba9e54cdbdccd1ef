"""Tickets, their conversation, files and history, and the one lifecycle they all follow."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Computed, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from helpdesk.domain import utcnow


class TicketStatus(str, enum.Enum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting for the customer: the SLA clock is paused
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)


class Priority(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"  # the premium lane (seed 003)

    @property
    def rank(self) -> int:
        return {"low": 0, "medium": 1, "high": 2, "urgent": 3}[self.value]


# Priority.rank as SQL; -1 sorts tickets without a priority below "low". Migration 0009 holds
# the same text (a migration must not import changing code); a unit test checks they agree.
PRIORITY_RANK_SQL = (
    "CASE priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3 ELSE -1 END"
)
# The earliest deadline still running: first response (until answered) or resolution. The
# "due" view is then one range per status instead of an OR over two columns.
NEXT_DUE_SQL = (
    "CASE WHEN first_response_at IS NULL AND first_response_due_at IS NOT NULL"
    " AND (due_at IS NULL OR first_response_due_at < due_at)"
    " THEN first_response_due_at ELSE due_at END"
)


# Allowed moves of the lifecycle. Who may make each move is decided by the services.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.NEW: frozenset({TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.SOLVED}),
    TicketStatus.OPEN: frozenset({TicketStatus.PENDING, TicketStatus.SOLVED}),
    TicketStatus.PENDING: frozenset({TicketStatus.OPEN, TicketStatus.SOLVED}),
    TicketStatus.SOLVED: frozenset({TicketStatus.OPEN, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset({TicketStatus.OPEN}),
}


class InvalidTransition(ValueError):
    def __init__(self, current: TicketStatus, target: TicketStatus):
        super().__init__(f"{current.value} -> {target.value}")
        self.current, self.target = current, target


def check_transition(current: TicketStatus, target: TicketStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(current, target)


def status_after_customer_reply(current: TicketStatus) -> TicketStatus:
    """A customer writing again means the ball is back with support."""
    if current in (TicketStatus.PENDING, TicketStatus.SOLVED):
        return TicketStatus.OPEN
    return current


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    # The agents' queue views: filter by status/assignee, order by activity or deadline (0006).
    __table_args__ = (
        Index("ix_tickets_status_activity", "status", "last_activity_at"),
        Index("ix_tickets_assignee_status_activity", "assignee_id", "status", "last_activity_at"),
        Index("ix_tickets_status_due", "status", "due_at"),
        Index("ix_tickets_status_first_due", "status", "first_response_due_at"),
        # "Mis tickets": a requester's or an organization's tickets in list order (activity,
        # then id as tie-break), so each branch of the list's UNION is one index walk (0010).
        Index("ix_tickets_requester_activity_id", "requester_id", "last_activity_at", "id"),
        Index("ix_tickets_org_activity_id", "organization_id", "last_activity_at", "id"),
        # Queue at scale (0009): "by priority" walks this index instead of sorting every open
        # ticket; the "due" view counts and pages from a range of the second one.
        Index("ix_tickets_priority_rank_activity", "priority_rank", "last_activity_at", "id"),
        Index("ix_tickets_status_next_due", "status", "next_due_at", "last_activity_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)  # public ID, shown as #1042
    subject: str = Field(max_length=200)
    category: str = Field(max_length=16, index=True)
    service_id: Optional[int] = Field(default=None, foreign_key="services.id", index=True)
    request_type_id: Optional[int] = Field(default=None, foreign_key="request_types.id")
    status: str = Field(default=TicketStatus.NEW.value, max_length=16, index=True)
    priority: Optional[str] = Field(default=None, max_length=16, index=True)
    requester_id: int = Field(foreign_key="users.id", index=True)
    organization_id: Optional[int] = Field(default=None, foreign_key="organizations.id", index=True)
    assignee_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow, index=True)
    first_response_at: Optional[datetime] = None
    first_response_due_at: Optional[datetime] = Field(default=None, index=True)
    due_at: Optional[datetime] = Field(default=None, index=True)
    solved_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    paused_at: Optional[datetime] = None  # set while pending; SLA is extended by the pause
    follow_up_of_id: Optional[int] = Field(default=None, foreign_key="tickets.id")
    version: int = Field(default=1)  # bumped on every change: agents are warned of stale replies
    locale: str = Field(default="es", max_length=8)
    # Derived by the database (generated columns, 0009), so no code path that changes the
    # priority or a deadline can leave them stale; never assigned in Python. (Migration 0009
    # makes them VIRTUAL on SQLite, which cannot add STORED ones to an existing table.)
    priority_rank: Optional[int] = Field(
        default=None, sa_column=Column(Integer, Computed(PRIORITY_RANK_SQL, persisted=True))
    )
    next_due_at: Optional[datetime] = Field(
        default=None, sa_column=Column(UTCDateTime(), Computed(NEXT_DUE_SQL, persisted=True))
    )

    @property
    def status_enum(self) -> TicketStatus:
        return TicketStatus(self.status)

    @property
    def public_id(self) -> str:
        return f"#{self.number}"


class TicketCC(SQLModel, table=True):
    __tablename__ = "ticket_ccs"

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    email: str = Field(max_length=320, index=True)
    added_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    __tablename__ = "messages"

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    author_id: Optional[int] = Field(default=None, foreign_key="users.id")
    body: str
    is_internal: bool = Field(default=False)  # agents' notes: never shown or mailed to customers
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Attachment(SQLModel, table=True):
    """A file on a message. Bytes live under the data dir by content hash, never publicly."""

    __tablename__ = "attachments"

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    message_id: Optional[int] = Field(default=None, foreign_key="messages.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64, index=True)
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)


class TicketEvent(SQLModel, table=True):
    """Every change to a ticket: who, when, what, from -> to."""

    __tablename__ = "ticket_events"

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="users.id")
    kind: str = Field(max_length=32)  # status, priority, assignee, category, cc, created, reopened...
    from_value: str = Field(default="", max_length=200)
    to_value: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class SatisfactionRating(SQLModel, table=True):
    __tablename__ = "satisfaction_ratings"
    # One answer per time the ticket is solved, even when two clicks race.
    __table_args__ = (UniqueConstraint("ticket_id", "solve_round", name="uq_satisfaction_ticket_round"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    solve_round: int = Field(default=1)  # one answer per time the ticket is solved
    rating: str = Field(max_length=8)  # good | bad
    comment: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)


class Counter(SQLModel, table=True):
    """Named counters (next public ticket number) incremented atomically in SQL."""

    __tablename__ = "counters"

    name: str = Field(primary_key=True, max_length=32)
    value: int = Field(default=0)


def parse_number(raw: object) -> Optional[int]:
    """'#1042', '1042' or 1042 -> 1042; anything else -> None."""
    text = str(raw if raw is not None else "").strip().lstrip("#").strip()
    if not text.isdigit() or len(text) > 12:
        return None
    return int(text)
