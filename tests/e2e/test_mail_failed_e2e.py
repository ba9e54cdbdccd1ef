"""Issue 13 §6 and issue 16, end to end: a guest's ticket confirmation is refused for good by the
mail server (550, unknown mailbox); the app's own outbox worker gives it up at once and marks the
ticket, and the agent's ticket page warns about it, in Spanish and, after the switch, English."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import MailSink, login, shoot
from tests.support.e2e_db import app_database

AGENT = ("agente@demo.test", "agente-demo-1")


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _guest_ticket(session_scope, email: str) -> int:
    from helpdesk.domain.catalog import Service
    from helpdesk.services import tickets

    with session_scope() as s:
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        draft = tickets.TicketDraft(subject="No me llegan las facturas", description="Desde octubre no recibo ninguna factura.",
                                    category="consulta", service_id=service_id, guest_name="Ana", guest_email=email)
        return tickets.create_ticket(s, None, draft).number


def _wait_given_up(session_scope, email: str, timeout: float = 60) -> str:
    """The app's outbox worker (every 2 s) tries the confirmation once and gives it up."""
    from helpdesk.domain.mail import OutboxMail

    deadline = time.time() + timeout
    while time.time() < deadline:
        with session_scope() as s:
            row = s.exec(select(OutboxMail).where(OutboxMail.to_email == email)).first()
            if row is not None and row.status == "failed":
                return row.last_error
        time.sleep(0.5)
    raise AssertionError(f"the mail to {email} was not given up within {timeout}s")


def _axe_clean(page) -> None:
    found = [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in wcag_violations(page)]
    assert found == []


def test_the_agent_sees_that_the_confirmation_did_not_arrive(page, app_db):
    email = f"ana.{uuid.uuid4().hex[:6]}{MailSink.REFUSED_DOMAIN}"
    number = _guest_ticket(app_db, email)
    assert "550" in _wait_given_up(app_db, email)

    login(page, *AGENT)
    page.goto(f"/agent/tickets/{number}")
    warning = page.get_by_test_id("ticket-mail-failed")
    expect(warning).to_be_visible()
    expect(warning.get_by_test_id("mail-failure")).to_have_count(1)
    expect(warning).to_contain_text(f"El correo a {email} no llegó (el servidor lo rechazó: 550 5.1.1")
    expect(warning).to_contain_text("El cliente no ve este aviso")
    expect(page.get_by_test_id("ticket-history")).to_contain_text(f"El correo a {email} no llegó")
    _axe_clean(page)
    shoot(page, "mail-failed-agent-es-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(warning).to_be_visible()
    shoot(page, "mail-failed-agent-es-390")

    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(warning).to_contain_text(f"The e-mail to {email} did not arrive (the server refused it: 550 5.1.1")
    expect(page.get_by_test_id("ticket-history")).to_contain_text(f"The e-mail to {email} did not arrive")
    _axe_clean(page)
    shoot(page, "mail-failed-agent-en-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot(page, "mail-failed-agent-en-1280")
    page.get_by_test_id("lang-switch").click()  # the demo agent's stored language back as found
    expect(page.locator("html")).to_have_attribute("lang", "es")
