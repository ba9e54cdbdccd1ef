"""The agent ticket page warns that a ticket mail did not arrive, in the reader's language, and
its history reads the lost mail in words (issue 13 §6, issue 16)."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.domain import utcnow
from helpdesk.infra.db import session_scope
from helpdesk.services import mail
from helpdesk.web import relocalize, routes
from helpdesk.web.pages.agent_ticket.state import AgentTicketState
from tests.state.test_agent_ticket_state import _open_page, ticket  # noqa: F401
from tests.unit.test_mail import Sink, queue, start_server, use_smtp


def _deliver_through(monkeypatch, sink: Sink, now=None) -> None:
    controller, port = start_server(sink)
    try:
        use_smtp(monkeypatch, port)
        mail.deliver_pending(now=now)
    finally:
        controller.stop()


def test_the_refused_confirmation_is_shown_to_the_agent_in_both_languages(root, people, ticket, monkeypatch):  # noqa: F811
    _deliver_through(monkeypatch, Sink(reject_rcpt=True))  # the ticket's confirmation to the customer
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    [line] = state.mail_failures
    assert line.address == "cliente@x.test"
    assert line.text == "El correo a cliente@x.test no llegó (el servidor lo rechazó: 550 5.1.1 No such user)"
    assert line.at and line.at_full
    assert line.text in [e.text for e in state.events]
    assert relocalize.state_for(routes.AGENT_TICKET) is AgentTicketState
    state._apply_locale("en")
    state.relocalize()  # the language switch: server-made texts follow
    [line] = state.mail_failures
    assert line.text == "The e-mail to cliente@x.test did not arrive (the server refused it: 550 5.1.1 No such user)"
    assert line.text in [e.text for e in state.events]


def test_a_later_delivery_to_that_address_clears_the_warning_not_the_history(root, people, ticket, monkeypatch):  # noqa: F811
    _deliver_through(monkeypatch, Sink(reject_rcpt=True))
    with session_scope() as s:
        queue(s, "reply:1", to="cliente@x.test", ticket_id=ticket.id)
    _deliver_through(monkeypatch, Sink(), now=utcnow() + timedelta(minutes=1))
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    assert state.mail_failures == []
    assert any("no llegó" in e.text for e in state.events)


def test_a_bounce_reads_in_words_in_the_history(root, people, ticket, monkeypatch):  # noqa: F811
    from helpdesk.services import tickets

    with session_scope() as s:
        tickets.record_event(s, s.merge(ticket), None, "mail_bounced", "", "cliente@x.test")  # as the mail channel does
    state = _open_page(root, people["agent"]["token"], ticket.number, monkeypatch)
    assert state.mail_failures[0].text == "El correo a cliente@x.test no llegó (volvió rebotado)"
    assert "El correo a cliente@x.test volvió rebotado" in [e.text for e in state.events]
