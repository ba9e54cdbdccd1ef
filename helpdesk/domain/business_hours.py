"""Business-hours arithmetic behind SLA due dates. Pure: no database, no Reflex.

Opening intervals are local wall-clock times in the calendar's zone, but every sum and
difference is done on UTC instants: Python's arithmetic on two datetimes sharing a ZoneInfo
is wall-clock arithmetic, which silently gains or loses an hour across a DST change.

Conventions:
  * An interval is half-open for `is_open` / `next_opening` (at 18:00 the office is closed),
    but a due date that lands exactly on a closing time is inside business hours: "due by
    18:00" is a deadline the team can meet on that day.
  * A local time repeated by a fall-back change means its first occurrence; a local time
    skipped by a spring-forward change means the instant the clocks jump.
  * A closing time of 00:00 means the end of that day ("24:00"), so round-the-clock
    calendars can be expressed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator, Mapping, Sequence, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
ZERO = timedelta(0)
END_OF_DAY = time(0)  # as a closing time only

Interval = tuple[time, time]
WeekHours = tuple[tuple[Interval, ...], ...]  # index 0 = Monday

DEFAULT_TIMEZONE = "Europe/Madrid"
DEFAULT_OPENS = time(8, 30)
DEFAULT_CLOSES = time(18, 0)
DEFAULT_HOURS: WeekHours = tuple(
    ((DEFAULT_OPENS, DEFAULT_CLOSES),) if wd < 5 else () for wd in range(7)
)


def _offset(t: time, *, closing: bool) -> timedelta:
    if closing and t == END_OF_DAY:
        return timedelta(days=1)
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _normalize_hours(
    hours: Union[Mapping[int, Iterable[Interval]], Sequence[Iterable[Interval]]],
) -> WeekHours:
    if isinstance(hours, Mapping):
        unknown = [k for k in hours if not isinstance(k, int) or not 0 <= k <= 6]
        if unknown:
            raise ValueError(f"weekdays must be 0 (Monday) to 6, got {unknown!r}")
        days = [hours.get(wd, ()) for wd in range(7)]
    else:
        days = list(hours)
        if len(days) != 7:
            raise ValueError("hours needs one entry per weekday (7)")
    week = []
    for wd, intervals in enumerate(days):
        pairs = []
        for pair in intervals:
            opens, closes = pair
            if not isinstance(opens, time) or not isinstance(closes, time):
                raise ValueError(f"weekday {wd}: intervals are pairs of datetime.time")
            if opens.tzinfo is not None or closes.tzinfo is not None:
                raise ValueError(f"weekday {wd}: times are local wall-clock times, without tzinfo")
            if _offset(opens, closing=False) >= _offset(closes, closing=True):
                raise ValueError(f"weekday {wd}: {opens} must be before {closes}")
            pairs.append((opens, closes))
        pairs.sort(key=lambda p: _offset(p[0], closing=False))
        for (_, prev_close), (next_open, _) in zip(pairs, pairs[1:]):
            if _offset(prev_close, closing=True) > _offset(next_open, closing=False):
                raise ValueError(f"weekday {wd}: intervals overlap")
        week.append(tuple(pairs))
    return tuple(week)


@dataclass(frozen=True)
class BusinessCalendar:
    """When the support team works: a time zone, opening intervals per weekday, holidays.

    `hours` may be given as {weekday: [(open, close), ...]} or as 7 sequences (Monday first);
    it is stored normalized as a tuple so the calendar stays hashable.
    Holidays are local dates in `tz`.
    """

    tz: str = DEFAULT_TIMEZONE
    hours: WeekHours = DEFAULT_HOURS
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", _normalize_hours(self.hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)  # ZoneInfo caches instances per key

    @property
    def has_open_hours(self) -> bool:
        return any(self.hours)


DEFAULT_CALENDAR = BusinessCalendar()


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware instant")
    return at.astimezone(UTC)


def _wall(at: datetime, zone: ZoneInfo) -> datetime:
    return at.astimezone(zone).replace(tzinfo=None, fold=0)


def to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant a naive local wall-clock time denotes in `zone` (see module conventions)."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        return first
    # Skipped by spring-forward. fold=1 and fold=0 bracket the jump; zoneinfo has no
    # "transition instant" API, and transitions fall on whole seconds, so bisect.
    lo = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp())
    hi = math.ceil(first.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall(datetime.fromtimestamp(mid, UTC), zone) >= wall:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _day_intervals(day: date, cal: BusinessCalendar, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    if day in cal.holidays:
        return []
    spans = []
    for opens, closes in cal.hours[day.weekday()]:
        start = to_utc(datetime.combine(day, opens), zone)
        end = to_utc(datetime.combine(day, time(0)) + _offset(closes, closing=True), zone)
        if end > start:  # an interval wholly inside a DST gap does not exist that day
            spans.append((start, end))
    return spans


def _intervals_from(at: datetime, cal: BusinessCalendar) -> Iterator[tuple[datetime, datetime]]:
    """UTC opening intervals in order, from `at`'s local date on, forever.

    Earlier days cannot matter: every instant strictly inside a day's interval shows that
    day's date on the local clock (a skipped 24:00 becomes the jump instant, still that day).
    """
    if not cal.has_open_hours:
        raise ValueError("the calendar has no opening hours")
    zone = cal.zone
    day = _wall(at, zone).date()
    # Holidays are finite and a DST gap can swallow an interval at most once in a row, so
    # once more than 7 * (holidays + 2) days in a row are closed every open weekday has
    # been exhausted: nothing will ever open again.
    max_closed_run = 7 * (len(cal.holidays) + 2)
    closed_run = 0
    while True:
        spans = _day_intervals(day, cal, zone)
        if spans:
            closed_run = 0
            yield from spans
        else:
            closed_run += 1
            if closed_run > max_closed_run:
                raise ValueError("the calendar never opens again")
        day += timedelta(days=1)


def _spans_around(at: datetime, cal: BusinessCalendar) -> list[tuple[datetime, datetime]]:
    # The previous day too: its closing instant at 24:00 is on today's date.
    zone = cal.zone
    today = _wall(at, zone).date()
    return _day_intervals(today - timedelta(days=1), cal, zone) + _day_intervals(today, cal, zone)


def is_open(at: datetime, cal: BusinessCalendar = DEFAULT_CALENDAR) -> bool:
    """Whether the team is working at `at` (closing instants count as closed)."""
    at = _utc(at)
    return any(start <= at < end for start, end in _spans_around(at, cal))


def within_business_hours(at: datetime, cal: BusinessCalendar = DEFAULT_CALENDAR) -> bool:
    """Like is_open, but a closing instant counts as inside: the test for due dates."""
    at = _utc(at)
    return any(start <= at <= end for start, end in _spans_around(at, cal))


def next_opening(at: datetime, cal: BusinessCalendar = DEFAULT_CALENDAR) -> datetime:
    """`at` itself (in UTC) if open, else the start of the next opening interval."""
    at = _utc(at)
    for start, end in _intervals_from(at, cal):
        if end > at:
            return max(start, at)
    raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover


def add_business_time(
    start: datetime, duration: timedelta, cal: BusinessCalendar = DEFAULT_CALENDAR
) -> datetime:
    """The instant `duration` of open time after `start`; closed time is not counted."""
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    cursor = _utc(start)
    remaining = duration
    for span_start, span_end in _intervals_from(cursor, cal):
        if span_end <= cursor:
            continue
        cursor = max(cursor, span_start)
        available = span_end - cursor
        if remaining <= available:
            return cursor + remaining
        remaining -= available
        cursor = span_end
    raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover


def business_time_between(
    start: datetime, end: datetime, cal: BusinessCalendar = DEFAULT_CALENDAR
) -> timedelta:
    """Open time between two instants; negative when `end` is before `start`."""
    a, b = _utc(start), _utc(end)
    if b < a:
        return -business_time_between(b, a, cal)
    if a == b or not cal.has_open_hours:
        return ZERO
    total = ZERO
    for span_start, span_end in _intervals_from(a, cal):
        if span_start >= b:
            break
        lo, hi = max(span_start, a), min(span_end, b)
        if hi > lo:
            total += hi - lo
    return total


def due_date(
    opened_at: datetime,
    target: timedelta,
    cal: BusinessCalendar = DEFAULT_CALENDAR,
    *,
    business_hours_only: bool,
    paused: timedelta = ZERO,
) -> datetime:
    """When a target started at `opened_at` runs out, after `paused` business time on hold.

    Business mode counts only open time. Calendar mode ("3 calendar days") adds the target
    to the local wall clock, so it means the same clock time N days later whatever DST does;
    a result outside business hours moves to the next opening, since nobody can be held to
    a deadline at 03:00 on a Sunday.
    """
    if target < ZERO or paused < ZERO:
        raise ValueError("target and paused must not be negative")
    if business_hours_only:
        return add_business_time(opened_at, target + paused, cal)
    zone = cal.zone
    opened = _utc(opened_at)
    # max(): a start in the second run of a fall-back hour maps back to the first run.
    due = max(to_utc(_wall(opened, zone) + target, zone), opened)
    if not within_business_hours(due, cal):
        due = next_opening(due, cal)
    if paused > ZERO:
        due = add_business_time(due, paused, cal)
    return due


def resume_after_pause(
    due: datetime,
    paused_from: datetime,
    resumed_at: datetime,
    cal: BusinessCalendar = DEFAULT_CALENDAR,
) -> datetime:
    """Push `due` forward by the business time spent waiting for the customer.

    Only business time counts: a ticket paused on Friday evening and resumed on Monday at
    opening time has lost nothing, so its deadline does not move.
    """
    waited = business_time_between(paused_from, resumed_at, cal)
    if waited <= ZERO:
        return _utc(due)
    return add_business_time(due, waited, cal)


# ---------------------------------------------------------------- one calendar per promise

ROUND_THE_CLOCK_HOURS: WeekHours = tuple(((time(0), END_OF_DAY),) for _ in range(7))
URGENT_PRIORITY = "urgent"
ANOMALY_CATEGORY = "anomalia"


def calendar_for(cal: BusinessCalendar, priority: object, category: object) -> BusinessCalendar:
    """The calendar a ticket's clock runs on, derived from the team's calendar `cal`.

    Seed 003: urgent (premium) tickets are answered round the clock, Sundays and holidays
    included. Seed 000: on holidays only error support runs, so an anomaly keeps the normal
    weekly hours on a holiday, while every other ticket's clock pauses that day.
    """
    if priority == URGENT_PRIORITY:
        return BusinessCalendar(tz=cal.tz, hours=ROUND_THE_CLOCK_HOURS, holidays=frozenset())
    if category == ANOMALY_CATEGORY and cal.holidays:
        return BusinessCalendar(tz=cal.tz, hours=cal.hours, holidays=frozenset())
    return cal


def holiday_on(at: datetime, cal: BusinessCalendar) -> bool:
    """Whether `at` falls on one of the calendar's holidays (local date)."""
    return _wall(_utc(at), cal.zone).date() in cal.holidays
