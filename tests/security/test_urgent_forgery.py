"""Attack: a customer who is not in a premium organization sends `urgent` through the form's
websocket handler (as any browser can). Nothing changes: no ticket, no urgent priority, no
allowance spent; the customer reads why. A premium member's forged `set_urgent` after the
allowance ran out changes nothing either."""

from __future__ import annotations

from sqlmodel import select

from helpdesk.domain.accounts import Organization
from helpdesk.domain.promises import UrgentUse
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import plans
from helpdesk.web.pages.new_ticket.promises import PromiseFormState
from tests.state.conftest import people, sign_in, state_of  # noqa: F401 - fixture
from tests.state.test_new_ticket_state import form, form_world, opened, run  # noqa: F401 - fixtures


def _rows():
    with session_scope() as s:
        return [(t.number, t.priority) for t in s.exec(select(Ticket)).all()], s.exec(select(UrgentUse)).all()


def test_standard_customer_forging_urgent_changes_nothing(root, people, form_world):
    for who in ("customer", "colleague", "agent"):
        sign_in(root, people[who]["token"])
        state = opened(root)
        for value in ("1", "on", "true", True):
            run(state.submit(form(form_world, urgent=value)))
            assert state.created_id == ""
            assert "urgent" in state.errors and state.form_error
    tickets, uses = _rows()
    assert tickets == [] and uses == []
    # The same send without the forged field opens an ordinary ticket.
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    run(state.submit(form(form_world)))
    tickets, uses = _rows()
    assert len(tickets) == 1 and tickets[0][1] != "urgent" and uses == []


def test_premium_member_cannot_exceed_the_allowance_or_force_the_checkbox(root, people, form_world):
    with session_scope() as s:
        acme = s.exec(select(Organization).where(Organization.name == "Acme")).one()
        plans.set_plan(s, people["admin"]["user"], acme.id, "premium", 1)
    sign_in(root, people["colleague"]["token"])
    promise = state_of(root, PromiseFormState)
    promise.load()
    assert promise.premium and promise.may_mark and "1" in promise.allowance_text
    state = opened(root)
    run(state.submit(form(form_world, urgent="1")))
    assert state.created_id, state.errors
    promise.load()
    assert promise.premium and not promise.may_mark
    promise.set_urgent(True)
    assert promise.urgent_checked is False
    state.start_over()
    run(state.submit(form(form_world, urgent="1", subject="Otra cosa distinta del todo")))
    assert state.created_id == "" and "urgent" in state.errors
    tickets, uses = _rows()
    assert [p for _, p in tickets] == ["urgent"] and len(uses) == 1
