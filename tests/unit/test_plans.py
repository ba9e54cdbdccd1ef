"""Plans and earned priority: only premium members mark urgent, one unit each, given back on downgrade."""

from datetime import datetime, timezone

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Organization, Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.promises import UrgentUse
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, estimates, plans, seed, tickets
from helpdesk.services.errors import PermissionDenied, ValidationError


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        s.flush()
        ids = {"service": s.exec(select(Service.id)).first()}
        for key, spec in {
            "premium": dict(email="p@acme.test", name="Premium", org_name="Acme"),
            "standard": dict(email="s@beta.test", name="Standard", org_name="Beta"),
            "agent": dict(email="a@x.test", name="Agente", role=Role.AGENT),
            "admin": dict(email="ad@x.test", name="Admin", role=Role.ADMIN),
        }.items():
            ids[key] = accounts.create_user(s, password="password-123", **spec).id
        acme = s.exec(select(Organization).where(Organization.name == "Acme")).one()
        admin = s.get(accounts.User, ids["admin"])
        plans.set_plan(s, admin, acme.id, "premium", 2)
    return ids


def draft(world, urgent=True, **kw):
    return tickets.TicketDraft(subject="Centralita caída", description="No funciona ninguna extensión", category="anomalia",
                               service_id=world["service"], urgent=urgent, **kw)


def user(s, world, key):
    return s.get(accounts.User, world[key])


def test_premium_member_spends_a_unit_and_the_ticket_runs_round_the_clock(world):
    with session_scope() as s:
        me = user(s, world, "premium")
        assert plans.urgent_status(s, me).left == 2
        t = tickets.create_ticket(s, me, draft(world))
        assert t.priority == "urgent"
        # Sunday 03:00: an urgent ticket's first response is due an hour later.
        assert plans.urgent_status(s, me).left == 1


def test_nobody_else_can_mark_urgent_whatever_they_send(world):
    with session_scope() as s:
        for who in ("standard", "agent"):
            with pytest.raises(ValidationError) as err:
                tickets.create_ticket(s, user(s, world, who), draft(world))
            assert err.value.errors == {"urgent": "promises.urgent_not_premium"}
        with pytest.raises(ValidationError):
            tickets.create_ticket(s, None, draft(world, guest_name="Ana", guest_email="ana@x.test"))
        # A truthy non-bool is treated as a request to mark urgent too, and checked.
        with pytest.raises(ValidationError):
            tickets.create_ticket(s, user(s, world, "standard"), draft(world, urgent="on"))
    with session_scope() as s:
        assert s.exec(select(Ticket)).all() == []


def test_the_allowance_runs_out(world):
    with session_scope() as s:
        me = user(s, world, "premium")
        tickets.create_ticket(s, me, draft(world))
        tickets.create_ticket(s, me, draft(world))
        with pytest.raises(ValidationError) as err:
            tickets.create_ticket(s, me, draft(world))
        assert err.value.errors == {"urgent": "promises.urgent_none_left"}


def test_downgrade_gives_the_unit_back_and_tells_the_customer_why(world):
    with session_scope() as s:
        t = tickets.create_ticket(s, user(s, world, "premium"), draft(world))
        number = t.number
    with session_scope() as s:
        tickets.set_priority(s, user(s, world, "agent"), number, "high", reason="Solo afecta a una extensión.")
    with session_scope() as s:
        assert plans.urgent_status(s, user(s, world, "premium")).left == 2
        use = s.exec(select(UrgentUse)).one()
        assert use.returned_at is not None and use.return_reason == "Solo afecta a una extensión."
        t = s.exec(select(Ticket)).one()
        visible = [m.body for m in s.exec(select(Message).where(Message.ticket_id == t.id)).all() if not m.is_internal]
        assert any("Solo afecta a una extensión." in b for b in visible)
        assert t.priority == "high"


def test_only_admins_set_plans(world):
    with session_scope() as s:
        org = s.exec(select(Organization).where(Organization.name == "Beta")).one()
        with pytest.raises(PermissionDenied):
            plans.set_plan(s, user(s, world, "agent"), org.id, "premium")
        with pytest.raises(ValidationError):
            plans.set_plan(s, user(s, world, "admin"), org.id, "gold")


def test_confirmation_mail_states_the_expected_answer_and_notice_when_closed(world):
    with session_scope() as s:
        tickets.create_ticket(s, user(s, world, "standard"), draft(world, urgent=False))
        mail = s.exec(select(OutboxMail)).all()[-1]
        assert "previsto" in mail.text_body
        sunday = datetime(2026, 3, 8, 2, tzinfo=timezone.utc)
        notice = estimates.hours_notice(s, sunday)
        assert notice is not None and notice.reason == "closed"
        assert notice.back_at == datetime(2026, 3, 9, 7, 30, tzinfo=timezone.utc)  # Monday 08:30 Madrid
        assert estimates.hours_notice(s, sunday, priority="urgent") is None
        est = estimates.estimate(s, priority="medium", now=sunday)
        assert est.expected_at > notice.back_at and est.ahead == 1
