"""Calendars per promise: DST, holidays on Saturdays, urgent over a weekend, holiday pauses."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from helpdesk.domain.business_hours import (
    BusinessCalendar,
    add_business_time,
    calendar_for,
    due_date,
    holiday_on,
    is_open,
    next_opening,
)

MADRID = ZoneInfo("Europe/Madrid")
H = timedelta(hours=1)
WEEK = {wd: [(time(8, 30), time(18, 0))] for wd in range(5)}
WEEK_SAT = {**WEEK, 5: [(time(9, 0), time(14, 0))]}


def mad(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=MADRID)


def test_urgent_runs_round_the_clock_over_a_weekend():
    cal = calendar_for(BusinessCalendar(hours=WEEK), "urgent", "consulta")
    friday_evening = mad(2026, 3, 6, 20)
    assert is_open(mad(2026, 3, 8, 3), cal)  # Sunday 03:00
    assert add_business_time(friday_evening, 8 * H, cal) == mad(2026, 3, 7, 4)


def test_urgent_ignores_holidays_and_standard_pauses_on_them():
    team = BusinessCalendar(hours=WEEK, holidays=frozenset({date(2026, 5, 1)}))  # a Friday
    urgent = calendar_for(team, "urgent", "peticion")
    assert add_business_time(mad(2026, 5, 1, 10), 2 * H, urgent) == mad(2026, 5, 1, 12)
    # A standard request opened on the holiday waits for Monday's opening.
    assert add_business_time(mad(2026, 5, 1, 10), 2 * H, team) == mad(2026, 5, 4, 10, 30)
    assert holiday_on(mad(2026, 5, 1, 10), team)


def test_on_a_holiday_only_anomalies_keep_their_clock():
    team = BusinessCalendar(hours=WEEK, holidays=frozenset({date(2026, 5, 1)}))
    anomaly = calendar_for(team, "high", "anomalia")
    consulta = calendar_for(team, "high", "consulta")
    assert is_open(mad(2026, 5, 1, 10), anomaly)
    assert not is_open(mad(2026, 5, 1, 10), consulta)
    assert next_opening(mad(2026, 5, 1, 10), consulta) == mad(2026, 5, 4, 8, 30)


def test_saturday_mornings_and_a_holiday_on_saturday():
    team = BusinessCalendar(hours=WEEK_SAT)
    assert add_business_time(mad(2026, 3, 6, 17), 2 * H, team) == mad(2026, 3, 7, 10)
    # 2026-08-15 (Assumption) is a Saturday: that morning is closed for standard tickets.
    holiday = BusinessCalendar(hours=WEEK_SAT, holidays=frozenset({date(2026, 8, 15)}))
    assert add_business_time(mad(2026, 8, 14, 17), 2 * H, holiday) == mad(2026, 8, 17, 9, 30)
    assert is_open(mad(2026, 8, 15, 10), calendar_for(holiday, "medium", "anomalia"))


def test_dst_change_counts_real_hours_for_urgent():
    # Spring forward in Madrid: 2026-03-29 02:00 -> 03:00. Four real hours from 00:00 end at 05:00.
    cal = calendar_for(BusinessCalendar(hours=WEEK), "urgent", "consulta")
    assert add_business_time(mad(2026, 3, 29, 0), 4 * H, cal) == mad(2026, 3, 29, 5)
    # Fall back (2026-10-25 03:00 -> 02:00): four real hours from 00:00 end at 03:00 local.
    assert add_business_time(mad(2026, 10, 25, 0), 4 * H, cal) == datetime(2026, 10, 25, 3, tzinfo=MADRID)
    assert due_date(mad(2026, 3, 28, 23), H, cal, business_hours_only=True) == mad(2026, 3, 29, 0)
