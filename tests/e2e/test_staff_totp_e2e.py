"""The admin requires two-step sign-in of staff (issue 13 §4), in a real browser: an agent
without it is sent from the agent pages to /account, which says why; once they turn it on,
the queue opens again. The admin turns the rule off at the end (the other tests' agents)."""

from __future__ import annotations

import time
import uuid

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import shoot
from tests.support.e2e_db import app_database

PASSWORD = "equipo-seguro-1"


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _staff(app_db, role, secret: str = "") -> str:
    from helpdesk.domain import utcnow
    from helpdesk.services import accounts

    email = f"{role.value}-2fa-{uuid.uuid4().hex[:8]}@ejemplo.test"
    with app_db() as s:
        user = accounts.create_user(s, email=email, password=PASSWORD, name=f"Equipo {role.value}", role=role)
        if secret:
            user.totp_secret, user.totp_enabled_at = secret, utcnow()
    return email


def _sign_in(page, email: str, secret: str = "") -> None:
    page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    if secret:
        page.get_by_test_id("login-totp").fill(pyotp.TOTP(secret).now())
        page.get_by_test_id("login-totp-submit").click()
    expect(page.get_by_test_id("nav-logout")).to_be_visible()


def _rule_off(app_db) -> None:
    from helpdesk.domain.sla import Setting
    from helpdesk.services import staff_totp_rule

    with app_db() as s:
        row = s.get(Setting, staff_totp_rule.KEY)
        if row is not None and row.value == "1":
            row.value = "0"
            time.sleep(staff_totp_rule.CACHE_SECONDS + 1)  # the server's kept value runs out


def test_an_agent_without_two_step_is_sent_to_set_it_up(page, new_context, app_db):
    from helpdesk.domain.accounts import Role

    admin_secret = pyotp.random_base32()
    admin = _staff(app_db, Role.ADMIN, admin_secret)
    agent = _staff(app_db, Role.AGENT)
    try:
        _sign_in(page, admin, admin_secret)
        page.goto("/admin")
        page.get_by_test_id("admin-tab-privacy").click()
        switch = page.get_by_test_id("staff-totp-required")
        expect(switch).to_have_attribute("data-state", "unchecked")
        switch.click()
        expect(switch).to_have_attribute("data-state", "checked")
        expect(page.get_by_test_id("privacy-audit-row").first).to_contain_text("settings.staff_totp")

        other = new_context().new_page()
        _sign_in(other, agent)
        other.goto("/agent")
        other.wait_for_url("**/account**")
        expect(other.get_by_test_id("totp-required")).to_be_visible()
        problems = []
        for lang in ("es", "en"):
            if lang == "en":
                other.get_by_test_id("lang-switch").click()
                expect(other.locator("html")).to_have_attribute("lang", "en")
                expect(other.get_by_test_id("totp-required")).to_contain_text("two-step")
            for width in (1280, 390):
                other.set_viewport_size({"width": width, "height": 900})
                other.get_by_test_id("security-section").scroll_into_view_if_needed()
                shoot(other, f"staff-totp-required-{lang}-{width}")
                problems += [f"{lang} {width}: {v['id']}" for v in wcag_violations(other)]
        other.get_by_test_id("lang-switch").click()
        expect(other.locator("html")).to_have_attribute("lang", "es")
        other.set_viewport_size({"width": 1280, "height": 900})
        assert problems == []

        other.get_by_test_id("totp-setup").click()
        secret = other.get_by_test_id("totp-secret").inner_text().strip()
        other.get_by_test_id("totp-code").fill(pyotp.TOTP(secret).now())
        other.get_by_test_id("totp-enable").click()
        expect(other.get_by_test_id("totp-recovery")).to_be_visible()
        other.goto("/agent")
        expect(other.get_by_test_id("queue-row").first).to_be_visible()  # back to work

        switch.click()  # the admin lifts the rule
        expect(switch).to_have_attribute("data-state", "unchecked")
    finally:
        _rule_off(app_db)
