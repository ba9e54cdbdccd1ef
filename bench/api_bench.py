"""API and webhook figures (issue 17). Prints p50/p95 and rates; runs in a temp SQLite data dir.

  PYTHONPATH=. .venv/bin/python bench/api_bench.py [--tickets 100000] [--posts 1000] [--events 1000]

1. GET /api/v1/tickets first page for an agent, with N tickets in the database (goal p95 < 30 ms).
2. POST /api/v1/tickets sustained, one client, sequential (goal >= 200 tickets/s on SQLite).
3. Webhook fan-out: N events to a real local receiver; every one must arrive; lag reported.
Requests go over loopback HTTP (keep-alive) to uvicorn serving the same Starlette app Reflex
mounts, in this process (client and server share the GIL: a pessimistic setup).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta

os.environ.setdefault("HELPDESK_DATA_DIR", tempfile.mkdtemp(prefix="api-bench-"))
os.environ.setdefault("HELPDESK_SECRET_KEY", "bench")
os.environ["HELPDESK_API_RATE_LIMIT"] = "100000000"
os.environ["HELPDESK_WEBHOOK_ALLOW_PRIVATE"] = "1"
sys.path.insert(0, os.getcwd())


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bulk_tickets(n: int, requester_id: int, service_id: int) -> None:
    from helpdesk.domain import utcnow
    from helpdesk.domain.tickets import Counter, Ticket
    from helpdesk.infra.db import get_engine

    now = utcnow()
    cols = [c for c in Ticket.__table__.columns if c.computed is None and c.name != "id"]
    rows = []
    for i in range(n):
        at = now - timedelta(minutes=n - i)
        rows.append({"number": 100_000 + i, "subject": f"Incidencia {i} sin línea", "category": "anomalia", "service_id": service_id,
                     "status": ("new", "open", "pending", "solved", "closed")[i % 5], "priority": None, "requester_id": requester_id,
                     "organization_id": None, "assignee_id": None, "created_at": at, "updated_at": at, "last_activity_at": at,
                     "first_response_at": None, "first_response_due_at": None, "due_at": None, "solved_at": None, "closed_at": None,
                     "paused_at": None, "follow_up_of_id": None, "version": 1, "locale": "es", "request_type_id": None})
    with get_engine().begin() as conn:
        for start in range(0, n, 5000):
            conn.execute(Ticket.__table__.insert(), [{c.name: r[c.name] for c in cols} for r in rows[start:start + 5000]])
        conn.execute(Counter.__table__.delete())
        conn.execute(Counter.__table__.insert(), [{"name": "ticket", "value": 100_000 + n}])


def serve():
    """uvicorn on a free loopback port with the app's HTTP routes; returns a keep-alive client."""
    import socket
    import threading

    import httpx
    import uvicorn

    from helpdesk.web.api import build_api

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(build_api(), host="127.0.0.1", port=port, log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--reads", type=int, default=300)
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--events", type=int, default=1000)
    args = ap.parse_args()

    from sqlmodel import select

    from helpdesk.domain.accounts import Role
    from helpdesk.domain.catalog import Service
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import accounts, api_tokens, seed, webhook_delivery, webhooks
    from tests.support.api_world import auth
    from tests.support.receiver import Receiver

    migrations.upgrade()
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        s.flush()
        agent = accounts.create_user(s, email="agente@b.test", password="password-123", name="Agente", role=Role.AGENT)
        customer = accounts.create_user(s, email="ana@b.test", password="password-123", name="Ana")
        _, agent_token = api_tokens.create_token(s, agent, name="bench")
        _, customer_token = api_tokens.create_token(s, customer, name="bench")
        service_id = s.exec(select(Service.id)).first()
    t0 = time.perf_counter()
    bulk_tickets(args.tickets, customer.id, service_id)
    print(f"loaded {args.tickets} tickets in {time.perf_counter() - t0:.1f} s")
    c = serve()

    # 1. list, first page, agent
    h = auth(agent_token)
    for _ in range(20):
        c.get("/api/v1/tickets", headers=h)
    times = []
    for _ in range(args.reads):
        t = time.perf_counter()
        r = c.get("/api/v1/tickets", headers=h)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200 and len(r.json()["items"]) == 20
    print(f"GET /api/v1/tickets (agent, first page, {args.tickets} tickets): p50 {pct(times, 50):.1f} ms, "
          f"p95 {pct(times, 95):.1f} ms, p99 {pct(times, 99):.1f} ms over {args.reads} requests")

    # 2. sustained POST
    h = auth(customer_token)
    body = {"service": "telefonia", "category": "consulta", "subject": "Duda de facturación", "description": "¿Cuándo llega la factura de este mes?"}
    t = time.perf_counter()
    for i in range(args.posts):
        r = c.post("/api/v1/tickets", headers={**h, "Idempotency-Key": f"bench-{i}"}, json=body)
        assert r.status_code == 201, r.text
    elapsed = time.perf_counter() - t
    print(f"POST /api/v1/tickets sustained (SQLite, one client, with Idempotency-Key): {args.posts / elapsed:.0f} tickets/s "
          f"({args.posts} in {elapsed:.1f} s)")

    # 3. webhook fan-out
    receiver = Receiver()
    with session_scope() as s:
        webhooks.add_endpoint(s, None, url=receiver.url, events="ticket.created", trusted=True)
    t = time.perf_counter()
    for i in range(args.events):
        c.post("/api/v1/tickets", headers=h, json={**body, "subject": f"Evento {i}"})
    made = time.perf_counter()
    while len(receiver.delivered()) < args.events and time.perf_counter() - made < 120:
        webhook_delivery.deliver_due(limit=10_000)
    done = time.perf_counter()
    got = receiver.delivered()
    numbers = [r["json"]["data"]["ticket"]["number"] for r in got]
    print(f"webhook fan-out: {len(got)}/{args.events} delivered, in order: {numbers == sorted(numbers)}, "
          f"events written in {made - t:.1f} s, last delivered {done - made:.2f} s after the last commit "
          f"({len(got) / max(done - made, 1e-9):.0f} deliveries/s)")
    receiver.close()


if __name__ == "__main__":
    main()
