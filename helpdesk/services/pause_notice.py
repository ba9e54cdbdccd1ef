"""Why a ticket's clock is stopped right now, for the customer's ticket page and the agent's SLA
panel ("paused: 8 December is a holiday, the team is back Wednesday 9 December, 09:00").

The ticket's own calendar decides (estimates.hours_notice: urgent runs round the clock,
anomalies keep theirs on holidays), so a ticket whose clock runs shows nothing. Only open
tickets waiting for the team are explained; a ticket waiting for the customer is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlmodel import Session

from helpdesk.domain.tickets import Ticket, TicketStatus
from helpdesk.infra import clock
from helpdesk.services import estimates

_WAITING_FOR_TEAM = (TicketStatus.NEW.value, TicketStatus.OPEN.value)


@dataclass(frozen=True)
class ClockPause:
    reason: str  # "holiday" | "closed"
    back_at: datetime
    holiday_name: str = ""
    holiday_day: Optional[date] = None
    zone: str = "Europe/Madrid"


def clock_pause(session: Session, ticket: Ticket, now: Optional[datetime] = None) -> Optional[ClockPause]:
    """The pause of `ticket`'s clock now, or None while it runs (or the ticket is not waiting on us)."""
    if ticket.status not in _WAITING_FOR_TEAM or ticket.paused_at is not None:
        return None
    now = now or clock.now()
    from helpdesk.services.sla import load_calendar

    cal = load_calendar(session)
    notice = estimates.hours_notice(session, now, priority=ticket.priority, category=ticket.category, cal=cal)
    if notice is None:
        return None
    zone = str(cal.zone)
    if notice.reason == "holiday":
        return ClockPause("holiday", notice.back_at, notice.holiday_name, now.astimezone(cal.zone).date(), zone)
    return ClockPause("closed", notice.back_at, zone=zone)


def describe(pause: Optional[ClockPause], locale: str, now: Optional[datetime] = None) -> str:
    """One sentence in the reader's language; "" when the clock runs."""
    from babel.dates import format_datetime, format_skeleton

    from helpdesk import i18n

    if pause is None:
        return ""
    loc = i18n.normalize_locale(locale)
    from zoneinfo import ZoneInfo

    local = pause.back_at.astimezone(ZoneInfo(pause.zone))
    back = format_datetime(local, i18n.translate("pause.back_pattern", locale), locale=loc)  # "miércoles 9 de diciembre, 08:30"
    relative = i18n.relative_time(pause.back_at, locale, now=now or clock.now())
    if pause.reason == "holiday":
        day = format_skeleton("MMMMd", pause.holiday_day, locale=loc) if pause.holiday_day else ""
        name = pause.holiday_name or i18n.translate("promises.notice_holiday_unnamed", locale)
        return i18n.translate("pause.holiday", locale, name=name, day=day, back=back, relative=relative)
    return i18n.translate("pause.closed", locale, back=back, relative=relative)
