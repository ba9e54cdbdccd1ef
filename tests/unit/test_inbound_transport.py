"""The two ways mail comes in, against real servers: SMTP into our aiosmtpd receiver, and a
real Dovecot IMAP mailbox polled with imap-tools."""

from __future__ import annotations

import smtplib
import socket

import pytest
from sqlmodel import select

from helpdesk.domain.inbound import InboundMail
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services.inbound import addresses, imap, runner
from tests.support import dovecot
from tests.support.mailbuild import PNG, build
from tests.unit.test_inbound import world  # noqa: F401 - the same people and ticket


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bodies(number: int) -> list[str]:
    with session_scope() as s:
        t = s.exec(select(Ticket).where(Ticket.number == number)).one()
        return [m.body for m in s.exec(select(Message).where(Message.ticket_id == t.id).order_by(Message.id))]


@pytest.fixture
def receiver(world):  # noqa: F811
    controller = runner.start_smtp("127.0.0.1", _free_port())
    assert controller is not None
    yield controller
    controller.stop()
    runner._controller = None


def test_smtp_reply_lands_on_the_ticket_and_foreign_domains_are_refused(world, receiver):  # noqa: F811
    number = world["ticket"].number
    raw = build(to=addresses.reply_address(number), files=[("foto.png", PNG, "image/png")])
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=30) as smtp:
        refused = smtp.sendmail("ana@x.test", [addresses.reply_address(number)], raw)
        assert refused == {}
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("ana@x.test", ["someone@elsewhere.test"], raw)
    assert _bodies(number)[-1] == "Sigue sin funcionar desde el fijo."


def test_smtp_null_sender_adds_nothing(world, receiver):  # noqa: F811
    number = world["ticket"].number
    before = _bodies(number)
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=30) as smtp:
        smtp.sendmail("", [addresses.reply_address(number)], build(to=addresses.reply_address(number)))
    assert _bodies(number) == before


def test_receivers_start_only_under_serve(world, monkeypatch):  # noqa: F811
    port = _free_port()
    monkeypatch.setenv("HELPDESK_INBOUND_SMTP_PORT", str(port))
    monkeypatch.delenv(runner.SERVE_FLAG, raising=False)
    registered: list = []
    runner.start_from_env(lambda *job: registered.append(job))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert registered == []
    monkeypatch.setenv(runner.SERVE_FLAG, "1")
    runner.start_from_env(lambda *job: registered.append(job))
    assert [name for name, *_ in registered] == ["agent_mail"]
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        runner._controller.stop()
        runner._controller = None


@pytest.fixture(scope="module")
def imap_server():
    server = dovecot.start()
    yield server
    server.stop()


def _append(server, raw: bytes) -> None:
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted("127.0.0.1", server.port).login(server.user, server.password) as box:
        box.append(raw, "INBOX")


def _unseen(server) -> int:
    from imap_tools import AND, MailBoxUnencrypted

    with MailBoxUnencrypted("127.0.0.1", server.port).login(server.user, server.password) as box:
        return len(list(box.fetch(AND(seen=False), mark_seen=False)))


def test_imap_poll_takes_each_mail_once_across_a_crash(world, imap_server, monkeypatch):  # noqa: F811
    number = world["ticket"].number
    _append(imap_server, build(to=addresses.reply_address(number), body="Primera por IMAP.", message_id="<i1@x.test>"))
    _append(imap_server, build(sender="nueva@x.test", subject="Alta de línea nueva", body="Quiero una línea más.",
                               quoted=False, message_id="<i2@x.test>"))
    from imap_tools.mailbox import BaseMailBox

    real_flag = BaseMailBox.flag
    calls = {"n": 0}

    def crash_once(self, *a, **kw):  # the process dies after storing, before flagging
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("killed")
        return real_flag(self, *a, **kw)

    monkeypatch.setattr(BaseMailBox, "flag", crash_once)
    with pytest.raises(ConnectionError):
        imap.poll_once(imap_server.url())
    assert _unseen(imap_server) == 2  # nothing marked: nothing can be lost
    assert imap.poll_once(imap_server.url()) == 2  # "restart"
    assert _unseen(imap_server) == 0
    assert _bodies(number).count("Primera por IMAP.") == 1
    with session_scope() as s:
        assert s.exec(select(InboundMail.outcome).where(InboundMail.source == "imap").order_by(InboundMail.id)).all() == [
            "message", "ticket"]
    assert imap.poll_once(imap_server.url()) == 0


def test_imap_move_mode(world, imap_server):  # noqa: F811
    from imap_tools import MailBoxUnencrypted

    def inbox_size() -> int:
        with MailBoxUnencrypted("127.0.0.1", imap_server.port).login(imap_server.user, imap_server.password) as box:
            return len(list(box.fetch(mark_seen=False)))

    # Other tests may have left mails there (flagged seen), or not: the suite runs in shards.
    before = inbox_size()
    _append(imap_server, build(to=addresses.reply_address(world["ticket"].number), body="Movida.", message_id="<m1@x.test>"))
    assert inbox_size() == before + 1
    assert imap.poll_once(imap_server.url(move="Procesados")) == 1
    assert inbox_size() == before  # ours moved out; what was there stays
    with MailBoxUnencrypted("127.0.0.1", imap_server.port).login(imap_server.user, imap_server.password) as box:
        box.folder.set("Procesados")
        assert [m.text.strip().splitlines()[0] for m in box.fetch(mark_seen=False)] == ["Movida."]


def test_imap_url_parsing():
    t = imap.parse_url("imaps://soporte%40x.test:p%40ss@mail.x.test/Soporte?move=Hecho")
    assert (t.secure, t.host, t.port, t.user, t.password, t.folder, t.move_to) == (
        True, "mail.x.test", 993, "soporte@x.test", "p@ss", "Soporte", "Hecho")
    with pytest.raises(ValueError):
        imap.parse_url("http://x")


def test_original_eml_downloads_for_agents_only(world):  # noqa: F811
    from starlette.testclient import TestClient

    from helpdesk.services import accounts
    from helpdesk.services.inbound import receive
    from helpdesk.web.api import DOWNLOAD_COOKIE, build_api

    raw = build(to=addresses.reply_address(world["ticket"].number))
    inbound_id = receive(raw).inbound_id
    with session_scope() as s:
        agent_token = accounts.start_session(s, world["agent"])
        customer_token = accounts.start_session(s, world["ana"])
    client = TestClient(build_api())
    url = f"/api/inbound/{inbound_id}/original.eml"
    ok = client.get(url, cookies={DOWNLOAD_COOKIE: agent_token})
    assert ok.status_code == 200 and ok.content == raw and ok.headers["content-type"].startswith("message/rfc822")
    assert client.get(url, cookies={DOWNLOAD_COOKIE: customer_token}).status_code == 404
    assert client.get(url).status_code == 404
