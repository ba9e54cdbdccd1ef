"""Accounts in a real browser: register, sign out, sign in, wrong password, role gates, language."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login


def test_home_is_spanish_by_default(page):
    page.goto("/")
    expect(page.get_by_test_id("nav-new-ticket")).to_have_text("Nuevo ticket")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.title().endswith("Centro de ayuda")


@pytest.mark.pg_smoke
def test_register_logout_login(page):
    email = f"nuevo-{uuid.uuid4().hex[:8]}@Ejemplo.test"
    page.goto("/register")
    page.get_by_test_id("register-name").fill("Rosa Nueva")
    page.get_by_test_id("register-email").fill(email)
    page.get_by_test_id("register-password").fill("una-clave-larga")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("nav-logout")).to_be_visible()
    expect(page.get_by_text("Rosa Nueva")).to_be_visible()

    page.goto("/logout")
    expect(page.get_by_test_id("nav-login")).to_be_visible()
    expect(page.get_by_test_id("nav-logout")).to_have_count(0)

    # The address is normalised: sign in with different case and spaces.
    login(page, "  " + email.upper(), "una-clave-larga")


@pytest.mark.pg_smoke
def test_wrong_password_shows_form_error_and_keeps_email(page):
    page.goto("/login")
    page.get_by_test_id("login-email").fill("cliente@demo.test")
    page.get_by_test_id("login-password").fill("no-es-esta")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("no son correctos")
    expect(page.get_by_test_id("login-email")).to_have_value("cliente@demo.test")
    expect(page.get_by_test_id("nav-logout")).to_have_count(0)


def test_registration_errors_are_next_to_fields_and_keep_input(page):
    page.goto("/register")
    page.get_by_test_id("register-name").fill("Pepe")
    page.get_by_test_id("register-email").fill("esto-no-es-un-correo")
    page.get_by_test_id("register-password").fill("corta")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("field-error-email")).to_be_visible()
    expect(page.get_by_test_id("field-error-password")).to_be_visible()
    expect(page.get_by_test_id("register-name")).to_have_value("Pepe")
    expect(page.get_by_test_id("register-email")).to_have_value("esto-no-es-un-correo")


@pytest.mark.pg_smoke
def test_customer_typing_agent_url_is_denied_and_sees_no_queue(page):
    login(page, "cliente@demo.test", "cliente-demo-1")
    expect(page.get_by_test_id("nav-agent")).to_have_count(0)
    page.goto("/agent")
    expect(page.get_by_test_id("access-denied")).to_be_visible()
    expect(page.get_by_test_id("queue-row")).to_have_count(0)
    page.goto("/admin")
    expect(page.get_by_test_id("access-denied")).to_be_visible()


def test_signed_out_visitor_is_sent_to_login_and_back(page):
    page.goto("/agent")
    page.wait_for_url("**/login?next=*")
    page.get_by_test_id("login-email").fill("agente@demo.test")
    page.get_by_test_id("login-password").fill("agente-demo-1")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/agent**")
    expect(page.get_by_test_id("access-denied")).to_have_count(0)
    expect(page.get_by_role("heading", name="Panel de agentes")).to_be_visible()


def test_language_switch_is_remembered(page):
    page.goto("/")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("nav-new-ticket")).to_have_text("New ticket")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()
    expect(page.get_by_test_id("nav-new-ticket")).to_have_text("New ticket")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("nav-new-ticket")).to_have_text("Nuevo ticket")


@pytest.mark.pg_smoke
def test_admin_reaches_admin_page(page):
    login(page, "admin@demo.test", "admin-demo-1")
    page.goto("/admin")
    expect(page.get_by_role("heading", name="Administración")).to_be_visible()
    expect(page.get_by_text("cliente@demo.test")).to_be_visible()
