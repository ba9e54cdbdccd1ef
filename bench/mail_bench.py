"""E-mail channel benchmark: SMTP accept -> visible on the ticket (p95, goal < 2 s) and
parse-and-thread throughput (goal >= 50 mails/s) on SQLite with 100,000 tickets.

    PYTHONPATH=. .venv/bin/python bench/mail_bench.py [--tickets 100000] [--mails 300]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--mails", type=int, default=300)
    ap.add_argument("--smtp", type=int, default=100)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mail-bench-")
    os.environ.update(HELPDESK_DATA_DIR=tmp, HELPDESK_SECRET_KEY="bench")
    os.environ.pop("HELPDESK_DB_URL", None)
    from sqlalchemy import text
    from sqlmodel import select

    from helpdesk.domain.catalog import Service
    from helpdesk.domain.tickets import Message, Ticket
    from helpdesk.infra import migrations
    from helpdesk.infra.db import get_engine, session_scope
    from helpdesk.services import accounts, seed
    from helpdesk.services.inbound import addresses, runner, thread
    from helpdesk.services.inbound.parse import parse
    from tests.support.mailbuild import build

    migrations.upgrade()
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        user = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
    t0 = time.perf_counter()
    with get_engine().begin() as conn:
        rows = [{"n": 1001 + i, "u": user.id} for i in range(args.tickets)]
        conn.execute(text(
            "INSERT INTO tickets (number, subject, category, status, requester_id, created_at, updated_at,"
            " last_activity_at, version, locale) VALUES (:n, 'No puedo llamar', 'anomalia', 'open', :u,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 'es')"), rows)
    print(f"seeded {args.tickets} tickets in {time.perf_counter() - t0:.1f} s")

    import random

    mails = []
    for i in range(args.mails):
        n = random.randint(1001, 1000 + args.tickets)
        how = i % 3
        kw = {"to": addresses.reply_address(n)} if how == 0 else (
            {"headers": {"References": addresses.thread_id(n)}} if how == 1 else {"subject": f"Re: [#{n}] x"})
        mails.append(build(**kw))
    t0 = time.perf_counter()
    found = 0
    with session_scope() as s:
        for raw in mails:
            mail = parse(raw)
            ticket, _ = thread.find_ticket(s, mail, mail.recipients, lambda t: True)
            found += ticket is not None
    elapsed = time.perf_counter() - t0
    print(f"parse+thread: {args.mails} mails in {elapsed:.2f} s = {args.mails / elapsed:.0f} mails/s ({found} threaded)")

    from helpdesk.services.inbound import service

    service.SENDER_LIMIT = (10**6, 3600)  # one sender plays every customer here
    controller = runner.start_smtp("127.0.0.1", _free_port())
    latencies = []
    with smtplib.SMTP(controller.hostname, controller.port) as smtp:
        for i in range(args.smtp):
            n = random.randint(1001, 1000 + args.tickets)
            body = f"Respuesta de prueba {i}."
            t0 = time.perf_counter()
            smtp.sendmail("ana@x.test", [addresses.reply_address(n)], build(to=addresses.reply_address(n), body=body))
            with session_scope() as s:
                tid = s.exec(select(Ticket.id).where(Ticket.number == n)).one()
                assert s.exec(select(Message.id).where(Message.ticket_id == tid, Message.body == body)).first()
            latencies.append(time.perf_counter() - t0)
    controller.stop()
    q = statistics.quantiles(latencies, n=20)
    print(f"SMTP accept -> visible: {args.smtp} replies, p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {q[18] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
