"""Queue views, filters, sorting, pagination and counts (run on PostgreSQL too), and round-robin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role, User
from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, queue, seed, tickets
from helpdesk.services.errors import PermissionDenied
from helpdesk.services.queue import QueueFilters


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        s.add(Service(name="Fibra", name_en="Fiber"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0].title(), **kw)  # noqa: E731
        people = {
            "ana": mk("ana@x.test"),
            "boss": mk("jefa@acme.test", org_name="Acme", org_admin=True),
            "agent": mk("agente@x.test", role=Role.AGENT),
            "agent2": mk("agente2@x.test", role=Role.AGENT),
        }
        services = list(s.exec(select(Service.id).order_by(Service.id)).all())
    return {"services": services, **people}


def _open(world, who="ana", subject="No puedo llamar", body="Desde esta mañana no salen las llamadas.", service=0, now=None, category="anomalia"):
    draft = tickets.TicketDraft(subject=subject, description=body, category=category, service_id=world["services"][service])
    with session_scope() as s:
        return tickets.create_ticket(s, world[who], draft, now=now)


def _numbers(world, who="agent", **kw):
    with session_scope() as s:
        return [r.number for r in queue.list_queue(s, world[who], **kw).rows]


def test_views_and_counts(world):
    now = utcnow()
    a = _open(world, subject="Sin asignar")
    b = _open(world, subject="Mío")
    c = _open(world, subject="Pendiente")
    d = _open(world, subject="Resuelto")
    e = _open(world, subject="Vencido", now=now - timedelta(days=30))
    with session_scope() as s:
        tickets.assign(s, world["agent"], b.number, world["agent"].id)
        tickets.change_status(s, world["agent"], c.number, "pending")
        tickets.change_status(s, world["agent"], d.number, "solved")
    assert _numbers(world, view="mine") == [b.number]
    assert set(_numbers(world, view="unassigned")) == {a.number, c.number, e.number}
    assert _numbers(world, view="pending") == [c.number]
    assert _numbers(world, view="solved") == [d.number]
    assert set(_numbers(world, view="open")) == {a.number, b.number, c.number, e.number}
    assert _numbers(world, view="due") == [e.number]
    with session_scope() as s:
        counts = queue.view_counts(s, world["agent"])
        rows = queue.list_queue(s, world["agent"], view="due").rows
    assert counts == {"unassigned": 3, "mine": 1, "open": 4, "pending": 1, "due": 1, "solved": 1}
    assert rows[0].sla_state == "breached" and rows[0].requester == "Ana"
    # "Mine" is per agent.
    assert _numbers(world, who="agent2", view="mine") == []


def test_filters(world):
    a = _open(world, subject="Llamadas cortadas", service=0)
    b = _open(world, who="boss", subject="Router sin luz", service=1, category="consulta", body="El router tiene la luz LOS en rojo fijo.")
    with session_scope() as s:
        tickets.set_priority(s, world["agent"], b.number, "high")
        tickets.assign(s, world["agent"], b.number, world["agent2"].id)
        org_id = s.exec(select(User.organization_id).where(User.email == "jefa@acme.test")).one()
    f = lambda **kw: _numbers(world, filters=QueueFilters(**kw))  # noqa: E731
    assert f(priority="high") == [b.number]
    assert f(priority="none") == [a.number]
    assert f(category="consulta") == [b.number]
    assert f(service_id=world["services"][0]) == [a.number]
    assert f(organization_id=org_id) == [b.number]
    assert f(assignee_id=world["agent2"].id) == [b.number]
    assert f(assignee_id=0) == [a.number]
    assert f(status="new") == [b.number, a.number]
    assert f(text="CORTADAS") == [a.number]  # subject, any case
    assert f(text="luz los") == [b.number]  # message body
    assert f(text=f"#{a.number}") == [a.number]
    assert f(text="100%") == []  # LIKE wildcards are literal


def test_filters_from_browser_input_drop_unknown_values():
    f = QueueFilters.from_raw({"status": "hacked", "priority": "high", "service_id": "1; drop", "assignee_id": "0", "text": "  a  b " * 50})
    assert (f.status, f.priority, f.service_id, f.assignee_id) == ("", "high", None, 0)
    assert len(f.text) <= queue.MAX_QUERY


def test_sorting_and_pagination(world):
    now = utcnow()
    made = [_open(world, subject=f"Ticket {i}", now=now - timedelta(hours=10 - i)) for i in range(5)]
    with session_scope() as s:
        tickets.set_priority(s, world["agent"], made[0].number, "urgent", now=made[0].created_at)
        tickets.set_priority(s, world["agent"], made[1].number, "low", now=made[1].created_at)
    assert _numbers(world, sort="activity") == [t.number for t in reversed(made)]
    by_priority = _numbers(world, sort="priority")
    assert by_priority[0] == made[0].number and by_priority[-1] != made[0].number
    assert _numbers(world, sort="due")[0] == made[0].number  # urgent: the soonest deadline
    with session_scope() as s:
        p2 = queue.list_queue(s, world["agent"], page=2, page_size=2)
        p9 = queue.list_queue(s, world["agent"], page=9, page_size=2)
    assert (p2.total, p2.pages, p2.page, len(p2.rows)) == (5, 3, 2, 2)
    assert (p9.page, len(p9.rows)) == (3, 1)  # past the end: the last page


def test_the_signals_sort_puts_fair_use_signals_first_most_first(world):
    from helpdesk.domain.fair_use import FairUseSignal

    now = utcnow()
    made = [_open(world, subject=f"Ticket {i}", now=now - timedelta(hours=10 - i)) for i in range(4)]
    with session_scope() as s:
        for ticket, kinds in ((made[0], ["tickets", "repeated"]), (made[2], ["messages"])):
            for kind in kinds:
                s.add(FairUseSignal(ticket_id=ticket.id, requester_id=ticket.requester_id, kind=kind, count=12, limit=10))
    assert _numbers(world, sort="signals") == [made[0].number, made[2].number, made[3].number, made[1].number]
    assert "signals" in queue.SORTS
    # Pages split the flagged and the rest at any point, without repeating or skipping one.
    assert _numbers(world, sort="signals", page=1, page_size=3) == [made[0].number, made[2].number, made[3].number]
    assert _numbers(world, sort="signals", page=2, page_size=3) == [made[1].number]
    assert _numbers(world, sort="signals", page=2, page_size=1) == [made[2].number]


def test_customers_may_not_read_the_queue(world):
    with session_scope() as s, pytest.raises(PermissionDenied):
        queue.list_queue(s, world["ana"])
    with session_scope() as s, pytest.raises(PermissionDenied):
        queue.view_counts(s, world["boss"])
    with session_scope() as s, pytest.raises(PermissionDenied):
        queue.set_round_robin(s, world["agent"], True)


def test_round_robin_assigns_new_tickets_in_turn_to_available_agents(world, db):
    assert _open(world).assignee_id is None  # off by default
    with session_scope() as s:
        admin = accounts.create_user(s, email="root@x.test", password="password-123", name="Root", role=Role.ADMIN)
        queue.set_round_robin(s, admin, True)
        third = accounts.create_user(s, email="agente3@x.test", password="password-123", name="Tres", role=Role.AGENT)
        third.available_for_assignment = False
    got = [_open(world).assignee_id for _ in range(3)]
    assert got == [world["agent"].id, world["agent2"].id, world["agent"].id]
