"""The split control and the admin's undo card on the agent ticket page, driven through MovesState."""

from __future__ import annotations

from reflex.istate.data import RouterData
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import merge, seed, tickets
from helpdesk.web.pages.agent_ticket.moves import MovesState
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


def _visit(root, number: int) -> None:
    path = f"/agent/tickets/{number}"
    root.router = RouterData.from_router_data({"pathname": path, "asPath": path, "query": {"id": str(number)},
                                                "headers": {"origin": "http://localhost:3000"}, "token": "tab"})


def _ticket(number: int) -> Ticket:
    with session_scope() as s:
        return s.exec(select(Ticket).where(Ticket.number == number)).one()


def _second_message(people, number: int) -> int:
    with session_scope() as s:
        m = tickets.add_message(s, people["customer"]["user"], number, "Y otra cosa: la factura está mal.")
        return m.id


def test_agent_splits_a_customer_message_after_confirming(root, people):
    number = _open(people)
    mid = _second_message(people, number)
    sign_in(root, people["agent"]["token"])
    _visit(root, number)
    state = state_of(root, MovesState)
    state.load()
    assert state.splittable == [mid] and state.undo_kind == ""  # agents get no undo
    state.confirm_split()  # nothing asked yet: nothing happens
    state.ask_split(999999)  # not offered on this page
    assert not state.split_open
    state.ask_split(mid)
    assert state.split_open
    result = state.confirm_split()
    assert "Mensaje separado en el ticket #" in repr(result)
    with session_scope() as s:
        moved_to = s.get(Ticket, s.get(Message, mid).ticket_id)
    assert moved_to.number != number and moved_to.subject == f"No funciona (separado de #{number})"
    assert state.splittable == [] and not state.split_open


def test_admin_sees_and_undoes_a_merge_on_either_ticket(root, people):
    source, target = _open(people, "customer", "Duplicado"), _open(people, "customer", "Original")
    with session_scope() as s:
        merge.merge(s, people["agent"]["user"], source, target)
    sign_in(root, people["agent"]["token"])
    _visit(root, target)
    state = state_of(root, MovesState)
    state.load()
    assert state.undo_kind == ""
    state.ask_undo()
    state.confirm_undo()
    assert _ticket(source).status == "closed"  # an agent's forged call changes nothing

    sign_in(root, people["admin"]["token"])
    state.load()
    assert (state.undo_kind, state.undo_role, state.undo_other) == ("merge", "target", source)
    _visit(root, source)
    state.load()
    assert (state.undo_kind, state.undo_role, state.undo_other) == ("merge", "source", target)
    state.confirm_undo()  # not confirmed yet
    assert _ticket(source).status == "closed"
    state.ask_undo()
    assert state.undo_open and f"#{source}" in state.undo_confirm_text and f"#{target}" in state.undo_confirm_text
    result = state.confirm_undo()
    assert "Fusión deshecha" in repr(result)
    assert _ticket(source).status == "new" and state.undo_kind == ""
