"""Two-step sign-in through the Reflex states: /account turns it on, /login then asks for the
code before any session exists, and a forged second-step call without a password gets nothing."""

from __future__ import annotations

import time

import pyotp

from helpdesk.infra.db import session_scope
from helpdesk.services import accounts
from helpdesk.web.app_state import AppState
from helpdesk.web.pages.account.security import SecurityState
from helpdesk.web.pages.auth.state import AuthState
from tests.state.conftest import sign_in, state_of


def _turn_on(root, people) -> tuple[str, list[str]]:
    sign_in(root, people["customer"]["token"])
    sec = state_of(root, SecurityState)
    sec.load_security()
    assert sec.totp_on is False
    sec.start_totp_setup()
    assert sec.setup_open and sec.totp_secret and sec.totp_qr.startswith("data:image/svg+xml")
    secret = sec.totp_secret
    sec.enable_totp({"totp_code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert sec.sec_errors["totp_code"].startswith("El código no es correcto")
    sec.enable_totp({"totp_code": pyotp.TOTP(secret).now()})
    assert sec.sec_errors == {} and sec.totp_on and not sec.setup_open and sec.totp_secret == ""
    codes = list(sec.recovery_codes)
    assert len(codes) == 10 and sec.recovery_left == 10
    return secret, codes


def test_account_turns_it_on_then_login_needs_the_code(root, people):
    _, codes = _turn_on(root, people)
    app = state_of(root, AppState)
    app.token = ""
    auth = state_of(root, AuthState)
    auth.login({"email": "cliente@x.test", "password": "password-123"})
    assert auth.totp_step and app.token == "" and auth.form_error == ""
    auth.login_totp({"totp_code": "12345"})
    assert app.token == "" and auth.totp_error
    # The code that turned it on was just used (same 30 s step): a recovery code signs in.
    auth.login_totp({"totp_code": codes[0]})
    assert app.token and app.user_role == "customer" and not auth.totp_step
    with session_scope() as s:
        assert accounts.user_for_token(s, app.token).email == "cliente@x.test"


def test_a_forged_second_step_without_the_password_opens_nothing(root, people):
    _, codes = _turn_on(root, people)
    app = state_of(root, AppState)
    app.token = ""
    auth = state_of(root, AuthState)
    auth.login_totp({"totp_code": codes[0], "user_id": people["customer"]["user"].id})
    assert app.token == "" and auth.form_error.startswith("Ha pasado demasiado tiempo")
    # A wrong password never reaches the second step.
    auth.login({"email": "cliente@x.test", "password": "nope"})
    assert not auth.totp_step and app.token == ""
    # An expired pending sign-in is forgotten.
    auth.login({"email": "cliente@x.test", "password": "password-123"})
    assert auth.totp_step
    auth._pending_until = time.time() - 1
    auth.login_totp({"totp_code": codes[0]})
    assert app.token == "" and not auth.totp_step


def test_turning_it_off_needs_proof(root, people):
    _turn_on(root, people)
    sec = state_of(root, SecurityState)
    sec.disable_totp({"totp_proof": "wrong password"})
    assert sec.totp_on and sec.sec_errors["totp_proof"]
    sec.disable_totp({"totp_proof": "password-123"})
    assert not sec.totp_on and sec.sec_notice
