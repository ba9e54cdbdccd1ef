"""Mis tickets list queries: visibility, filters, ordering and paging, all in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
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


# ---------------------------------------------------------------- visibility branches
# The list reads own, organization and CC tickets as separate branches merged in SQL; these pin
# that every branch is read, that a ticket in two branches shows once, and the merged order.


def _set_activity(number, minutes_ago, **values):
    at = utcnow() - timedelta(minutes=minutes_ago)
    with session_scope() as s:
        s.exec(update(Ticket).where(Ticket.number == number).values(last_activity_at=at, **values))
    return at


@pytest.fixture
def admin_world(world):
    """The org admin sees five tickets, one from each way in, with interleaved activity."""
    t = {
        "cc": _open(world, "ana", "Ana me pone en copia"),
        "colleague": _open(world, "worker", "Del obrero"),
        "own_outside": _open(world, "boss", "De antes de la organización"),
        "own_in_org": _open(world, "boss", "De la jefa"),  # own AND organization: must show once
        "cc_in_org": _open(world, "worker", "El obrero me pone en copia"),  # CC AND organization
        "hidden": _open(world, "outsider", "De otra organización"),
        "hidden_ana": _open(world, "ana", "Solo de Ana"),
    }
    with session_scope() as s:
        tickets.add_cc(s, world["ana"], t["cc"], "jefa@acme.test")
        tickets.add_cc(s, world["worker"], t["cc_in_org"], "jefa@acme.test")
    # Opened before she joined: hers, but in no organization.
    _set_activity(t["own_outside"], 30, organization_id=None)
    for key, minutes in (("colleague", 10), ("cc", 20), ("own_in_org", 40), ("cc_in_org", 50),
                         ("hidden", 5), ("hidden_ana", 1)):
        _set_activity(t[key], minutes)
    world["t"] = t
    world["expected"] = [t["colleague"], t["cc"], t["own_outside"], t["own_in_org"], t["cc_in_org"]]
    return world


def test_org_admin_gets_every_branch_once_in_activity_order(admin_world):
    w = admin_world
    with session_scope() as s:
        page = ticket_list.list_tickets(s, w["boss"])
    assert [r.number for r in page.rows] == w["expected"]
    assert page.total == 5 and not page.total_capped and not page.has_next
    # The colleague sees only their own and what they are CC'd on; not the admin's.
    assert _numbers(w, "worker") == [w["t"]["colleague"], w["t"]["cc_in_org"]]
    # Staff see everything, newest first.
    assert _numbers(w, "agent")[:2] == [w["t"]["hidden_ana"], w["t"]["hidden"]]


def test_pages_across_branches_have_no_gap_or_repeat(admin_world):
    w = admin_world
    for size in (1, 2, 3, 4, 5):
        seen, page, has_next = [], 1, True
        while has_next:
            with session_scope() as s:
                p = ticket_list.list_tickets(s, w["boss"], Filters(), page, size)
            seen += [r.number for r in p.rows]
            assert p.total == 5 and len(p.rows) == min(size, 5 - (page - 1) * size)
            has_next, page = p.has_next, page + 1
        assert seen == w["expected"], size
    with session_scope() as s:
        assert ticket_list.list_tickets(s, w["boss"], Filters(), 3, 2).has_next is False
        assert ticket_list.list_tickets(s, w["boss"], Filters(), 4, 2).rows == []


def test_equal_activity_is_ordered_by_id_within_and_across_branches(admin_world):
    w = admin_world
    # One instant for all of them (most only in the organization branch), so only the
    # tie-break orders them; a page smaller than the tie must still cut it at the right place.
    more = [_open(w, "worker", f"Otro del obrero {i}") for i in range(3)]  # organization branch only
    mine = w["expected"] + more
    with session_scope() as s:
        s.exec(update(Ticket).where(Ticket.number.in_(mine)).values(last_activity_at=utcnow()))
        ids = dict(s.exec(select(Ticket.number, Ticket.id)).all())
    by_id = sorted(mine, key=lambda n: -ids[n])
    assert _numbers(w, "boss") == by_id
    for size in (1, 2):
        pages = [_numbers(w, "boss", page=p, page_size=size) for p in range(1, len(mine) // size + 2)]
        assert [n for page in pages for n in page] == by_id, size


def test_filters_apply_to_every_branch(admin_world):
    w, t = admin_world, admin_world["t"]
    with session_scope() as s:
        tickets.change_status(s, w["agent"], t["cc"], "solved")
        tickets.change_status(s, w["agent"], t["own_outside"], "solved")
        tickets.change_status(s, w["agent"], t["colleague"], "solved")
    for key in ("cc", "own_outside", "colleague"):
        _set_activity(t[key], {"cc": 20, "own_outside": 30, "colleague": 10}[key])
    assert _numbers(w, "boss", Filters(status="group_closed")) == [t["colleague"], t["cc"], t["own_outside"]]
    assert _numbers(w, "boss", Filters(status="group_open")) == [t["own_in_org"], t["cc_in_org"]]
    assert _numbers(w, "boss", Filters(text="copia")) == [t["cc"], t["cc_in_org"]]
    assert _numbers(w, "boss", Filters(text="de")) == [t["colleague"], t["own_outside"], t["own_in_org"]]
    assert _numbers(w, "boss", Filters(number=t["own_outside"])) == [t["own_outside"]]
    assert _numbers(w, "boss", Filters(number=t["hidden"])) == []
    # "Opened by" stays within the organization: her own pre-organization ticket is not in it,
    # and a CC'd ticket of someone outside is not either.
    assert _numbers(w, "boss", Filters(requester_id=w["boss"].id)) == [t["own_in_org"]]
    assert _numbers(w, "boss", Filters(requester_id=w["worker"].id)) == [t["colleague"], t["cc_in_org"]]
    assert _numbers(w, "boss", Filters(requester_id=w["ana"].id)) == []
    # For anyone else it narrows to their own tickets only, never their CCs.
    assert _numbers(w, "worker", Filters(requester_id=w["worker"].id)) == [t["colleague"], t["cc_in_org"]]
    assert _numbers(w, "ana", Filters(requester_id=w["ana"].id)) == [t["hidden_ana"], t["cc"]]


def test_capped_count_spans_branches(admin_world, monkeypatch):
    w = admin_world
    for cap, total, capped in ((10, 5, False), (5, 5, False), (4, 4, True), (2, 2, True)):
        monkeypatch.setattr(ticket_list, "COUNT_CAP", cap)
        with session_scope() as s:
            # Page size 2 keeps a next page, so the count query runs rather than the page's rows.
            page = ticket_list.list_tickets(s, w["boss"], Filters(), 1, 2)
        assert (page.total, page.total_capped) == (total, capped), cap
