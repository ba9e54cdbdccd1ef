"""Changing the account's address in a real browser (issue 13 §3): a wrong password keeps what
was typed; the link mailed to the new address completes the change; the old address's undo link,
opened in another browser, puts the account back and signs the first browser out."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import login, shoot
from tests.support.e2e_db import app_database, mailed_path


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _axe(page, where: str) -> list[str]:
    return [f"{where}: {v['id']} {[n['target'] for n in v['nodes'][:3]]}" for v in wcag_violations(page)]


def test_change_address_with_password_and_link_then_undo_from_the_old_one(page, new_context, app_db):
    from helpdesk.services import accounts

    tag = uuid.uuid4().hex[:8]
    old, new = f"cambio-{tag}@ejemplo.test", f"nueva-{tag}@ejemplo.test"
    with app_db() as s:
        accounts.create_user(s, email=old, password="una-clave-larga", name="Carmen Cambio")
    login(page, old, "una-clave-larga")
    page.goto("/account")
    expect(page.get_by_test_id("email-current")).to_contain_text(old)

    page.get_by_test_id("email-new").fill(new)
    page.get_by_test_id("email-password").fill("no-es-esta")
    page.get_by_test_id("email-change-submit").click()
    expect(page.locator("#email_password-error")).not_to_be_empty()
    expect(page.get_by_test_id("email-new")).to_have_value(new)  # nothing typed is lost

    page.get_by_test_id("email-password").fill("una-clave-larga")
    page.get_by_test_id("email-change-submit").click()
    expect(page.get_by_test_id("email-change-sent")).to_contain_text(new)
    expect(page.get_by_test_id("email-pending")).to_contain_text(new)
    problems = []
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.get_by_test_id("email-change-sent")).to_contain_text("We sent a link")
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.get_by_test_id("email-pending").scroll_into_view_if_needed()
            shoot(page, f"account-email-{lang}-{width}")
            problems += _axe(page, f"/account {lang} {width}")
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(mailed_path(app_db, new, "/account/email/"))
    expect(page.get_by_test_id("email-change-done")).to_contain_text(new)
    shoot(page, "account-email-confirmed-es-1280")
    problems += _axe(page, "confirm page")
    page.goto("/account")
    expect(page.get_by_test_id("email-current")).to_contain_text(new)

    # The old address's owner, in another browser, undoes it: the account is theirs again.
    other = new_context().new_page()
    other.goto(mailed_path(app_db, old, "/account/email-undo/"))
    expect(other.get_by_test_id("email-undo-submit")).to_be_visible()
    for width in (1280, 390):
        other.set_viewport_size({"width": width, "height": 900})
        shoot(other, f"account-email-undo-es-{width}")
    problems += _axe(other, "undo page")
    other.get_by_test_id("email-undo-submit").click()
    expect(other.get_by_test_id("email-undo-done")).to_contain_text(old)

    page.goto("/account")
    page.wait_for_url("**/login**")  # the session that made the change is gone
    login(page, old, "una-clave-larga")
    page.goto("/account")
    expect(page.get_by_test_id("email-current")).to_contain_text(old)
    assert problems == [], "\n".join(problems)
