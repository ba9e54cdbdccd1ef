"""Crashes and outages: a process killed while opening tickets, database connections dropped
mid-run, a worker killed while sending mail."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter as Tally
from datetime import timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from tests.scale.conftest import REPO, _free_port

CREATOR = """
import itertools, sys
from sqlmodel import select
from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import tickets

with session_scope() as s:
    customer = s.exec(select(User).where(User.email == "ana@x.test")).one()
    service = s.exec(select(Service.id)).first()
print("ready", flush=True)
for i in itertools.count():
    with session_scope() as s:
        tickets.create_ticket(s, customer, tickets.TicketDraft(
            subject=f"Corte {i}", description="La línea se corta cada pocos minutos.",
            category="anomalia", service_id=service))
"""


def _prepare(db_url: str) -> None:
    from helpdesk.infra import migrations
    from helpdesk.infra.db import make_engine
    from helpdesk.domain.catalog import Service
    from helpdesk.domain.fair_use import FairUseLimits
    from helpdesk.domain.sla import Setting
    from helpdesk.services import accounts, fair_use, seed

    migrations.upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        # One customer opens tickets as fast as the process can: fair use (0 = off) would refuse
        # and annotate them, and this test is about crashes, not about limits.
        s.add(Setting(key=fair_use.SETTING_KEY, value=json.dumps({k: 0 for k in FairUseLimits().as_dict()})))
        s.commit()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, pg, tmp_path):
    url = f"sqlite:///{tmp_path / 'helpdesk.db'}" if request.param == "sqlite" else pg.create("fault")
    _prepare(url)
    return url


def test_a_process_killed_while_opening_tickets_leaves_each_ticket_whole_or_absent(any_db_url, tmp_path):
    env = {**os.environ, "HELPDESK_DB_URL": any_db_url, "HELPDESK_DATA_DIR": str(tmp_path), "HELPDESK_SECRET_KEY": "k"}
    env.pop("REFLEX_REDIS_URL", None)
    rng = random.Random(8)
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", CREATOR], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.3, 1.2))  # somewhere inside some create_ticket transaction
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    from helpdesk.infra.db import make_engine

    engine = make_engine(any_db_url)
    with engine.connect() as conn:
        q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
        numbers = [r[0] for r in q("SELECT number FROM tickets ORDER BY number")]
        counter = q("SELECT value FROM counters WHERE name = 'ticket'")[0][0]
        without_message = q("SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id)")
        without_mail = q(
            "SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = t.id)"
        )
        without_event = q(
            "SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id)"
        )
        orphan_messages = q("SELECT id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = m.ticket_id)")
        orphan_mails = q(
            "SELECT id FROM outbox o WHERE o.ticket_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = o.ticket_id)"
        )
        messages = q("SELECT count(*) FROM messages")[0][0]
        mails = q("SELECT count(*) FROM outbox")[0][0]
    engine.dispose()
    assert len(numbers) > 4, "the creator never got going"
    # A killed transaction takes its number with it: numbers stay gapless.
    assert numbers == list(range(1001, 1001 + len(numbers)))
    assert counter == numbers[-1]
    assert without_message == without_mail == without_event == orphan_messages == orphan_mails == []
    assert messages == mails == len(numbers)


def test_database_connections_dropped_mid_run_fail_the_request_cleanly_then_recover(pg, tmp_path, monkeypatch):
    url = pg.create("restart")
    _prepare(url)
    monkeypatch.setenv("HELPDESK_DB_URL", url)
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(tmp_path))
    from helpdesk.domain.accounts import User
    from helpdesk.infra import db, settings
    from helpdesk.infra.db import session_scope
    from helpdesk.services import accounts

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        with session_scope() as s:  # a pooled connection exists
            assert s.exec(select(User)).first() is not None
        # A request in flight when the database goes away fails with an error, and its
        # transaction leaves nothing behind.
        with pytest.raises(OperationalError):
            with session_scope() as s:
                accounts.create_user(s, email="mitad@x.test", password="password-123", name="Mitad")
                s.flush()
                assert pg.terminate_backends(url) >= 1
                s.exec(select(User)).all()
        assert pg.terminate_backends(url) >= 0  # the pool's idle connection is dead too
        # The next request gets a fresh connection (pool_pre_ping) and works.
        with session_scope() as s:
            accounts.create_user(s, email="despues@x.test", password="password-123", name="Después")
        with session_scope() as s:
            emails = set(s.exec(select(User.email)).all())
        assert "despues@x.test" in emails and "mitad@x.test" not in emails
    finally:
        db.get_engine().dispose()
        db.get_engine.cache_clear()
        settings.get_settings.cache_clear()


DELIVERER = """
from helpdesk.services import mail
print("sending", flush=True)
mail.deliver_pending()
print("finished", flush=True)
"""


class StallingSink:
    """A real SMTP server on loopback that records every accepted message, and stops answering
    right after accepting message number `stall_after` (the sender dies before hearing "250")."""

    def __init__(self, stall_after: int):
        self.received: list[str] = []
        self.stall_after = stall_after
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        msg = message_from_bytes(envelope.content)
        self.received.append(msg["Message-ID"])
        if len(self.received) == self.stall_after:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"


def test_outbox_survives_a_worker_killed_mid_send_and_delivers_every_mail(pg, tmp_path, monkeypatch):
    from aiosmtpd.controller import Controller

    from helpdesk.domain.mail import OutboxMail
    from helpdesk.infra.db import make_engine
    from helpdesk.services import mail

    url = pg.create("outbox")
    _prepare(url)
    engine = make_engine(url)
    with Session(engine) as s:
        for i in range(12):
            mail.queue_mail(s, to=f"c{i}@x.test", subject=f"Aviso {i}", text="Hola", idempotency_key=f"aviso:{i}")
        s.commit()
    sink = StallingSink(stall_after=5)
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = {
            **os.environ,
            "HELPDESK_DB_URL": url,
            "HELPDESK_DATA_DIR": str(tmp_path),
            "HELPDESK_SECRET_KEY": "k",
            "HELPDESK_SMTP_HOST": "127.0.0.1",
            "HELPDESK_SMTP_PORT": str(port),
        }
        worker = subprocess.Popen([sys.executable, "-c", DELIVERER], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
        assert worker.stdout.readline().strip() == "sending"
        assert sink.stalled.wait(30), "the worker never reached the fifth mail"
        worker.send_signal(signal.SIGKILL)  # mail 5 was accepted; the worker never learnt it
        worker.wait(timeout=10)
        sink.release.set()

        with Session(engine) as s:
            statuses = Tally(s.exec(select(OutboxMail.status)).all())
        assert statuses == {"sent": 4, "sending": 1, "queued": 7}

        # Another worker after the dead one's lease ran out (simulated clock: leases are minutes).
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        from helpdesk.infra import settings

        settings.get_settings.cache_clear()
        factory = lambda: _session_scope(engine)  # noqa: E731
        later = mail.utcnow() + mail.LEASE + timedelta(seconds=1)
        assert mail.deliver_pending(factory, now=later) == 8
        assert mail.deliver_pending(factory, now=later) == 0  # nothing is sent twice by the outbox itself
        settings.get_settings.cache_clear()
    finally:
        controller.stop()
    with Session(engine) as s:
        assert set(s.exec(select(OutboxMail.status)).all()) == {"sent"}
        keys = [r.idempotency_key for r in s.exec(select(OutboxMail).order_by(OutboxMail.id)).all()]
    engine.dispose()
    counts = Tally(sink.received)
    expected_ids = {mail._message_id(k, mail.get_settings().mail_from) for k in keys}
    assert set(counts) == expected_ids  # every mail arrived
    # At-least-once: the one mail in flight when the worker died arrives twice, with the same
    # Message-ID (so receivers can drop it); every other mail arrives exactly once.
    assert sorted(counts.values()) == [1] * 11 + [2]


from contextlib import contextmanager  # noqa: E402


@contextmanager
def _session_scope(engine):
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
