"""The knowledge loop in the browser (issue 20): a visitor's search that finds nothing becomes a
gap on /agent/articles; an agent drafts an article from a solved ticket (unpublished, with the
customer's data scrubbed) and opens it in the editor; an article's figures show in its editor."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import SCREENSHOTS, login, shoot
from tests.support.e2e_db import app_database

AGENT = ("agente@demo.test", "agente-demo-1")
CUSTOMER = "cliente@demo.test"


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope




def _axe(page, where: str) -> list[str]:
    """WCAG 2.2 A/AA violations on the page as it is now (the a11y suite sees these parts empty).
    Toasts included: their colours are darkened app-wide in assets/styles.css."""
    page.wait_for_timeout(500)  # toasts settled (sonner fades them in)
    found = [f"{where}: {v['id']}: {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
             for v in wcag_violations(page)]
    for line in found:
        print("  -", line)
    return found


def _shoot_part(locator, name: str) -> None:
    """The part itself, at the page's width (full-page shots blur a tall page's details)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _solved_ticket(session_scope, subject: str) -> int:
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.services import tickets

    with session_scope() as s:
        customer = s.exec(select(User).where(User.email == CUSTOMER)).one()
        agent = s.exec(select(User).where(User.email == AGENT[0])).one()
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        draft = tickets.TicketDraft(
            subject=subject, category="consulta", service_id=service_id,
            description=f"Hola, soy {customer.name}. Escribidme a {CUSTOMER} o llamad al 612 345 678.",
        )
        number = tickets.create_ticket(s, customer, draft).number
        tickets.add_message(s, agent, number, "Entra en Mi cuenta > Datos fiscales y cambia la dirección. "
                                              f"Te lo confirmo también en {CUSTOMER}.")
        tickets.change_status(s, agent, number, "solved")
        return number


def _search_before(session_scope, query: str, number: int) -> None:
    """A search that found nothing, 10 minutes before the ticket was opened (as the new-ticket
    form links them)."""
    from datetime import timedelta

    from helpdesk.domain.kb import SearchQuery
    from helpdesk.domain.tickets import Ticket
    from helpdesk.services import kb

    with session_scope() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        row = s.get(SearchQuery, kb.log_search(s, query, 0, "ticket_form", f"b:e2e-{number}"))
        row.created_at, row.ticket_id = ticket.created_at - timedelta(minutes=10), ticket.id
        s.add(row)


def _vote_no(session_scope, slug: str, reason: str) -> None:
    from helpdesk.domain.kb import Article
    from helpdesk.services import kb

    with session_scope() as s:
        article = s.exec(select(Article).where(Article.slug == slug)).one()
        kb.vote(s, article.id, f"b:e2e-{uuid.uuid4().hex[:8]}", False, reason)


def test_gap_draft_from_solved_ticket_and_article_figures(new_context, app_db):
    tag = uuid.uuid4().hex[:5]
    # 1. A visitor searches for something no article answers.
    visitor = new_context().new_page()
    visitor.goto("/")
    question = f"zumbador quimtrelo {tag}"
    visitor.get_by_test_id("kb-search").fill(question)
    expect(visitor.get_by_test_id("kb-no-results")).to_be_visible()
    # ... and reads an article (a view for its figures).
    visitor.goto("/articles/descargar-facturas")
    expect(visitor.get_by_test_id("article-title")).to_be_visible()
    reason = f"No explica dónde está el PDF {tag}"
    _vote_no(app_db, "descargar-facturas", reason)
    subject = f"Cambiar la dirección fiscal {tag}"
    number = _solved_ticket(app_db, subject)
    asked = f"direccion fiscal {tag} cambiar"
    _search_before(app_db, asked, number)

    # 2. The agent sees the gap on /agent/articles.
    page = new_context().new_page()
    login(page, *AGENT)
    page.goto("/agent/articles")
    gaps = page.get_by_test_id("kb-gaps")
    expect(gaps).to_be_visible()
    row = gaps.get_by_test_id("kb-gap-row").filter(has_text=question)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1")
    # The search that ended in the ticket, with the ticket it led to and a draft button.
    led = gaps.get_by_test_id("kb-gap-row").filter(has_text=asked)
    expect(led.get_by_role("link", name=f"#{number}")).to_have_attribute("href", f"/agent/tickets/{number}")
    expect(led.get_by_test_id("kb-gap-draft")).to_be_visible()
    shoot(page, "knowledge-gaps-es-1280")
    _shoot_part(gaps, "knowledge-gaps-panel-es-1280")
    problems = _axe(page, "gaps es 1280")

    # 3. From the solved ticket, one click drafts an article and links to it in the editor.
    page.goto(f"/agent/tickets/{number}")
    button = page.get_by_test_id("kb-draft-from-ticket")
    expect(button).to_be_visible()
    shoot(page, "knowledge-ticket-draft-es-1280")
    button.click()
    link = page.get_by_test_id("kb-draft-link")
    expect(link).to_be_visible()
    problems += _axe(page, "ticket with the draft link es 1280")
    expect(link).to_have_attribute("href", re.compile(r"/agent/articles\?edit=\d+$"))
    link.click()
    expect(page).to_have_url(re.compile(r"/agent/articles\?edit=\d+$"))
    title = page.get_by_test_id("kb-edit-title")
    expect(title).to_have_value(subject)
    expect(page.get_by_test_id("kb-draft-source")).to_contain_text(f"#{number}")
    expect(page.get_by_test_id("kb-edit-published")).to_have_attribute("data-state", "unchecked")
    body = page.get_by_test_id("kb-edit-body")
    expect(body).to_have_value(re.compile(re.escape("Mi cuenta > Datos fiscales")))
    text = body.input_value()
    assert "[correo]" in text and "[teléfono]" in text
    for secret in (CUSTOMER, "612 345 678", str(number)):
        assert secret not in text
    expect(page.get_by_test_id("kb-article-stats")).to_be_visible()
    # The draft is not public.
    slug = page.get_by_test_id("kb-edit-slug").input_value()
    visitor.goto(f"/articles/{slug}")
    expect(visitor.get_by_test_id("article-title")).to_have_count(0)

    # The gaps panel's button on the same ticket opens that draft, not a second one.
    page.get_by_test_id("kb-gaps").get_by_test_id("kb-gap-row").filter(has_text=asked) \
        .get_by_test_id("kb-gap-draft").click()
    expect(page.get_by_test_id("kb-edit-slug")).to_have_value(slug)

    # 4. An article's figures: views, the "no" reason, the weekly chart.
    page.get_by_test_id("kb-admin-row").filter(has_text="descargar-facturas").get_by_test_id("kb-admin-edit").click()
    stats = page.get_by_test_id("kb-article-stats")
    expect(stats).to_contain_text(reason)
    expect(stats.locator(".recharts-wrapper")).to_be_visible()
    stats.scroll_into_view_if_needed()
    shoot(page, "knowledge-stats-es-1280")
    _shoot_part(stats, "knowledge-stats-part-es-1280")
    problems += _axe(page, "editor with figures es 1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "knowledge-stats-es-390")
    _shoot_part(stats, "knowledge-stats-part-es-390")
    problems += _axe(page, "editor with figures es 390")
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(stats).to_contain_text("Tickets headed off")
    expect(page.get_by_test_id("kb-gaps")).to_contain_text("No results: 1")  # server-made, redrawn
    shoot(page, "knowledge-stats-en-390")
    _shoot_part(stats, "knowledge-stats-part-en-390")
    _shoot_part(page.get_by_test_id("kb-gaps"), "knowledge-gaps-panel-en-390")
    problems += _axe(page, "editor with figures en 390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot(page, "knowledge-stats-en-1280")
    _shoot_part(stats, "knowledge-stats-part-en-1280")
    problems += _axe(page, "editor with figures en 1280")
    page.goto(f"/agent/tickets/{number}")
    expect(page.get_by_test_id("kb-draft-from-ticket")).to_be_visible()
    shoot(page, "knowledge-ticket-draft-en-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "knowledge-ticket-draft-en-390")
    page.get_by_test_id("lang-switch").click()  # leave the stored choice in Spanish
    expect(page.locator("html")).to_have_attribute("lang", "es")
    shoot(page, "knowledge-ticket-draft-es-390")
    page.goto("/agent/articles")
    expect(page.get_by_test_id("kb-gaps")).to_be_visible()
    shoot(page, "knowledge-gaps-es-390")
    assert problems == []


def test_synonyms_editors_add_widen_search_at_once(new_context):
    tag = uuid.uuid4().hex[:4]
    page = new_context().new_page()
    login(page, *AGENT)
    page.goto("/agent/articles")
    word = f"cuponcito{tag}"
    page.get_by_test_id("kb-syn-terms").fill(f"factura, {word}")
    page.get_by_test_id("kb-syn-save").click()
    expect(page.get_by_test_id("kb-syn-row").filter(has_text=word)).to_have_count(1)
    # The help center uses the new group without a restart.
    visitor = new_context().new_page()
    visitor.goto("/")
    visitor.get_by_test_id("kb-search").fill(f"descargar {word}")
    expect(visitor.get_by_test_id("kb-result").first.locator("a").first).to_have_attribute(
        "href", "/articles/descargar-facturas")
