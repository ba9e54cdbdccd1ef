"""Two-step sign-in in a real browser: /account shows the key and a QR code, a code from the
key turns it on, and from then on /login asks for `login-totp` after the password: a wrong
code is refused, a fresh code (next 30 s step: a code works once) or a recovery code lets in."""

from __future__ import annotations

import time
import uuid

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, shoot
from tests.e2e.test_a11y_e2e import _violations
from tests.support.e2e_db import app_database

PASSWORD = "dos-pasos-clave-1"


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _user(app_db, prefix: str) -> str:
    from helpdesk.services import accounts

    email = f"{prefix}-{uuid.uuid4().hex[:8]}@ejemplo.test"
    with app_db() as s:
        accounts.create_user(s, email=email, password=PASSWORD, name="Dos Pasos")
    return email


def _wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    now = time.time()
    taken = {totp.at(now + d) for d in (-30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222") if c not in taken)


def _turn_on(page) -> tuple[str, int, list[str]]:
    page.goto("/account")
    page.get_by_test_id("totp-setup").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    at = time.time()  # the step of the code typed is the one the server marks used
    step = int(at) // 30
    page.get_by_test_id("totp-code").fill(pyotp.TOTP(secret).at(at))
    page.get_by_test_id("totp-enable").click()
    expect(page.get_by_test_id("totp-recovery")).to_be_visible()
    expect(page.get_by_test_id("totp-status")).to_contain_text("activada")
    codes = [c.strip() for c in page.get_by_test_id("totp-recovery-code").all_inner_texts()]
    assert len(codes) == 10
    return secret, step, codes


def _sign_out(page) -> None:
    page.goto("/logout")
    page.wait_for_url("**/login**")  # the sign-out handler ran (it redirects)
    expect(page.get_by_test_id("nav-login")).to_be_visible()


def _password_step(page, email: str, *, goto: bool = True) -> None:
    if goto:
        page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-totp")).to_be_visible()
    expect(page.get_by_test_id("nav-logout")).to_have_count(0)


def test_turn_on_then_sign_in_needs_the_code(page, app_db):
    email = _user(app_db, "totp")
    login(page, email, PASSWORD)
    secret, enabled_step, codes = _turn_on(page)
    _sign_out(page)

    _password_step(page, email)
    page.get_by_test_id("login-totp").fill(_wrong_code(secret))
    page.get_by_test_id("login-totp-submit").click()
    expect(page.get_by_test_id("field-error-totp_code")).to_be_visible()
    expect(page.get_by_test_id("nav-logout")).to_have_count(0)
    # The code that turned it on is spent: wait for the next 30 s step.
    while int(time.time()) // 30 <= enabled_step:
        time.sleep(0.5)
    page.get_by_test_id("login-totp").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("login-totp-submit").click()
    expect(page.get_by_test_id("nav-logout")).to_be_visible()

    _sign_out(page)
    _password_step(page, email)
    page.get_by_test_id("login-totp").fill(codes[0])
    page.get_by_test_id("login-totp-submit").click()
    expect(page.get_by_test_id("nav-logout")).to_be_visible()

    # A recovery code works once.
    _sign_out(page)
    _password_step(page, email)
    page.get_by_test_id("login-totp").fill(codes[0])
    page.get_by_test_id("login-totp-submit").click()
    expect(page.get_by_test_id("field-error-totp_code")).to_be_visible()
    expect(page.get_by_test_id("nav-logout")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 390])
def test_screens_fit_in_both_languages(new_context, app_db, width):
    """Setup on /account and the login step at desktop and phone width, es and en: nothing wider
    than the screen, no axe (WCAG A/AA) violation; PNGs kept in screenshots/ to look at."""
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    email = _user(app_db, f"totp-shot{width}")
    login(page, email, PASSWORD)
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto("/account")
        page.get_by_test_id("totp-setup").click()
        expect(page.get_by_test_id("totp-secret")).to_be_visible()
        page.get_by_test_id("totp-setup-panel").scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert _violations(page) == []
        shoot(page, f"totp-setup-{lang}-{width}")
        page.get_by_test_id("totp-cancel").click()
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    _turn_on(page)
    assert _violations(page) == []
    shoot(page, f"totp-recovery-es-{width}")
    _sign_out(page)
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("login-totp-cancel").click()
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        _password_step(page, email, goto=lang == "es")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert _violations(page) == []
        shoot(page, f"totp-login-{lang}-{width}")
