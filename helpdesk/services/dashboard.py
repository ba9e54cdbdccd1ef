"""Figures for the agents' dashboard. Each reads a bounded period (the last `days` days)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import SearchQuery
from helpdesk.domain.tickets import SatisfactionRating, Ticket
from helpdesk.services import sla
from helpdesk.services.authz import require_staff

DEFAULT_DAYS = 14
MAX_DAYS = 90


@dataclass
class DayFigures:
    day: date
    created: int = 0
    solved: int = 0
    first_response_hours: Optional[float] = None  # average over tickets created that day


@dataclass
class Dashboard:
    days: list[DayFigures] = field(default_factory=list)
    solved_total: int = 0
    solved_in_time: int = 0
    first_response_avg_hours: Optional[float] = None
    csat_good: int = 0
    csat_bad: int = 0
    failed_searches: list[tuple[str, int]] = field(default_factory=list)

    @property
    def sla_compliance(self) -> Optional[float]:
        return round(100 * self.solved_in_time / self.solved_total, 1) if self.solved_total else None

    @property
    def csat_percent(self) -> Optional[float]:
        total = self.csat_good + self.csat_bad
        return round(100 * self.csat_good / total, 1) if total else None


def _local_day(value: datetime, tz: ZoneInfo) -> date:
    return value.astimezone(tz).date()


def build(session: Session, actor: Optional[User], *, days: int = DEFAULT_DAYS, now: Optional[datetime] = None) -> Dashboard:
    require_staff(actor)
    now = now or utcnow()
    days = max(1, min(int(days), MAX_DAYS))
    tz = ZoneInfo(sla.load_calendar(session).tz)
    today = _local_day(now, tz)
    first_day = today - timedelta(days=days - 1)
    start = now - timedelta(days=days + 1)  # a margin for time zones; trimmed by day below
    by_day = {first_day + timedelta(days=i): DayFigures(day=first_day + timedelta(days=i)) for i in range(days)}
    result = Dashboard(days=list(by_day.values()))

    response_sums: dict[date, list[float]] = {}
    for created_at, first_response_at in session.exec(
        select(Ticket.created_at, Ticket.first_response_at).where(Ticket.created_at >= start)
    ).all():
        day = _local_day(created_at, tz)
        if day in by_day:
            by_day[day].created += 1
            if first_response_at is not None:
                response_sums.setdefault(day, []).append((first_response_at - created_at).total_seconds() / 3600)
    for day, values in response_sums.items():
        by_day[day].first_response_hours = round(sum(values) / len(values), 1)
    all_responses = [v for values in response_sums.values() for v in values]
    if all_responses:
        result.first_response_avg_hours = round(sum(all_responses) / len(all_responses), 1)

    for solved_at, due_at in session.exec(
        select(Ticket.solved_at, Ticket.due_at).where(Ticket.solved_at.is_not(None), Ticket.solved_at >= start)
    ).all():
        day = _local_day(solved_at, tz)
        if day in by_day:
            by_day[day].solved += 1
            if due_at is not None:
                result.solved_total += 1
                result.solved_in_time += solved_at <= due_at

    for rating, n in session.exec(
        select(SatisfactionRating.rating, func.count()).where(SatisfactionRating.created_at >= start).group_by(SatisfactionRating.rating)
    ).all():
        if rating == "good":
            result.csat_good = int(n)
        elif rating == "bad":
            result.csat_bad = int(n)

    result.failed_searches = [
        (q, int(n))
        for q, n in session.exec(
            select(SearchQuery.normalized, func.count().label("n"))
            .where(SearchQuery.results == 0, SearchQuery.created_at >= start, SearchQuery.normalized != "")
            .group_by(SearchQuery.normalized)
            .order_by(func.count().desc(), SearchQuery.normalized)
            .limit(10)
        ).all()
    ]
    return result
