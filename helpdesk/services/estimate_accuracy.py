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
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import or_
from sqlmodel import Session, col, select

from helpdesk.domain.accounts import User
from helpdesk.domain.estimate_record import TicketEstimate
from helpdesk.domain.tickets import Priority, Ticket
from helpdesk.infra import clock
from helpdesk.services.authz import require_staff

DEFAULT_DAYS = 30
NO_PRIORITY = "none"
PRIORITIES = (Priority.URGENT.value, Priority.HIGH.value, Priority.MEDIUM.value, Priority.LOW.value, NO_PRIORITY)
# Upper bounds (minutes, inclusive) of the early/late distribution the chart draws; 0 is on time.
BUCKETS = (("early_over_1h", -60), ("early_within_1h", 0), ("late_within_1h", 60), ("late_1_4h", 240),
           ("late_over_4h", math.inf))


@dataclass
class Figures:
    kept: int = 0
    late: int = 0
    unanswered: int = 0  # of `late`: no answer yet, past the estimate
    deltas: list[float] = field(default_factory=list, repr=False)  # minutes; > 0 late

    @property
    def total(self) -> int:
        return self.kept + self.late

    @property
    def share_kept(self) -> Optional[float]:
        return round(100 * self.kept / self.total, 1) if self.total else None

    @property
    def median_minutes(self) -> Optional[float]:
        return _quantile(self.deltas, 0.5)

    @property
    def p90_minutes(self) -> Optional[float]:
        return _quantile(self.deltas, 0.9)

    def add(self, delta: float, answered: bool) -> None:
        self.deltas.append(delta)
        if answered and delta <= 0:
            self.kept += 1
        else:
            self.late += 1
            self.unanswered += not answered


@dataclass
class Accuracy:
    days: int
    overall: Figures
    by_priority: dict[str, Figures]  # PRIORITIES order, only those with counted tickets
    buckets: list[tuple[str, int]]  # BUCKETS order, every bucket


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _quantile(values: list[float], q: float) -> Optional[float]:
    """Nearest-rank quantile, rounded to a minute: a value that really happened, no interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return float(round(ordered[max(0, math.ceil(q * len(ordered)) - 1)]))


def _bucket(delta: float) -> str:
    return next(name for name, upper in BUCKETS if delta <= upper)


def accuracy(session: Session, actor: Optional[User], *, days: int = DEFAULT_DAYS,
             now: Optional[datetime] = None) -> Accuracy:
    """Outcomes of the estimates given for tickets opened in the last `days` days (staff only)."""
    require_staff(actor)
    now = now or clock.now()
    rows = session.exec(
        select(TicketEstimate.expected_at, Ticket.first_response_at, Ticket.priority)
        .join(Ticket, col(Ticket.id) == TicketEstimate.ticket_id)
        .where(col(TicketEstimate.created_at) >= now - timedelta(days=days))
        # Outcome known: answered, or past the estimate. The rest waits for its turn.
        .where(or_(col(Ticket.first_response_at).is_not(None), col(TicketEstimate.expected_at) <= now))
    ).all()
    overall = Figures()
    by_priority = {p: Figures() for p in PRIORITIES}
    counts = {name: 0 for name, _ in BUCKETS}
    for expected_at, first_at, priority in rows:
        answered = first_at is not None
        delta = ((_aware(first_at) if answered else now) - _aware(expected_at)).total_seconds() / 60
        if not answered and delta <= 0:
            continue  # the database's clock comparison and ours can differ by a hair
        overall.add(delta, answered)
        by_priority[priority if priority in by_priority else NO_PRIORITY].add(delta, answered)
        counts[_bucket(delta)] += 1
    return Accuracy(days=days, overall=overall, by_priority={p: f for p, f in by_priority.items() if f.total},
                    buckets=list(counts.items()))
