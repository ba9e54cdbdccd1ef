"""Fill our database with the data the peer gets from peer/seed.py: the same vocabulary (Spanish
with accents), N tickets from 200 customers with 1-3 messages each, N articles over 8 categories,
one agent `agente@compare.test`, one customer `cliente000@compare.test` (one of the 200).
Fair-use limits are saved off, as an admin could (and as tests/e2e/conftest.py does): the
bench opens hundreds of tickets for the same few customers.

usage: HELPDESK_DATA_DIR=... PYTHONPATH=. python bench/compare/seed_ours.py N_TICKETS N_ARTICLES

Tickets and messages go in with bulk inserts (as bench/queue_bench.py does); articles through the
KB service, so the search index is built exactly as for an article an agent writes.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text

_spec = importlib.util.spec_from_file_location("peer_words", Path(__file__).with_name("peer") / "words.py")
words = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(words)

AGENT = ("agente@compare.test", "agente-compare-1")
CUSTOMER = ("cliente000@compare.test", "cliente-compare-1")
N_CUSTOMERS = 200
BATCH = 5000
STATUS_W = {"open": 25, "pending": 5, "solved": 20, "closed": 45, "new": 5}


def main(n_tickets: int, n_articles: int) -> None:
    from sqlmodel import select

    from helpdesk import startup
    from helpdesk.domain import utcnow
    from helpdesk.domain.accounts import Role, User
    from helpdesk.domain.catalog import Service
    from helpdesk.domain.fair_use import FairUseLimits
    from helpdesk.domain.sla import Setting
    from helpdesk.domain.kb import ArticleCategory
    from helpdesk.domain.tickets import Message, Ticket
    from helpdesk.infra.db import get_engine, session_scope
    from helpdesk.services import accounts, fair_use, kb, seed

    startup.prepare_database()
    rng = random.Random(42)
    t0 = time.time()
    with session_scope() as s:
        if s.exec(select(Ticket.id)).first() is not None:
            sys.exit("our DB already has tickets: start from an empty data dir")
        seed.ensure_configuration(s)
        s.merge(Setting(key=fair_use.SETTING_KEY, value=json.dumps(FairUseLimits(0, 0, 0, 0, 0).as_dict())))
        service = Service(name="Soporte")
        s.add(service)
        agent = accounts.create_user(s, email=AGENT[0], password=AGENT[1], name="Agente Comparación", role=Role.AGENT)
        first = accounts.create_user(s, email=CUSTOMER[0], password=CUSTOMER[1], name="Cliente 000", role=Role.CUSTOMER)
        s.flush()
        service_id, agent_id, first_id = service.id, agent.id, first.id
        cats = []
        for i, (slug, title) in enumerate(words.CATEGORIES):
            cat = ArticleCategory(slug=f"cmp-{slug}", name=title, description=f"Artículos sobre {title.lower()}.", position=50 + i)
            s.add(cat)
            cats.append(cat)
        s.flush()
        for i in range(n_articles):
            title = f"¿Cómo {rng.choice(words.VERBS)} {rng.choice(words.NOUNS)} {rng.choice(words.ADJS)}? {i}"[:100]
            body = "\n\n".join(words.text(rng, rng.randint(30, 60)) for _ in range(2))
            kb.create_article(s, agent, title=title, body=body, summary=words.text(rng, 15)[:400],
                              category_id=cats[i % len(cats)].id, is_published=True)
    engine = get_engine()
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(User), [dict(email=f"cliente{i:03d}@compare.test", name=f"Cliente {i:03d}", role="customer",
                                         password_hash="", locale="es", is_active=True, is_org_admin=False,
                                         available_for_assignment=False, created_at=now, password_changed_at=now)
                                    for i in range(1, N_CUSTOMERS)])
        customers = [first_id] + [r[0] for r in conn.execute(text(
            "SELECT id FROM users WHERE email LIKE 'cliente%@compare.test' AND id <> :f ORDER BY id"), {"f": first_id})]
        next_id = (conn.execute(text("SELECT coalesce(max(id), 0) FROM tickets")).scalar() or 0) + 1
        next_number = (conn.execute(text("SELECT coalesce(max(number), 1000) FROM tickets")).scalar() or 1000) + 1
    for start in range(0, n_tickets, BATCH):
        rows, msgs = [], []
        for k in range(start, min(n_tickets, start + BATCH)):
            created = now - timedelta(seconds=rng.uniform(0, 730 * 86400))
            steps = [created]
            for _ in range(rng.randint(0, 2)):
                steps.append(min(now, steps[-1] + timedelta(minutes=rng.uniform(5, 4 * 1440))))
            status = rng.choices(list(STATUS_W), weights=list(STATUS_W.values()))[0]
            requester = rng.choice(customers)
            tid = next_id + k
            rows.append(dict(id=tid, number=next_number + k, subject=words.title(rng), category="anomalia",
                             service_id=service_id, status=status, priority=rng.choice([None, "low", "medium", "high", "urgent"]),
                             requester_id=requester, assignee_id=agent_id if rng.random() < 0.5 else None,
                             created_at=created, updated_at=steps[-1], last_activity_at=steps[-1],
                             first_response_due_at=created + timedelta(hours=8), due_at=created + timedelta(hours=72),
                             version=1, locale="es", solved_at=steps[-1] if status in ("solved", "closed") else None))
            msgs.append(dict(ticket_id=tid, author_id=requester, body=words.text(rng, rng.randint(20, 40)),
                             is_internal=False, created_at=created))
            for j, d in enumerate(steps[1:]):
                msgs.append(dict(ticket_id=tid, author_id=agent_id if j % 2 == 0 else requester,
                                 body=words.text(rng, rng.randint(10, 30)), is_internal=False, created_at=d))
        with engine.begin() as conn:
            conn.execute(insert(Ticket), rows)
            conn.execute(insert(Message), msgs)
        print(f"  {start + len(rows)} tickets", flush=True)
    with engine.begin() as conn:
        # The bulk insert bypassed the counter that numbers new tickets: move it past the seeded ones.
        top = conn.execute(text("SELECT max(number) FROM tickets")).scalar()
        if top is not None:
            conn.execute(text("DELETE FROM counters WHERE name = 'ticket'"))
            conn.execute(text("INSERT INTO counters (name, value) VALUES ('ticket', :v)"), {"v": top})
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('tickets','id'), (SELECT max(id) FROM tickets))"))
        conn.execute(text("ANALYZE"))
    print(f"seeded {n_tickets} tickets, {n_articles} articles in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(int(sys.argv[1]), int(sys.argv[2]))
