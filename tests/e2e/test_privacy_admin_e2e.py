"""Issue 13 §7 in a browser: /admin → Privacidad sets the attachment retention, erases an
account by its address (typed twice) and shows it in the audit log; the Integraciones tab opens
(it could not). axe-clean in both languages at desktop and phone width."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import login, shoot
from tests.support.e2e_db import app_database

ADMIN = ("admin@demo.test", "admin-demo-1")


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _customer(session_scope) -> str:
    from helpdesk.services import accounts

    email = f"borrar-{uuid.uuid4().hex[:8]}@ejemplo.test"
    with session_scope() as s:
        accounts.create_user(s, email=email, password="password-123", name="Persona Que Se Va")
    return email


def test_an_admin_sets_retention_erases_an_account_and_sees_it_in_the_log(page, app_db):
    email = _customer(app_db)
    login(page, *ADMIN)
    page.goto("/admin")
    page.get_by_test_id("admin-tab-integrations").click()
    expect(page.get_by_test_id("webhook-add")).to_be_visible()
    page.get_by_test_id("admin-tab-privacy").click()

    days = page.get_by_test_id("privacy-days")
    expect(days).to_have_value("0")  # loaded: the current setting (forever)
    days.fill("400")
    page.get_by_test_id("privacy-retention-save").click()
    expect(page.get_by_test_id("privacy-audit-row").first).to_contain_text("settings.retention")
    expect(days).to_have_value("400")

    page.get_by_test_id("privacy-email").fill(email)
    page.get_by_test_id("privacy-confirm").fill("otra@ejemplo.test")
    page.get_by_test_id("privacy-erase").click()
    expect(page.locator("#privacy-confirm-error")).not_to_be_empty()
    expect(page.get_by_test_id("privacy-email")).to_have_value(email)  # nothing typed is lost
    page.get_by_test_id("privacy-confirm").fill(email)
    page.get_by_test_id("privacy-erase").click()
    expect(page.get_by_test_id("privacy-audit-row").first).to_contain_text("privacy.anonymized")
    expect(page.get_by_test_id("privacy-email")).to_have_value("")  # done: the form is clear

    from helpdesk.domain.accounts import User
    from helpdesk.services import privacy

    with app_db() as s:
        assert s.exec(select(User).where(User.email == email)).first() is None
        assert privacy.retention_days(s) == 400

    problems = []
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.get_by_test_id("privacy-audit-row").first).to_contain_text(re.compile(r"now|ago"))
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(500)
            shoot(page, f"admin-privacy-{lang}-{width}")
            problems += [f"[{lang} {width}] {v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
                         for v in wcag_violations(page)]
    page.get_by_test_id("lang-switch").click()
    assert problems == [], "\n".join(problems)
