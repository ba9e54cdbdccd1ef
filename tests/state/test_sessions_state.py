"""The signed-in browsers list on /account follows the language switch (it was left in Spanish)."""

from __future__ import annotations

from helpdesk.web import relocalize, routes
from helpdesk.web.pages.trust.sessions import SessionsState
from tests.state.conftest import sign_in, state_of


def test_the_sessions_list_redraws_its_dates_in_the_new_language(root, people):
    sign_in(root, people["customer"]["token"])
    state = state_of(root, SessionsState)
    state.load_sessions()
    assert [r["seen"] for r in state.rows] == ["ahora mismo"]
    assert relocalize.state_for(routes.ACCOUNT) is SessionsState
    state._apply_locale("en")
    state.relocalize()
    assert state.rows[0]["seen"] in ("just now", "now") and state.rows[0]["current"] == "1"


def test_signed_out_the_list_stays_empty(root, people):
    state = state_of(root, SessionsState)
    state.relocalize()
    assert state.rows == []
