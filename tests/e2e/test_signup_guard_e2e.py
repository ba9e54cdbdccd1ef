"""Sign-up with the real ALTCHA widget (issue 13): a send that beats the proof of work shows why,
keeps what was typed and goes through by itself once the widget has solved; screenshots."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import shoot

CHALLENGE = "**/api/captcha/challenge*"


def _fill(page, email: str) -> None:
    page.get_by_test_id("register-name").fill("Rosa Nueva")
    page.get_by_test_id("register-email").fill(email)
    page.get_by_test_id("register-password").fill("una-clave-larga")


def test_a_send_before_the_widget_solved_waits_for_it_and_signs_up(page):
    held = []
    # Hold the widget's challenge request: the proof of work cannot start until we let it go.
    page.route(CHALLENGE, lambda route: held.append(route))
    page.goto("/register")
    expect(page.get_by_test_id("register-captcha")).to_be_visible()
    email = f"rosa-{uuid.uuid4().hex[:8]}@ejemplo.test"
    _fill(page, email)
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("field-error-captcha")).to_be_visible()
    expect(page.get_by_test_id("register-name")).to_have_value("Rosa Nueva")
    expect(page.get_by_test_id("register-email")).to_have_value(email)
    expect(page.get_by_test_id("nav-logout")).to_have_count(0)
    for _ in range(100):  # the widget asked for its challenge on load; wait until we hold it
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the widget never asked for a challenge"
    for route in held:
        route.continue_()
    page.unroute(CHALLENGE)
    # The widget solves, and the page sends the form again by itself.
    expect(page.get_by_test_id("nav-logout")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Rosa Nueva")).to_be_visible()


def test_register_page_with_captcha_is_accessible_and_looks_right(new_context):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/register")
    page.wait_for_function("() => !!document.querySelector('#register-form input[name=altcha]')?.value",
                           timeout=30_000)
    problems = []
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(300)  # re-layout only; nothing is timed
            problems += [f"[{lang} {width}] {v['id']}: {v['help']}" for v in wcag_violations(page)]
            shoot(page, f"signup-guard-register-{lang}-{width}")
    # The error state, in English: a field error under the form, typed values kept.
    page.get_by_test_id("register-name").fill("Pepe")
    page.get_by_test_id("register-email").fill("esto-no-es-un-correo")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("field-error-email")).to_be_visible()
    shoot(page, "signup-guard-register-en-390-errors")
    problems += [f"[errors] {v['id']}: {v['help']}" for v in wcag_violations(page)]
    page.get_by_test_id("lang-switch").click()  # leave the stored choice as found
    assert problems == []
