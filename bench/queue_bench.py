"""Queue speed at scale: bulk-inserts 200,000 tickets and times the first page and the count of
every view (and a few filtered/sorted variants). Prints p50/p95 in milliseconds; goal p95 < 100 ms.

    PYTHONPATH=. .venv/bin/python bench/queue_bench.py [--tickets N] [--runs R] [--postgres URL]

SQLite runs in a temporary directory; --postgres creates and drops a scratch database next to URL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta

from sqlalchemy import create_engine, insert, text


def _setup_db(pg_url: str | None):
    if not pg_url:
        os.environ["HELPDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="queue-bench-")
        os.environ.pop("HELPDESK_DB_URL", None)
        return None
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    os.environ["HELPDESK_DB_URL"] = pg_url.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        from helpdesk.infra.db import get_engine

        get_engine().dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return drop


def _populate(n: int) -> dict:
    from helpdesk.domain import utcnow
    from helpdesk.domain.accounts import Role, User
    from helpdesk.domain.catalog import Service
    from helpdesk.domain.tickets import Message, Ticket
    from helpdesk.infra.db import get_engine, session_scope
    from helpdesk.services import accounts, seed

    rnd = random.Random(42)
    with session_scope() as s:
        seed.ensure_configuration(s)
        services = [Service(name=f"Servicio {i}") for i in range(5)]
        s.add_all(services)
        agents = [accounts.create_user(s, email=f"agente{i}@b.test", password="password-123", name=f"Agente {i}", role=Role.AGENT) for i in range(10)]
        s.flush()
        service_ids, agent_ids = [x.id for x in services], [a.id for a in agents]
    engine = get_engine()
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [dict(email=f"cliente{i}@b.test", name=f"Cliente {i}", role="customer", password_hash="", locale="es",
                  is_active=True, is_org_admin=False, available_for_assignment=False, created_at=now, password_changed_at=now)
             for i in range(2000)],
        )
        customer_ids = [r[0] for r in conn.execute(text("SELECT id FROM users WHERE role = 'customer'"))]
    statuses = ["new"] * 10 + ["open"] * 15 + ["pending"] * 10 + ["solved"] * 15 + ["closed"] * 50
    words = "llamada router factura centralita fibra correo buzón portabilidad extensión corte".split()
    batch = 10_000
    for start in range(0, n, batch):
        rows, msgs = [], []
        for i in range(start, min(n, start + batch)):
            created = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 365))
            status = rnd.choice(statuses)
            activity = created + timedelta(minutes=rnd.randint(0, 60 * 24 * 5))
            rows.append(dict(
                id=i + 1, number=1001 + i, subject=f"{rnd.choice(words)} {rnd.choice(words)} {i}", category=rnd.choice(["consulta", "peticion", "anomalia"]),
                service_id=rnd.choice(service_ids), status=status, priority=rnd.choice([None, "low", "medium", "high", "urgent"]),
                requester_id=rnd.choice(customer_ids), assignee_id=rnd.choice(agent_ids + [None] * 5), created_at=created,
                updated_at=activity, last_activity_at=activity, first_response_due_at=created + timedelta(hours=8),
                due_at=created + timedelta(hours=rnd.choice([8, 72, 240, 480])), version=1, locale="es",
                solved_at=activity if status in ("solved", "closed") else None,
            ))
            msgs.append(dict(ticket_id=i + 1, author_id=rows[-1]["requester_id"], body=f"Tengo un problema con {rnd.choice(words)}: " + " ".join(rnd.choices(words, k=20)), is_internal=False, created_at=created))
        with engine.begin() as conn:
            conn.execute(insert(Ticket), rows)
            conn.execute(insert(Message), msgs)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('tickets','id'), (SELECT max(id) FROM tickets))"))
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    with session_scope() as s:
        return {"agent": s.get(User, agent_ids[0]), "service": service_ids[0]}


def _time(fn, runs: int) -> tuple[float, float]:
    fn()  # warm caches and the plan
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    drop = _setup_db(args.postgres)
    try:
        from helpdesk.infra import migrations
        from helpdesk.infra.db import get_engine, session_scope
        from helpdesk.services import queue

        migrations.upgrade()
        t0 = time.perf_counter()
        ctx = _populate(args.tickets)
        print(f"{get_engine().dialect.name}: inserted {args.tickets:,} tickets in {time.perf_counter() - t0:.1f} s")
        # The rows went in below the services, so build the ticket word index as start-up does.
        from helpdesk.services.search import tickets as ticket_search

        t0 = time.perf_counter()
        with session_scope() as s:
            ticket_search.ensure_index(s)
        print(f"ticket search index built in {time.perf_counter() - t0:.1f} s")
        agent = ctx["agent"]

        def page(view, sort="activity", **filters):
            def run():
                with session_scope() as s:
                    queue.list_queue(s, agent, view=view, sort=sort, filters=queue.QueueFilters(**filters))
            return run

        def count(view):
            def run():
                with session_scope() as s:
                    from sqlalchemy import func, select as sa_select
                    from helpdesk.domain.tickets import Ticket
                    from helpdesk.domain import utcnow

                    s.exec(sa_select(func.count()).select_from(Ticket).where(queue._view_condition(view, agent, utcnow()))).one()
            return run

        cases = [(f"page  {v:<10} by activity", page(v)) for v in queue.VIEWS]
        cases += [(f"count {v:<10}", count(v)) for v in queue.VIEWS]
        cases += [
            ("page  open       by due", page("open", "due")),
            ("page  open       by priority", page("open", "priority")),
            ("page  open       by fair-use signals", page("open", "signals")),
            ("page  open       priority=high", page("open", priority="high")),
            ("page  open       service filter", page("open", service_id=ctx["service"])),
            ("page  open       text 'router'", page("open", text="router")),
            ("page  open       text (no match)", page("open", text="zzzz-nada")),
        ]

        def all_counts():
            with session_scope() as s:
                queue.view_counts(s, agent)

        cases.append(("all six view counts", all_counts))
        print(f"{'case':<38} {'p50 ms':>8} {'p95 ms':>8}")
        for name, fn in cases:
            p50, p95 = _time(fn, args.runs)
            flag = "" if p95 < 100 else "  <- over 100 ms"
            print(f"{name:<38} {p50:8.1f} {p95:8.1f}{flag}")
    finally:
        if drop:
            drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
