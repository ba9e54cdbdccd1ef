"""In-process tests of Reflex State handlers: the browser is replaced by direct calls."""

from __future__ import annotations

import pytest
import reflex as rx

import helpdesk.helpdesk  # noqa: F401 - registers every page and State class
from helpdesk.domain.accounts import Role
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts


def state_of(root: rx.State, cls: type[rx.State]) -> rx.State:
    state = root
    for name in cls.get_full_name().split(".")[1:]:
        state = state.substates[name]
    return state


@pytest.fixture
def root(db) -> rx.State:
    return rx.State(_reflex_internal_init=True)


@pytest.fixture
def people(db) -> dict:
    """A customer, an org admin and colleague, an agent and an admin, each with a live session."""
    out = {}
    specs = {
        "customer": dict(email="cliente@x.test", role=Role.CUSTOMER),
        "org_admin": dict(email="jefa@acme.test", role=Role.CUSTOMER, org_name="Acme", org_admin=True),
        "colleague": dict(email="empleado@acme.test", role=Role.CUSTOMER, org_name="Acme"),
        "agent": dict(email="agente@x.test", role=Role.AGENT),
        "admin": dict(email="admin@x.test", role=Role.ADMIN),
    }
    with session_scope() as s:
        for key, spec in specs.items():
            user = accounts.create_user(s, password="password-123", name=key.title(), **spec)
            out[key] = {"user": user, "token": accounts.start_session(s, user)}
    return out


def sign_in(root: rx.State, token: str) -> None:
    from helpdesk.web.app_state import AppState

    state_of(root, AppState).token = token
