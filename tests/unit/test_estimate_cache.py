"""The estimate shown before sending reuses its counts for a few seconds; the mail counts afresh."""

from __future__ import annotations

import time

from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, estimate_cache, estimates, seed, tickets


def _open(s, who, subject):
    return tickets.create_ticket(s, who, tickets.TicketDraft(subject=subject, description="No funciona la línea fija",
                                                             category="anomalia", service_id=s.exec(select(Service.id)).first()))


def test_counts_are_reused_within_the_ttl_and_fresh_after(db, monkeypatch):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.flush()
        me = accounts.create_user(s, email="c@x.test", password="password-123", name="C")
        _open(s, me, "Primera avería")
    with session_scope() as s:
        assert estimates.estimate(s, cached=True).ahead == 1
        _open(s, s.exec(select(accounts.User)).first(), "Segunda avería")
        assert estimates.estimate(s, cached=True).ahead == 1  # a few seconds old
        assert estimates.estimate(s).ahead == 2  # the confirmation mail's figure is exact
        clock = time.monotonic() + estimate_cache.TTL_S + 1
        monkeypatch.setattr(estimate_cache.time, "monotonic", lambda: clock)
        assert estimates.estimate(s, cached=True).ahead == 2


def test_a_cached_estimate_costs_well_under_5_ms(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
    with session_scope() as s:
        estimates.before_sending(s, "es")
        t0 = time.perf_counter()
        for _ in range(20):
            estimates.before_sending(s, "es")
        assert (time.perf_counter() - t0) / 20 < 0.005
