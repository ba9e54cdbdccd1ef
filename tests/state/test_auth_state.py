from helpdesk.web.app_state import AppState
from helpdesk.web.pages.auth.state import AuthState
from tests.state.conftest import state_of
from tests.support.captcha import solved


def test_login_with_wrong_password_keeps_email_and_shows_generic_error(root, people):
    state = state_of(root, AuthState)
    state.login({"email": "cliente@x.test", "password": "nope"})
    assert state.form_error == "El correo o la contraseña no son correctos."
    assert state.email_value == "cliente@x.test"
    assert state_of(root, AppState).token == ""


def test_login_sets_token_and_identity_then_logout_clears_everything(root, people):
    import asyncio

    state = state_of(root, AuthState)
    state.login({"email": "CLIENTE@x.test ", "password": "password-123"})
    app = state_of(root, AppState)
    assert app.token and app.user_role == "customer" and app.user_name == "Customer"
    token = app.token
    asyncio.run(state.logout())
    assert app.token == "" and app.user_role == ""
    from helpdesk.infra.db import session_scope
    from helpdesk.services import accounts

    with session_scope() as s:
        assert accounts.user_for_token(s, token) is None


def test_register_reports_each_field_in_the_readers_language(root, people):
    app = state_of(root, AppState)
    app.toggle_locale()
    state = state_of(root, AuthState)
    state.register({"name": "", "email": "cliente@x.test", "password": "short"})
    assert state.errors["name"] == "Enter your name."
    assert state.errors["password"].startswith("The password must be")
    assert state.name_value == "" and state.email_value == "cliente@x.test"
    state.register({"name": "Nueva", "email": "CLIENTE@x.test", "password": "long-enough-1", "altcha": solved()})
    # No account enumeration: a neutral "check your inbox", and a mail to the owner instead.
    assert state.errors == {} and "already" not in state.register_notice
    assert state.register_notice.startswith("If the address is valid")
    assert state.token == ""


def test_a_sign_in_makes_the_browser_known_and_signing_out_keeps_it(root, people):
    """The token the next sign-in sends (services/known_devices): names this account, survives
    the sign-out, and lets the owner in while a flood from elsewhere locks the account."""
    import asyncio

    from helpdesk.domain import utcnow
    from helpdesk.domain.accounts import LoginAttempt
    from helpdesk.infra.db import session_scope
    from helpdesk.services import accounts, known_devices

    state = state_of(root, AuthState)
    state.login({"email": "cliente@x.test", "password": "password-123"})
    device = state.known_device
    assert known_devices.vouches("cliente@x.test", device) and not known_devices.vouches("otro@x.test", device)
    asyncio.run(state.logout())
    assert state.known_device == device
    with session_scope() as s:
        for i in range(accounts.MAX_FAILURES_PER_EMAIL_ALL_IPS):
            s.add(LoginAttempt(email="cliente@x.test", ip=f"203.0.113.{i}", created_at=utcnow()))
    state.login({"email": "cliente@x.test", "password": "password-123"})
    assert state_of(root, AppState).token and state.form_error == ""
