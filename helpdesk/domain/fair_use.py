"""Fair use (seed 003): sending too much means waiting longer, and the customer is told why.

Pure rules over counts the service gathers; no database, no Reflex. Two levels per limit:
- past the *soft* limit the ticket is accepted, flagged with a signal agents can see, and it
  waits longer (it is queued as a low-priority ticket); the customer reads why on the ticket;
- past the *hard* limit (`HARD_FACTOR` times the soft one) nothing new is accepted until the
  window has passed, and the refusal says until when. Nothing is refused silently.

Limits are per requester (messages on one ticket per hour, new tickets per day) and per
organization (new tickets per day, all members together). Admins set them; 0 switches one off.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

HARD_FACTOR = 2
MAX_LIMIT = 10_000
SIGNAL_KINDS = ("messages", "tickets", "org_tickets", "questions", "repeated")


@dataclass(frozen=True)
class FairUseLimits:
    messages_per_ticket_hour: int = 6
    tickets_per_day: int = 10
    org_tickets_per_day: int = 40
    questions_per_ticket: int = 3
    repeated_per_week: int = 3  # tickets with (nearly) the same subject in seven days

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> "FairUseLimits":
        out = {}
        for f in fields(cls):
            value = raw.get(f.name, getattr(cls(), f.name))
            out[f.name] = value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_LIMIT \
                else getattr(cls(), f.name)
        return cls(**out)


def invalid_limits(raw: dict) -> list[str]:
    """Names of the fields in `raw` that are not whole numbers from 0 to MAX_LIMIT."""
    bad = []
    for f in fields(FairUseLimits):
        value = raw.get(f.name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LIMIT:
            bad.append(f.name)
    return bad


@dataclass(frozen=True)
class Signal:
    kind: str  # one of SIGNAL_KINDS
    count: int  # what was counted (this one included)
    limit: int
    hard: bool  # past the hard limit: refused


def judge(kind: str, count: int, limit: int) -> Optional[Signal]:
    """A signal when `count` (including the new one) is past `limit`; None when within it or off."""
    if limit <= 0 or count <= limit:
        return None
    return Signal(kind, count, limit, hard=count > limit * HARD_FACTOR)


# "¿...?" pairs, or a sentence ending in "?"; numbered lists of questions count too.
_QUESTION = re.compile(r"[^.?!¿\n]{3,}\?")


def count_questions(text: str) -> int:
    """How many questions a ticket's text asks (seed 003: one question per ticket)."""
    return len(_QUESTION.findall(text or ""))


class FairUseSignal(SQLModel, table=True):
    """A fair-use signal on a ticket, with what was counted: shown to agents, explained to the
    customer. One per ticket and kind."""

    __tablename__ = "fair_use_signals"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", name="uq_fair_use_ticket_kind"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    requester_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True)
    kind: str = Field(max_length=16)
    count: int = 0
    limit: int = 0
    created_at: datetime = Field(default_factory=utcnow)
