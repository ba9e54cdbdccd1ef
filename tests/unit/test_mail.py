"""Mail templates, the outbox and its delivery to a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.mail import OutboxMail
from helpdesk.infra.settings import get_settings
from helpdesk.services import mail

FROM = "Soporte <soporte@example.com>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self, reject_rcpt: bool = False):
        self.reject_rcpt = reject_rcpt
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


def use_smtp(monkeypatch, port: int) -> None:
    monkeypatch.setenv("HELPDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HELPDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("HELPDESK_MAIL_FROM", FROM)
    get_settings.cache_clear()


def start_server(handler) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@pytest.fixture
def smtp(db, monkeypatch):
    sink = Sink()
    controller, port = start_server(sink)
    use_smtp(monkeypatch, port)
    yield sink
    controller.stop()
    get_settings.cache_clear()


def queue(session: Session, key: str, to: str = "ana@example.com", **kw) -> bool:
    subject, text, html = mail.render_mail(
        "ticket_created", "es", name="Ana", ticket_number=1042, subject="No puedo entrar",
        expected_response="24 horas", link="http://localhost:3000/tickets/1042?t=abc",
    )
    return mail.queue_mail(session, to=to, subject=subject, text=text, html=html, idempotency_key=key, **kw)


def rows(db) -> list[OutboxMail]:
    with Session(db) as s:
        return list(s.exec(select(OutboxMail).order_by(OutboxMail.id)).all())


# --- rendering ---------------------------------------------------------------------------

CONTEXTS = {
    "ticket_created": dict(ticket_number=1042, subject="S", expected_response="3 días", link="L"),
    "agent_reply": dict(ticket_number=1042, subject="S", agent_name="Luis", body="B", files=[], link="L"),
    "status_changed": dict(ticket_number=1042, subject="S", status="pending", link="L"),
    "ticket_solved_survey": dict(ticket_number=1042, subject="S", good_link="G", bad_link="X", link="L"),
    "welcome": dict(link="L"),
}


@pytest.mark.parametrize("template", sorted(CONTEXTS))
@pytest.mark.parametrize("locale", ["es", "en"])
def test_every_template_renders_in_both_languages(template, locale):
    subject, text, html = mail.render_mail(template, locale, name="Ana", **CONTEXTS[template])
    assert subject and "\n" not in subject
    assert "Ana" in text and "Ana" in html
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{locale}">' in html
    if template != "welcome":
        assert "#1042" in subject and "#1042" in text
    greeting = {"es": "Hola", "en": "Hello"}[locale]
    assert text.startswith(greeting) and greeting in html


def test_survey_has_one_click_links_and_status_is_translated():
    _, text, html = mail.render_mail("ticket_solved_survey", "en", name="A", **CONTEXTS["ticket_solved_survey"])
    assert 'href="G"' in html and 'href="X"' in html and "Good: G" in text and "Bad: X" in text
    subject, text, _ = mail.render_mail("status_changed", "es", name="A", **CONTEXTS["status_changed"])
    assert "pendiente de tu respuesta" in subject and "pendiente de tu respuesta" in text


@pytest.mark.parametrize("locale", ["es", "en"])
def test_agent_reply_names_attached_files_escaped(locale):
    files = ["factura.pdf", '<img src=x onerror="alert(1)">.png']
    _, text, html = mail.render_mail("agent_reply", locale, name="Ana", **{**CONTEXTS["agent_reply"], "files": files})
    assert "- factura.pdf" in text and files[1] in text
    assert "<li>factura.pdf</li>" in html and "<img" not in html and "&lt;img src=x" in html
    _, text, html = mail.render_mail("agent_reply", locale, name="Ana", **CONTEXTS["agent_reply"])
    assert "factura" not in text and "<ul" not in html


def test_html_escapes_user_content_and_text_keeps_it():
    evil = '<script>alert("x")</script> & co'
    subject, text, html = mail.render_mail(
        "agent_reply", "en", name=evil, ticket_number=7, subject=evil, agent_name=evil, files=[],
        body=f"line one\n{evil}\nline three", link='http://h/t?a=1&b="><img src=x>',
    )
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in html
    assert "line one<br>\n&lt;script&gt;" in html
    assert 'href="http://h/t?a=1&amp;b=&#34;&gt;&lt;img src=x&gt;"' in html
    assert evil in text and evil in subject
    assert "line one\n" + evil + "\nline three" in text


def test_locale_fallback_and_mistakes():
    assert mail.render_mail("welcome", "en-GB", name="A", link="L")[0] == "Welcome to the help center"
    assert mail.render_mail("welcome", "fr", name="A", link="L")[0].startswith("Te damos")
    assert mail.render_mail("welcome", None, name="A", link="L")[0].startswith("Te damos")
    with pytest.raises(ValueError):
        mail.render_mail("../../etc/passwd", "es", name="A")
    with pytest.raises(NameError):
        mail.render_mail("welcome", "es", name="A")  # no link


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    assert [mail.backoff(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)
    ]


# --- queueing ----------------------------------------------------------------------------


def test_queue_is_idempotent_and_in_the_callers_transaction(db):
    with Session(db) as s:
        assert queue(s, "ticket:1:created") is True
        assert queue(s, "ticket:1:created") is False
        assert queue(s, "ticket:1:created", to="other@example.com") is False
        assert queue(s, "ticket:2:created") is True
        s.commit()
    assert [r.idempotency_key for r in rows(db)] == ["ticket:1:created", "ticket:2:created"]
    with Session(db) as s:
        assert queue(s, "ticket:3:created") is True
        s.rollback()
    assert len(rows(db)) == 2
    with Session(db) as s:
        assert queue(s, "ticket:1:created") is False  # also across transactions
        long_key = "cc:" + "x" * 300 + "@example.com"
        assert queue(s, long_key) is True and queue(s, long_key) is False
        s.commit()
    row = rows(db)[0]
    assert (row.status, row.attempts, row.to_email) == ("queued", 0, "ana@example.com")
    assert row.subject.startswith("[#1042]") and "No puedo entrar" in row.text_body
    assert len(rows(db)) == 3


def test_queue_refuses_bad_recipients_and_flattens_subjects(db):
    with Session(db) as s:
        with pytest.raises(ValueError):
            mail.queue_mail(s, to="not an address", subject="x", text="x", idempotency_key="k1")
        with pytest.raises(ValueError):
            mail.queue_mail(s, to="a@b.c\r\nBcc: x@y.z", subject="x", text="x", idempotency_key="k2")
        mail.queue_mail(s, to="A@Example.com", subject="Hi\r\nBcc: evil@x.y", text="t", idempotency_key="k3")
        s.commit()
    row = rows(db)[0]
    assert row.subject == "Hi Bcc: evil@x.y" and row.to_email == "a@example.com"


# --- delivery ----------------------------------------------------------------------------


def test_delivery_to_a_real_smtp_server(smtp, db):
    with Session(db) as s:
        queue(s, "ticket:1042:created", ticket_id=None)
        s.commit()
    assert mail.deliver_pending() == 1
    assert len(smtp.messages) == 1
    mail_from, rcpt, msg = smtp.messages[0]
    assert mail_from == "soporte@example.com" and rcpt == ["ana@example.com"]
    assert msg["From"] == FROM and msg["To"] == "ana@example.com"
    assert msg["Subject"] == "[#1042] Hemos recibido tu solicitud: No puedo entrar"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"] == mail._message_id("ticket:1042:created", FROM)
    assert msg["Message-ID"].endswith("@example.com>")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "número #1042" in text and "http://localhost:3000/tickets/1042?t=abc" in text
    assert "<strong>#1042</strong>" in html
    row = rows(db)[0]
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    assert mail.deliver_pending() == 0 and len(smtp.messages) == 1


def test_without_smtp_mail_is_logged_and_marked_sent(db, caplog):
    assert get_settings().smtp_host is None
    with Session(db) as s:
        queue(s, "k")
        s.commit()
    with caplog.at_level(logging.INFO, logger="helpdesk.mail"):
        assert mail.deliver_pending() == 1
    assert any("ana@example.com" in r.getMessage() and "#1042" in r.getMessage() for r in caplog.records)
    assert rows(db)[0].status == "sent"


def test_refused_connection_backs_off_then_gives_up(db, monkeypatch):
    use_smtp(monkeypatch, free_port())  # nothing listens there
    with Session(db) as s:
        queue(s, "k")
        s.commit()
    now = utcnow()
    waits = []
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        assert mail.deliver_pending(now=now) == 0
        row = rows(db)[0]
        assert row.attempts == attempt
        assert "ConnectionRefusedError" in row.last_error
        if attempt < mail.MAX_ATTEMPTS:
            assert row.status == "queued"
            waits.append(row.next_attempt_at - now)
            # Not due yet: nothing is tried before the backoff has passed.
            assert mail.deliver_pending(now=row.next_attempt_at - timedelta(seconds=1)) == 0
            assert rows(db)[0].attempts == attempt
            now = row.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]
    row = rows(db)[0]
    assert row.status == "failed" and row.sent_at is None
    assert mail.deliver_pending(now=now + timedelta(days=1)) == 0
    assert rows(db)[0].attempts == mail.MAX_ATTEMPTS


def test_rejected_recipient_fails_without_retrying(db, monkeypatch):
    controller, port = start_server(Sink(reject_rcpt=True))
    try:
        use_smtp(monkeypatch, port)
        with Session(db) as s:
            queue(s, "k")
            s.commit()
        assert mail.deliver_pending() == 0
    finally:
        controller.stop()
    row = rows(db)[0]
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error


def test_two_concurrent_workers_never_send_a_mail_twice(smtp, db):
    with Session(db) as s:
        for i in range(20):
            queue(s, f"bulk:{i}", to=f"user{i}@example.com")
        s.commit()
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        barrier.wait()
        counts.append(mail.deliver_pending())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(counts) == 20
    ids = [msg["Message-ID"] for _, _, msg in smtp.messages]
    assert len(ids) == 20 and len(set(ids)) == 20
    assert {r.status for r in rows(db)} == {"sent"}


def test_a_lapsed_claim_is_taken_over_and_the_late_worker_cannot_overwrite(smtp, db):
    with Session(db) as s:
        queue(s, "k")
        s.commit()
    now = utcnow()
    stale = mail._claim(mail.session_scope, rows(db)[0].id, now)  # a worker that then hangs
    assert stale is not None
    assert mail.deliver_pending(now=now) == 0  # leased: nobody else may take it
    later = now + mail.LEASE + timedelta(seconds=1)
    assert mail.deliver_pending(now=later) == 1
    assert len(smtp.messages) == 1
    mail._finish(mail.session_scope, stale, status="queued", attempts=99)  # the hung worker wakes up
    row = rows(db)[0]
    assert (row.status, row.attempts) == ("sent", 1)


def test_outbox_worker_thread_delivers_until_stopped(db):
    stop = threading.Event()
    thread = threading.Thread(target=mail.run_outbox_worker, args=(stop, 0.05), daemon=True)
    thread.start()
    try:
        with Session(db) as s:
            queue(s, "k")
            s.commit()
        deadline = time.monotonic() + 10
        while rows(db)[0].status != "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rows(db)[0].status == "sent"
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
