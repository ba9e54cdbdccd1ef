"""How often the first-reply estimate customers were given came true (the dashboard's card).

Every ticket opened through ticket_create keeps the estimate its customer saw before sending and
read in the confirmation mail (domain/estimate_record.py). For tickets opened in the period, an
estimate's outcome is known once the first agent answer came (kept when on or before the
estimated time, late after it) or the estimated time passed without one (late, by the wait so
far: a lower bound). Tickets still waiting and not yet past their estimate are not counted yet;
tickets without a stored estimate (opened before it was kept, agent follow-ups) never are.

"How late" is wall-clock minutes between the estimate and the first answer (negative: early),
not business time: it is what the customer lived, night and weekend included. Grouped by the
ticket's priority now (what agents triage by; untriaged tickets as "none").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import func, literal_column, or_
from sqlmodel import Session, col, select

from helpdesk.domain.accounts import User
from helpdesk.domain.estimate_record import TicketEstimate
from helpdesk.domain.tickets import Priority, Ticket
from helpdesk.infra import clock
from helpdesk.services.authz import require_staff

DEFAULT_DAYS = 30
NO_PRIORITY = "none"
PRIORITIES = (Priority.URGENT.value, Priority.HIGH.value, Priority.MEDIUM.value, Priority.LOW.value, NO_PRIORITY)
ON_TIME_SLACK = 0.001  # minutes
# Upper bounds (minutes, inclusive) of the early/late distribution the chart draws; 0 is on time.
BUCKETS = (("early_over_1h", -60), ("early_within_1h", 0), ("late_within_1h", 60), ("late_1_4h", 240),
           ("late_over_4h", math.inf))


@dataclass
class Figures:
    kept: int = 0
    late: int = 0
    unanswered: int = 0  # of `late`: no answer yet, past the estimate
    minutes: dict[int, int] = field(default_factory=dict, repr=False)  # minutes late (< 0 early) -> tickets

    def add(self, minute: int, answered: bool, on_time: bool, n: int = 1) -> None:
        """`n` tickets `minute` minutes late (rounded); on time means answered by the estimate."""
        if answered and on_time:
            self.kept += n
        else:
            self.late += n
            self.unanswered += 0 if answered else n
        self.minutes[minute] = self.minutes.get(minute, 0) + n

    @property
    def total(self) -> int:
        return self.kept + self.late

    @property
    def share_kept(self) -> Optional[float]:
        return round(100 * self.kept / self.total, 1) if self.total else None

    @property
    def median_minutes(self) -> Optional[float]:
        return self._quantile(0.5)

    @property
    def p90_minutes(self) -> Optional[float]:
        return self._quantile(0.9)

    def _quantile(self, q: float) -> Optional[float]:
        """Nearest rank: a value that really happened (to the minute), no interpolation."""
        rank, seen = max(1, math.ceil(q * self.total)), 0
        for minute, n in sorted(self.minutes.items()):
            seen += n
            if seen >= rank:
                return float(minute)
        return None


@dataclass
class Accuracy:
    days: int
    overall: Figures
    by_priority: dict[str, Figures]  # PRIORITIES order, only those with counted tickets
    buckets: list[tuple[str, int]]  # BUCKETS order, every bucket


# Seconds since 1970 of a stored instant (as escalation.py): the database subtracts, so 100,000
# rows come back as floats instead of being parsed into datetimes (3x slower in Python).
_EPOCH = {"sqlite": "(julianday({c}) - 2440587.5) * 86400.0", "postgresql": "EXTRACT(EPOCH FROM {c})::float8"}


def _minutes_late(dialect: str, now: datetime):
    epoch = _EPOCH.get(dialect, _EPOCH["postgresql"])
    answered = epoch.format(c="tickets.first_response_at")
    expected = epoch.format(c="ticket_estimates.expected_at")
    # `now` is our own number, not input: safe to write into the SQL.
    return literal_column(f"(COALESCE({answered}, {now.timestamp():.3f}) - {expected}) / 60.0")


def accuracy(session: Session, actor: Optional[User], *, days: int = DEFAULT_DAYS,
             now: Optional[datetime] = None) -> Accuracy:
    """Outcomes of the estimates given for tickets opened in the last `days` days (staff only)."""
    require_staff(actor)
    now = now or clock.now()
    late = _minutes_late(session.get_bind().dialect.name, now).label("late")
    answered = col(Ticket.first_response_at).is_not(None)
    known = (
        select(late, answered.label("answered"), col(Ticket.priority).label("priority"))
        .select_from(TicketEstimate)
        .join(Ticket, col(Ticket.id) == TicketEstimate.ticket_id)
        .where(col(TicketEstimate.created_at) >= now - timedelta(days=days))
        # Outcome known: answered, or past the estimate. The rest waits for its turn.
        .where(or_(answered, col(TicketEstimate.expected_at) < now))
    ).subquery()
    # Grouped to the minute in the database: a few thousand rows come back, not one per ticket.
    # "At the estimate" allows julianday's float error (well under a second).
    on_time = (known.c.late <= ON_TIME_SLACK).label("on_time")
    minute = func.round(known.c.late).label("minute")
    rows = session.connection().execute(
        select(known.c.priority, known.c.answered, on_time, minute, func.count())
        .where(or_(known.c.answered, known.c.late > ON_TIME_SLACK))
        .group_by(known.c.priority, known.c.answered, on_time, minute)
    ).all()
    overall = Figures()
    by_priority = {p: Figures() for p in PRIORITIES}
    counts = {name: 0 for name, _ in BUCKETS}
    for priority, was_answered, was_on_time, at, n in rows:
        at, was_answered, was_on_time = int(at), bool(was_answered), bool(was_on_time)
        overall.add(at, was_answered, was_on_time, n)
        by_priority[priority if priority in by_priority else NO_PRIORITY].add(at, was_answered, was_on_time, n)
        counts[_bucket(at, was_answered and was_on_time)] += n
    return Accuracy(days=days, overall=overall, by_priority={p: f for p, f in by_priority.items() if f.total},
                    buckets=list(counts.items()))


def _bucket(minute: int, kept: bool) -> str:
    # Kept ones fall on the early side even when rounding says "0 min"; late ones on the other.
    return next(name for name, upper in BUCKETS if (upper <= 0) == kept and minute <= upper)
