"""An honest reply estimate and the out-of-hours notice (seeds 000, 002, 003).

Before a ticket is sent (form and chat) and in its confirmation mail the customer is told
when the first answer is expected: from the calendar the ticket's clock runs on (urgent:
round the clock; anomalies: also on holidays), how many unanswered tickets of the same or a
higher priority are waiting, and the team's recent pace (first answers per working hour over
the last week). It is never later than the SLA target allows, so it is not a mere display of
the target either: a quiet queue gives an earlier, truthful time.

The chat (another module) calls `hours_notice` and `estimate` directly; both are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.domain.business_hours import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
    calendar_for,
    holiday_on,
    is_open,
    next_opening,
)
from helpdesk.domain.sla import Holiday
from helpdesk.domain.tickets import PRIORITY_RANK_SQL, Priority, Ticket, TicketStatus
from helpdesk.infra import clock

PACE_WINDOW = timedelta(days=7)
MIN_WAIT = timedelta(minutes=15)  # nobody answers in zero minutes
_WAITING = (TicketStatus.NEW.value, TicketStatus.OPEN.value)


@dataclass(frozen=True)
class HoursNotice:
    """Shown when the team is not working now: why, and when it is back."""

    reason: str  # "closed" | "holiday"
    back_at: datetime
    holiday_name: str = ""


@dataclass(frozen=True)
class Estimate:
    expected_at: datetime
    ahead: int  # unanswered tickets before this one
    notice: Optional[HoursNotice]


def hours_notice(session: Session, now: Optional[datetime] = None, *, priority: Optional[str] = None,
                 category: Optional[str] = None, cal: Optional[BusinessCalendar] = None) -> Optional[HoursNotice]:
    """None while the clock of such a ticket is running; else why not and when it restarts."""
    from helpdesk.services.sla import load_calendar

    now = now or clock.now()
    cal = calendar_for(cal or load_calendar(session), priority, category)
    if is_open(now, cal):
        return None
    back = next_opening(now, cal)
    if holiday_on(now, cal):
        day = now.astimezone(cal.zone).date()
        name = session.exec(select(Holiday.name).where(Holiday.day == day)).first() or ""
        return HoursNotice("holiday", back, name)
    return HoursNotice("closed", back)


def _rank(priority: Optional[str]) -> int:
    try:
        return Priority(priority or Priority.MEDIUM.value).rank
    except ValueError:
        return Priority.MEDIUM.rank


def queue_ahead(session: Session, priority: Optional[str], before: Optional[datetime] = None) -> int:
    """Unanswered open tickets this one would wait behind (same or higher priority)."""
    from sqlalchemy import literal_column

    rank = literal_column(f"({PRIORITY_RANK_SQL})")
    wanted = _rank(priority)
    # Untriaged tickets (no priority yet) are served as medium ones.
    ahead_of = (rank >= wanted) | col(Ticket.priority).is_(None) if wanted <= Priority.MEDIUM.rank else rank >= wanted
    q = select(func.count(Ticket.id)).where(
        col(Ticket.status).in_(_WAITING), col(Ticket.first_response_at).is_(None), ahead_of)
    if before is not None:
        q = q.where(Ticket.created_at < before)
    return session.exec(q).one()


def team_pace(session: Session, now: datetime, cal: BusinessCalendar) -> float:
    """First answers per working hour over the last week (0 when there is no history)."""
    since = now - PACE_WINDOW
    answered = session.exec(select(func.count(Ticket.id)).where(col(Ticket.first_response_at) >= since)).one()
    hours = business_time_between(since, now, cal).total_seconds() / 3600
    return answered / hours if hours > 0 else 0.0


def estimate(session: Session, *, priority: Optional[str] = None, category: Optional[str] = None,
             now: Optional[datetime] = None, before: Optional[datetime] = None, cached: bool = False) -> Estimate:
    """When a ticket sent now (or created at `before`) can expect its first answer.

    `cached`: take the calendar, targets, queue and pace from estimate_cache (a few seconds old
    at most), as a page shown before sending does."""
    from helpdesk.services import sla
    from helpdesk.services.estimate_cache import cached as memo

    now = now or clock.now()
    if cached and before is None:
        team_cal = memo(session, ("calendar",), lambda: sla.load_calendar(session))
        targets = memo(session, ("targets",), lambda: sla.get_targets(session))
        ahead = memo(session, ("ahead", _rank(priority)), lambda: queue_ahead(session, priority))
        pace = memo(session, ("pace",), lambda: team_pace(session, now, team_cal))
    else:
        team_cal = sla.load_calendar(session)
        targets = sla.get_targets(session)
        ahead = queue_ahead(session, priority, before)
        pace = team_pace(session, now, team_cal)
    cal = calendar_for(team_cal, priority, category)
    spec = targets.get(priority or sla.DEFAULT_PRIORITY) or sla.DEFAULT_TARGETS["medium"]
    target = spec.first_response
    wait = timedelta(hours=(ahead + 1) / pace) if pace > 0 else target
    wait = max(MIN_WAIT, min(wait, target))
    expected = add_business_time(now, wait, cal)
    return Estimate(expected, ahead, hours_notice(session, now, priority=priority, category=category, cal=team_cal))


def describe_notice(notice: Optional[HoursNotice], locale: str, now: Optional[datetime] = None) -> str:
    """The notice as one sentence in the reader's language ("" when the team is working).

    For the chat and the form: `describe_notice(hours_notice(session), locale)`.
    """
    from helpdesk import i18n

    if notice is None:
        return ""
    back = i18n.full_datetime(notice.back_at, locale)
    relative = i18n.relative_time(notice.back_at, locale, now=now or clock.now())
    if notice.reason == "holiday":
        name = notice.holiday_name or i18n.translate("promises.notice_holiday_unnamed", locale)
        return i18n.translate("promises.notice_holiday", locale, name=name, back=back, relative=relative)
    return i18n.translate("promises.notice_closed", locale, back=back, relative=relative)


def describe_estimate(est: Estimate, locale: str, now: Optional[datetime] = None) -> str:
    from helpdesk import i18n

    return i18n.translate("promises.estimate", locale, when=i18n.full_datetime(est.expected_at, locale),
                          relative=i18n.relative_time(est.expected_at, locale, now=now or clock.now()), ahead=est.ahead)


def before_sending(session: Session, locale: str, *, priority: Optional[str] = None,
                   category: Optional[str] = None) -> tuple[str, str]:
    """(notice, estimate) sentences for a ticket about to be sent: the form's and the chat's call."""
    now = clock.now()
    est = estimate(session, priority=priority, category=category, now=now, cached=True)
    return describe_notice(est.notice, locale, now), describe_estimate(est, locale, now)
