"""Database-backed sliding-window rate limits."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.security import RateLimitHit
from helpdesk.infra.db import session_scope
from helpdesk.services import ratelimit
from helpdesk.services.errors import RateLimited


def hits(session: Session, key: str) -> int:
    return session.exec(select(func.count()).select_from(RateLimitHit).where(RateLimitHit.key == key)).one()


def test_allows_up_to_the_limit_then_refuses_with_retry_after(db):
    t0 = utcnow()
    with Session(db) as s:
        for i in range(3):
            ratelimit.hit(s, "ticket:ip:1.2.3.4", limit=3, window_s=600, now=t0 + timedelta(seconds=i * 10))
        with pytest.raises(RateLimited) as info:
            ratelimit.hit(s, "ticket:ip:1.2.3.4", limit=3, window_s=600, now=t0 + timedelta(seconds=100))
        # The first hit leaves the window 600 s after t0, i.e. 500 s from "now".
        assert info.value.retry_after_s == 500
        assert info.value.code == "errors.rate_limited" and info.value.params == {"minutes": 9}
        assert hits(s, "ticket:ip:1.2.3.4") == 3  # refused hits are not recorded
        # Other keys have their own budget.
        ratelimit.hit(s, "ticket:ip:5.6.7.8", limit=3, window_s=600, now=t0 + timedelta(seconds=100))
        # Once the oldest hit has left the window there is room again.
        ratelimit.hit(s, "ticket:ip:1.2.3.4", limit=3, window_s=600, now=t0 + timedelta(seconds=601))
        with pytest.raises(RateLimited):
            ratelimit.hit(s, "ticket:ip:1.2.3.4", limit=3, window_s=600, now=t0 + timedelta(seconds=602))


def test_check_only_records_nothing(db):
    t0 = utcnow()
    with Session(db) as s:
        for _ in range(5):
            ratelimit.check_only(s, "login:ip:1", limit=1, window_s=60, now=t0)
        assert hits(s, "login:ip:1") == 0
        ratelimit.hit(s, "login:ip:1", limit=1, window_s=60, now=t0)
        with pytest.raises(RateLimited) as info:
            ratelimit.check_only(s, "login:ip:1", limit=1, window_s=60, now=t0 + timedelta(seconds=15))
        assert info.value.retry_after_s == 45
        assert hits(s, "login:ip:1") == 1


def test_hits_roll_back_with_the_callers_transaction(db):
    with Session(db) as s:
        ratelimit.hit(s, "k", limit=1, window_s=60)
        s.rollback()
        ratelimit.hit(s, "k", limit=1, window_s=60)
        s.commit()
        assert hits(s, "k") == 1


def test_purge_old(db):
    now = utcnow()
    with Session(db) as s:
        s.add(RateLimitHit(key="a", created_at=now - timedelta(days=2)))
        s.add(RateLimitHit(key="a", created_at=now - timedelta(hours=1)))
        s.commit()
        assert ratelimit.purge_old(s, older_than_s=86400, now=now) == 1
        s.commit()
        assert hits(s, "a") == 1


def test_concurrent_hits_cannot_both_take_the_last_slot(db):
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            with session_scope() as s:
                ratelimit.hit(s, "race", limit=2, window_s=60)
            result = "ok"
        except RateLimited:
            result = "limited"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["limited", "limited", "ok", "ok"]
    with Session(db) as s:
        assert hits(s, "race") == 2


def test_empty_key_is_a_bug(db):
    with Session(db) as s, pytest.raises(ValueError):
        ratelimit.hit(s, "", limit=1, window_s=1)
