"""Fair use: limits per requester and organization, waiting longer past the soft limit, a
readable refusal past the hard one, set by admins, the same for every channel."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from helpdesk import i18n
from helpdesk.domain.accounts import Organization, Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.fair_use import FairUseLimits, FairUseSignal, count_questions, judge
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, fair_use, seed, tickets
from helpdesk.services.errors import PermissionDenied, ValidationError
from helpdesk.services.fair_use import FairUseRefused

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)  # a Wednesday


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        s.flush()
        ids = {"service": s.exec(select(Service.id)).first()}
        ids["c1"] = accounts.create_user(s, email="c1@acme.test", password="password-123", name="C1", org_name="Acme").id
        acme = s.exec(select(Organization).where(Organization.name == "Acme")).one()
        ids["c2"] = accounts.create_user(s, email="c2@acme.test", password="password-123", name="C2").id
        s.get(accounts.User, ids["c2"]).organization_id = acme.id
        ids["agent"] = accounts.create_user(s, email="a@x.test", password="password-123", name="A", role=Role.AGENT).id
        ids["admin"] = accounts.create_user(s, email="ad@x.test", password="password-123", name="Ad", role=Role.ADMIN).id
        fair_use.set_limits(s, s.get(accounts.User, ids["admin"]), dict(
            messages_per_ticket_hour=2, tickets_per_day=2, org_tickets_per_day=3, questions_per_ticket=2, repeated_per_week=0))
    return ids


def new(s, world, who, subject, text="No funciona ninguna extensión", at=NOW):
    d = tickets.TicketDraft(subject=subject, description=text, category="consulta", service_id=world["service"])
    return tickets.create_ticket(s, s.get(accounts.User, world[who]), d, now=at)


def test_domain_rules():
    assert judge("tickets", 3, 3) is None
    assert judge("tickets", 4, 3).hard is False
    assert judge("tickets", 7, 3).hard is True
    assert judge("tickets", 99, 0) is None  # 0 switches it off
    assert count_questions("¿Cómo exporto? ¿Y cómo importo? Gracias.") == 2
    assert count_questions("No funciona nada.") == 0
    assert FairUseLimits.from_dict({"tickets_per_day": -3, "messages_per_ticket_hour": 4}).tickets_per_day == 10


def test_past_the_soft_limit_the_ticket_waits_longer_and_says_why(world):
    with session_scope() as s:
        a = new(s, world, "c1", "Centralita caída")
        new(s, world, "c1", "Factura de noviembre")
        third = new(s, world, "c1", "Buzón de voz")
        assert a.priority != "low" or a.priority is None
        assert third.priority == "low"
        body = s.exec(select(Message.body).where(Message.ticket_id == third.id, Message.author_id == None)).one()  # noqa: E711
        assert "3 tickets" in body and "prioridad baja" in body
        row = s.exec(select(FairUseSignal).where(FairUseSignal.ticket_id == third.id)).one()
        assert (row.kind, row.count, row.limit) == ("tickets", 3, 2)
        assert fair_use.describe(row, "en") == "Fair use: 3 tickets from this customer in 24 h (limit 2)"


def test_past_the_hard_limit_nothing_opens_and_the_customer_reads_until_when(world):
    with session_scope() as s:
        for i in range(4):
            new(s, world, "c1", f"Asunto distinto {i}", at=NOW + timedelta(minutes=i))
    with pytest.raises(FairUseRefused) as err:
        with session_scope() as s:
            new(s, world, "c1", "Otro más", at=NOW + timedelta(hours=1))
    e = err.value
    assert e.params["count"] == 5 and e.params["limit"] == 2
    assert e.params["minutes"] == 23 * 60  # the oldest one leaves the 24-hour window then
    text = i18n.translate(e.code, "en", **e.params)
    assert "not opened" in text and "1380 min" in text
    with session_scope() as s:
        assert s.exec(select(Ticket).where(Ticket.subject == "Otro más")).first() is None


def test_the_organization_limit_counts_every_member(world):
    with session_scope() as s:
        new(s, world, "c1", "Uno")
        new(s, world, "c2", "Dos")
        new(s, world, "c2", "Tres")
        t = new(s, world, "c1", "Cuatro")
        kinds = {r.kind for r in s.exec(select(FairUseSignal).where(FairUseSignal.ticket_id == t.id))}
        assert "org_tickets" in kinds


def test_several_questions_are_flagged_without_slowing_the_ticket(world):
    with session_scope() as s:
        t = new(s, world, "c1", "Dudas", text="¿Cómo exporto? ¿Cómo importo? ¿Dónde está el manual?")
        assert t.priority != "low"
        assert "3 preguntas" in s.exec(select(Message.body).where(Message.ticket_id == t.id, Message.author_id == None)).one()  # noqa: E711


def test_messages_per_ticket_per_hour(world):
    with session_scope() as s:
        t = new(s, world, "c1", "Centralita")
        me = s.get(accounts.User, world["c1"])
        tickets.add_message(s, me, t.number, "más datos", now=NOW + timedelta(minutes=1))
        tickets.add_message(s, me, t.number, "y otro", now=NOW + timedelta(minutes=2))  # 3rd in the hour: flagged
        assert t.priority == "low"
        tickets.add_message(s, me, t.number, "y otro", now=NOW + timedelta(minutes=3))
        with pytest.raises(FairUseRefused) as err:
            tickets.add_message(s, me, t.number, "y otro", now=NOW + timedelta(minutes=4))
        assert err.value.code == "fair_use.refused_messages" and err.value.field == "body"
        assert err.value.params["minutes"] == 56  # the first of the hour (the ticket itself) leaves then
        # agents are never limited
        for i in range(6):
            tickets.add_message(s, s.get(accounts.User, world["agent"]), t.number, f"respuesta {i}", now=NOW + timedelta(minutes=5))
        # an hour later the customer writes again
        tickets.add_message(s, me, t.number, "gracias", now=NOW + timedelta(hours=2))


def test_repeated_subjects(world):
    with session_scope() as s:
        fair_use.set_limits(s, s.get(accounts.User, world["admin"]), dict(
            messages_per_ticket_hour=0, tickets_per_day=0, org_tickets_per_day=0, questions_per_ticket=0, repeated_per_week=1))
        new(s, world, "c1", "La centralita no funciona", at=NOW - timedelta(days=2))
        t = new(s, world, "c1", "No funciona la centralita")
        assert [r.kind for r in s.exec(select(FairUseSignal).where(FairUseSignal.ticket_id == t.id))] == ["repeated"]
        with pytest.raises(FairUseRefused):
            new(s, world, "c1", "centralita no funciona")


def test_only_admins_set_limits_and_bad_values_are_refused(world):
    with session_scope() as s:
        with pytest.raises(PermissionDenied):
            fair_use.set_limits(s, s.get(accounts.User, world["agent"]), {})
        with pytest.raises(ValidationError) as err:
            fair_use.set_limits(s, s.get(accounts.User, world["admin"]), dict(
                messages_per_ticket_hour="9", tickets_per_day=-1, org_tickets_per_day=1, questions_per_ticket=1, repeated_per_week=1))
        assert set(err.value.errors) == {"messages_per_ticket_hour", "tickets_per_day"}
        assert fair_use.limits(s).tickets_per_day == 2


def test_shipped_defaults_apply_until_an_admin_saves(db, monkeypatch):
    monkeypatch.setattr(fair_use, "DEFAULT_LIMITS", FairUseLimits())
    with session_scope() as s:
        assert fair_use.limits(s) == FairUseLimits(6, 10, 40, 3, 3)


def test_every_catalog_has_the_texts():
    for loc in ("es", "en"):
        for kind in ("messages", "tickets", "org_tickets", "repeated"):
            assert i18n.translate(f"fair_use.refused_{kind}", loc) != f"fair_use.refused_{kind}"
