"""Mis tickets list queries: visibility, filters, ordering and paging, all in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, seed, ticket_list, tickets
from helpdesk.services.errors import PermissionDenied
from helpdesk.services.ticket_list import Filters


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0].title(), **kw)  # noqa: E731
        people = {
            "ana": mk("ana@x.test"),
            "bob": mk("bob@x.test"),
            "boss": mk("jefa@acme.test", org_name="Acme", org_admin=True),
            "worker": mk("obrero@acme.test", org_name="Acme"),
            "outsider": mk("otra@other.test", org_name="Other"),
            "agent": mk("agente@x.test", role=Role.AGENT),
        }
        service_id = s.exec(select(Service.id)).first()
    return {"service": service_id, **people}


def _open(world, who, subject="No puedo llamar", category="anomalia", minutes_ago=0):
    draft = tickets.TicketDraft(subject=subject, description="Desde esta mañana no salen las llamadas.",
                                category=category, service_id=world["service"])
    with session_scope() as s:
        t = tickets.create_ticket(s, world[who], draft, now=utcnow() - timedelta(minutes=minutes_ago))
        return t.number


def _numbers(world, who, filters=Filters(), page=1, page_size=20):
    with session_scope() as s:
        return [r.number for r in ticket_list.list_tickets(s, world[who], filters, page, page_size).rows]


def test_customer_sees_own_and_cc_newest_activity_first(world):
    old = _open(world, "ana", "Antiguo", minutes_ago=60)
    mine = _open(world, "ana", "Reciente", minutes_ago=5)
    bobs = _open(world, "bob", "De Bob", minutes_ago=30)
    assert _numbers(world, "ana") == [mine, old]
    with session_scope() as s:
        tickets.add_cc(s, world["bob"], bobs, "ANA@x.test")  # CC counts, and touches activity
    assert _numbers(world, "ana") == [bobs, mine, old]
    # A reply moves the ticket to the top: the order is by last activity, not creation.
    with session_scope() as s:
        tickets.add_message(s, world["ana"], old, "Sigue igual")
    assert _numbers(world, "ana")[0] == old
    assert _numbers(world, "outsider") == []


def test_org_admin_sees_the_organization_and_filters_by_colleague(world):
    w = _open(world, "worker", "Del obrero")
    b = _open(world, "boss", "De la jefa")
    _open(world, "ana")
    assert set(_numbers(world, "boss")) == {w, b}
    assert _numbers(world, "worker") == [w]
    assert _numbers(world, "boss", Filters(requester_id=world["worker"].id)) == [w]
    # The colleague filter cannot reach outside the admin's organization...
    assert _numbers(world, "boss", Filters(requester_id=world["ana"].id)) == []
    # ...and for anyone else it only narrows to their own tickets.
    assert _numbers(world, "worker", Filters(requester_id=world["boss"].id)) == []
    with session_scope() as s:
        names = dict(ticket_list.org_requesters(s, world["boss"]))
        assert set(names) == {world["boss"].id, world["worker"].id}
        assert ticket_list.org_requesters(s, world["worker"]) == []


def test_filters_by_id_status_category_and_text(world):
    a = _open(world, "ana", "Factura de marzo duplicada", category="consulta")
    b = _open(world, "ana", "Sin línea 100% caída", category="anomalia")
    with session_scope() as s:
        tickets.change_status(s, world["agent"], b, "solved")
    for raw in (f"#{a}", str(a), f" #{a} "):
        f, errors = ticket_list.parse_filters({"id": raw})
        assert errors == {} and _numbers(world, "ana", f) == [a]
    f, errors = ticket_list.parse_filters({"id": "12a"})
    assert errors == {"id": "customer.filter_id_invalid"} and f.number is None
    assert _numbers(world, "ana", Filters(status="group_open")) == [a]
    assert _numbers(world, "ana", Filters(status="group_closed")) == [b]
    assert _numbers(world, "ana", Filters(status="solved")) == [b]
    assert _numbers(world, "ana", Filters(status="new")) == [a]
    assert _numbers(world, "ana", Filters(category="anomalia")) == [b]
    assert _numbers(world, "ana", Filters(text="FACTURA")) == [a]
    # LIKE wildcards are literal text, not patterns.
    assert _numbers(world, "ana", Filters(text="100%")) == [b]
    assert _numbers(world, "ana", Filters(text="_")) == []
    # Unknown values from the browser are ignored, never passed to SQL.
    f, _ = ticket_list.parse_filters({"status": "'; drop", "category": "x", "q": "  a   b  " * 50})
    assert f.status == "" and f.category == "" and len(f.text) <= ticket_list.MAX_TEXT


def test_pages_hold_one_page_and_know_if_more_follow(world):
    made = [_open(world, "ana", f"Ticket {i}", minutes_ago=i) for i in range(7)]
    with session_scope() as s:
        p1 = ticket_list.list_tickets(s, world["ana"], Filters(), 1, 3)
        p3 = ticket_list.list_tickets(s, world["ana"], Filters(), 3, 3)
    assert [r.number for r in p1.rows] == made[:3] and p1.has_next and p1.total == 7
    assert [r.number for r in p3.rows] == made[6:] and not p3.has_next
    assert p1.rows[0].requester_name == "Ana"


def test_signed_out_cannot_list(world):
    with pytest.raises(PermissionDenied), session_scope() as s:
        ticket_list.list_tickets(s, None)


def test_count_is_capped(world, monkeypatch):
    monkeypatch.setattr(ticket_list, "COUNT_CAP", 2)
    for i in range(4):
        _open(world, "ana", f"Tema {i}")
    with session_scope() as s:
        page = ticket_list.list_tickets(s, world["ana"])
    assert page.total == 2 and page.total_capped and len(page.rows) == 4
    with session_scope() as s:
        assert s.exec(select(Ticket)).all()
