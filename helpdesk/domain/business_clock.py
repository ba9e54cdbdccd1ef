"""Business time as a number line, for scanning many tickets at once.

`BusinessLine(cal, start, end)` lays out the calendar's opening intervals between two
instants once; `position(ts)` is then the business seconds from `start` up to the POSIX
timestamp `ts` (a bisect and a subtraction), so the business time between any two instants
in the range is a difference of positions. The escalation pass measures 100,000 tickets
this way instead of walking the calendar per ticket.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from helpdesk.domain.business_hours import BusinessCalendar, _intervals_from


class BusinessLine:
    def __init__(self, cal: BusinessCalendar, start: datetime, end: datetime):
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = []  # business seconds before each interval
        total = 0.0
        last = end.timestamp()
        for span_start, span_end in _intervals_from(start, cal):
            a, b = span_start.timestamp(), span_end.timestamp()
            if a > last:
                break
            self.starts.append(a)
            self.ends.append(b)
            self.before.append(total)
            total += b - a
        self.total = total

    def position(self, ts: float) -> float:
        i = bisect_right(self.starts, ts) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(ts, self.ends[i]) - self.starts[i]
