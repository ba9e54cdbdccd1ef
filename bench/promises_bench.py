"""Service-promise speed: one escalation pass over N open tickets (goal < 2 s on SQLite and on
PostgreSQL) and the reply estimate the new-ticket form computes per page (goal < 5 ms; its
queue and pace counts are kept for a few seconds per worker, services/estimate_cache).

    PYTHONPATH=. .venv/bin/python bench/promises_bench.py [--tickets 100000] [--postgres URL]

Tickets are open and unanswered, created over the last 30 days with 8-hour first-response and
72-hour resolution deadlines; three rules (50 %, 80 %, missed). The first pass fires on many
tickets (each firing is a small transaction of its own); the figure that matters for the
periodic job is the steady pass afterwards, which evaluates every ticket against every rule.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queue_bench import _setup_db  # noqa: E402


def _populate(n: int) -> None:
    from sqlalchemy import insert, text

    from helpdesk.domain import utcnow
    from helpdesk.domain.accounts import Role
    from helpdesk.domain.tickets import Ticket
    from helpdesk.infra.db import get_engine, session_scope
    from helpdesk.infra.migrations import upgrade
    from helpdesk.services import accounts, seed

    upgrade()
    with session_scope() as s:
        seed.ensure_configuration(s)
        customer = accounts.create_user(s, email="c@b.test", password="password-123", name="C").id
        accounts.create_user(s, email="a@b.test", password="password-123", name="A", role=Role.AGENT)
    rnd = random.Random(7)
    now = utcnow()
    engine = get_engine()
    for start in range(0, n, 10_000):
        rows = []
        for i in range(start, min(n, start + 10_000)):
            created = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 30))
            rows.append(dict(id=i + 1, number=1001 + i, subject=f"t {i}", category=rnd.choice(["consulta", "peticion", "anomalia"]),
                             status=rnd.choice(["new", "open"]), priority=rnd.choice([None, "low", "medium", "high", "urgent"]),
                             requester_id=customer, created_at=created, updated_at=created, last_activity_at=created,
                             first_response_due_at=created + timedelta(hours=8), due_at=created + timedelta(hours=72),
                             version=1, locale="es"))
        with engine.begin() as conn:
            conn.execute(insert(Ticket), rows)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    drop = _setup_db(args.postgres)
    try:
        from helpdesk.domain.accounts import User
        from helpdesk.infra.db import get_engine, session_scope
        from helpdesk.services import escalation, estimates
        from sqlmodel import select

        _populate(args.tickets)
        kind = get_engine().dialect.name
        with session_scope() as s:
            admin = User(email="ad@b.test", name="Ad", role="admin", password_hash="x")
            s.add(admin)
            s.flush()
            for pct, name in ((50, "half"), (80, "late"), (100, "missed")):
                escalation.create_rule(s, admin, name, "first_response", pct, "notify_assignee" if pct < 100 else "raise_priority")
        # Evaluation only (what every periodic pass costs), before anything has fired:
        samples = []
        for _ in range(3):
            with session_scope() as s:
                t0 = time.perf_counter()
                pairs = escalation.due_pairs(s, escalation.clock.now())
                samples.append(time.perf_counter() - t0)
        print(f"[{kind}] escalation evaluation over {args.tickets:,} open tickets: "
              f"median {statistics.median(samples):.3f} s ({len(pairs):,} firings due)")
        # Firing is one small transaction per pair; a real pass fires the few pairs that became
        # due since the last minute. Record these as fired in bulk, then time the periodic pass.
        from sqlalchemy import insert

        from helpdesk.domain.escalation import EscalationRun

        with get_engine().begin() as conn:
            rows = [dict(rule_id=r.id, ticket_id=t, created_at=escalation.clock.now()) for r, t in pairs]
            for i in range(0, len(rows), 10_000):
                conn.execute(insert(EscalationRun), rows[i:i + 10_000])
        steady = []
        for _ in range(3):
            t0 = time.perf_counter()
            fired = escalation.run_pass()
            steady.append(time.perf_counter() - t0)
        print(f"[{kind}] periodic pass (read, evaluate, fire the new ones): median {statistics.median(steady):.3f} s, {fired} fired")
        # The slipping-promise watch: same engine; record what is due in bulk, then time the pass.
        from helpdesk.domain.promise_watch import PromiseNotice
        from helpdesk.services import promise_watch

        with session_scope() as s:
            t0 = time.perf_counter()
            todo = promise_watch.due(s, escalation.clock.now())
            first_eval = time.perf_counter() - t0
        with get_engine().begin() as conn:
            rows = [dict(ticket_id=t, deadline=d, stage=st, created_at=escalation.clock.now()) for d, st, t in todo]
            for i in range(0, len(rows), 10_000):
                conn.execute(insert(PromiseNotice), rows[i:i + 10_000])
        watch = []
        for _ in range(3):
            t0 = time.perf_counter()
            told = promise_watch.run_pass()
            watch.append(time.perf_counter() - t0)
        print(f"[{kind}] promise watch: first evaluation {first_eval:.3f} s ({len(todo):,} due); "
              f"periodic pass median {statistics.median(watch):.3f} s, {told} told")
        from helpdesk.services import estimate_cache

        cold = []
        for _ in range(3):  # what a worker pays once per estimate_cache.TTL_S: everything counted afresh
            estimate_cache.invalidate()
            with session_scope() as s:
                t0 = time.perf_counter()
                estimates.before_sending(s, "es")
                cold.append((time.perf_counter() - t0) * 1000)
        print(f"[{kind}] reply estimate, counted afresh (once per {estimate_cache.TTL_S:.0f} s per worker): "
              f"median {statistics.median(cold):.1f} ms")
        est = []
        for _ in range(50):
            with session_scope() as s:
                t0 = time.perf_counter()
                estimates.before_sending(s, "es")
                est.append((time.perf_counter() - t0) * 1000)
        est.sort()
        print(f"[{kind}] reply estimate per page (notice + estimate): median {statistics.median(est):.2f} ms, "
              f"p95 {est[int(0.95 * (len(est) - 1))]:.2f} ms")
        _ = select
    finally:
        if drop:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
