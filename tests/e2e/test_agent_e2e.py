"""The agent workspace in a real browser: queue, taking a ticket, reply, internal note, pending
(SLA paused), priority with due date, solving; presence, typing, stale-reply warning, live queue."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import attach, login, shoot
from tests.support.e2e_db import app_database

AGENT = ("agente@demo.test", "agente-demo-1")
ADMIN = ("admin@demo.test", "admin-demo-1")
CUSTOMER = "cliente@demo.test"


@pytest.fixture
def app_db(app_server):
    """Service-layer access to the running app's database (same data dir and settings)."""
    with app_database(app_server) as session_scope:
        yield session_scope


def _open_ticket(session_scope, subject: str) -> int:
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.services import tickets

    with session_scope() as s:
        customer = s.exec(select(User).where(User.email == CUSTOMER)).one()
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        draft = tickets.TicketDraft(
            subject=subject, description="La centralita no suena desde esta mañana.", category="anomalia", service_id=service_id
        )
        return tickets.create_ticket(s, customer, draft).number


def _pick(page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_agent_takes_replies_notes_pends_and_solves(page, new_context, app_db, tmp_path):
    subject = f"Centralita muda {uuid.uuid4().hex[:6]}"
    number = _open_ticket(app_db, subject)
    login(page, *AGENT)
    page.goto("/agent")
    page.get_by_test_id("queue-search").fill(subject)
    row = page.get_by_test_id("queue-row").filter(has_text=subject)
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(row.get_by_test_id("ticket-id")).to_have_text(f"#{number}")
    shoot(page, "agent-queue-1280")
    row.click()
    page.wait_for_url(f"**/agent/tickets/{number}")
    expect(page.get_by_test_id("ticket-status")).to_have_text("Nuevo")

    page.get_by_test_id("agent-assign-me").click()
    expect(page.get_by_test_id("agent-assignee")).to_contain_text("Carlos Soporte")
    expect(page.get_by_test_id("agent-assign-me")).to_be_disabled()  # nothing left to take

    guide = tmp_path / "guía de configuración.txt"
    guide.write_text("1. Descolgar\n2. Marcar 0\n", encoding="utf-8")
    page.get_by_test_id("agent-reply-body").fill("Hola Lucía, lo estamos revisando.")
    attach(page, "agent-reply-attachments", guide)
    expect(page.get_by_test_id("staged-file")).to_have_count(1)
    page.get_by_test_id("agent-reply-submit").click()
    expect(page.get_by_test_id("ticket-message")).to_have_count(2)
    expect(page.get_by_test_id("ticket-status")).to_have_text("Abierto")
    expect(page.get_by_test_id("staged-file")).to_have_count(0)
    expect(page.get_by_test_id("agent-reply-body")).to_have_value("")
    agent_link = page.get_by_test_id("ticket-message").last.get_by_test_id("attachment-link")
    expect(agent_link).to_contain_text("guía de configuración.txt")
    assert page.request.get(agent_link.get_attribute("href")).text().startswith("1. Descolgar")

    note = "Nota: reiniciar la troncal SIP del cliente"
    page.get_by_test_id("agent-note-body").fill(note)
    page.get_by_test_id("agent-note-submit").click()
    expect(page.get_by_test_id("ticket-message")).to_have_count(3)
    expect(page.locator("[data-testid=ticket-message][data-internal=true]")).to_contain_text(note)
    expect(page.get_by_test_id("agent-note-body")).to_have_value("")
    page.wait_for_timeout(700)  # longer than the box's debounce: nothing typed comes back
    expect(page.get_by_test_id("agent-reply-body")).to_have_value("")
    expect(page.get_by_test_id("agent-note-body")).to_have_value("")

    _pick(page, "agent-priority", "Alta")
    expect(page.get_by_test_id("ticket-priority")).to_have_text("Alta")
    expect(page.get_by_test_id("ticket-due")).to_contain_text(re.compile(r"Vence el \d{1,2} \w+"))

    _pick(page, "agent-status", "Esperando al cliente")
    expect(page.get_by_test_id("ticket-status")).to_have_text("Esperando al cliente")
    expect(page.get_by_test_id("ticket-due")).to_contain_text("pausa")
    shoot(page, "agent-ticket-1280")

    page.reload()
    expect(page.get_by_test_id("ticket-message")).to_have_count(3)
    # The customer sees the reply and its file, never the note, also after a reload.
    customer = new_context().new_page()
    login(customer, CUSTOMER, "cliente-demo-1")
    customer.goto(f"/tickets/{number}")
    expect(customer.get_by_test_id("ticket-message")).to_have_count(2)
    customer.reload()
    expect(customer.get_by_test_id("ticket-message")).to_have_count(2)
    expect(customer.get_by_text(note)).to_have_count(0)
    link = customer.get_by_test_id("ticket-message").last.get_by_test_id("attachment-link")
    expect(link).to_contain_text("guía de configuración.txt")
    assert customer.request.get(link.get_attribute("href")).text().startswith("1. Descolgar")
    customer.context.close()
    from helpdesk.domain.accounts import User
    from helpdesk.services import tickets

    with app_db() as s:
        customer = s.exec(select(User).where(User.email == CUSTOMER)).one()
        ticket = tickets.get_ticket(s, customer, number)
        bodies = [m.body for m in tickets.messages_for(s, customer, ticket)]
        assert note not in bodies and "Hola Lucía, lo estamos revisando." in bodies
        assert ticket.status == "pending" and ticket.paused_at is not None

    # Send and set the status in one action (Zendesk's "Submit as Solved").
    page.get_by_test_id("agent-reply-body").fill("Ya funciona: cambiamos la tarjeta de línea.")
    _pick(page, "agent-reply-then", "y marcar resuelto")
    page.get_by_test_id("agent-reply-submit").click()
    expect(page.get_by_test_id("ticket-message")).to_have_count(4)
    expect(page.get_by_test_id("ticket-status")).to_have_text("Resuelto")
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, "agent-ticket-360")


def test_two_agents_see_each_other_typing_stale_warning_and_live_queue(new_context, app_db):
    subject = f"Fax sin tono {uuid.uuid4().hex[:6]}"
    number = _open_ticket(app_db, subject)
    agent = new_context().new_page()
    admin = new_context().new_page()
    login(agent, *AGENT)
    login(admin, *ADMIN)

    # The agent watches the unassigned view; the admin takes the ticket: the row leaves live.
    agent.goto("/agent?view=unassigned")
    agent.get_by_test_id("queue-search").fill(subject)
    expect(agent.get_by_test_id("queue-row")).to_have_count(1)
    admin.goto(f"/agent/tickets/{number}")
    admin.get_by_test_id("agent-assign-me").click()
    expect(agent.get_by_test_id("queue-row")).to_have_count(0)

    agent.goto(f"/agent/tickets/{number}")
    expect(agent.get_by_test_id("presence-viewer")).to_contain_text("Ana Admin")
    expect(admin.get_by_test_id("presence-viewer")).to_contain_text("Carlos Soporte")

    agent.get_by_test_id("agent-reply-body").fill("Te llamo en cinco minutos.")
    expect(admin.get_by_test_id("presence-typing")).to_be_visible()
    shoot(admin, "agent-presence-1280")

    # The admin answers first: the agent is warned, keeps the text, and may send after seeing it.
    admin.get_by_test_id("agent-reply-body").fill("Ya está resuelto desde aquí.")
    admin.get_by_test_id("agent-reply-submit").click()
    expect(agent.get_by_test_id("ticket-message")).to_have_count(2)
    agent.get_by_test_id("agent-reply-submit").click()
    expect(agent.get_by_test_id("form-error")).to_contain_text("ha cambiado")
    expect(agent.get_by_test_id("agent-reply-body")).to_have_value("Te llamo en cinco minutos.")
    agent.get_by_test_id("agent-reply-submit").click()
    expect(agent.get_by_test_id("ticket-message")).to_have_count(3)
    expect(agent.get_by_test_id("form-error")).to_have_count(0)

    agent.goto("/agent")
    expect(admin.get_by_test_id("presence-viewer")).to_have_count(0)


def test_admin_tabs_and_dashboard_render(page):
    login(page, *ADMIN)
    page.goto("/admin")
    page.get_by_test_id("admin-tab-sla").click()
    expect(page.get_by_test_id("admin-sla-target")).to_have_count(4)
    shoot(page, "admin-sla-1280")
    page.get_by_test_id("admin-tab-canned").click()
    # A title no demo reply contains (they end with "Un saludo", and has_text ignores case).
    page.get_by_test_id("admin-canned-title").fill("Bienvenida e2e")
    page.get_by_test_id("admin-canned-body").fill("Hola {customer_name}, gracias por escribirnos sobre {ticket_id}.")
    page.get_by_test_id("admin-canned-submit").click()
    # Demo canned responses are seeded too: find ours among them.
    expect(page.get_by_test_id("admin-canned-row").filter(has_text="Bienvenida e2e")).to_have_count(1)
    page.goto("/agent/dashboard")
    expect(page.get_by_test_id("chart-volume").locator("svg").first).to_be_visible()
    expect(page.get_by_test_id("kpi-first-response")).to_have_text(re.compile(r"^(\d+ min|\d+(,\d)? h|\d+(,\d)? días)$"))
    # Bars are drawn at their height at once (no grow-in animation hiding the figures).
    bars = page.get_by_test_id("chart-volume").locator(".recharts-bar-rectangle path")
    expect(bars.first).to_be_visible()
    assert max(b["height"] for b in (el.bounding_box() for el in bars.all()) if b) > 10
    shoot(page, "agent-dashboard-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/agent")
    expect(page.get_by_test_id("queue-search")).to_be_visible()
    shoot(page, "agent-queue-360")
