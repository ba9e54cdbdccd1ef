"""Received mail: threading, who may write, quotes, files, loops, bounces, new tickets."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.inbound import InboundMail
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.infra.storage import get_store
from helpdesk.services import accounts, mail, seed, tickets
from helpdesk.services.inbound import addresses, receive
from tests.support.mailbuild import PNG, build, dsn


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.delenv("HELPDESK_SUPPORT_ADDRESS", raising=False)
    monkeypatch.delenv("HELPDESK_INBOUND_NEW", raising=False)
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0], **kw)  # noqa: E731
        people = {"ana": mk("ana@x.test"), "bob": mk("bob@x.test"), "agent": mk("agente@x.test", role=Role.AGENT)}
        service_id = s.exec(select(Service.id)).first()
    with session_scope() as s:
        draft = tickets.TicketDraft(subject="No puedo llamar", description="Desde esta mañana no salen las llamadas.",
                                    category="anomalia", service_id=service_id)
        ticket = tickets.create_ticket(s, people["ana"], draft)
    return {"service": service_id, "ticket": ticket, **people}


def _messages(number: int, internal: bool | None = None) -> list[Message]:
    with session_scope() as s:
        t = s.exec(select(Ticket).where(Ticket.number == number)).one()
        stmt = select(Message).where(Message.ticket_id == t.id).order_by(Message.id)
        return list(s.exec(stmt).all())


def test_signed_reply_address_threads_strips_quote_and_keeps_file_and_eml(world):
    number = world["ticket"].number
    raw = build(to=addresses.reply_address(number), subject="Re: otra cosa", files=[("captura.png", PNG, "image/png")])
    result = receive(raw)
    assert (result.outcome, result.reason, result.ticket_number) == ("message", "address", number)
    last = _messages(number)[-1]
    assert last.body == "Sigue sin funcionar desde el fijo."
    with session_scope() as s:
        att = s.exec(select(Attachment).where(Attachment.message_id == last.id)).one()
        row = s.get(InboundMail, result.inbound_id)
    assert get_store().read(att.sha256) == PNG and att.content_type == "image/png"
    assert get_store().read(row.eml_sha256) == raw


def test_references_thread_when_the_address_is_plain(world):
    number = world["ticket"].number
    raw = build(subject="sin número", headers={"References": f"<x@y> {addresses.thread_id(number)}"})
    assert receive(raw).outcome == "message"
    assert _messages(number)[-1].body.startswith("Sigue sin funcionar")


def test_forged_signature_and_stranger_add_nothing_and_get_one_answer_per_hour(world):
    number = world["ticket"].number
    forged = addresses.reply_address(number).replace(addresses.signature(number), "a" * addresses.SIG_CHARS)
    before = len(_messages(number))
    # bob may not see ana's ticket: neither the signed address nor the subject lets him write.
    for i in range(3):
        raw = build(sender="bob@x.test", to=addresses.reply_address(number), message_id=f"<b{i}@x.test>")
        assert receive(raw).outcome == "refused"
    assert receive(build(sender="bob@x.test", to=forged, subject="hola [#%d]" % number)).outcome != "message"
    assert receive(build(sender="mallory@evil.test", subject=f"Re: [#{number}]", to="otro@localhost")).outcome == "ignored"
    assert len(_messages(number)) == before
    with session_scope() as s:
        answers = s.exec(select(OutboxMail).where(OutboxMail.to_email == "bob@x.test")).all()
    assert len(answers) == 1 and "no puede escribir" in answers[0].text_body


def test_subject_number_counts_only_for_who_may_write(world):
    number = world["ticket"].number
    assert receive(build(subject=f"Re: [#{number}] No puedo llamar")).reason == "subject"


@pytest.mark.parametrize("headers,envelope", [
    ({"Auto-Submitted": "auto-replied"}, None),
    ({"X-Autoreply": "yes"}, None),
    ({"Precedence": "bulk"}, None),
    ({"Precedence": "list"}, None),
    ({"Precedence": "junk"}, None),
    ({}, "<>"),
])
def test_machine_mail_never_creates_anything(world, headers, envelope):
    number = world["ticket"].number
    before = len(_messages(number))
    raw = build(to=addresses.reply_address(number), headers=headers)
    assert receive(raw, envelope_from=envelope).outcome == "ignored"
    new = build(sender="nuevo@x.test", subject="Fuera de la oficina", headers=headers)
    assert receive(new, envelope_from=envelope).outcome == "ignored"
    with session_scope() as s:
        assert len(s.exec(select(Ticket)).all()) == 1
    assert len(_messages(number)) == before


def test_bounce_marks_the_returned_mail_failed_on_its_ticket(world):
    number = world["ticket"].number
    with session_scope() as s:
        row = s.exec(select(OutboxMail)).one()  # the confirmation of ticket creation
    original = mail._build_message(mail._Claimed(row.id, row.idempotency_key, row.to_email, row.subject, row.text_body,
                                                 "", 0, row.next_attempt_at, ticket_number=number), row.created_at)
    result = receive(dsn(original.as_bytes()), envelope_from="")
    assert result.outcome == "bounce"
    with session_scope() as s:
        assert s.get(OutboxMail, row.id).status == "failed"
        assert s.exec(select(TicketEvent).where(TicketEvent.kind == "mail_bounced")).one().to_value == "ana@x.test"
        assert len(s.exec(select(Ticket)).all()) == 1


def test_same_mail_twice_is_taken_once(world):
    raw = build(to=addresses.reply_address(world["ticket"].number))
    assert receive(raw).outcome == "message"
    assert receive(raw).outcome == "duplicate"


def test_agent_answers_a_notification_and_note_mark_makes_an_internal_note(world):
    number = world["ticket"].number
    to = addresses.reply_address(number)
    assert receive(build(sender="agente@x.test", to=to, body="Lo miramos hoy.")).outcome == "message"
    assert receive(build(sender="agente@x.test", to=to, body="#note\nParece la centralita.")).outcome == "note"
    msgs = _messages(number)
    assert (msgs[-2].body, msgs[-2].is_internal) == ("Lo miramos hoy.", False)
    assert (msgs[-1].body, msgs[-1].is_internal) == ("Parece la centralita.", True)
    with session_scope() as s:  # the customer got the agent's answer by mail
        assert s.exec(select(OutboxMail).where(OutboxMail.idempotency_key.like("reply:%"))).first() is not None


def test_customer_note_mark_is_just_text(world):
    number = world["ticket"].number
    assert receive(build(to=addresses.reply_address(number), body="#note hola")).outcome == "message"
    assert _messages(number)[-1].is_internal is False


def test_reply_to_a_closed_ticket_reopens_it(world):
    number = world["ticket"].number
    with session_scope() as s:
        tickets.change_status(s, world["agent"], number, "solved")
        tickets.change_status(s, world["agent"], number, "closed")
    assert receive(build(to=addresses.reply_address(number))).ticket_number == number
    with session_scope() as s:
        assert s.exec(select(Ticket.status).where(Ticket.number == number)).one() == "open"


def test_new_mail_from_unknown_sender_opens_a_guest_ticket_with_link(world):
    raw = build(sender="nueva@x.test", subject="Factura duplicada", body="Me habéis cobrado dos veces.", quoted=False)
    result = receive(raw)
    assert result.outcome == "ticket" and result.reason == "guest"
    with session_scope() as s:
        confirmation = s.exec(select(OutboxMail).where(OutboxMail.to_email == "nueva@x.test")).one()
    assert f"/tickets/{result.ticket_number}?k=" in confirmation.text_body


def test_new_mail_from_customer_with_similar_open_ticket_goes_to_that_ticket(world):
    result = receive(build(subject="No puedo llamar", body="Otra vez lo mismo esta tarde.", quoted=False))
    assert (result.outcome, result.reason, result.ticket_number) == ("message", "duplicate check", world["ticket"].number)
    other = receive(build(subject="Cambio de cuenta bancaria", body="Quiero cambiar el IBAN.", quoted=False))
    assert other.outcome == "ticket" and other.ticket_number != world["ticket"].number


def test_reject_mode_answers_with_the_portal(world, monkeypatch):
    monkeypatch.setenv("HELPDESK_INBOUND_NEW", "reject")
    assert receive(build(sender="nueva@x.test", subject="Hola", quoted=False)).outcome == "rejected"
    with session_scope() as s:
        answer = s.exec(select(OutboxMail).where(OutboxMail.to_email == "nueva@x.test")).one()
        assert len(s.exec(select(Ticket)).all()) == 1
    assert "/tickets/new" in answer.text_body


def test_html_only_mail_becomes_text_never_markup(world):
    number = world["ticket"].number
    html = "<html><body><p>Hola <b>equipo</b></p><script>alert(1)</script><img src=x onerror=alert(2)></body></html>"
    assert receive(build(to=addresses.reply_address(number), html=html)).outcome == "message"
    body = _messages(number)[-1].body
    assert "Hola equipo" in body and "<" not in body and "alert(2)" not in body


def test_refused_file_is_named_and_the_rest_kept(world):
    number = world["ticket"].number
    raw = build(to=addresses.reply_address(number), files=[("virus.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")])
    assert receive(raw).outcome == "message"
    assert "virus.exe" in _messages(number)[-1].body


def test_per_sender_rate_limit(world, monkeypatch):
    from helpdesk.services.inbound import service

    monkeypatch.setattr(service, "SENDER_LIMIT", (2, 3600))
    to = addresses.reply_address(world["ticket"].number)
    outcomes = [receive(build(to=to, message_id=f"<r{i}@x.test>")).outcome for i in range(3)]
    assert outcomes == ["message", "message", "rate_limited"]


def test_outgoing_ticket_mail_carries_reply_to_thread_and_auto_submitted(world):
    with session_scope() as s:
        row = s.exec(select(OutboxMail)).one()
    claimed = mail._Claimed(row.id, row.idempotency_key, row.to_email, row.subject, row.text_body, "", 0,
                            row.next_attempt_at, ticket_number=world["ticket"].number)
    msg = mail._build_message(claimed, row.created_at)
    number = world["ticket"].number
    assert msg["Reply-To"] == addresses.reply_address(number) and msg["Reply-To"].startswith(f"soporte+t{number}.")
    assert msg["In-Reply-To"] == msg["References"] == addresses.thread_id(number)
    assert msg["Auto-Submitted"] == "auto-replied" and msg["Message-ID"]
    human = mail._Claimed(1, "reply:5:ana@x.test", "ana@x.test", "s", "t", "", 0, row.next_attempt_at, ticket_number=number)
    assert mail._build_message(human, row.created_at)["Auto-Submitted"] == "auto-generated"


def test_claim_reads_the_ticket_number(world):
    mail.deliver_pending()  # no SMTP: logged; the claim path must not fail on ticket mails
    with session_scope() as s:
        assert s.exec(select(OutboxMail.status)).all() == ["sent"]
