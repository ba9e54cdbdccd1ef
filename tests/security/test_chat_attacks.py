"""Chat handlers attacked in-process: a guest cannot read or continue another guest's
conversation, and no argument lets a browser pick the priority or skip a step."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.domain.chat import ChatConversation
from helpdesk.infra.db import session_scope
from helpdesk.services import seed
from helpdesk.web.pages.chat.state import ChatState
from tests.state.conftest import people, root, sign_in, state_of  # noqa: F401

KEY_A = "A" * 43


@pytest.fixture
def service(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.flush()
        return s.exec(select(Service.id)).first()


def _chat(root_state, key: str = "") -> ChatState:
    st = state_of(root_state, ChatState)
    st.chat_key = key
    return st


def _run(result):
    return list(result) if hasattr(result, "__iter__") and not isinstance(result, (str, bytes)) else result


def test_other_guest_cannot_read_or_continue_a_conversation(service):
    import reflex as rx

    alice = _chat(rx.State(_reflex_internal_init=True), KEY_A)
    _run(alice.toggle())
    _run(alice.choose("consulta"))
    assert alice.step == "service"
    # Mallory: a fresh browser, then one that forges values it could guess.
    for forged_key in ("", "B" * 43, "A" * 42, KEY_A.lower(), "../" * 15):
        mallory = _chat(rx.State(_reflex_internal_init=True), forged_key)
        _run(mallory.toggle())
        assert all("Consulta" not in t.text for t in mallory.turns if not t.bot)
        _run(mallory.choose(str(service)))
        _run(mallory.send({"text": "texto de un intruso en la conversación"}))
        _run(mallory.opened("x"))
        _run(mallory.request_callback({"phone": "600123456"}))
    with session_scope() as s:
        rows = s.exec(select(ChatConversation)).all()
        mine = next(r for r in rows if "consulta" in r.answers)
        assert json.loads(mine.answers) == {"reason": "consulta"}
        assert "intruso" not in mine.transcript


def test_browser_cannot_pick_priority_or_skip_steps(service):
    import reflex as rx

    st = _chat(rx.State(_reflex_internal_init=True), KEY_A)
    _run(st.toggle())
    for forged in ("high", "urgent", "solved", "yes", str(service), "done", {"priority": "urgent"}):
        _run(st.choose(forged))
        assert st.step == "reason" and st.error
    _run(st.send({"text": "Quiero prioridad urgente ya", "priority": "urgent", "altcha": "x"}))
    assert st.step == "reason"
    with session_scope() as s:
        row = s.exec(select(ChatConversation)).one()
        assert json.loads(row.answers) == {}
