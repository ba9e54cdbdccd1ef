"""What makes the queue fast at scale must not change what it shows (run on PostgreSQL too):
the generated priority rank and next deadline, the ticket word index, capped text counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import PRIORITY_RANK_SQL, NEXT_DUE_SQL, Priority, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, queue, seed, ticket_list, tickets
from helpdesk.services.queue import QueueFilters
from helpdesk.services.search import tickets as ticket_search


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0].title(), **kw)  # noqa: E731
        people = {"ana": mk("ana@x.test"), "agent": mk("agente@x.test", role=Role.AGENT)}
        service = s.exec(select(Service.id)).first()
    return {"service": service, **people}


def _open(world, subject="No puedo llamar", body="Desde esta mañana no salen las llamadas.", now=None):
    draft = tickets.TicketDraft(subject=subject, description=body, category="anomalia", service_id=world["service"])
    with session_scope() as s:
        return tickets.create_ticket(s, world["ana"], draft, now=now)


def _search(world, words, **kw):
    with session_scope() as s:
        return [r.number for r in queue.list_queue(s, world["agent"], filters=QueueFilters(text=words), **kw).rows]


def _column(number, name):
    with session_scope() as s:
        return s.exec(text(f"SELECT {name} FROM tickets WHERE number = :n"), params={"n": number}).scalar_one()


def test_migration_and_model_generate_the_same_columns():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "alembic" / "versions" / "0009_queue_speed.py"
    spec = importlib.util.spec_from_file_location("m0009", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (module.PRIORITY_RANK_SQL, module.NEXT_DUE_SQL) == (PRIORITY_RANK_SQL, NEXT_DUE_SQL)


def test_priority_rank_follows_every_priority_change(world):
    t = _open(world)
    assert _column(t.number, "priority_rank") == -1  # no priority: below "low"
    for p in Priority:
        with session_scope() as s:
            tickets.set_priority(s, world["agent"], t.number, p.value)
        assert _column(t.number, "priority_rank") == p.rank
    # A follow-up copies the priority, and its rank comes with it; it is searchable too.
    with session_scope() as s:
        tickets.change_status(s, world["agent"], t.number, "solved")
        tickets.change_status(s, world["agent"], t.number, "closed")
        follow = tickets.reopen(s, world["ana"], t.number, now=utcnow() + timedelta(days=400))
        number = follow.number
    assert number != t.number and _column(number, "priority_rank") == Priority.URGENT.rank
    assert set(_search(world, "seguimiento")) == {number}


def test_sort_by_priority_puts_unset_last_and_breaks_ties_by_activity(world):
    now = utcnow()
    made = [_open(world, subject=f"Ticket número {i}", now=now - timedelta(hours=5 - i)) for i in range(4)]
    with session_scope() as s:
        tickets.set_priority(s, world["agent"], made[0].number, "low", now=made[0].created_at)
        tickets.set_priority(s, world["agent"], made[1].number, "urgent", now=made[1].created_at)
        tickets.set_priority(s, world["agent"], made[2].number, "low", now=made[2].created_at)
    with session_scope() as s:
        rows = queue.list_queue(s, world["agent"], sort="priority").rows
    assert [r.number for r in rows] == [made[1].number, made[2].number, made[0].number, made[3].number]


def test_due_view_uses_the_earlier_running_deadline(world):
    now = utcnow()
    old = _open(world, subject="Viejo", now=now - timedelta(days=30))
    fresh = _open(world, subject="Nuevo")
    with session_scope() as s:
        t = s.exec(select(Ticket).where(Ticket.number == fresh.number)).one()
        # First response overdue, resolution far away: due until someone answers.
        t.first_response_due_at, t.due_at = now - timedelta(hours=1), now + timedelta(days=5)
        s.add(t)
    assert set(_search_view(world, "due")) == {old.number, fresh.number}
    with session_scope() as s:
        tickets.add_message(s, world["agent"], fresh.number, "Lo miramos.")
    assert _search_view(world, "due") == [old.number]
    with session_scope() as s:
        assert queue.view_counts(s, world["agent"])["due"] == 1
        tickets.change_status(s, world["agent"], old.number, "pending")  # paused: not due
    assert _search_view(world, "due") == []


def _search_view(world, view):
    with session_scope() as s:
        return [r.number for r in queue.list_queue(s, world["agent"], view=view).rows]


def test_sort_by_due_puts_tickets_without_deadline_last(world):
    a = _open(world, subject="Sin plazo")
    b = _open(world, subject="Con plazo")
    with session_scope() as s:
        t = s.exec(select(Ticket).where(Ticket.number == a.number)).one()
        t.due_at = t.first_response_due_at = None  # neither deadline runs
        s.add(t)
    with session_scope() as s:
        rows = queue.list_queue(s, world["agent"], sort="due").rows
    assert [r.number for r in rows] == [b.number, a.number]


def test_text_search_finds_subject_and_message_words_accents_folded(world):
    a = _open(world, subject="Facturación duplicada", body="Me cobraron dos veces el router.")
    b = _open(world, subject="Sin línea", body="La centralita de la oficina no da tono desde el año pasado.")
    assert _search(world, "facturacion") == [a.number]  # accents folded
    assert _search(world, "FACTURACIÓN") == [a.number]
    assert _search(world, "linea") == [b.number]
    assert _search(world, "router") == [a.number]  # in the first message
    assert _search(world, "centralita oficina") == [b.number]  # every word, anywhere
    assert _search(world, "centralita router") == []
    assert _search(world, "centr") == [b.number]  # words are prefixes: still typing
    assert _search(world, "ano") == [b.number]  # typed without ñ finds año
    assert _search(world, "año") == [b.number]
    assert _search(world, f"#{a.number}") == [a.number]
    assert _search(world, "zzz-nada") == []
    assert _search(world, "%") == []  # no words at all: nothing, not everything


def test_new_messages_and_notes_become_searchable_for_agents_only(world):
    t = _open(world, subject="Llamadas cortadas")
    assert _search(world, "portabilidad") == []
    with session_scope() as s:
        tickets.add_message(s, world["ana"], t.number, "Además pedí la portabilidad ayer.")
    assert _search(world, "portabilidad") == [t.number]
    with session_scope() as s:
        tickets.add_message(s, world["agent"], t.number, "Nota: escalado a proveedor Zeta.", internal=True)
    assert _search(world, "zeta") == [t.number]  # agents search their own notes
    assert _search(world, "portabilidad llamadas") == [t.number]  # subject and a later message
    # The customer's own list never looks at message text, let alone notes.
    with session_scope() as s:
        filters, _ = ticket_list.parse_filters({"q": "zeta"})
        assert ticket_list.list_tickets(s, world["ana"], filters).rows == []


def test_index_is_rebuilt_when_it_does_not_cover_every_ticket(world):
    t = _open(world, subject="Fibra caída", body="Sin conexión en la sede.")
    with session_scope() as s:
        s.exec(text("DELETE FROM ticket_search"))
    assert _search(world, "fibra") == []
    with session_scope() as s:
        assert ticket_search.ensure_index(s) is True
        assert ticket_search.ensure_index(s) is False
    assert _search(world, "fibra conexion") == [t.number]


def test_text_search_count_is_capped(world, monkeypatch):
    made = [_open(world, subject=f"Router {i}") for i in range(5)]
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    with session_scope() as s:
        found = queue.list_queue(s, world["agent"], filters=QueueFilters(text="router"), page_size=2)
        exact = queue.list_queue(s, world["agent"], page_size=2)
    assert (found.total, found.total_capped, found.pages) == (3, True, 2)
    assert (exact.total, exact.total_capped) == (5, False)  # only text searches are capped
    assert [r.number for r in found.rows] == [made[4].number, made[3].number]


def test_common_words_take_the_other_plan_with_the_same_answer(world, monkeypatch):
    made = [_open(world, subject=f"Router {i}") for i in range(4)]
    _open(world, subject="Otra cosa")
    before = _search(world, "router")
    monkeypatch.setattr(ticket_search, "MANY_MATCHES", 1)
    assert _search(world, "router") == before == [t.number for t in reversed(made)]
