"""Sign-up through AuthState.register as a browser (or a bot on the websocket) sends it: the
captcha is checked before anything is made, its errors speak the reader's language and keep
what was typed, and a send that beat the widget is sent again once the widget has solved."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.web.app_state import AppState
from helpdesk.web.pages.auth.state import AuthState
from tests.state.conftest import state_of
from tests.support.captcha import solved


@pytest.fixture(autouse=True)
def easy_captcha(monkeypatch):
    monkeypatch.setenv("HELPDESK_CAPTCHA_MAX_NUMBER", "500")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _form(**over) -> dict:
    return {"name": "Rosa Nueva", "email": "rosa@ejemplo.test", "password": "una-clave-larga", **over}


def _emails() -> list[str]:
    with session_scope() as s:
        return list(s.exec(select(User.email)).all())


def _scripts(result) -> str:
    events = result if isinstance(result, list) else [result] if result is not None else []
    return " ".join(str(getattr(e, "args", e)) for e in events) + " " + repr(result)


def test_no_captcha_no_account_and_the_form_waits_for_the_widget(root, db):
    state = state_of(root, AuthState)
    result = state.register(_form())
    assert _emails() == [] and state.token == ""
    assert state.errors == {"captcha": "Confirma que no eres un robot."}
    assert state.form_error == ""
    assert (state.name_value, state.email_value) == ("Rosa Nueva", "rosa@ejemplo.test")
    # The page sends the form again once the widget has a solution, instead of a dead end.
    assert "requestSubmit" in _scripts(result) and "register-form" in _scripts(result)


def test_a_forged_or_replayed_solution_is_refused_in_english_too(root, db):
    state_of(root, AppState).toggle_locale()
    state = state_of(root, AuthState)
    result = state.register(_form(altcha="Zm9yZ2Vk"))
    assert _emails() == []
    assert state.errors["captcha"].startswith("The anti-robot check expired or is not valid")
    assert state.email_value == "rosa@ejemplo.test" and state.name_value == "Rosa Nueva"
    assert "reset" in _scripts(result)  # a fresh puzzle for the next try

    payload = solved()
    state.register(_form(altcha=payload))
    assert _emails() == ["rosa@ejemplo.test"] and state.token != ""
    other = state_of(root, AuthState)
    other.token = ""
    other.register(_form(email="otra@ejemplo.test", altcha=payload))
    assert _emails() == ["rosa@ejemplo.test"]
    assert "captcha" in other.errors


def test_a_taken_address_gets_no_different_answer_before_the_captcha(root, people):
    state = state_of(root, AuthState)
    state.register(_form(email="cliente@x.test"))
    taken = (dict(state.errors), state.form_error, state.register_notice)
    state.register(_form(email="nadie@ejemplo.test"))
    assert taken == (dict(state.errors), state.form_error, state.register_notice)
