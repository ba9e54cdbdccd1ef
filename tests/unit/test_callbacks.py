"""Call-backs: phone validation, business hours, the 5-minute target, take/finish on the ticket."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import Message
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, callbacks, seed, tickets
from helpdesk.services.errors import ServiceError, ValidationError

# A Tuesday, 10:00 in Madrid (default calendar: weekdays in business hours).
OPEN_AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
CLOSED_AT = datetime(2026, 12, 5, 22, 0, tzinfo=timezone.utc)  # Saturday night


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.flush()
        ana = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        agent = accounts.create_user(s, email="agente@x.test", password="password-123", name="Agente", role=Role.AGENT)
        service = s.exec(select(Service.id)).first()
        t = tickets.create_ticket(s, ana, tickets.TicketDraft(subject="Sin línea", description="No tengo línea desde ayer",
                                                              category="anomalia", service_id=service))
        return {"ana": ana, "agent": agent, "number": t.number, "ticket_id": t.id}


def test_phone_numbers_are_validated_and_normalised():
    assert callbacks.normalize_phone("600 123 456") == "+34600123456"
    assert callbacks.normalize_phone("+44 20 7946 0958") == "+442079460958"
    for bad in ("", "123", "hola", "+34 1"):
        with pytest.raises(ValidationError):
            callbacks.normalize_phone(bad)


def test_request_inside_hours_with_5_minute_target_and_agent_flow(world):
    with session_scope() as s:
        ana = s.get(type(world["ana"]), world["ana"].id)
        ticket = tickets.get_ticket(s, ana, world["number"])
        assert callbacks.availability(s, OPEN_AT).open_now
        row = callbacks.request(s, ana, ticket, "600123456", now=OPEN_AT)
        assert row.due_at == OPEN_AT + timedelta(minutes=5)
        again = callbacks.request(s, ana, ticket, "600123456", now=OPEN_AT)
        assert again.id == row.id  # no second call queued
        assert callbacks.target_state(row, OPEN_AT + timedelta(minutes=1)) == "ok"
        assert callbacks.target_state(row, OPEN_AT + timedelta(minutes=4)) == "due_soon"
        assert callbacks.target_state(row, OPEN_AT + timedelta(minutes=6)) == "breached"
        with pytest.raises(ServiceError):
            callbacks.queue(s, ana)
        agent = s.get(type(world["agent"]), world["agent"].id)
        [view] = callbacks.queue(s, agent, now=OPEN_AT)
        assert view.phone == "+34600123456" and view.ticket_number == world["number"]
        callbacks.take(s, agent, row.id)
        with pytest.raises(ValidationError):
            callbacks.finish(s, agent, row.id, "done", "")
        callbacks.finish(s, agent, row.id, "done", "Le hemos reiniciado la línea")
        assert callbacks.queue(s, agent) == []
        note = s.exec(select(Message).where(Message.ticket_id == world["ticket_id"], Message.is_internal == True)).one()  # noqa: E712
        assert "+34600123456" in note.body and "reiniciado" in note.body


def test_outside_hours_says_when_calls_resume(world):
    with session_scope() as s:
        ana = s.get(type(world["ana"]), world["ana"].id)
        ticket = tickets.get_ticket(s, ana, world["number"])
        avail = callbacks.availability(s, CLOSED_AT)
        assert not avail.open_now and avail.resumes_at > CLOSED_AT
        with pytest.raises(ServiceError):
            callbacks.request(s, ana, ticket, "600123456", now=CLOSED_AT)
