"""Escalation rules: threshold in business time, exactly once per ticket and rule, in the history."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.escalation import EscalationRun
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Ticket, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, escalation, seed, tickets
from helpdesk.services.errors import PermissionDenied, ValidationError

MADRID = ZoneInfo("Europe/Madrid")


def mad(*a):
    return datetime(*a, tzinfo=MADRID)


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.flush()
        ids = {"service": s.exec(select(Service.id)).first()}
        for key, spec in {"customer": dict(email="c@x.test", name="C"), "agent": dict(email="a@x.test", name="A", role=Role.AGENT),
                          "boss": dict(email="b@x.test", name="B", role=Role.AGENT),
                          "admin": dict(email="ad@x.test", name="Ad", role=Role.ADMIN)}.items():
            ids[key] = accounts.create_user(s, password="password-123", **spec).id
        # Monday 10:00, a consulta of medium priority: first answer due in 8 business hours.
        t = tickets.create_ticket(s, s.get(accounts.User, ids["customer"]), tickets.TicketDraft(
            subject="Duda con la factura", description="No entiendo un cargo de la factura", category="consulta",
            service_id=ids["service"]), now=mad(2026, 3, 2, 10))
        ids["number"] = t.number
    return ids


def test_rules_fire_once_at_their_threshold_and_are_recorded(world):
    with session_scope() as s:
        admin = s.get(accounts.User, world["admin"])
        escalation.create_rule(s, admin, "Aviso al 50 %", "first_response", 50, "notify_team")
        escalation.create_rule(s, admin, "Incumplido", "first_response", 100, "raise_priority")
        escalation.create_rule(s, admin, "Al jefe", "first_response", 75, "reassign", world["boss"])
    # Monday 13:00: 3 of 8 business hours (37 %): nothing yet.
    assert escalation.run_pass(now=mad(2026, 3, 2, 13)) == 0
    # Monday 16:00: 6 of 8 (75 %): the 50 % and 75 % rules; a second pass adds nothing.
    assert escalation.run_pass(now=mad(2026, 3, 2, 16)) == 2
    assert escalation.run_pass(now=mad(2026, 3, 2, 16, 30)) == 0
    # Tuesday 10:00: missed.
    assert escalation.run_pass(now=mad(2026, 3, 3, 10)) == 1
    assert escalation.run_pass(now=mad(2026, 3, 3, 11)) == 0
    with session_scope() as s:
        t = s.exec(select(Ticket)).one()
        assert t.assignee_id == world["boss"] and t.priority == "high"
        kinds = [e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()]
        assert kinds.count("escalation") == 3 and "assignee" in kinds and "priority" in kinds
        assert len(s.exec(select(EscalationRun)).all()) == 3
        assert any("Escalado" in m.subject for m in s.exec(select(OutboxMail)).all())
        assert escalation.count_since(s, mad(2026, 3, 1)) == 3


def test_only_admins_write_rules_and_bad_input_is_explained(world):
    with session_scope() as s:
        with pytest.raises(PermissionDenied):
            escalation.create_rule(s, s.get(accounts.User, world["agent"]), "x", "first_response", 50, "notify_team")
        with pytest.raises(ValidationError) as err:
            escalation.create_rule(s, s.get(accounts.User, world["admin"]), "", "nope", 0, "reassign", world["customer"])
        assert set(err.value.errors) == {"name", "deadline", "threshold", "target"}
