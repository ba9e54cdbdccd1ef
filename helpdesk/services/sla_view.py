"""What the admin page's SLA tab shows of the calendar (opening days, holidays, time zone), read
here so the page runs no SQL of its own. Admins only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk.domain.accounts import User
from helpdesk.domain.sla import BusinessDay, Holiday, Setting
from helpdesk.services.authz import require_admin
from helpdesk.services.sla import TIMEZONE_KEY


@dataclass(frozen=True)
class CalendarSettings:
    days: dict[int, BusinessDay]   # weekday -> stored opening hours (closed days absent)
    holidays: list[Holiday]        # by date
    timezone: str                  # "" when none is stored


def calendar_settings(session: Session, actor: Optional[User]) -> CalendarSettings:
    require_admin(actor)
    days = {d.weekday: d for d in session.exec(select(BusinessDay)).all()}
    holidays = list(session.exec(select(Holiday).order_by(col(Holiday.day))).all())
    tz = session.get(Setting, TIMEZONE_KEY)
    return CalendarSettings(days=days, holidays=holidays, timezone=tz.value if tz else "")
