"""Precomputed inputs of the reply estimate shown on every new-ticket page and in the chat.

The estimate needs the calendar, the targets, how many unanswered tickets are waiting and the
team's pace over a week. Counted afresh, the last two scan the open tickets (136-271 ms with
100,000 of them). A page can live with figures a few seconds old, so each worker keeps them for
TTL_S and recounts after that: every other page costs a dictionary look-up and the calendar
arithmetic (bench/promises_bench.py prints both figures). The confirmation mail still counts
afresh (estimates.estimate without `cached`).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

from sqlmodel import Session

TTL_S = 15.0
T = TypeVar("T")
_lock = threading.Lock()
_store: dict[tuple, tuple[float, object]] = {}


def cached(session: Session, name: tuple, compute: Callable[[], T], ttl_s: float = TTL_S) -> T:
    """`compute()`, or its value from less than `ttl_s` ago for the same database."""
    key = (id(session.get_bind()), *name)
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and now - hit[0] < ttl_s:
        return hit[1]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _store[key] = (now, value)
    return value


def invalidate() -> None:
    with _lock:
        _store.clear()
