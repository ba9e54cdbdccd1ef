"""Mi cuenta → e-mail notifications: an agent saves their choices; a customer cannot."""

from __future__ import annotations

from helpdesk.infra.db import session_scope
from helpdesk.services.inbound import agent_notify
from helpdesk.domain.accounts import User
from helpdesk.web.pages.account.agent_mail import AgentMailState
from tests.state.conftest import people, sign_in, state_of  # noqa: F401 - fixture


def _prefs(email: str):
    from sqlmodel import select

    with session_scope() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        row = agent_notify.prefs_for(s, user)
        return row.new_ticket, row.customer_reply, row.assignment, row.sla


def test_an_agent_saves_their_mail_choices(root, people):
    sign_in(root, people["agent"]["token"])
    state = state_of(root, AgentMailState)
    state.load_mail_prefs()
    assert (state.new_ticket, state.customer_reply, state.assignment, state.sla) == (False, True, True, True)
    state.save_mail_prefs({"new_ticket": "on", "sla": "on"})
    assert _prefs("agente@x.test") == (True, False, False, True)
    assert state.mail_notice and not state.mail_error
    assert (state.new_ticket, state.customer_reply) == (True, False)


def test_a_customer_cannot_save_agent_mail_choices(root, people):
    sign_in(root, people["customer"]["token"])
    state = state_of(root, AgentMailState)
    state.save_mail_prefs({"new_ticket": "on"})
    assert state.mail_notice == ""
    assert _prefs("cliente@x.test") == (False, True, True, True)
