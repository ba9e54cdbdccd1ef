"""Agent and admin pages refuse customers on load and in every handler, whatever the arguments."""

from __future__ import annotations

import asyncio
import functools
import inspect

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.web.pages.admin.state import AdminState
from helpdesk.web.pages.agent.state import AgentQueueState
from helpdesk.web.pages.agent_dashboard.state import DashboardState
from helpdesk.web.pages.agent_ticket.state import AgentTicketState
from helpdesk.web.pages.guard import GuardedState
from tests.state.conftest import sign_in, state_of

STAFF_PAGES = [AgentQueueState, AgentTicketState, DashboardState, AdminState]

# Arguments an attacker might send: other users' ids, roles, strings.
HOSTILE_ARGS = [1, 2, 3, "admin", "%", ""]


def _call(handler, nargs: int):
    result = handler(*HOSTILE_ARGS[:nargs]) if nargs else handler()
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    return result


def _own_handlers(cls) -> dict:
    base = set(GuardedState.event_handlers)
    return {name: h for name, h in cls.event_handlers.items() if name not in base and not name.startswith("set_")}


def _arity(cls, name: str) -> int:
    fn = getattr(cls, name).fn
    return len([p for p in inspect.signature(fn).parameters.values() if p.name != "self"])


def _roles():
    with session_scope() as s:
        return {u.email: u.role for u in s.exec(select(User)).all()}


@pytest.mark.parametrize("page_cls", STAFF_PAGES, ids=lambda c: c.__name__)
def test_customer_is_denied_on_load_and_by_every_handler(root, people, page_cls):
    sign_in(root, people["customer"]["token"])
    state = state_of(root, page_cls)
    before = _roles()
    state.load()
    assert state.access == "denied"
    handlers = _own_handlers(page_cls)
    assert handlers, "the page has handlers to check"
    for name in handlers:
        handler = getattr(page_cls, name)
        # Background tasks cannot be called directly; their function takes the state itself.
        bound = functools.partial(handler.fn, state) if handler.is_background else getattr(state, name)
        _call(bound, _arity(page_cls, name))
    assert _roles() == before
    public = {k: v for k, v in state.dict().items()}
    flat = repr(public)
    for person in people.values():
        assert person["user"].email not in flat, f"{page_cls.__name__} leaked another user's e-mail"
        assert person["token"] not in flat.replace(people["customer"]["token"], "")


def test_signed_out_visitor_is_sent_to_login(root, people):
    state = state_of(root, AdminState)
    result = state.load()
    assert state.access == ""
    assert "login" in repr(result)
    assert state.users == []


def test_admin_sees_users_and_changes_a_role(root, people):
    sign_in(root, people["admin"]["token"])
    state = state_of(root, AdminState)
    state.load()
    assert state.access == "ok"
    assert {u.email for u in state.users} >= {"cliente@x.test", "admin@x.test"}
    state.change_role(people["customer"]["user"].id, "agent")
    assert _roles()["cliente@x.test"] == "agent"


def test_agent_may_not_use_admin_handlers(root, people):
    sign_in(root, people["agent"]["token"])
    state = state_of(root, AdminState)
    state.load()
    assert state.access == "denied"
    state.change_role(people["agent"]["user"].id, "admin")
    assert _roles()["agente@x.test"] == "agent"
    agent_state = state_of(root, AgentQueueState)
    agent_state.load()
    assert agent_state.access == "ok"
