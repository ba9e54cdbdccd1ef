"""Issue 16, end to end through a real SMTP connection into the app's own receiver: a customer
answers the ticket mail from their mail client (quoted history, signature, a file); the agent's
open page shows it live, without the quote, and the file downloads byte for byte. A stranger,
an auto-reply and a bounce sent to the same address add nothing."""

from __future__ import annotations

import smtplib
import time
import uuid
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import make_msgid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import INBOUND_PORT, login
from tests.support.e2e_db import app_database

AGENT = ("agente@demo.test", "agente-demo-1")
CUSTOMER = "cliente@demo.test"
LOG = b"2026-12-05 10:00:01 SIP/2.0 408 Request Timeout\n2026-12-05 10:00:31 SIP/2.0 408 Request Timeout\n"


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _open_ticket(session_scope, subject: str) -> int:
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.services import tickets

    with session_scope() as s:
        customer = s.exec(select(User).where(User.email == CUSTOMER)).one()
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        draft = tickets.TicketDraft(subject=subject, description="La centralita se reinicia sola cada hora.",
                                    category="anomalia", service_id=service_id)
        return tickets.create_ticket(s, customer, draft).number


def _ticket_mail(sink, number: int, timeout: float = 30):
    """The confirmation mail of ticket `number` as the customer's mail client received it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for msg in list(sink.messages):
            if CUSTOMER in str(msg["To"]).lower() and f"#{number}" in str(msg["Subject"]):
                return msg
        time.sleep(0.25)
    raise AssertionError(f"no mail about #{number} reached {CUSTOMER}")


def _deliver(msg: EmailMessage, *, mail_from: str) -> str:
    """One SMTP transaction with the app's receiver; returns its answer to DATA."""
    with smtplib.SMTP("127.0.0.1", INBOUND_PORT, timeout=30) as smtp:
        smtp.ehlo("mail.example.test")
        code, _ = smtp.mail(mail_from)
        assert code == 250
        for rcpt in msg.get_all("To"):
            code, answer = smtp.rcpt(rcpt)
            assert code == 250, answer
        code, answer = smtp.data(msg.as_bytes(policy=SMTP_POLICY))  # CRLF, as mail clients send
        assert code == 250, answer
        return answer.decode()


def _answer(original, *, sender: str, body: str, **headers) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = str(original["Reply-To"])
    msg["Subject"] = f"Re: {original['Subject']}"
    msg["Message-ID"] = make_msgid(domain="example.test")
    msg["In-Reply-To"] = str(original["Message-ID"])
    msg["References"] = str(original["Message-ID"])
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def _bounce(original) -> EmailMessage:
    """A delivery status notification about our mail, as a mail server sends it."""
    from email import message_from_bytes, policy

    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@example.test>\r\n"
        f"To: {original['Reply-To']}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='example.test')}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"\r\n\r\n'
        "--dsn\r\nContent-Type: text/plain\r\n\r\nThis is the mail system: your message could not be delivered.\r\n"
        "--dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; example.test\r\n\r\n"
        f"Final-Recipient: rfc822; {CUSTOMER}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--dsn--\r\n"
    )
    return message_from_bytes(raw.encode(), policy=policy.default)


def test_a_mailed_reply_reaches_the_agents_open_page_and_strangers_add_nothing(page, app_db, smtp_sink):
    subject = f"Centralita reiniciándose {uuid.uuid4().hex[:6]}"
    number = _open_ticket(app_db, subject)
    original = _ticket_mail(smtp_sink, number)
    assert original["Reply-To"] and original["Message-ID"]

    login(page, *AGENT)
    page.goto(f"/agent/tickets/{number}")
    expect(page.get_by_test_id("ticket-message")).to_have_count(1)

    # Three mails that must add nothing: someone who may not write there, an out-of-office
    # answer from the customer's own address, and a bounce (null sender, a DSN).
    stranger = _answer(original, sender="curioso@otro.test", body="¿Me contáis qué pasa con esto?")
    assert "(message)" not in _deliver(stranger, mail_from="curioso@otro.test")
    holiday = _answer(original, sender=CUSTOMER, body="Estoy de vacaciones hasta el lunes.",
                      Auto_Submitted="auto-replied")
    assert "(message)" not in _deliver(holiday, mail_from=CUSTOMER)
    assert "(message)" not in _deliver(_bounce(original), mail_from="<>")

    # The customer's real answer: text on top, the quoted mail and a signature below, a log file.
    reply = _answer(original, sender=f"Lucía Fernández <{CUSTOMER}>", body=(
        "He reiniciado la centralita y sigue igual: adjunto el registro.\n\n"
        "-- \nLucía Fernández\nTalleres Ruiz\n\n"
        f"El vie, 5 dic 2026 a las 10:00, Soporte <{original['From'].addresses[0].addr_spec}> escribió:\n"
        "> Hemos recibido tu consulta y la estamos revisando.\n> Un saludo\n"
    ))
    reply.add_attachment(LOG, maintype="text", subtype="plain", filename="registro-centralita.txt")
    assert "(message)" in _deliver(reply, mail_from=CUSTOMER)

    # Live: no reload. Exactly one new message, without the quote or the signature.
    messages = page.get_by_test_id("ticket-message")
    expect(messages).to_have_count(2, timeout=30_000)
    last = messages.last
    expect(last).to_contain_text("sigue igual")
    expect(last).not_to_contain_text("escribió")
    expect(last).not_to_contain_text("Hemos recibido tu consulta")
    expect(last).not_to_contain_text("vacaciones")
    link = last.get_by_test_id("attachment-link")
    expect(link).to_contain_text("registro-centralita.txt")
    assert page.request.get(link.get_attribute("href")).body() == LOG
    page.reload()
    expect(page.get_by_test_id("ticket-message")).to_have_count(2)
    # The mail as it came stays available to agents (disputes: "I did send it"); the web message has none.
    expect(page.get_by_test_id("message-original-eml")).to_have_count(1)
    eml = page.request.get(page.get_by_test_id("ticket-message").last.get_by_test_id("message-original-eml").get_attribute("href"))
    assert eml.status == 200 and eml.headers["content-type"].startswith("message/rfc822")
    assert b"Hemos recibido tu consulta" in eml.body() and b"registro-centralita.txt" in eml.body()  # whole, quote and all
    anonymous = page.context.browser.new_context(base_url=page.url.split("/agent")[0])
    assert anonymous.request.get(eml.url).status == 404
    anonymous.close()
    expect(page.get_by_text("curioso@otro.test")).to_have_count(0)
