"""Trusted accounts in a real browser: a retried sign-in, registration -> verify -> guest
tickets appear, forgot -> reset -> the other browser is signed out."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import login
from tests.e2e.test_a11y_e2e import _violations
from tests.support.e2e_db import app_database, mailed_path


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def test_a_retried_sign_in_types_the_password_into_the_password_box(page):
    """Defect: after a refused submit a late script moved focus to the e-mail box while the
    person re-typed the password, so the password landed in the e-mail field."""
    page.goto("/login")
    page.get_by_test_id("login-email").fill("cliente@demo.test")
    page.get_by_test_id("login-password").fill("no-es-esta")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("form-error")).to_be_visible()
    page.get_by_test_id("login-password").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("cliente-demo-1", delay=250)  # ~4 s at a normal pace, past every retry
    expect(page.get_by_test_id("login-email")).to_have_value("cliente@demo.test")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("nav-logout")).to_be_visible()


def test_registration_verify_then_guest_tickets_appear(page, app_db):
    from helpdesk.domain.catalog import Service
    from helpdesk.services import tickets

    email = f"invitada-{uuid.uuid4().hex[:8]}@ejemplo.test"
    with app_db() as s:
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        number = tickets.create_ticket(s, None, tickets.TicketDraft(
            subject="Factura duplicada de marzo", description="Me han cobrado dos veces la factura de marzo.",
            category="consulta", service_id=service_id, guest_name="Invitada", guest_email=email)).number
    page.goto("/register")
    page.get_by_test_id("register-name").fill("Invitada Registrada")
    page.get_by_test_id("register-email").fill(email)
    page.get_by_test_id("register-password").fill("una-clave-larga")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("nav-logout")).to_be_visible()
    page.goto(f"/tickets/{number}")
    expect(page.get_by_text("Factura duplicada de marzo")).to_have_count(0)
    page.goto(mailed_path(app_db, email, "/verify/"))
    expect(page.get_by_test_id("verify-ok")).to_be_visible()
    page.goto("/tickets")
    expect(page.get_by_text("Factura duplicada de marzo")).to_be_visible()


def test_forgot_reset_signs_out_the_other_browser(page, new_context, app_db):
    from helpdesk.services import accounts

    email = f"olvido-{uuid.uuid4().hex[:8]}@ejemplo.test"
    with app_db() as s:
        accounts.create_user(s, email=email, password="la-clave-vieja", name="Olvidadiza")
    other = new_context().new_page()
    login(other, email, "la-clave-vieja")
    other.goto("/account")
    expect(other.get_by_test_id("session-row")).to_have_count(1)  # the sessions list on /account
    page.goto("/login")
    page.get_by_test_id("forgot-link").click()
    page.get_by_test_id("forgot-email").fill(email)
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("forgot-sent")).to_be_visible()
    assert _violations(page) == []
    page.goto(mailed_path(app_db, email, "/reset/"))
    expect(page.get_by_test_id("reset-password")).to_be_visible()
    assert _violations(page) == []
    page.get_by_test_id("reset-password").fill("la-clave-nueva")
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-done")).to_be_visible()
    other.goto("/account")
    other.wait_for_url("**/login**")
    login(page, email, "la-clave-nueva")
