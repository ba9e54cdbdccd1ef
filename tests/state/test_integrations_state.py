"""Account API tokens and the admin Integrations tab, driven through their State handlers."""

from __future__ import annotations

from helpdesk.web.pages.account.tokens import TokensState
from helpdesk.web.pages.admin.integrations import IntegrationsState
from tests.state.conftest import sign_in, state_of
from tests.support.api_world import auth, client
from tests.support.receiver import Receiver


def test_customer_creates_a_token_once_uses_it_and_revokes_it(root, people):
    sign_in(root, people["customer"]["token"])
    st = state_of(root, TokensState)
    st.load_tokens()
    st.create_token({"token_name": "Mi ERP", "scope": "write", "expires_days": "30"})
    secret = st.new_token
    assert secret.startswith("hdk_") and [t.name for t in st.tokens] == ["Mi ERP"]
    assert client().get("/api/v1/me", headers=auth(secret)).status_code == 200
    st.load_tokens()
    assert st.new_token == ""  # shown once
    st.revoke_token(st.tokens[0].id)
    assert st.tokens[0].state == "revoked"
    assert client().get("/api/v1/me", headers=auth(secret)).status_code == 401
    st.create_token({"token_name": "x", "scope": "write", "expires_days": "abc"})
    assert "expires_days" in st.token_errors


def test_someone_elses_token_cannot_be_revoked_by_a_forged_call(root, people):
    from helpdesk.infra.db import session_scope
    from helpdesk.services import api_tokens

    with session_scope() as s:
        row, secret = api_tokens.create_token(s, people["agent"]["user"], name="agent's")
    sign_in(root, people["customer"]["token"])
    state_of(root, TokensState).revoke_token(row.id)
    assert client().get("/api/v1/me", headers=auth(secret)).status_code == 200


def test_admin_adds_tests_and_removes_a_webhook(root, people, monkeypatch):
    monkeypatch.setenv("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    receiver = Receiver()
    try:
        sign_in(root, people["admin"]["token"])
        st = state_of(root, IntegrationsState)
        st.load_integrations()
        st.add_webhook({"url": receiver.url, "event_ticket.created": "on", "secret": ""})
        assert len(st.endpoints) == 1 and "ticket.created" in st.endpoints[0].events
        st.test_webhook(st.endpoints[0].id)
        assert receiver.requests[-1]["json"]["event"] == "ping"
        assert st.deliveries[0].answer == "200" and st.deliveries[0].ms.endswith("ms")
        st.redeliver(st.deliveries[0].id)
        assert len(st.deliveries) == 2
        st.remove_webhook(st.endpoints[0].id)
        assert st.endpoints == []
    finally:
        receiver.close()


def test_non_admins_get_nothing_from_the_integrations_state(root, people, monkeypatch):
    monkeypatch.setenv("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    sign_in(root, people["agent"]["token"])
    st = state_of(root, IntegrationsState)
    st.load_integrations()
    st.add_webhook({"url": "http://127.0.0.1:9/x", "event_ticket.created": "on"})
    assert st.endpoints == [] and st.all_tokens == []
    from helpdesk.infra.db import session_scope
    from helpdesk.domain.integrations import WebhookEndpoint
    from sqlmodel import select

    with session_scope() as s:
        assert s.exec(select(WebhookEndpoint)).all() == []
