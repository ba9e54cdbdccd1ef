"""SLA configuration (targets, opening hours, holidays, time zone) and ticket due dates.

The arithmetic is in helpdesk.domain.business_hours; this module reads the configuration
from the database and applies it to tickets. Functions take the caller's Session and never
commit: the caller's unit of work (helpdesk.infra.db.session_scope) decides.

SLA state rule for "due_soon": less than 25 % of the ticket's SLA window is left, both
measured in business time of the calendar (window = created_at -> due date, so time the
ticket spent paused is part of it). A percentage scales with the target: 4 hours left is
alarming for an 8-hour urgent ticket but routine for a 20-day low one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.business_hours import (
    DEFAULT_CALENDAR,
    DEFAULT_CLOSES,
    DEFAULT_HOURS,
    DEFAULT_OPENS,
    DEFAULT_TIMEZONE,
    ZERO,
    BusinessCalendar,
    business_time_between,
    calendar_for,
    due_date,
    resume_after_pause,
)
from helpdesk.domain.sla import BusinessDay, Holiday, Setting, SlaTarget
from helpdesk.domain.tickets import Priority, Ticket, TicketStatus
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import ValidationError

TIMEZONE_KEY = "timezone"
DEFAULT_PRIORITY = Priority.MEDIUM.value
PRIORITIES = tuple(p.value for p in Priority)
DUE_SOON_FRACTION = 0.25
MAX_TARGET_HOURS = 24 * 366  # a year: anything longer is a typo, not a service level

STATE_NONE = "none"
STATE_OK = "ok"
STATE_DUE_SOON = "due_soon"
STATE_BREACHED = "breached"
STATE_PAUSED = "paused"
STATE_MET = "met"


@dataclass(frozen=True)
class TargetSpec:
    """One priority's targets, detached from the session so callers can cache or pass it on."""

    priority: str
    first_response_hours: float
    resolution_hours: float
    business_hours_only: bool  # applies to resolution; first response always counts business hours

    @property
    def first_response(self) -> timedelta:
        return timedelta(hours=self.first_response_hours)

    @property
    def resolution(self) -> timedelta:
        return timedelta(hours=self.resolution_hours)

    @classmethod
    def from_row(cls, row: SlaTarget) -> "TargetSpec":
        return cls(row.priority, row.first_response_hours, row.resolution_hours, row.business_hours_only)


DEFAULT_TARGETS: dict[str, TargetSpec] = {
    "urgent": TargetSpec("urgent", 1, 8, True),
    "high": TargetSpec("high", 4, 72, False),
    "medium": TargetSpec("medium", 8, 240, False),
    "low": TargetSpec("low", 16, 480, False),
}


# ---------------------------------------------------------------- configuration


def _format_hhmm(t: time) -> str:
    return t.strftime("%H:%M")


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _parse_hhmm(value: object, *, closing: bool) -> Optional[time]:
    """'HH:MM' -> time; a closing time may also be '24:00' (end of day, stored as 00:00)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if closing and value == "24:00":
        return time(0)
    m = _HHMM.match(value)
    return time(int(m.group(1)), int(m.group(2))) if m else None


def _valid_timezone(name: object) -> bool:
    # "localtime" is the host's zone file: valid for zoneinfo, but it would make due dates
    # depend on where the server happens to run.
    if not isinstance(name, str) or not name or name == "localtime":
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def ensure_defaults(session: Session) -> None:
    """Insert the default targets, opening hours and time zone where they are missing.

    The week is seeded as a whole and only into an empty business_days table: a weekday
    without a row is a day the admin closed, and must stay closed on the next start-up.
    """
    present = set(session.exec(select(SlaTarget.priority)).all())
    for spec in DEFAULT_TARGETS.values():
        if spec.priority not in present:
            session.add(
                SlaTarget(
                    priority=spec.priority,
                    first_response_hours=spec.first_response_hours,
                    resolution_hours=spec.resolution_hours,
                    business_hours_only=spec.business_hours_only,
                )
            )
    if session.exec(select(BusinessDay.id).limit(1)).first() is None:
        for weekday in range(5):
            session.add(
                BusinessDay(weekday=weekday, opens=_format_hhmm(DEFAULT_OPENS), closes=_format_hhmm(DEFAULT_CLOSES))
            )
    if session.get(Setting, TIMEZONE_KEY) is None:
        session.add(Setting(key=TIMEZONE_KEY, value=DEFAULT_TIMEZONE))
    session.flush()


def load_calendar(session: Session) -> BusinessCalendar:
    """The configured calendar; an unseeded database gets the default hours and zone."""
    rows = session.exec(select(BusinessDay)).all()
    if rows:
        hours: dict[int, tuple[tuple[time, time], ...]] = {}
        for row in rows:
            opens, closes = _parse_hhmm(row.opens, closing=False), _parse_hhmm(row.closes, closing=True)
            if opens is None or closes is None:
                raise ValueError(f"business_days row for weekday {row.weekday} has invalid times")
            hours[row.weekday] = ((opens, closes),)
    else:
        hours = dict(enumerate(DEFAULT_HOURS))
    holidays = frozenset(session.exec(select(Holiday.day)).all())
    setting = session.get(Setting, TIMEZONE_KEY)
    tz = setting.value if setting is not None and _valid_timezone(setting.value) else DEFAULT_TIMEZONE
    return BusinessCalendar(tz=tz, hours=hours, holidays=holidays)


def get_targets(session: Session) -> dict[str, TargetSpec]:
    """Targets for every priority: stored rows, with the defaults filling any gap."""
    targets = dict(DEFAULT_TARGETS)
    for row in session.exec(select(SlaTarget)).all():
        targets[row.priority] = TargetSpec.from_row(row)
    return targets


# ---------------------------------------------------------------- tickets


class _Unset:
    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return "<unset>"


_UNSET = _Unset()


def _target_for(targets: dict[str, TargetSpec], priority: Optional[str]) -> TargetSpec:
    return targets.get(priority or DEFAULT_PRIORITY, targets[DEFAULT_PRIORITY])


def apply_sla(
    session: Session,
    ticket: Ticket,
    now: datetime,
    *,
    previous_priority: Union[Optional[str], _Unset] = _UNSET,
) -> None:
    """Set the ticket's first-response and resolution due dates from created_at and priority.

    When recomputing after a priority change, pass the priority the current due dates were
    computed for as `previous_priority`: the pause extension they already carry is kept
    (it is recovered from the first-response due date, which always counts business time).
    Due dates follow the current configuration; admin edits do not touch existing tickets
    until they are recomputed.
    """
    team_cal = load_calendar(session)
    targets = get_targets(session)
    opened = ticket.created_at or now
    carried = ZERO
    if not isinstance(previous_priority, _Unset) and ticket.first_response_due_at is not None:
        old = _target_for(targets, previous_priority)
        old_cal = calendar_for(team_cal, previous_priority, ticket.category)
        base = due_date(opened, old.first_response, old_cal, business_hours_only=True)
        carried = max(ZERO, business_time_between(base, ticket.first_response_due_at, old_cal))
    cal = calendar_for(team_cal, ticket.priority, ticket.category)
    spec = _target_for(targets, ticket.priority)
    ticket.first_response_due_at = due_date(
        opened, spec.first_response, cal, business_hours_only=True, paused=carried
    )
    ticket.due_at = due_date(
        opened, spec.resolution, cal, business_hours_only=spec.business_hours_only, paused=carried
    )
    if ticket.status == TicketStatus.PENDING.value and ticket.paused_at is None:
        ticket.paused_at = now


def on_status_change(
    session: Session,
    ticket: Ticket,
    old_status: Union[str, TicketStatus],
    new_status: Union[str, TicketStatus],
    now: datetime,
) -> None:
    """Pause the SLA clock while the ticket waits for the customer (status pending)."""
    old, new = TicketStatus(old_status), TicketStatus(new_status)
    if old is new:
        return
    if new is TicketStatus.PENDING:
        if ticket.paused_at is None:
            ticket.paused_at = now
        return
    if ticket.paused_at is None:
        return
    cal = calendar_for(load_calendar(session), ticket.priority, ticket.category)
    if ticket.first_response_due_at is not None:
        ticket.first_response_due_at = resume_after_pause(ticket.first_response_due_at, ticket.paused_at, now, cal)
    if ticket.due_at is not None:
        ticket.due_at = resume_after_pause(ticket.due_at, ticket.paused_at, now, cal)
    ticket.paused_at = None


def _due_soon(opened: datetime, due: datetime, now: datetime, cal: BusinessCalendar) -> bool:
    window = business_time_between(opened, due, cal)
    if window <= ZERO:
        return False
    return business_time_between(now, due, cal) < window * DUE_SOON_FRACTION


def sla_state(ticket: Ticket, now: datetime, cal: Optional[BusinessCalendar] = None) -> str:
    """One of none, ok, due_soon, breached, paused, met (see the module docstring for due_soon).

    The first-response deadline only counts while nobody has answered; after that the
    resolution deadline alone decides. Pass the configured calendar (load_calendar) when
    rendering many tickets; without one the default calendar measures "due soon".
    """
    cal = calendar_for(cal or DEFAULT_CALENDAR, ticket.priority, ticket.category)
    status = TicketStatus(ticket.status)
    if ticket.due_at is None and ticket.first_response_due_at is None:
        return STATE_NONE
    if status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        if ticket.due_at is None:
            return STATE_NONE
        done = ticket.solved_at or ticket.closed_at or now
        return STATE_MET if done <= ticket.due_at else STATE_BREACHED
    deadlines = [ticket.due_at] if ticket.due_at is not None else []
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        deadlines.append(ticket.first_response_due_at)
    if status is TicketStatus.PENDING or ticket.paused_at is not None:
        # The clock stopped at paused_at: only a deadline missed before that is a breach.
        stopped = ticket.paused_at or now
        return STATE_BREACHED if any(stopped > d for d in deadlines) else STATE_PAUSED
    if any(now > d for d in deadlines):
        return STATE_BREACHED
    if any(_due_soon(ticket.created_at, d, now, cal) for d in deadlines):
        return STATE_DUE_SOON
    return STATE_OK


# ---------------------------------------------------------------- admin


def _valid_hours(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and 0 < value <= MAX_TARGET_HOURS


def update_target(
    session: Session,
    actor: Optional[User],
    priority: str,
    first_response_hours: float,
    resolution_hours: float,
    business_hours_only: bool,
) -> SlaTarget:
    """Change one priority's targets. Applies to due dates computed from now on."""
    require_admin(actor)
    errors: dict[str, str] = {}
    if priority not in PRIORITIES:
        errors["priority"] = "errors.sla_priority_invalid"
    if not _valid_hours(first_response_hours):
        errors["first_response_hours"] = "errors.sla_hours_invalid"
    if not _valid_hours(resolution_hours):
        errors["resolution_hours"] = "errors.sla_hours_invalid"
    if errors:
        raise ValidationError(errors)
    row = session.exec(select(SlaTarget).where(SlaTarget.priority == priority)).first()
    if row is None:
        row = SlaTarget(priority=priority, first_response_hours=0, resolution_hours=0)
    row.first_response_hours = float(first_response_hours)
    row.resolution_hours = float(resolution_hours)
    row.business_hours_only = bool(business_hours_only)
    session.add(row)
    session.flush()
    return row


def set_business_day(
    session: Session,
    actor: Optional[User],
    weekday: int,
    opens: Optional[str],
    closes: Optional[str],
) -> Optional[BusinessDay]:
    """Set a weekday's opening hours ("HH:MM", closes may be "24:00"); None for both closes it."""
    require_admin(actor)
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValidationError({"weekday": "errors.sla_weekday_invalid"})
    # Seed first, otherwise editing one day of an unseeded database would silently close
    # the other default days (an empty table means "defaults", a partial one does not).
    ensure_defaults(session)
    row = session.exec(select(BusinessDay).where(BusinessDay.weekday == weekday)).first()
    if opens is None and closes is None:
        if row is not None:
            others = session.exec(select(BusinessDay.id).where(BusinessDay.weekday != weekday)).first()
            if others is None:
                raise ValidationError({"weekday": "errors.sla_no_open_day"})
            session.delete(row)
            session.flush()
        return None
    errors: dict[str, str] = {}
    open_t = _parse_hhmm(opens, closing=False)
    close_t = _parse_hhmm(closes, closing=True)
    if open_t is None:
        errors["opens"] = "errors.sla_time_invalid"
    if close_t is None:
        errors["closes"] = "errors.sla_time_invalid"
    if not errors and close_t != time(0) and close_t <= open_t:
        errors["closes"] = "errors.sla_closes_before_opens"
    if errors:
        raise ValidationError(errors)
    if row is None:
        row = BusinessDay(weekday=weekday, opens="", closes="")
    row.opens = _format_hhmm(open_t)
    row.closes = "24:00" if close_t == time(0) else _format_hhmm(close_t)
    session.add(row)
    session.flush()
    return row


def add_holiday(session: Session, actor: Optional[User], day: date, name: str = "") -> Holiday:
    """Mark a local date as closed; adding an existing date just renames it."""
    require_admin(actor)
    errors: dict[str, str] = {}
    if isinstance(day, datetime) or not isinstance(day, date):
        errors["day"] = "errors.sla_date_invalid"
    name = (name or "").strip()
    if len(name) > 120:
        errors["name"] = "errors.sla_name_too_long"
    if errors:
        raise ValidationError(errors)
    row = session.exec(select(Holiday).where(Holiday.day == day)).first()
    if row is None:
        row = Holiday(day=day)
    row.name = name
    session.add(row)
    session.flush()
    return row


def remove_holiday(session: Session, actor: Optional[User], day: date) -> bool:
    """Reopen a date. Returns whether it was a holiday."""
    require_admin(actor)
    row = session.exec(select(Holiday).where(Holiday.day == day)).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def set_timezone(session: Session, actor: Optional[User], name: str) -> str:
    """Set the zone opening hours and holidays are read in (an IANA name, e.g. Europe/Madrid)."""
    require_admin(actor)
    name = name.strip() if isinstance(name, str) else name
    if not _valid_timezone(name):
        raise ValidationError({"timezone": "errors.sla_timezone_invalid"})
    row = session.get(Setting, TIMEZONE_KEY)
    if row is None:
        row = Setting(key=TIMEZONE_KEY)
    row.value = name
    session.add(row)
    session.flush()
    return name
