"""The writers' gaps query at scale (a script, not a test): kb_gaps.gaps() over N logged searches.

    PYTHONPATH=. .venv/bin/python bench/gaps_bench.py [--searches 100000] [--runs 30]
                                                      [--postgres postgresql+psycopg://user@host/db]

A throwaway database (SQLite in a temp dir; with --postgres also a temporary PostgreSQL
database, dropped afterwards) is migrated and filled with N searches spread over the last 120
days (fixed seed): about 2,000 distinct questions with a long tail, each asked in a few ways,
a third with no result, half of the rest without a click, 3 % followed by a ticket (half of
those within 30 minutes). Then it prints p50/p95/max of gaps() (the default 90 days, top 12,
as /agent/articles asks) and of the one-article figures kb_stats.article_stats().
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, text  # noqa: E402

from bench import scratch_db  # noqa: E402
from sqlmodel import Session  # noqa: E402

from helpdesk.domain import utcnow  # noqa: E402
from helpdesk.domain.accounts import User  # noqa: E402
from helpdesk.domain.kb import Article, SearchQuery  # noqa: E402
from helpdesk.domain.tickets import Ticket  # noqa: E402
from helpdesk.infra import migrations  # noqa: E402
from helpdesk.infra.db import make_engine  # noqa: E402
from helpdesk.services import kb_gaps, kb_stats, search  # noqa: E402

SEED = 20261205
WORDS = ("factura contraseña llamada recibo cuenta correo ticket devolución cobro móvil línea "
         "centralita buzón portabilidad titular domiciliación banco pdf iva horario festivo adjunto "
         "captura pantalla notificación encuesta datos baja alta idioma prioridad urgente").split()
TAIL = ("marzo abril oficina router extensión sede proveedor tarifa roaming fibra wifi fax "
        "cliente empresa nómina contrato tienda almacén taller furgoneta").split()


def sqlite_db():  # noqa: ANN201 - see bench/scratch_db.py
    return scratch_db.sqlite_db("gaps-bench")


def postgres_db(server_url: str):  # noqa: ANN201
    return scratch_db.postgres_db(server_url, "gaps_bench")


def questions(rng: random.Random, count: int = 2000) -> list[list[str]]:
    """Distinct questions, each with 1–3 ways of asking it (word order, plural, extra word)."""
    out = []
    for _ in range(count):
        core = rng.sample(WORDS, rng.randint(1, 3)) + ([rng.choice(TAIL)] if rng.random() < 0.6 else [])
        ways = [" ".join(core)]
        if len(core) > 1:
            ways.append(" ".join(reversed(core)))
        ways.append(" ".join(core) + rng.choice(["", " no funciona", " ayuda", " urgente"]))
        out.append(ways)
    return out


def fill(engine, n: int, rng: random.Random) -> int:
    now = utcnow()
    with Session(engine) as s:
        agent = User(email="agente@bench.test", name="Agente", role="agent", password_hash="x")
        customer = User(email="cliente@bench.test", name="Cliente", role="customer", password_hash="x")
        s.add_all([agent, customer])
        s.flush()
        article = Article(slug="bench", title="Bench", body="bench", locale="es")
        s.add(article)
        s.flush()
        agent_id, customer_id, article_id = agent.id, customer.id, article.id
        s.commit()
    asked = questions(rng)
    weights = [1 / (i + 1) ** 0.9 for i in range(len(asked))]  # a long tail
    meanings: dict[str, str] = {}
    rows, tickets, number = [], [], 1000
    for i in range(n):
        ways = rng.choices(asked, weights)[0]
        query = rng.choice(ways)
        meaning = meanings.get(query)
        if meaning is None:
            meaning = meanings[query] = search.meaning(query, "es") or search.normalize_query(query)
        at = now - timedelta(days=rng.uniform(0, 120))
        results = 0 if rng.random() < 0.33 else rng.randint(1, 8)
        clicked = article_id if results and rng.random() < 0.5 else None
        ticket_id = None
        if rng.random() < 0.03:
            number += 1
            delay = timedelta(minutes=rng.uniform(1, 29) if rng.random() < 0.5 else rng.uniform(31, 110))
            tickets.append({"id": number, "number": number, "subject": query[:200], "category": "consulta",
                            "status": rng.choice(["open", "solved", "closed"]), "requester_id": customer_id,
                            "created_at": at + delay, "updated_at": at + delay, "last_activity_at": at + delay,
                            "version": 1, "locale": "es"})
            ticket_id = number
        rows.append({"query": query, "normalized": search.normalize_query(query), "results": results,
                     "source": "helpcenter", "visitor_key": f"b:{i % 5000}", "clicked_article_id": clicked,
                     "ticket_id": ticket_id, "created_at": at, "corrected": "", "synonyms": "", "meaning": meaning})
    with engine.begin() as conn:
        for start in range(0, len(tickets), 5000):
            conn.execute(insert(Ticket), tickets[start:start + 5000])
        for start in range(0, len(rows), 5000):
            conn.execute(insert(SearchQuery), rows[start:start + 5000])
    _ = agent_id
    return article_id


def timed(fn, runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)], times[-1]


def run(url: str, label: str, n: int, runs: int) -> None:
    migrations.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(SEED)
    start = time.perf_counter()
    article_id = fill(engine, n, rng)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(f"{label}: {n:,} searches filled in {time.perf_counter() - start:.1f} s")
    with Session(engine) as s:
        agent = s.get(User, 1)
        found = kb_gaps.gaps(s, agent, limit=12)
        print(f"  gaps found: {len(found)}; first: {found[0]['question']!r} ({found[0]['unanswered']} unanswered, "
              f"{found[0]['tickets_after']} tickets)" if found else "  no gaps")
        p50, p95, worst = timed(lambda: kb_gaps.gaps(s, agent, limit=12), runs)
        print(f"  gaps() 90 days, top 12     p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {worst:7.1f} ms")
        p50, p95, worst = timed(lambda: kb_stats.article_stats(s, agent, article_id), runs)
        print(f"  article_stats() one article p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {worst:7.1f} ms "
              f"(it was clicked in ~{n // 3:,} searches)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} (2 shared cores)")
    with sqlite_db() as url:
        run(url, "SQLite", args.searches, args.runs)
    if args.postgres:
        with postgres_db(args.postgres) as url:
            run(url, "PostgreSQL", args.searches, args.runs)


if __name__ == "__main__":
    main()
