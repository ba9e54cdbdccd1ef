"""Fair use holds on every channel: the API answers 429 with the readable reason, and mail
past a hard limit adds nothing but tells the sender why (never a silent drop)."""

from __future__ import annotations

from sqlmodel import select

from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import fair_use
from helpdesk.services.inbound import receive
from tests.support.api_world import auth, build_world, client
from tests.support.mailbuild import build

LIMITS = dict(messages_per_ticket_hour=1, tickets_per_day=1, org_tickets_per_day=0, questions_per_ticket=0, repeated_per_week=0)


def _limits(world) -> None:
    with session_scope() as s:
        fair_use.set_limits(s, s.get(type(world["users"]["admin"]), world["users"]["admin"].id), LIMITS)


def test_api_refuses_past_the_hard_limit_with_429_and_the_reason(db):
    world = build_world()
    _limits(world)
    c = client()
    h = auth(world["tokens"]["customer"])
    new = lambda subject: {"service": "Telefonía móvil", "category": "consulta", "subject": subject,  # noqa: E731
                           "description": "Una consulta sobre la tarifa contratada."}
    opened = c.post("/api/v1/tickets", headers=h, json=new("Tarifa de datos"))  # the customer's 2nd today: soft
    assert opened.status_code == 201 and opened.json()["priority"] == "low"
    refused = c.post("/api/v1/tickets", headers={**h, "Accept-Language": "en"}, json=new("Roaming en Francia"))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["code"] == "fair_use.refused_tickets"
    with session_scope() as s:
        assert s.exec(select(Ticket).where(Ticket.subject == "Roaming en Francia")).first() is None


def test_mail_past_the_limit_adds_nothing_and_the_sender_reads_why_once_an_hour(db):
    world = build_world()
    _limits(world)
    with session_scope() as s:
        number = s.exec(select(Ticket.number).where(Ticket.requester_id == world["users"]["customer"].id)).first()
    # The ticket's first message and one reply: the 2nd in the hour is past 1 (soft), the 3rd too (hard at 2).
    assert receive(build(subject=f"Re: [#{number}] x", body="Más datos del fallo.", quoted=False)).outcome == "message"
    refused = receive(build(subject=f"Re: [#{number}] x", body="Y otro dato más.", quoted=False))
    assert (refused.outcome, refused.reason) == ("refused", "fair_use.refused_messages")
    again = receive(build(subject=f"Re: [#{number}] x", body="¿Me leéis?", quoted=False))
    assert again.outcome == "refused"
    with session_scope() as s:
        bodies = [m.body for m in s.exec(select(Message).join(Ticket).where(Ticket.number == number)).all()]
        assert not any("Y otro dato" in b or "Me leéis" in b for b in bodies)
        told = s.exec(select(OutboxMail).where(OutboxMail.to_email == "ana@x.test",
                                               OutboxMail.subject.like("%uso razonable%"))).all()
        assert len(told) == 1 and "No hemos guardado este" in told[0].text_body


def test_new_ticket_by_mail_past_the_limit_is_refused_with_a_mail(db):
    world = build_world()
    _limits(world)
    first = receive(build(subject="Cambio de tarifa", body="Quiero cambiar de tarifa.", quoted=False))
    assert first.outcome == "ticket"  # the 2nd today: soft, opened at low priority
    refused = receive(build(subject="Portabilidad de número", body="Quiero traer mi número.", quoted=False))
    assert (refused.outcome, refused.reason) == ("refused", "fair_use.refused_tickets")
    with session_scope() as s:
        assert s.exec(select(Ticket).where(Ticket.subject == "Portabilidad de número")).first() is None
        assert s.exec(select(OutboxMail).where(OutboxMail.to_email == "ana@x.test",
                                               OutboxMail.subject.like("%uso razonable%"))).first() is not None
