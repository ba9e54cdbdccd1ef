"""SLA service: configuration in the database, due dates on tickets, pauses, state and admin checks."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import User
from helpdesk.domain.business_hours import DEFAULT_CALENDAR, BusinessCalendar
from helpdesk.domain.sla import BusinessDay, Holiday, Setting, SlaTarget
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import sla
from helpdesk.services.errors import PermissionDenied, ValidationError

UTC = timezone.utc
MADRID = ZoneInfo("Europe/Madrid")
H = timedelta(hours=1)


def mad(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=MADRID)


def person(role: str, active: bool = True) -> User:
    return User(email=f"{role}@example.com", name=role, role=role, password_hash="x", is_active=active)


ADMIN = person("admin")


def ticket(created_at=None, priority=None, status="new", **kw) -> Ticket:
    return Ticket(
        number=kw.pop("number", 1),
        subject="No puedo entrar",
        category=kw.pop("category", "anomalia"),
        requester_id=kw.pop("requester_id", 1),
        created_at=created_at or mad(2026, 3, 2, 10),
        priority=priority,
        status=status,
        **kw,
    )


# ---------------------------------------------------------------- defaults


def test_ensure_defaults_seeds_targets_hours_and_timezone_once(db):
    with session_scope() as s:
        sla.ensure_defaults(s)
        sla.ensure_defaults(s)
    with session_scope() as s:
        sla.ensure_defaults(s)
        targets = {t.priority: t for t in s.exec(select(SlaTarget)).all()}
        days = s.exec(select(BusinessDay).order_by(BusinessDay.weekday)).all()
        tz = s.get(Setting, "timezone")
    assert set(targets) == {"urgent", "high", "medium", "low"}
    assert (targets["urgent"].first_response_hours, targets["urgent"].resolution_hours) == (1, 8)
    assert targets["urgent"].business_hours_only is True
    assert [(t.first_response_hours, t.resolution_hours, t.business_hours_only) for t in
            (targets["high"], targets["medium"], targets["low"])] == [(4, 72, False), (8, 240, False), (16, 480, False)]
    assert [(d.weekday, d.opens, d.closes) for d in days] == [(wd, "08:30", "18:00") for wd in range(5)]
    assert tz.value == "Europe/Madrid"


def test_ensure_defaults_keeps_admin_changes(db):
    with session_scope() as s:
        sla.ensure_defaults(s)
        sla.update_target(s, ADMIN, "high", 2, 48, True)
        sla.set_business_day(s, ADMIN, 2, None, None)  # Wednesday closed
        sla.set_timezone(s, ADMIN, "Atlantic/Canary")
    with session_scope() as s:
        sla.ensure_defaults(s)
        assert sla.get_targets(s)["high"] == sla.TargetSpec("high", 2, 48, True)
        cal = sla.load_calendar(s)
    assert cal.hours[2] == ()
    assert cal.tz == "Atlantic/Canary"


def test_unseeded_database_behaves_like_the_defaults(db):
    with session_scope() as s:
        assert sla.load_calendar(s) == DEFAULT_CALENDAR
        assert sla.get_targets(s) == sla.DEFAULT_TARGETS
        sla.ensure_defaults(s)
    with session_scope() as s:
        assert sla.load_calendar(s) == DEFAULT_CALENDAR
        assert sla.get_targets(s) == sla.DEFAULT_TARGETS


def test_load_calendar_reflects_hours_holidays_and_zone(db):
    with session_scope() as s:
        sla.set_business_day(s, ADMIN, 5, "10:00", "14:00")
        sla.set_business_day(s, ADMIN, 0, "07:00", "24:00")
        sla.add_holiday(s, ADMIN, date(2026, 12, 25), "Navidad")
        sla.set_timezone(s, ADMIN, "America/New_York")
    with session_scope() as s:
        cal = sla.load_calendar(s)
    assert cal.tz == "America/New_York"
    assert cal.hours[0] == ((time(7), time(0)),)  # closes at midnight
    assert cal.hours[1] == ((time(8, 30), time(18)),)
    assert cal.hours[5] == ((time(10), time(14)),)
    assert cal.hours[6] == ()
    assert cal.holidays == {date(2026, 12, 25)}


# ---------------------------------------------------------------- due dates on tickets


@pytest.mark.parametrize(
    ("priority", "first_response", "resolution"),
    [
        ("urgent", mad(2026, 3, 2, 11), mad(2026, 3, 2, 18)),  # 1 bh, 8 bh
        ("high", mad(2026, 3, 2, 14), mad(2026, 3, 5, 10)),  # 4 bh, 3 calendar days
        ("medium", mad(2026, 3, 2, 18), mad(2026, 3, 12, 10)),  # 8 bh, 10 days
        (None, mad(2026, 3, 2, 18), mad(2026, 3, 12, 10)),  # no priority: medium
        ("low", mad(2026, 3, 3, 16, 30), mad(2026, 3, 23, 8, 30)),  # 16 bh; 20 days is a Sunday
    ],
)
def test_apply_sla_per_priority(db, priority, first_response, resolution):
    t = ticket(priority=priority)
    with session_scope() as s:
        sla.ensure_defaults(s)
        sla.apply_sla(s, t, now=t.created_at)
    assert t.first_response_due_at == first_response
    assert t.due_at == resolution
    assert t.paused_at is None


def test_apply_sla_out_of_hours_ticket_and_configured_calendar(db):
    # A consulta waits out the holiday and the weekend (business hours; seed 000).
    t = ticket(created_at=mad(2026, 12, 24, 20), priority="high", category="consulta")
    with session_scope() as s:
        sla.add_holiday(s, ADMIN, date(2026, 12, 25), "Navidad")
        sla.apply_sla(s, t, now=t.created_at)
    assert t.first_response_due_at == mad(2026, 12, 28, 12, 30)
    assert t.due_at == mad(2026, 12, 28, 8, 30)  # 72 calendar hours end on a Sunday evening
    # An anomaly keeps its clock on the holiday; an urgent (premium) ticket runs round the clock.
    anomaly = ticket(created_at=mad(2026, 12, 24, 20), priority="high")
    urgent = ticket(created_at=mad(2026, 12, 24, 20), priority="urgent")
    with session_scope() as s:
        sla.apply_sla(s, anomaly, now=anomaly.created_at)
        sla.apply_sla(s, urgent, now=urgent.created_at)
    assert anomaly.first_response_due_at == mad(2026, 12, 25, 12, 30)
    assert (urgent.first_response_due_at, urgent.due_at) == (mad(2026, 12, 24, 21), mad(2026, 12, 25, 4))


def test_apply_sla_uses_updated_targets(db):
    t = ticket(priority="high")
    with session_scope() as s:
        sla.update_target(s, ADMIN, "high", 0.5, 6, True)
        sla.apply_sla(s, t, now=t.created_at)
    assert t.first_response_due_at == mad(2026, 3, 2, 10, 30)
    assert t.due_at == mad(2026, 3, 2, 16)


def test_due_dates_round_trip_the_database_as_aware_utc(db):
    with session_scope() as s:
        requester = User(email="ana@example.com", name="Ana", password_hash="x")
        s.add(requester)
        s.flush()
        # Urgent runs round the clock now; "high" with urgent's old business-hours targets keeps this case.
        sla.update_target(s, ADMIN, "high", 1, 8, True)
        t = ticket(priority="high", requester_id=requester.id)
        sla.apply_sla(s, t, now=t.created_at)
        s.add(t)
        s.flush()
        ticket_id = t.id
    with session_scope() as s:
        stored = s.get(Ticket, ticket_id)
        assert stored.first_response_due_at == mad(2026, 3, 2, 11)
        assert stored.due_at == mad(2026, 3, 2, 18)
        assert stored.due_at.utcoffset() == timedelta(0)
        sla.on_status_change(s, stored, "new", "pending", now=mad(2026, 3, 2, 10, 30))
    with session_scope() as s:
        stored = s.get(Ticket, ticket_id)
        assert stored.paused_at == mad(2026, 3, 2, 10, 30)
        sla.on_status_change(s, stored, "pending", "open", now=mad(2026, 3, 2, 12, 30))
    with session_scope() as s:
        stored = s.get(Ticket, ticket_id)
        assert stored.paused_at is None
        assert stored.first_response_due_at == mad(2026, 3, 2, 13)
        assert stored.due_at == mad(2026, 3, 3, 10, 30)


def test_recomputing_after_a_priority_change_keeps_the_pause(db):
    t = ticket(priority="medium")
    with session_scope() as s:
        sla.apply_sla(s, t, now=t.created_at)
        sla.on_status_change(s, t, "new", "pending", now=mad(2026, 3, 2, 11))
        sla.on_status_change(s, t, "pending", "open", now=mad(2026, 3, 2, 13))
        assert t.first_response_due_at == mad(2026, 3, 3, 10, 30)  # 18:00 + 2 h waited
        t.priority = "high"
        sla.apply_sla(s, t, now=mad(2026, 3, 2, 14), previous_priority="medium")
    assert t.first_response_due_at == mad(2026, 3, 2, 16)  # 4 bh + 2 h waited
    assert t.due_at == mad(2026, 3, 5, 12)  # Thursday 10:00 + 2 h waited
    # without previous_priority the due dates are computed afresh
    with session_scope() as s:
        sla.apply_sla(s, t, now=mad(2026, 3, 2, 14))
    assert t.first_response_due_at == mad(2026, 3, 2, 14)


def test_apply_sla_on_a_pending_ticket_starts_the_pause(db):
    t = ticket(status="pending")
    with session_scope() as s:
        sla.apply_sla(s, t, now=mad(2026, 3, 2, 10, 5))
    assert t.paused_at == mad(2026, 3, 2, 10, 5)


# ---------------------------------------------------------------- pauses


def test_pending_pauses_and_resuming_extends_both_due_dates(db):
    t = ticket(priority="high")
    with session_scope() as s:
        sla.apply_sla(s, t, now=t.created_at)
        sla.on_status_change(s, t, "new", "open", now=mad(2026, 3, 2, 10, 10))
        assert t.paused_at is None and t.due_at == mad(2026, 3, 5, 10)
        sla.on_status_change(s, t, "open", "pending", now=mad(2026, 3, 2, 12))
        assert t.paused_at == mad(2026, 3, 2, 12)
        # waiting Monday 12:00 -> Tuesday 09:00 is 6.5 business hours
        sla.on_status_change(s, t, "pending", "open", now=mad(2026, 3, 3, 9))
    assert t.paused_at is None
    assert t.first_response_due_at == mad(2026, 3, 3, 11)  # 14:00 + 6.5 bh
    assert t.due_at == mad(2026, 3, 5, 16, 30)


def test_waiting_over_a_weekend_does_not_move_the_deadline(db):
    t = ticket(created_at=mad(2026, 3, 5, 10), priority="high")
    with session_scope() as s:
        sla.apply_sla(s, t, now=t.created_at)
        due = t.due_at
        sla.on_status_change(s, t, "open", "pending", now=mad(2026, 3, 6, 18, 30))
        sla.on_status_change(s, t, "pending", "solved", now=mad(2026, 3, 9, 8, 0))
    assert t.due_at == due and t.paused_at is None


def test_status_changes_that_do_not_involve_pending_leave_due_dates_alone(db):
    t = ticket(priority="urgent")
    with session_scope() as s:
        sla.apply_sla(s, t, now=t.created_at)
        before = (t.first_response_due_at, t.due_at)
        sla.on_status_change(s, t, "new", "open", now=mad(2026, 3, 2, 12))
        sla.on_status_change(s, t, "open", "solved", now=mad(2026, 3, 2, 13))
        sla.on_status_change(s, t, "pending", "pending", now=mad(2026, 3, 2, 14))
    assert (t.first_response_due_at, t.due_at) == before and t.paused_at is None


# ---------------------------------------------------------------- sla_state


def _urgent():
    return ticket(
        priority="urgent",
        status="open",
        first_response_due_at=mad(2026, 3, 2, 11),
        due_at=mad(2026, 3, 2, 18),
    )


def test_sla_state_none_without_due_dates():
    assert sla.sla_state(ticket(), mad(2026, 3, 2, 12)) == "none"


def test_sla_state_ok_due_soon_and_breached():
    t = _urgent()
    t.first_response_at = mad(2026, 3, 2, 10, 30)
    assert sla.sla_state(t, mad(2026, 3, 2, 12)) == "ok"
    # window 8 bh: due soon once fewer than 2 bh are left
    assert sla.sla_state(t, mad(2026, 3, 2, 16)) == "ok"
    assert sla.sla_state(t, mad(2026, 3, 2, 16, 1)) == "due_soon"
    assert sla.sla_state(t, mad(2026, 3, 2, 18)) == "due_soon"
    assert sla.sla_state(t, mad(2026, 3, 2, 18, 1)) == "breached"


def test_sla_state_counts_the_unanswered_first_response():
    t = _urgent()
    assert sla.sla_state(t, mad(2026, 3, 2, 10, 44)) == "ok"  # 16 of 60 minutes left
    assert sla.sla_state(t, mad(2026, 3, 2, 10, 46)) == "due_soon"  # fewer than 15 left
    assert sla.sla_state(t, mad(2026, 3, 2, 11, 1)) == "breached"
    t.first_response_at = mad(2026, 3, 2, 11, 30)  # answered late: the resolution deadline decides
    assert sla.sla_state(t, mad(2026, 3, 2, 12)) == "ok"


def test_sla_state_measures_due_soon_in_business_time():
    # Friday 10:00, 72 h calendar -> Monday 10:00: a window of 8 + 1.5 = 9.5 business hours
    t = ticket(priority="high", status="open", due_at=mad(2026, 3, 9, 10), first_response_at=mad(2026, 3, 6, 10),
               category="consulta")  # an anomaly's clock would run on the holiday
    t.created_at = mad(2026, 3, 6, 10)
    assert sla.sla_state(t, mad(2026, 3, 6, 17)) == "ok"  # 2.5 bh left of 9.5
    # 2 h 20 min of business time left (< 25 %), although 90 % of the real time remains
    assert sla.sla_state(t, mad(2026, 3, 6, 17, 10)) == "due_soon"
    assert sla.sla_state(t, mad(2026, 3, 6, 16, 30)) == "ok"
    monday_off = BusinessCalendar(holidays={date(2026, 3, 9)})  # the window shrinks to Friday's 8 h
    assert sla.sla_state(t, mad(2026, 3, 6, 16, 30), monday_off) == "due_soon"


def test_sla_state_paused_and_met():
    t = _urgent()
    t.status, t.paused_at = "pending", mad(2026, 3, 2, 10, 30)
    assert sla.sla_state(t, mad(2026, 3, 4, 12)) == "paused"  # the clock stopped
    t.paused_at = mad(2026, 3, 2, 11, 30)  # paused after the first response was already late
    assert sla.sla_state(t, mad(2026, 3, 4, 12)) == "breached"
    solved = _urgent()
    solved.status, solved.solved_at = "solved", mad(2026, 3, 2, 17)
    assert sla.sla_state(solved, mad(2026, 3, 9, 12)) == "met"
    solved.solved_at = mad(2026, 3, 2, 18, 30)
    assert sla.sla_state(solved, mad(2026, 3, 9, 12)) == "breached"
    closed = _urgent()
    closed.status, closed.closed_at = "closed", mad(2026, 3, 2, 18)
    assert sla.sla_state(closed, mad(2026, 3, 9, 12)) == "met"


# ---------------------------------------------------------------- admin


ADMIN_CALLS = [
    lambda s, a: sla.update_target(s, a, "high", 1, 2, True),
    lambda s, a: sla.set_business_day(s, a, 5, "09:00", "13:00"),
    lambda s, a: sla.add_holiday(s, a, date(2026, 12, 25)),
    lambda s, a: sla.remove_holiday(s, a, date(2026, 12, 25)),
    lambda s, a: sla.set_timezone(s, a, "UTC"),
]


def test_admin_functions_refuse_everyone_but_active_admins(db):
    # one database for the whole matrix: creating one per case is slow on PostgreSQL
    outsiders = [person("customer"), person("agent"), person("admin", active=False), None]
    for actor in outsiders:
        for call in ADMIN_CALLS:
            with pytest.raises(PermissionDenied), session_scope() as s:
                call(s, actor)
    with session_scope() as s:
        assert s.exec(select(SlaTarget)).all() == []
        assert s.exec(select(BusinessDay)).all() == []
        assert s.exec(select(Holiday)).all() == []
        assert s.get(Setting, "timezone") is None
        for call in ADMIN_CALLS:
            call(s, ADMIN)


def test_customer_gets_permission_denied_code():
    with pytest.raises(PermissionDenied) as err:
        sla.set_timezone(None, person("customer"), "UTC")  # refused before touching the session
    assert err.value.code == "errors.forbidden"


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        (("critical", 1, 8, True), {"priority": "errors.sla_priority_invalid"}),
        (("high", 0, 8, True), {"first_response_hours": "errors.sla_hours_invalid"}),
        (("high", 1, -8, True), {"resolution_hours": "errors.sla_hours_invalid"}),
        (("high", float("nan"), float("inf"), True),
         {"first_response_hours": "errors.sla_hours_invalid", "resolution_hours": "errors.sla_hours_invalid"}),
        (("high", True, 8, True), {"first_response_hours": "errors.sla_hours_invalid"}),
        (("high", 1, 10_000, True), {"resolution_hours": "errors.sla_hours_invalid"}),
        (("high", "4", 8, True), {"first_response_hours": "errors.sla_hours_invalid"}),
    ],
)
def test_update_target_validation(db, args, errors):
    with pytest.raises(ValidationError) as err, session_scope() as s:
        sla.update_target(s, ADMIN, *args)
    assert err.value.errors == errors


def test_update_target_creates_or_updates(db):
    with session_scope() as s:
        sla.update_target(s, ADMIN, "low", 24, 720, False)
        sla.update_target(s, ADMIN, "low", 20, 700, True)
    with session_scope() as s:
        assert len(s.exec(select(SlaTarget)).all()) == 1
        assert sla.get_targets(s)["low"] == sla.TargetSpec("low", 20, 700, True)


@pytest.mark.parametrize(
    ("weekday", "opens", "closes", "errors"),
    [
        (7, "09:00", "18:00", {"weekday": "errors.sla_weekday_invalid"}),
        (-1, "09:00", "18:00", {"weekday": "errors.sla_weekday_invalid"}),
        (0, "9:00", "18:00", {"opens": "errors.sla_time_invalid"}),
        (0, "09:00", "25:00", {"closes": "errors.sla_time_invalid"}),
        (0, "24:00", "18:00", {"opens": "errors.sla_time_invalid"}),
        (0, "ab:cd", "18:60", {"opens": "errors.sla_time_invalid", "closes": "errors.sla_time_invalid"}),
        (0, "18:00", "09:00", {"closes": "errors.sla_closes_before_opens"}),
        (0, "09:00", "09:00", {"closes": "errors.sla_closes_before_opens"}),
        (0, "09:00", None, {"closes": "errors.sla_time_invalid"}),
        (0, None, "18:00", {"opens": "errors.sla_time_invalid"}),
    ],
)
def test_set_business_day_validation(db, weekday, opens, closes, errors):
    with pytest.raises(ValidationError) as err, session_scope() as s:
        sla.set_business_day(s, ADMIN, weekday, opens, closes)
    assert err.value.errors == errors


def test_set_business_day_opens_changes_and_closes_days(db):
    with session_scope() as s:
        sla.set_business_day(s, ADMIN, 6, "10:00", "14:00")
        sla.set_business_day(s, ADMIN, 0, " 09:00 ", "17:30")
        assert sla.set_business_day(s, ADMIN, 4, None, None) is None
        assert sla.set_business_day(s, ADMIN, 5, None, None) is None  # already closed: fine
    with session_scope() as s:
        rows = {d.weekday: (d.opens, d.closes) for d in s.exec(select(BusinessDay)).all()}
    assert rows == {0: ("09:00", "17:30"), 1: ("08:30", "18:00"), 2: ("08:30", "18:00"),
                    3: ("08:30", "18:00"), 6: ("10:00", "14:00")}


def test_the_last_open_day_cannot_be_closed(db):
    with session_scope() as s:
        for wd in range(4):
            sla.set_business_day(s, ADMIN, wd, None, None)
    with pytest.raises(ValidationError) as err, session_scope() as s:
        sla.set_business_day(s, ADMIN, 4, None, None)
    assert err.value.errors == {"weekday": "errors.sla_no_open_day"}
    with session_scope() as s:
        assert sla.load_calendar(s).hours[4] == ((time(8, 30), time(18)),)


def test_holidays_add_rename_and_remove(db):
    with session_scope() as s:
        sla.add_holiday(s, ADMIN, date(2026, 1, 6), "Reyes")
        sla.add_holiday(s, ADMIN, date(2026, 1, 6), "  Epifanía ")
        assert sla.remove_holiday(s, ADMIN, date(2026, 5, 1)) is False
    with session_scope() as s:
        rows = s.exec(select(Holiday)).all()
        assert [(h.day, h.name) for h in rows] == [(date(2026, 1, 6), "Epifanía")]
        assert sla.remove_holiday(s, ADMIN, date(2026, 1, 6)) is True
    with session_scope() as s:
        assert s.exec(select(Holiday)).all() == []


def test_holiday_validation(db):
    with pytest.raises(ValidationError) as err, session_scope() as s:
        sla.add_holiday(s, ADMIN, datetime(2026, 1, 6, tzinfo=UTC), "x" * 121)
    assert err.value.errors == {"day": "errors.sla_date_invalid", "name": "errors.sla_name_too_long"}


def test_set_timezone_refuses_unknown_zones(db):
    for name in ["Mars/Olympus_Mons", "", "   ", "../etc/passwd", "localtime", None]:
        with pytest.raises(ValidationError) as err, session_scope() as s:
            sla.set_timezone(s, ADMIN, name)
        assert err.value.errors == {"timezone": "errors.sla_timezone_invalid"}, name
    with session_scope() as s:
        assert s.get(Setting, "timezone") is None


def test_set_timezone_changes_the_calendar(db):
    with session_scope() as s:
        assert sla.set_timezone(s, ADMIN, " Europe/Lisbon ") == "Europe/Lisbon"
        sla.set_timezone(s, ADMIN, "America/Mexico_City")
    with session_scope() as s:
        assert s.get(Setting, "timezone").value == "America/Mexico_City"
        assert sla.load_calendar(s).tz == "America/Mexico_City"
