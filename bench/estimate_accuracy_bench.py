"""Speed of the dashboard's estimate-accuracy query (services/estimate_accuracy.accuracy).

    PYTHONPATH=. .venv/bin/python bench/estimate_accuracy_bench.py [--tickets 100000] [--postgres URL]

N tickets created over the last 30 days, each with the estimate its customer was given
(15 min to 8 h after creation); 95 % answered, early or late, the rest unanswered (some past
their estimate, some not yet). Prints the median of 5 runs for the 7-, 14- and 30-day periods
the dashboard offers (the 30-day one reads every ticket).
"""

from __future__ import annotations

import argparse
import random
import shutil
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
    from helpdesk.domain.estimate_record import TicketEstimate
    from helpdesk.domain.tickets import Ticket
    from helpdesk.infra.db import get_engine, session_scope
    from helpdesk.infra.migrations import upgrade
    from helpdesk.services import accounts, seed

    upgrade()
    with session_scope() as s:
        seed.ensure_configuration(s)
        customer = accounts.create_user(s, email="c@b.test", password="password-123", name="C").id
    rnd = random.Random(7)
    now = utcnow()
    engine = get_engine()
    for start in range(0, n, 10_000):
        tickets, estimates = [], []
        for i in range(start, min(n, start + 10_000)):
            created = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 30))
            expected = created + timedelta(minutes=rnd.randint(15, 8 * 60))
            answered = expected + timedelta(minutes=rnd.randint(-120, 180)) if rnd.random() < 0.95 else None
            if answered is not None and answered > now:
                answered = None
            tickets.append(dict(id=i + 1, number=1001 + i, subject=f"t {i}", category="consulta",
                                status="open" if answered else "new", priority=rnd.choice([None, "low", "medium", "high", "urgent"]),
                                requester_id=customer, created_at=created, updated_at=created, last_activity_at=created,
                                first_response_at=answered, version=1, locale="es"))
            estimates.append(dict(ticket_id=i + 1, expected_at=expected, created_at=created))
        with engine.begin() as conn:
            conn.execute(insert(Ticket), tickets)
            conn.execute(insert(TicketEstimate), estimates)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    drop = _setup_db(args.postgres)
    try:
        from helpdesk.domain.accounts import Role, User
        from helpdesk.infra.db import get_engine, session_scope
        from helpdesk.services import estimate_accuracy

        _populate(args.tickets)
        kind = get_engine().dialect.name
        with session_scope() as s:
            agent = User(email="a@b.test", name="A", role=Role.AGENT.value, password_hash="x")
            s.add(agent)
            s.flush()
            for days in (7, 14, 30):
                runs = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    acc = estimate_accuracy.accuracy(s, agent, days=days)
                    runs.append((time.perf_counter() - t0) * 1000)
                o = acc.overall
                print(f"[{kind}] estimate accuracy, {days:>2}-day period over {args.tickets:,} tickets: "
                      f"median {statistics.median(runs):.0f} ms ({o.total:,} counted, {o.share_kept} % kept, "
                      f"median {o.median_minutes} min, p90 {o.p90_minutes} min)")
    finally:
        if drop:
            drop()
        else:
            import os

            shutil.rmtree(os.environ["HELPDESK_DATA_DIR"], ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
