"""The first day, as a new user would try it (issue 15): one status label per ticket, the
language switch redraws everything, the customer's rating where agents work, a branded 404 with
search, canned placeholders, locale number formats, and a one-row phone header."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import login, shoot
from tests.support.e2e_db import app_database

AGENT = ("agente@demo.test", "agente-demo-1")
ADMIN = ("admin@demo.test", "admin-demo-1")
CUSTOMER = ("cliente@demo.test", "cliente-demo-1")


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _solved_and_rated(session_scope, subject: str, comment: str) -> int:
    """A customer's ticket, solved by the agent and rated «Mala» with a comment."""
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.services import csat, tickets

    with session_scope() as s:
        customer = s.exec(select(User).where(User.email == CUSTOMER[0])).one()
        agent = s.exec(select(User).where(User.email == AGENT[0])).one()
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        draft = tickets.TicketDraft(subject=subject, description="El router se reinicia cada hora.", category="anomalia", service_id=service_id)
        number = tickets.create_ticket(s, customer, draft).number
        tickets.change_status(s, agent, number, "solved")
    with session_scope() as s:
        ticket = tickets.get_ticket(s, agent, number)
        csat.record_rating(s, ticket, tickets.solve_round(s, ticket), "bad", comment)
    return number


def test_one_status_label_rating_for_agents_and_english_everywhere(new_context, app_db):
    subject = f"Router inestable {uuid.uuid4().hex[:6]}"
    comment = "Tardasteis tres días"
    number = _solved_and_rated(app_db, subject, comment)

    # The customer reads one label, not «Abierto Resuelto» / «Cerrado Resuelto».
    customer = new_context().new_page()
    login(customer, *CUSTOMER)
    customer.goto(f"/tickets/{number}")
    expect(customer.get_by_test_id("ticket-status")).to_have_text("Resuelto")
    customer.goto("/tickets")
    row = customer.get_by_test_id("ticket-row").filter(has_text=subject)
    expect(row.get_by_test_id("ticket-status")).to_have_text("Resuelto")

    # The agent sees the rating and its comment on the ticket, not only «El sistema: csat».
    page = new_context().new_page()
    login(page, *AGENT)
    page.goto(f"/agent/tickets/{number}")
    expect(page.get_by_test_id("agent-csat")).to_contain_text("Mala")
    expect(page.get_by_test_id("agent-csat")).to_contain_text(comment)
    expect(page.get_by_text("El cliente valoró la atención: Mala")).to_be_visible()
    expect(page.get_by_text("csat", exact=False)).to_have_count(0)
    # Dates on screen show no seconds.
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", page.locator("main").inner_html())

    # English: history, status and rating follow the switch at once.
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Solved")
    expect(page.get_by_text("The customer rated the support: Bad")).to_be_visible()
    expect(page.get_by_test_id("agent-csat")).to_contain_text("Bad")
    shoot(page, "firstday-agent-ticket-en-1280")

    # The queue: the rating as a badge; relative dates in English after the switch.
    page.goto("/agent?view=solved")
    expect(page.get_by_test_id("queue-row").first).to_be_visible()  # loaded: typing now is not lost
    page.get_by_test_id("queue-search").fill(subject)
    expect(page.get_by_test_id("queue-row")).to_have_count(1, timeout=15_000)
    expect(page.get_by_test_id("queue-row").get_by_test_id("queue-csat")).to_contain_text("Rating: bad")
    page.get_by_test_id("lang-switch").click()  # back to Spanish
    expect(page.get_by_test_id("queue-activity")).to_contain_text(re.compile(r"hace|ahora"))
    page.get_by_test_id("lang-switch").click()  # English again: the dates must follow
    expect(page.get_by_test_id("queue-activity")).to_contain_text(re.compile(r"ago|now"))
    expect(page.get_by_test_id("queue-activity")).not_to_contain_text("hace")
    main_text = page.locator("main").inner_text()
    for spanish in ("hace ", "Resuelto", "Valoración", "Cualquier estado"):
        assert spanish not in main_text, f"{spanish!r} left in the English queue"
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("queue-activity")).to_contain_text(re.compile(r"hace|ahora"))  # Spanish again

    # The dashboard lists the latest ratings with their comment, figures in Spanish format.
    page.goto("/agent/dashboard")
    expect(page.get_by_test_id("dashboard-rating").filter(has_text=comment)).to_have_count(1)
    expect(page.get_by_test_id("kpi-csat")).to_have_text(re.compile(r"^\d+(,\d)?\u00a0%$"))
    for badge in page.get_by_test_id("failed-search").all():
        assert not re.search(r"\b1 búsquedas\b", badge.inner_text())
    shoot(page, "firstday-dashboard-1280")


def test_unknown_address_is_a_branded_page_with_search(new_context):
    page = new_context().new_page()
    page.goto("/esta-pagina-no-existe")
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("No encontramos esta página")
    expect(page.get_by_text("404: Page not found")).to_have_count(0)
    expect(page.get_by_test_id("nav-new-ticket")).to_be_visible()  # the site's own header
    shoot(page, "firstday-404-es-1280")
    page.get_by_test_id("notfound-search").fill("factura")
    page.get_by_test_id("notfound-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/\?q=factura"))
    expect(page.get_by_test_id("kb-result").first).to_be_visible()
    # Back from an article keeps the query: it lives in the URL.
    page.get_by_test_id("kb-result").first.locator("a").first.click()
    expect(page.get_by_test_id("article-title")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=factura"))
    expect(page.get_by_test_id("kb-search")).to_have_value("factura")
    expect(page.get_by_test_id("kb-result").first).to_be_visible()

    page.get_by_test_id("lang-switch").click()
    # The choice is stored by the switch's event: wait for it before leaving the page.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find this page")
    expect(page.get_by_test_id("notfound-home")).to_have_attribute("href", "/")


def test_canned_ticket_id_has_one_hash(new_context, app_db):
    from helpdesk.domain.accounts import User
    from helpdesk.services import canned

    title = f"Referencia {uuid.uuid4().hex[:5]}"
    with app_db() as s:
        admin = s.exec(select(User).where(User.email == ADMIN[0])).one()
        canned.create(s, admin, title, "Tu referencia es #{ticket_id}.", "es")
    number = _solved_and_rated(app_db, f"Cobro doble {uuid.uuid4().hex[:6]}", "")
    page = new_context().new_page()
    login(page, *AGENT)
    page.goto(f"/agent/tickets/{number}")
    page.get_by_test_id("agent-canned").click()
    page.get_by_role("option", name=title).click()
    expect(page.get_by_test_id("agent-reply-body")).to_have_value(f"Tu referencia es #{number}.")


@pytest.mark.parametrize("who", [CUSTOMER, ADMIN], ids=["customer", "admin"])
def test_phone_header_is_one_row(new_context, who):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    login(page, *who)
    page.goto("/")
    header = page.locator("header").first
    expect(header).to_be_visible()
    height = header.bounding_box()["height"]
    shoot(page, f"firstday-header-{who[0].split('@')[0]}-390")
    assert height <= 64, f"the phone header is {height}px tall"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(page.get_by_test_id("nav-logout")).to_be_visible()


def test_admin_holidays_read_as_dates_and_canned_placeholders_are_explained(new_context):
    page = new_context().new_page()
    login(page, *ADMIN)
    page.goto("/admin")
    page.get_by_test_id("admin-tab-sla").click()
    form = page.locator("form").filter(has=page.locator("input[name=day]"))
    form.locator("input[name=day]").fill("2026-12-08")
    form.locator("input[name=name]").fill("Inmaculada Concepción")
    form.locator("button[type=submit]").click()
    day = page.get_by_test_id("admin-holiday-day").filter(has_text="8 de diciembre de 2026")
    expect(day).to_have_count(1)
    expect(page.get_by_test_id("admin-holiday-day").filter(has_text="2026-12-08")).to_have_count(0)
    page.get_by_test_id("admin-tab-canned").click()
    expect(page.get_by_text("#1019")).to_be_visible()
    # Seeded for the first day, in both languages.
    expect(page.get_by_test_id("admin-canned-row").filter(has_text="Pedir más datos")).to_have_count(1)
    expect(page.get_by_test_id("admin-canned-row").filter(has_text="Ask for details")).to_have_count(1)
    shoot(page, "firstday-admin-canned-1280")
