"""Business-hours arithmetic: calendars, out-of-hours starts, holidays, DST and properties."""

from dataclasses import FrozenInstanceError
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.domain.business_hours import (
    DEFAULT_CALENDAR,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    due_date,
    is_open,
    next_opening,
    resume_after_pause,
    to_utc,
    within_business_hours,
)

UTC = timezone.utc
MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def mad(y, mo, d, h=0, mi=0, s=0, fold=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=MADRID, fold=fold)


def utc(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


CAL = DEFAULT_CALENDAR
XMAS = BusinessCalendar(holidays={date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 6)})
SPLIT = BusinessCalendar(hours={wd: [(time(15), time(18)), (time(9), time(14))] for wd in range(5)})
ALWAYS = BusinessCalendar(hours={wd: [(time(0), time(0))] for wd in range(7)})
NY = BusinessCalendar(tz="America/New_York", hours={wd: [(time(9), time(17))] for wd in range(5)})


# ---------------------------------------------------------------- the calendar itself


def test_default_calendar_is_madrid_weekdays_0830_to_1800():
    assert CAL.tz == "Europe/Madrid"
    assert CAL.hours[:5] == (((time(8, 30), time(18)),),) * 5
    assert CAL.hours[5:] == ((), ())
    assert CAL.holidays == frozenset()


def test_calendar_is_frozen_hashable_and_normalized():
    with pytest.raises(FrozenInstanceError):
        CAL.tz = "UTC"  # type: ignore[misc]
    # intervals are sorted, so equal configurations compare (and hash) equal
    same = BusinessCalendar(hours=[[(time(9), time(14)), (time(15), time(18))]] * 5 + [[], []])
    assert same == SPLIT and hash(same) == hash(SPLIT)
    assert SPLIT.hours[0] == ((time(9), time(14)), (time(15), time(18)))
    assert isinstance(XMAS.holidays, frozenset)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tz": "Mars/Olympus_Mons"},
        {"tz": ""},
        {"hours": {7: [(time(9), time(10))]}},
        {"hours": {0: [(time(10), time(9))]}},
        {"hours": {0: [(time(10), time(10))]}},
        {"hours": {0: [(time(9), time(14)), (time(13), time(18))]}},
        {"hours": {0: [(time(9, tzinfo=UTC), time(10))]}},
        {"hours": {0: [("09:00", "10:00")]}},
        {"hours": [()] * 6},
    ],
)
def test_invalid_calendars_are_refused(kwargs):
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)


def test_naive_datetimes_are_refused():
    for fn in (is_open, next_opening, within_business_hours):
        with pytest.raises(ValueError):
            fn(datetime(2026, 3, 2, 10), CAL)
    with pytest.raises(ValueError):
        add_business_time(datetime(2026, 3, 2, 10), H, CAL)


# ---------------------------------------------------------------- is_open / next_opening


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (mad(2026, 3, 2, 8, 29, 59), False),  # Monday, a second before opening
        (mad(2026, 3, 2, 8, 30), True),  # opening instant
        (mad(2026, 3, 2, 17, 59, 59), True),
        (mad(2026, 3, 2, 18, 0), False),  # closing instant: closed
        (mad(2026, 3, 2, 22, 0), False),  # evening
        (mad(2026, 3, 3, 3, 0), False),  # night
        (mad(2026, 3, 6, 12, 0), True),  # Friday
        (mad(2026, 3, 7, 12, 0), False),  # Saturday
        (mad(2026, 3, 8, 12, 0), False),  # Sunday
        (utc(2026, 3, 2, 7, 30), True),  # 08:30 in Madrid (CET), given in UTC
        (utc(2026, 3, 2, 7, 29), False),
    ],
)
def test_is_open(at, expected):
    assert is_open(at, CAL) is expected


def test_is_open_on_holidays_and_lunch_breaks():
    assert is_open(mad(2026, 12, 25, 12), XMAS) is False
    assert is_open(mad(2026, 12, 25, 12), CAL) is True
    assert is_open(mad(2026, 3, 2, 13, 59), SPLIT) is True
    assert is_open(mad(2026, 3, 2, 14, 0), SPLIT) is False
    assert is_open(mad(2026, 3, 2, 14, 30), SPLIT) is False
    assert is_open(mad(2026, 3, 2, 15, 0), SPLIT) is True


def test_within_business_hours_includes_the_closing_instant():
    assert within_business_hours(mad(2026, 3, 2, 18, 0), CAL)
    assert not within_business_hours(mad(2026, 3, 2, 18, 0, 1), CAL)
    assert within_business_hours(mad(2026, 3, 2, 14, 0), SPLIT)
    assert not within_business_hours(mad(2026, 3, 2, 14, 1), SPLIT)
    assert not within_business_hours(mad(2026, 3, 7, 10), CAL)
    # a day open until 24:00 ends at next midnight, which belongs to the next local date
    evenings = BusinessCalendar(hours={wd: [(time(16), time(0))] for wd in range(5)})
    saturday_midnight = mad(2026, 3, 7, 0, 0)
    assert within_business_hours(saturday_midnight, evenings)
    assert not is_open(saturday_midnight, evenings)
    assert add_business_time(mad(2026, 3, 6, 23), H, evenings) == saturday_midnight
    assert add_business_time(mad(2026, 3, 6, 23), 2 * H, evenings) == mad(2026, 3, 9, 17)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (mad(2026, 3, 2, 10, 15), mad(2026, 3, 2, 10, 15)),  # open: itself
        (mad(2026, 3, 2, 7, 0), mad(2026, 3, 2, 8, 30)),  # early morning
        (mad(2026, 3, 2, 18, 0), mad(2026, 3, 3, 8, 30)),  # closing instant
        (mad(2026, 3, 2, 23, 59), mad(2026, 3, 3, 8, 30)),  # night
        (mad(2026, 3, 6, 20, 0), mad(2026, 3, 9, 8, 30)),  # Friday evening
        (mad(2026, 3, 7, 11, 0), mad(2026, 3, 9, 8, 30)),  # Saturday
        (mad(2026, 3, 8, 23, 0), mad(2026, 3, 9, 8, 30)),  # Sunday night
    ],
)
def test_next_opening(at, expected):
    got = next_opening(at, CAL)
    assert got == expected
    assert got.tzinfo is UTC


def test_next_opening_skips_holidays_and_lunch():
    assert next_opening(mad(2026, 12, 24, 19), XMAS) == mad(2026, 12, 28, 8, 30)
    assert next_opening(mad(2026, 12, 31, 18), XMAS) == mad(2027, 1, 4, 8, 30)
    assert next_opening(mad(2026, 3, 2, 14, 20), SPLIT) == mad(2026, 3, 2, 15)
    assert next_opening(mad(2026, 3, 2, 8, 45), SPLIT) == mad(2026, 3, 2, 9)


# ---------------------------------------------------------------- add_business_time


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (mad(2026, 3, 2, 9), 2 * H, mad(2026, 3, 2, 11)),
        (mad(2026, 3, 2, 17), 1 * H, mad(2026, 3, 2, 18)),  # lands on closing: stays that day
        (mad(2026, 3, 2, 17), 2 * H, mad(2026, 3, 3, 9, 30)),  # spills into the next morning
        (mad(2026, 3, 2, 20), 1 * H, mad(2026, 3, 3, 9, 30)),  # opened in the evening
        (mad(2026, 3, 3, 3), 1 * H, mad(2026, 3, 3, 9, 30)),  # opened at night
        (mad(2026, 3, 7, 10), 1 * H, mad(2026, 3, 9, 9, 30)),  # opened on Saturday
        (mad(2026, 3, 6, 17, 30), 1 * H, mad(2026, 3, 9, 9)),  # Friday across the weekend
        (mad(2026, 3, 2, 8, 30), timedelta(hours=47.5), mad(2026, 3, 6, 18)),  # a full week
        (mad(2026, 3, 2, 8, 30), timedelta(hours=47.5) + M, mad(2026, 3, 9, 8, 31)),
        (mad(2026, 3, 2, 9), timedelta(microseconds=1), mad(2026, 3, 2, 9) + timedelta(microseconds=1)),
    ],
)
def test_add_business_time(start, duration, expected):
    got = add_business_time(start, duration, CAL)
    assert got == expected
    assert got.tzinfo is UTC


def test_zero_duration_from_out_of_hours_is_the_next_opening():
    assert add_business_time(mad(2026, 3, 7, 10), timedelta(0), CAL) == mad(2026, 3, 9, 8, 30)
    assert add_business_time(mad(2026, 3, 2, 18), timedelta(0), CAL) == mad(2026, 3, 3, 8, 30)
    assert add_business_time(mad(2026, 3, 2, 10), timedelta(0), CAL) == mad(2026, 3, 2, 10)


def test_add_business_time_skips_holidays():
    assert add_business_time(mad(2026, 12, 24, 17), 2 * H, XMAS) == mad(2026, 12, 28, 9, 30)
    # Thu Dec 31 17:00 + 1.5 h: an hour that day, Fri Jan 1 is a holiday, then the weekend
    assert add_business_time(mad(2026, 12, 31, 17), 1.5 * H, XMAS) == mad(2027, 1, 4, 9)


def test_add_business_time_multi_interval_days():
    assert add_business_time(mad(2026, 3, 2, 13), 2 * H, SPLIT) == mad(2026, 3, 2, 16)
    assert add_business_time(mad(2026, 3, 2, 14), 1 * H, SPLIT) == mad(2026, 3, 2, 16)
    assert add_business_time(mad(2026, 3, 2, 13), 1 * H, SPLIT) == mad(2026, 3, 2, 14)  # closing of the morning
    assert add_business_time(mad(2026, 3, 2, 14, 30), timedelta(0), SPLIT) == mad(2026, 3, 2, 15)
    assert add_business_time(mad(2026, 3, 2, 17, 30), 1 * H, SPLIT) == mad(2026, 3, 3, 9, 30)
    assert add_business_time(mad(2026, 3, 2, 9), 8 * H, SPLIT) == mad(2026, 3, 2, 18)


def test_negative_duration_is_refused():
    with pytest.raises(ValueError):
        add_business_time(mad(2026, 3, 2, 9), -M, CAL)


# ---------------------------------------------------------------- business_time_between


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (mad(2026, 3, 2, 9), mad(2026, 3, 2, 11), 2 * H),
        (mad(2026, 3, 2, 7), mad(2026, 3, 2, 20), 9.5 * H),  # both ends out of hours
        (mad(2026, 3, 6, 17), mad(2026, 3, 9, 9, 30), 2 * H),  # across a weekend
        (mad(2026, 3, 7, 9), mad(2026, 3, 8, 20), timedelta(0)),  # weekend only
        (mad(2026, 3, 2, 0), mad(2026, 3, 9, 0), 47.5 * H),
        (mad(2026, 3, 2, 11), mad(2026, 3, 2, 9), -2 * H),  # reversed: negative
        (mad(2026, 3, 2, 11), mad(2026, 3, 2, 11), timedelta(0)),
    ],
)
def test_business_time_between(start, end, expected):
    assert business_time_between(start, end, CAL) == expected


def test_business_time_between_holidays_and_split_days():
    assert business_time_between(mad(2026, 12, 24, 17), mad(2026, 12, 28, 9, 30), XMAS) == 2 * H
    assert business_time_between(mad(2026, 3, 2), mad(2026, 3, 3), SPLIT) == 8 * H
    assert business_time_between(mad(2026, 3, 2, 13), mad(2026, 3, 2, 16), SPLIT) == 2 * H


# ---------------------------------------------------------------- DST in Europe/Madrid


def test_spring_forward_weekend_madrid():
    # Friday 17:00 CET (+01:00) + 2 h -> Monday 09:30 CEST (+02:00)
    assert add_business_time(mad(2026, 3, 27, 17), 2 * H, CAL) == utc(2026, 3, 30, 7, 30)
    assert next_opening(mad(2026, 3, 21, 12), CAL) == utc(2026, 3, 23, 7, 30)
    assert next_opening(mad(2026, 3, 28, 12), CAL) == utc(2026, 3, 30, 6, 30)
    # opening hours are wall-clock: both weeks hold the same 47.5 business hours
    assert business_time_between(mad(2026, 3, 23), mad(2026, 4, 6), CAL) == 95 * H


def test_fall_back_weekend_madrid():
    assert add_business_time(mad(2026, 10, 23, 17), 2 * H, CAL) == utc(2026, 10, 26, 8, 30)
    assert business_time_between(mad(2026, 10, 19), mad(2026, 11, 2), CAL) == 95 * H


def test_dst_days_are_23_and_25_hours_long_round_the_clock():
    assert business_time_between(mad(2026, 3, 29), mad(2026, 3, 30), ALWAYS) == 23 * H
    assert business_time_between(mad(2026, 10, 25), mad(2026, 10, 26), ALWAYS) == 25 * H
    assert business_time_between(mad(2026, 3, 28), mad(2026, 3, 29), ALWAYS) == 24 * H
    # 24 business hours of a round-the-clock team are 24 real hours, whatever the clock shows
    assert add_business_time(mad(2026, 3, 28, 12), 24 * H, ALWAYS) == mad(2026, 3, 29, 13)
    assert add_business_time(mad(2026, 10, 24, 12), 24 * H, ALWAYS) == mad(2026, 10, 25, 11)


def test_local_times_skipped_or_repeated_by_dst():
    assert to_utc(datetime(2026, 3, 29, 2, 30), MADRID) == utc(2026, 3, 29, 1, 0)  # the jump
    assert to_utc(datetime(2026, 3, 29, 3, 0), MADRID) == utc(2026, 3, 29, 1, 0)
    assert to_utc(datetime(2026, 3, 29, 1, 59), MADRID) == utc(2026, 3, 29, 0, 59)
    assert to_utc(datetime(2026, 10, 25, 2, 30), MADRID) == utc(2026, 10, 25, 0, 30)  # first run
    assert to_utc(datetime(2026, 10, 25, 3, 0), MADRID) == utc(2026, 10, 25, 2, 0)


def test_opening_interval_inside_a_dst_gap():
    night = BusinessCalendar(hours={6: [(time(2, 30), time(4))], 0: [(time(9), time(10))]})
    # Sunday 29 March: 02:30 never happens, the desk opens when clocks jump to 03:00
    assert next_opening(mad(2026, 3, 29, 0), night) == utc(2026, 3, 29, 1, 0)
    assert business_time_between(mad(2026, 3, 29), mad(2026, 3, 30), night) == 1 * H
    assert business_time_between(mad(2026, 3, 22), mad(2026, 3, 23), night) == 1.5 * H
    # Sunday 25 October: opens at the first 02:30, closes at 04:00 CET: 2.5 h
    assert business_time_between(mad(2026, 10, 25), mad(2026, 10, 26), night) == 2.5 * H
    # an interval wholly inside the gap does not exist that day
    gone = BusinessCalendar(hours={6: [(time(2), time(2, 45))]})
    assert next_opening(mad(2026, 3, 28, 12), gone) == mad(2026, 4, 5, 2)


def test_dst_jump_at_midnight_santiago():
    # Chile springs forward at 24:00 on Saturday 5 September 2026: Sunday starts at 01:00
    santiago = ZoneInfo("America/Santiago")
    cal = BusinessCalendar(tz="America/Santiago", hours={5: [(time(20), time(0))], 6: [(time(0), time(2))]})
    jump = utc(2026, 9, 6, 4)
    assert to_utc(datetime(2026, 9, 6, 0, 0), santiago) == jump
    start, end = datetime(2026, 9, 5, 12, tzinfo=santiago), datetime(2026, 9, 6, 12, tzinfo=santiago)
    assert business_time_between(start, end, cal) == 5 * H  # 4 h on Saturday, 01:00-02:00 on Sunday
    assert add_business_time(datetime(2026, 9, 5, 23, tzinfo=santiago), H, cal) == jump
    assert within_business_hours(jump, cal) and is_open(jump, cal)
    assert add_business_time(datetime(2026, 9, 5, 23, tzinfo=santiago), 1.5 * H, cal) == utc(2026, 9, 6, 4, 30)


def test_calendar_days_over_dst_keep_the_wall_clock_time():
    # "3 calendar days" from Friday 10:00 is Monday 10:00, though only 71 / 73 real hours pass
    spring = due_date(mad(2026, 3, 27, 10), 72 * H, CAL, business_hours_only=False)
    assert spring == mad(2026, 3, 30, 10) == utc(2026, 3, 30, 8)
    assert spring - mad(2026, 3, 27, 10) == 71 * H
    fall = due_date(mad(2026, 10, 23, 10), 72 * H, CAL, business_hours_only=False)
    assert fall == mad(2026, 10, 26, 10) == utc(2026, 10, 26, 9)
    assert fall - mad(2026, 10, 23, 10) == 73 * H


def test_calendar_days_landing_in_the_gap_or_the_repeated_hour():
    assert due_date(mad(2026, 3, 28, 2, 30), 24 * H, ALWAYS, business_hours_only=False) == utc(2026, 3, 29, 1)
    second_run = utc(2026, 10, 25, 1, 30)
    assert second_run.astimezone(MADRID).fold == 1  # the second 02:30 of that night
    # the wall clock maps back to the first 02:30, which would be before the ticket was opened
    assert due_date(second_run, timedelta(0), ALWAYS, business_hours_only=False) == second_run


# ---------------------------------------------------------------- another zone


def test_new_york_calendar_and_its_own_dst_date():
    # US clocks change on 8 March 2026: Friday 16:00 EST + 2 h -> Monday 10:00 EDT
    start = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)
    assert start == utc(2026, 3, 6, 21)
    assert add_business_time(start, 2 * H, NY) == utc(2026, 3, 9, 14)
    # the same instant is open in Madrid and closed in New York
    assert is_open(utc(2026, 3, 2, 10), CAL) and not is_open(utc(2026, 3, 2, 10), NY)
    assert next_opening(utc(2026, 3, 2, 10), NY) == utc(2026, 3, 2, 14)


def test_holidays_are_local_dates_of_the_calendar_zone():
    tokyo = BusinessCalendar(tz="Asia/Tokyo", hours={wd: [(time(8), time(17))] for wd in range(5)})
    at = utc(2026, 3, 2, 23, 30)  # Monday in UTC, Tuesday 08:30 in Tokyo
    assert is_open(at, tokyo)
    assert not is_open(at, BusinessCalendar(tz=tokyo.tz, hours=tokyo.hours, holidays={date(2026, 3, 3)}))
    assert is_open(at, BusinessCalendar(tz=tokyo.tz, hours=tokyo.hours, holidays={date(2026, 3, 2)}))


def test_half_hour_offset_zone():
    kolkata = BusinessCalendar(tz="Asia/Kolkata", hours={wd: [(time(9), time(18))] for wd in range(5)})
    assert next_opening(utc(2026, 3, 2, 0), kolkata) == utc(2026, 3, 2, 3, 30)
    assert add_business_time(utc(2026, 3, 2, 12), 1 * H, kolkata) == utc(2026, 3, 3, 4)


# ---------------------------------------------------------------- due_date


def test_due_date_business_hours_only():
    assert due_date(mad(2026, 3, 2, 10), 8 * H, CAL, business_hours_only=True) == mad(2026, 3, 2, 18)
    assert due_date(mad(2026, 3, 2, 10), 8 * H, CAL, business_hours_only=True, paused=H) == mad(2026, 3, 3, 9, 30)
    assert due_date(mad(2026, 3, 7, 10), H, CAL, business_hours_only=True) == mad(2026, 3, 9, 9, 30)
    assert due_date(mad(2026, 3, 7, 10), timedelta(0), CAL, business_hours_only=True) == mad(2026, 3, 9, 8, 30)


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        (mad(2026, 3, 2, 10), mad(2026, 3, 5, 10)),  # Mon -> Thu, inside hours
        (mad(2026, 3, 6, 10), mad(2026, 3, 9, 10)),  # Fri -> Mon
        (mad(2026, 3, 5, 20), mad(2026, 3, 9, 8, 30)),  # lands Sunday evening -> Monday opening
        (mad(2026, 3, 4, 19), mad(2026, 3, 9, 8, 30)),  # lands Saturday evening
        (mad(2026, 3, 3, 18), mad(2026, 3, 6, 18)),  # lands exactly on closing: kept
        (mad(2026, 3, 3, 7), mad(2026, 3, 6, 8, 30)),  # lands before opening
        (mad(2026, 3, 7, 12), mad(2026, 3, 10, 12)),  # opened on Saturday
    ],
)
def test_due_date_calendar_days(opened, expected):
    assert due_date(opened, 72 * H, CAL, business_hours_only=False) == expected


def test_due_date_calendar_days_with_pause_and_holidays():
    def calendar_days(opened, paused):
        return due_date(opened, 72 * H, CAL, business_hours_only=False, paused=paused)

    # Thu 10:00 + 9 business hours of pause -> Fri 09:30
    assert calendar_days(mad(2026, 3, 2, 10), 9 * H) == mad(2026, 3, 6, 9, 30)
    # lands Sunday, moved to Monday 08:30, then the pause counts from there
    assert calendar_days(mad(2026, 3, 5, 20), 2 * H) == mad(2026, 3, 9, 10, 30)
    # lands on Christmas day
    assert due_date(mad(2026, 12, 21, 10), 96 * H, XMAS, business_hours_only=False) == mad(2026, 12, 28, 8, 30)


def test_due_date_refuses_negative_values():
    with pytest.raises(ValueError):
        due_date(mad(2026, 3, 2, 10), -H, CAL, business_hours_only=True)
    with pytest.raises(ValueError):
        due_date(mad(2026, 3, 2, 10), H, CAL, business_hours_only=False, paused=-H)


# ---------------------------------------------------------------- pauses


def test_resume_after_pause_moves_due_by_business_time_waited():
    due = mad(2026, 3, 4, 12)
    assert resume_after_pause(due, mad(2026, 3, 2, 10), mad(2026, 3, 2, 12), CAL) == mad(2026, 3, 4, 14)
    # waited Friday 17:00 -> Monday 09:00: 1 h on Friday + 30 min on Monday
    assert resume_after_pause(due, mad(2026, 3, 6, 17), mad(2026, 3, 9, 9), CAL) == mad(2026, 3, 4, 13, 30)
    # waited only while closed: nothing moves
    assert resume_after_pause(due, mad(2026, 3, 6, 18, 30), mad(2026, 3, 9, 8, 30), CAL) == due
    # a resume stamped before the pause (clock skew) never pulls the deadline in
    assert resume_after_pause(due, mad(2026, 3, 2, 12), mad(2026, 3, 2, 10), CAL) == due
    # due at closing time, half an hour waited: next morning
    assert resume_after_pause(mad(2026, 3, 4, 18), mad(2026, 3, 2, 10), mad(2026, 3, 2, 10, 30), CAL) == mad(
        2026, 3, 5, 9
    )
    assert resume_after_pause(due, mad(2026, 3, 2, 10), mad(2026, 3, 2, 12), CAL).tzinfo is UTC


def test_pause_over_a_holiday_does_not_count_the_holiday():
    due = mad(2026, 12, 30, 12)
    waited = resume_after_pause(due, mad(2026, 12, 24, 17), mad(2026, 12, 28, 9), XMAS)
    assert waited == mad(2026, 12, 30, 13, 30)


# ---------------------------------------------------------------- never loop forever


def test_calendar_without_opening_hours_raises_instead_of_looping():
    closed = BusinessCalendar(hours={})
    assert not closed.has_open_hours
    assert is_open(mad(2026, 3, 2, 10), closed) is False
    assert business_time_between(mad(2026, 3, 2), mad(2026, 3, 9), closed) == timedelta(0)
    with pytest.raises(ValueError):
        next_opening(mad(2026, 3, 2, 10), closed)
    with pytest.raises(ValueError):
        add_business_time(mad(2026, 3, 2, 10), H, closed)
    with pytest.raises(ValueError):
        due_date(mad(2026, 3, 2, 10), 72 * H, closed, business_hours_only=False)


def test_long_runs_of_holidays_do_not_trip_the_loop_guard():
    mondays_2026 = {date(2026, 1, 5) + timedelta(weeks=w) for w in range(52)}
    assert max(mondays_2026) == date(2026, 12, 28)
    only_mondays = BusinessCalendar(hours={0: [(time(9), time(10))]}, holidays=mondays_2026)
    assert next_opening(mad(2026, 1, 1), only_mondays) == mad(2027, 1, 4, 9)
    one_off = BusinessCalendar(hours={0: [(time(9), time(10))]}, holidays={date(2026, 3, 2)})
    assert next_opening(mad(2026, 3, 1), one_off) == mad(2026, 3, 9, 9)


# ---------------------------------------------------------------- properties

CALENDARS = st.sampled_from([CAL, XMAS, SPLIT, ALWAYS, NY])
INSTANTS = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1), timezones=st.just(UTC)
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))
PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(cal=CALENDARS, start=INSTANTS, d=DURATIONS)
def test_between_inverts_add_business_time(cal, start, d):
    # holds for any start, which includes starts inside business hours
    assert business_time_between(start, add_business_time(start, d, cal), cal) == d


@PROPS
@given(cal=CALENDARS, start=INSTANTS, d=DURATIONS)
def test_between_inverts_add_business_time_from_inside_hours(cal, start, d):
    start = next_opening(start, cal)
    assert is_open(start, cal)
    assert business_time_between(start, add_business_time(start, d, cal), cal) == d


@PROPS
@given(
    cal=CALENDARS,
    opened=INSTANTS,
    t1=DURATIONS,
    t2=DURATIONS,
    paused=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=30)),
    business=st.booleans(),
)
def test_due_dates_are_monotonic_and_inside_business_hours(cal, opened, t1, t2, paused, business):
    lo, hi = sorted((t1, t2))
    due_lo = due_date(opened, lo, cal, business_hours_only=business, paused=paused)
    due_hi = due_date(opened, hi, cal, business_hours_only=business, paused=paused)
    assert opened <= due_lo <= due_hi
    assert within_business_hours(due_lo, cal) and within_business_hours(due_hi, cal)
    assert due_lo.tzinfo is UTC


@PROPS
@given(cal=CALENDARS, a=INSTANTS, b=INSTANTS, c=INSTANTS)
def test_business_time_between_is_additive(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert business_time_between(a, b, cal) + business_time_between(b, c, cal) == business_time_between(a, c, cal)
    assert timedelta(0) <= business_time_between(a, c, cal) <= c - a


@PROPS
@given(cal=CALENDARS, at=INSTANTS)
def test_next_opening_is_open_and_not_before(cal, at):
    nxt = next_opening(at, cal)
    assert nxt >= at and is_open(nxt, cal)
    assert business_time_between(at, nxt, cal) == timedelta(0)


@PROPS
@given(cal=CALENDARS, opened=INSTANTS, target=DURATIONS, pause_start=INSTANTS, waited=DURATIONS)
def test_resume_extends_by_exactly_the_business_time_waited(cal, opened, target, pause_start, waited):
    due = due_date(opened, target, cal, business_hours_only=True)
    resumed = pause_start + waited
    new_due = resume_after_pause(due, pause_start, resumed, cal)
    assert new_due >= due
    assert business_time_between(due, new_due, cal) == business_time_between(pause_start, resumed, cal)
    assert within_business_hours(new_due, cal)
