"""Agent ticket page handlers in-process: load by route number, reply, note, stale reply warning,
fields; the queue page's filters hold one page only."""

from __future__ import annotations

import asyncio
import io

import pytest
from starlette.datastructures import UploadFile
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Attachment, Message, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import seed, tickets
from helpdesk.web.pages.agent.state import AgentQueueState
from helpdesk.web.pages.agent_ticket.state import AgentTicketState
from tests.state.conftest import sign_in, state_of


@pytest.fixture
def ticket(people):
    with session_scope() as s:
        seed.ensure_configuration(s)
        service = Service(name="Telefonía")
        s.add(service)
        s.flush()
        draft = tickets.TicketDraft(subject="Sin tono", description="No hay tono desde ayer.", category="anomalia", service_id=service.id)
        return tickets.create_ticket(s, people["customer"]["user"], draft)


def _open_page(root, token, number, monkeypatch):
    sign_in(root, token)
    state = state_of(root, AgentTicketState)
    monkeypatch.setattr(type(state), "router", property(lambda self: _Router(number)), raising=False)
    state.load()
    return state


class _Router:
    def __init__(self, number):
        self.page = type("P", (), {"params": {"id": str(number)}})()
        self.url = type("U", (), {"path": f"/agent/tickets/{number}", "query": "", "query_parameters": {}})()
        # Uploads are counted per client address (services/upload_guard.py).
        self.session = type("S", (), {"client_ip": "192.0.2.10"})()


def test_reply_note_and_stale_warning(root, people, ticket, monkeypatch):
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    assert state.access == "ok" and state.subject == "Sin tono" and len(state.messages) == 1
    state.send_note({"body": "Mirar la troncal"})
    assert [m.internal for m in state.messages] == [False, True]
    # Someone else answers meanwhile: our reply is held back with a warning, text kept.
    with session_scope() as s:
        tickets.add_message(s, people["admin"]["user"], ticket.number, "Ya lo miro yo")
    state.send_reply({"body": "Hola, lo revisamos"})
    assert state.stale and state.form_error and state.reply_body == "Hola, lo revisamos"
    assert len(state.messages) == 3  # the page now shows what changed
    state.send_reply({"body": "Hola, lo revisamos"})
    assert not state.stale and state.reply_body == "" and len(state.messages) == 4
    assert [o.id for o in state.unset_priority_option] == ["none"]  # untriaged: the select says so
    state.set_priority("none")
    assert state.priority == ""
    state.set_priority("high")
    assert state.priority == "high" and state.due and state.unset_priority_option == []
    state.set_status("pending")
    assert state.status == "pending" and state.sla_state == "paused"
    assert not state.mine
    state.assign_me()
    assert state.assignee == str(people["agent"]["user"].id)
    assert state.mine  # "Me lo quedo" is disabled: it is already theirs
    state.set_assignee("none")
    assert state.assignee == "none" and not state.mine
    with session_scope() as s:
        assert s.exec(select(Message).where(Message.is_internal == True)).one().body == "Mirar la troncal"  # noqa: E712


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_reply_with_files_survives_a_stale_warning_and_reaches_the_customer(root, people, ticket, monkeypatch):
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    asyncio.run(state.receive_files([UploadFile(io.BytesIO(PDF), filename="presupuesto.pdf")]))
    assert [f.name for f in state.staged_files] == ["presupuesto.pdf"] and not state.upload_error
    # A customer writes meanwhile: the reply is held back, and the staged file with it.
    with session_scope() as s:
        tickets.add_message(s, people["customer"]["user"], ticket.number, "¿Alguna novedad?")
    state.send_reply({"body": "Le adjunto el presupuesto"})
    assert state.stale and [f.name for f in state.staged_files] == ["presupuesto.pdf"]
    state.send_reply({"body": "Le adjunto el presupuesto"})
    assert not state.stale and state.staged_files == []
    reply = state.messages[-1]
    assert reply.body == "Le adjunto el presupuesto" and [a.name for a in reply.attachments] == ["presupuesto.pdf"]
    assert reply.attachments[0].url.startswith("/api/attachments/")
    with session_scope() as s:
        att = s.exec(select(Attachment)).one()
        msg = s.get(Message, att.message_id)
        assert msg.body == "Le adjunto el presupuesto" and not msg.is_internal
        # The customer is told about the file in the mail; the file itself stays behind the ticket's check.
        mail = s.exec(select(OutboxMail).where(OutboxMail.idempotency_key.contains(f"reply:{msg.id}:"))).one()
        assert "presupuesto.pdf" in mail.text_body and "presupuesto.pdf" in mail.html_body
        visible = tickets.attachments_for(s, people["customer"]["user"], tickets.get_ticket(s, people["customer"]["user"], ticket.number))
        assert [a.filename for a in visible] == ["presupuesto.pdf"]


def test_a_late_keystroke_report_does_not_bring_sent_text_back(root, people, ticket, monkeypatch):
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    state.send_reply({"body": "Ya está solucionado"})
    state.set_reply("Ya está solucionado")  # the box's debounced report, arriving after the send
    assert state.reply_body == ""
    state.set_reply("Otra cosa")
    assert state.reply_body == "Otra cosa"
    state.send_note({"body": "Revisado"})
    state.set_note("Revisado")
    assert state.note_body == ""


def test_notes_never_take_the_staged_files(root, people, ticket, monkeypatch):
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    asyncio.run(state.receive_files([UploadFile(io.BytesIO(PDF), filename="interno.pdf")]))
    state.send_note({"body": "Nota sin archivos"})
    assert state.messages[-1].internal and state.messages[-1].attachments == []
    assert [f.name for f in state.staged_files] == ["interno.pdf"]  # still waiting for the reply


def test_customer_session_cannot_stage_files_on_the_agent_page(root, people, ticket, monkeypatch):
    state = _open_page(root, people["customer"]["token"], ticket.number, monkeypatch)
    asyncio.run(state.receive_files([UploadFile(io.BytesIO(PDF), filename="x.pdf")]))
    assert state._staged == {} and state.staged_files == []


def test_bad_or_unknown_number_shows_not_found(root, people, ticket, monkeypatch):
    for raw in ("abc", "99999"):
        state = _open_page(root, people["agent"]["token"], raw, monkeypatch)
        assert state.access == "missing" and state.messages == []
        state.send_reply({"body": "hola"})
        assert state.messages == []


def test_customer_gets_no_ticket_data(root, people, ticket, monkeypatch):
    state = _open_page(root, people["customer"]["token"], ticket.number, monkeypatch)
    assert state.access == "denied" and state.subject == "" and state.messages == []


def test_queue_filters_and_search(root, people, ticket):
    sign_in(root, people["agent"]["token"])
    state = state_of(root, AgentQueueState)
    state.load()
    assert [r.number for r in state.rows] == [ticket.number] and state.counts["unassigned"] == 1
    state.set_search("nada parecido")
    assert state.rows == [] and state.total == 0
    state.clear_filters()
    state.set_filter("priority", "urgent")
    assert state.rows == []
    state.set_filter("priority", "all")
    state.set_view("mine")
    assert state.rows == []
    state.set_view("hacked")
    assert state.view == "mine"


def test_send_and_set_status_in_one_action(root, people, ticket, monkeypatch):
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    state.send_reply({"body": "¿Sigue sin tono?", "then_status": "pending"})
    assert state.status == "pending" and state.reply_body == "" and len(state.messages) == 2
    state.send_reply({"body": "Cambiamos la tarjeta de línea.", "then_status": "solved"})
    assert state.status == "solved" and len(state.messages) == 3
    # Only pending and solved are offered; a forged value sends the reply and leaves the status.
    state.send_reply({"body": "Un apunte más.", "then_status": "closed"})
    assert state.status == "solved" and len(state.messages) == 4
    with session_scope() as s:
        events = s.exec(select(TicketEvent.to_value).where(TicketEvent.kind == "status").order_by(TicketEvent.id)).all()
    assert events[-2:] == ["pending", "solved"]
