"""Issue 15: saved personal views on the queue. An agent filters the queue, saves the view by
keyboard, reloads, opens it again from «Mis vistas», sees the filtered queue, and deletes it.
Screenshots of the bar at 1280 and 390 px, in Spanish and English; axe on the bar and dialog."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import login, shoot
from tests.support.e2e_db import app_database

AGENT = ("agente@demo.test", "agente-demo-1")


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _open(session_scope, subject: str, category: str) -> int:
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.services import tickets

    with session_scope() as s:
        customer = s.exec(select(User).where(User.email == "cliente@demo.test")).one()
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        draft = tickets.TicketDraft(subject=subject, description="El router se reinicia cada hora.", category=category, service_id=service_id)
        return tickets.create_ticket(s, customer, draft).number


def _page(new_context, width: int, locale: str = "es"):
    ctx = new_context(viewport={"width": width, "height": 900})
    if locale == "en":
        ctx.add_init_script("window.localStorage.setItem('hd_locale', 'en')")
    return ctx.new_page()


def test_agent_saves_a_filtered_queue_opens_it_again_and_deletes_it(page, new_context, app_db):
    tag = f"vista{uuid.uuid4().hex[:6]}"
    fault = _open(app_db, f"Router {tag} caído", "anomalia")
    _open(app_db, f"Pregunta {tag} sobre facturas", "consulta")
    name = f"Averías {tag}"
    login(page, *AGENT)
    page.goto("/agent")
    rows = page.get_by_test_id("queue-row")
    page.get_by_test_id("queue-search").fill(tag)
    expect(rows).to_have_count(2)
    page.get_by_test_id("queue-filter-category").click()
    page.get_by_role("option", name="Anomalía", exact=True).click()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"/agent/?\?category=anomalia&q={tag}$"))

    # Save by keyboard: an empty name is refused in Spanish and the dialog stays open.
    page.get_by_test_id("view-save").focus()
    page.keyboard.press("Enter")
    field = page.get_by_test_id("view-name")
    expect(field).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("field-error-name")).to_have_text("Escribe un nombre para la vista.")
    assert wcag_violations(page) == []
    shoot(page, "saved-views-dialog-es-1280")
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    view = page.get_by_test_id("saved-view").filter(has_text=name)
    expect(view).to_have_count(1)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(view).to_have_attribute("aria-current", "page")  # the URL matches it
    expect(view).to_have_attribute("href", f"/agent?category=anomalia&q={tag}")

    # After a reload the view is still listed; a plain queue does not highlight it.
    page.reload()
    expect(view).to_have_count(1)
    page.get_by_test_id("queue-view-mine").click()
    expect(view).to_have_attribute("aria-current", "false")
    page.goto("/agent")
    expect(page.get_by_test_id("queue-search")).to_have_value("")
    expect(view).to_have_attribute("aria-current", "false")

    # Opening it from the list brings the filtered queue back, search box included.
    view.click()
    expect(page).to_have_url(re.compile(rf"/agent/?\?category=anomalia&q={tag}$"))
    expect(page.get_by_test_id("queue-search")).to_have_value(tag)
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("ticket-id")).to_have_text(f"#{fault}")
    expect(view).to_have_attribute("aria-current", "page")
    assert wcag_violations(page) == []
    shoot(page, "saved-views-es-1280")

    # Phone width and English: the same view, nothing wider than the screen.
    for width, locale in ((390, "es"), (1280, "en"), (390, "en")):
        other = _page(new_context, width, locale)
        login(other, *AGENT)
        other.goto(f"/agent?category=anomalia&q={tag}")
        expect(other.get_by_test_id("queue-row")).to_have_count(1)
        expect(other.get_by_test_id("saved-view").filter(has_text=name)).to_have_attribute("aria-current", "page")
        if locale == "en":
            expect(other.get_by_test_id("view-save")).to_have_text("Save view")
        shoot(other, f"saved-views-{locale}-{width}")
        if width == 390:
            assert other.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # Delete, after a confirmation.
    page.get_by_test_id("saved-view").filter(has_text=name).locator("xpath=..").get_by_test_id("view-menu").click()
    page.get_by_test_id("view-delete").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(name)
    page.get_by_test_id("view-delete-confirm").click()
    expect(view).to_have_count(0)
    expect(page.get_by_test_id("saved-views-notice")).to_have_text(f"Vista «{name}» eliminada.")
    page.reload()
    expect(rows).to_have_count(1)
    expect(view).to_have_count(0)
