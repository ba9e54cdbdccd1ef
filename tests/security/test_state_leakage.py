"""After each page's load, for each role, the whole public state tree holds no secrets: no
password hashes, other sessions' tokens, captcha/HMAC keys, internal notes (for customers) or
other users' e-mails."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from sqlmodel import select

from helpdesk.domain.accounts import AuthSession, User
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from tests.security.conftest import sign_in, state_of
from tests.security.test_handler_matrix import _run, app_states

ROLES = ("anonymous", "outsider", "colleague", "victim", "agent", "admin")


def _path(cls, world) -> str:
    n = world["tickets"]["victim"]
    return {"TicketState": f"/tickets/{n}", "AgentTicketState": f"/agent/tickets/{n}", "AgentQueueState": "/agent",
            "AdminState": "/admin", "MyTicketsState": "/tickets", "AccountState": "/account"}.get(cls.__name__, "/")


@pytest.mark.parametrize("role", ROLES)
def test_loaded_pages_hold_no_secrets(root, world, role):
    own_token = world[role]["token"] if role != "anonymous" else ""
    if own_token:
        sign_in(root, own_token)
    with session_scope() as s:
        hashes = [u.password_hash for u in s.exec(select(User)).all()]
        token_hashes = [a.token_hash for a in s.exec(select(AuthSession)).all()]
        emails = {u.email: u.id for u in s.exec(select(User)).all()}
    tokens = [p["token"] for k, p in world.items() if isinstance(p, dict) and "token" in p and p["token"] != own_token]
    secret_key = get_settings().secret_key
    for cls in app_states():
        if "load" not in cls.event_handlers:
            continue
        root.router = RouterData.from_router_data({"pathname": _path(cls, world), "asPath": _path(cls, world),
                                                   "query": {}, "headers": {}, "token": "tab"})
        _run(state_of(root, cls), cls, "load", [])
        flat = repr(root.dict())
        label = f"{role} on {cls.__name__}"
        assert not [h for h in hashes if h in flat], f"{label}: a password hash is in the state"
        assert not [t for t in tokens + token_hashes if t in flat], f"{label}: another session's token is in the state"
        assert secret_key not in flat, f"{label}: the signing key is in the state"
        if role not in ("agent", "admin"):
            assert "NOTA-INTERNA-9942" not in flat, f"{label}: an internal note reached a customer"
            me = world[role]["id"] if role != "anonymous" else None
            # The org admin may see the names/e-mails of their organization's requesters.
            allowed = {"otra@acme.test", "colega@acme.test"} if role == "victim" else set()
            others = [e for e, uid in emails.items() if uid != me and e not in allowed and e in flat]
            assert not others, f"{label}: other users' e-mails in the state: {others}"
