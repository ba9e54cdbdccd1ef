"""Bulk actions on the queue, the merge card and the admins' user list, driven through their States."""

from __future__ import annotations

from reflex.istate.data import RouterData
from sqlmodel import select

from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import Ticket, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import seed, tickets
from helpdesk.web.pages.admin.users import UsersAdminState
from helpdesk.web.pages.agent.state import AgentQueueState
from helpdesk.web.pages.agent_ticket.merge import MergeState
from tests.state.conftest import sign_in, state_of


def _open(people, who="customer", subject="No funciona") -> int:
    with session_scope() as s:
        seed.ensure_configuration(s)
        service = s.exec(select(Service.id)).first()
        if service is None:
            s.add(Service(name="Telefonía", name_en="Telephony"))
            s.flush()
            service = s.exec(select(Service.id)).first()
        draft = tickets.TicketDraft(subject=subject, description="Desde esta mañana no salen las llamadas.",
                                    category="anomalia", service_id=service)
        return tickets.create_ticket(s, people[who]["user"], draft).number


def _visit(root, path: str, params: dict | None = None) -> None:
    root.router = RouterData.from_router_data({"pathname": path, "asPath": path, "query": params or {},
                                                "headers": {"origin": "http://localhost:3000"}, "token": "tab"})


def _ticket(number: int) -> Ticket:
    with session_scope() as s:
        return s.exec(select(Ticket).where(Ticket.number == number)).one()


def test_agent_selects_tickets_and_changes_them_all(root, people):
    numbers = [_open(people), _open(people, "colleague"), _open(people, "org_admin")]
    sign_in(root, people["agent"]["token"])
    _visit(root, "/agent")
    state = state_of(root, AgentQueueState)
    state.load()
    state.set_view("unassigned")
    assert {r.number for r in state.rows} == set(numbers)
    state.toggle_all(True)
    assert sorted(state.selected) == sorted(numbers) and state.all_selected
    state.toggle_select(numbers[2], False)
    state.toggle_select(999999, True)  # not on the page: ignored
    assert sorted(state.selected) == sorted(numbers[:2])
    state.set_bulk_choice("assignee", "me")
    state.set_bulk_choice("status", "pending")
    state.set_bulk_choice("priority", "high")
    state.set_bulk_choice("requester_id", "1")  # not a bulk field
    toast = state.apply_bulk()
    assert "2 tickets actualizados" in repr(toast)
    assert state.selected == [] and state.bulk_choice == {}
    for n in numbers[:2]:
        t = _ticket(n)
        assert (t.status, t.priority, t.assignee_id) == ("pending", "high", people["agent"]["user"].id)
    assert _ticket(numbers[2]).assignee_id is None
    # The "unassigned" view no longer lists them after the live refresh.
    assert {r.number for r in state.rows} == {numbers[2]}
    assert state.can_undo
    assert "Cambio deshecho en 2 tickets" in repr(state.undo_bulk())
    assert not state.can_undo and {r.number for r in state.rows} == set(numbers)
    assert all(_ticket(n).assignee_id is None for n in numbers)


def test_bulk_apply_without_choice_or_selection_says_so(root, people):
    n = _open(people)
    sign_in(root, people["agent"]["token"])
    _visit(root, "/agent")
    state = state_of(root, AgentQueueState)
    state.load()
    assert "Selecciona al menos un ticket" in repr(state.apply_bulk())
    state.toggle_select(n, True)
    assert "Elige qué cambiar" in repr(state.apply_bulk())
    assert state.selected == [n]


def test_customer_cannot_bulk_change(root, people):
    n = _open(people)
    sign_in(root, people["customer"]["token"])
    state = state_of(root, AgentQueueState)
    state.load()
    state.selected = [n]  # as if forged
    state.bulk_choice = {"status": "solved"}
    state.toggle_all(True)
    state.apply_bulk()
    assert _ticket(n).status == "new"


def test_merge_asks_then_merges_and_opens_the_target(root, people):
    source, target = _open(people, "colleague", "Duplicado"), _open(people, "org_admin", "Original")
    sign_in(root, people["agent"]["token"])
    _visit(root, f"/agent/tickets/{source}", {"id": str(source)})
    state = state_of(root, MergeState)
    state.ask_merge({"merge_target": str(source)})
    assert state.merge_error and not state.confirm_open
    state.ask_merge({"merge_target": f"#{target}"})
    assert state.merge_error == "" and state.confirm_open and f"#{target}" in state.confirm_text
    result = state.confirm_merge()
    assert f"/agent/tickets/{target}" in repr(result)
    assert _ticket(source).status == "closed"
    with session_scope() as s:
        kinds = {e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == _ticket(target).id)).all()}
    assert "merged_from" in kinds


def test_merge_confirm_without_a_question_or_by_a_customer_does_nothing(root, people):
    source, target = _open(people), _open(people)
    sign_in(root, people["agent"]["token"])
    _visit(root, f"/agent/tickets/{source}", {"id": str(source)})
    state = state_of(root, MergeState)
    state.confirm_merge()  # nothing was asked: nothing to merge
    assert _ticket(source).status == "new"
    sign_in(root, people["customer"]["token"])
    state.ask_merge({"merge_target": str(target)})
    state.confirm_merge()
    assert not state.confirm_open and _ticket(source).status == "new"


def test_admin_lists_searches_deactivates_and_invites(root, people):
    sign_in(root, people["admin"]["token"])
    state = state_of(root, UsersAdminState)
    state.load_users()
    assert state.access == "ok" and state.total == 5 and state.counts["agent"] == 1
    state.search("acme")
    assert {r.email for r in state.rows} == {"jefa@acme.test", "empleado@acme.test"}
    colleague = people["colleague"]["user"].id
    state.set_active(colleague, False)
    assert [r.active for r in state.rows if r.id == colleague] == [False]
    state.set_role(colleague, "agent")
    with session_scope() as s:
        assert s.get(User, colleague).role == "agent"
    state.invite({"name": "Nuevo Agente", "email": "nuevo@x.test"})
    assert state.invite_errors == {} and state.query == "" and state.total == 6
    state.invite({"name": "", "email": "nuevo@x.test"})
    assert set(state.invite_errors) == {"email", "name"}


def test_non_admins_get_nothing_from_the_user_list(root, people):
    for who in ("agent", "customer"):
        sign_in(root, people[who]["token"])
        state = state_of(root, UsersAdminState)
        state.load_users()
        assert state.access == "denied" and state.rows == []
        state.search("")
        state.set_active(people["admin"]["user"].id, False)
        state.invite({"name": "Pirata", "email": "pirata@evil.test"})
        assert state.rows == []
    with session_scope() as s:
        assert s.get(User, people["admin"]["user"].id).is_active
        assert s.exec(select(User).where(User.email == "pirata@evil.test")).first() is None
