"""The dashboard's «¿Se cumplen nuestras estimaciones?» card in a real browser: the share and
counts the service computes for the period, the chart and per-priority bars, both languages,
desktop and phone widths, axe-clean."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import login, shoot
from tests.support.e2e_db import app_database

AGENT = ("agente@demo.test", "agente-demo-1")
CUSTOMER = "cliente@demo.test"


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _arrange(session_scope) -> None:
    """Three outcomes of our own: answered early, answered late, unanswered past the estimate."""
    from helpdesk.domain import utcnow
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.domain.estimate_record import TicketEstimate
    from helpdesk.services import tickets

    now = utcnow()
    with session_scope() as s:
        customer = s.exec(select(User).where(User.email == CUSTOMER)).one()
        agent = s.exec(select(User).where(User.email == AGENT[0])).one()
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        for hours_ago, estimate_h, answer_h, priority in ((8, 3, 1, "high"), (7, 1, 4, "medium"), (6, 2, None, "urgent")):
            draft = tickets.TicketDraft(subject=f"Estimación {uuid.uuid4().hex[:6]}", description="La línea se corta cada poco rato.",
                                        category="anomalia", service_id=service_id)
            opened = now - timedelta(hours=hours_ago)
            ticket = tickets.create_ticket(s, customer, draft, now=opened)
            s.get(TicketEstimate, ticket.id).expected_at = opened + timedelta(hours=estimate_h)
            ticket.priority = priority
            if answer_h is not None:
                tickets.add_message(s, agent, ticket.number, "Lo estamos mirando.", now=opened + timedelta(hours=answer_h))


def _expected(session_scope, locale: str) -> dict:
    from helpdesk.domain.accounts import User
    from helpdesk.services import estimate_accuracy
    from helpdesk.web.pages.agent_dashboard import estimates_view

    with session_scope() as s:
        agent = s.exec(select(User).where(User.email == AGENT[0])).one()
        return estimates_view.fields(estimate_accuracy.accuracy(s, agent, days=14), locale)


def test_estimate_accuracy_card(page, app_db):
    _arrange(app_db)
    login(page, *AGENT)
    page.goto("/agent/dashboard")
    card = page.get_by_test_id("estimate-accuracy")
    expect(card.get_by_role("heading", name="¿Se cumplen nuestras estimaciones?")).to_be_visible()
    problems = []
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(card.get_by_role("heading", name="Do our estimates come true?")).to_be_visible()
        want = _expected(app_db, lang)
        assert want["est_total"] >= 3
        expect(page.get_by_test_id("estimate-accuracy-share")).to_have_text(want["est_share"])
        expect(card.get_by_test_id("estimate-accuracy-counts")).to_have_text(want["est_counts"])
        expect(card.get_by_test_id("estimate-accuracy-priority")).to_have_count(len(want["est_rows"]))
        # The early/late bars are drawn (at once: no grow-in animation).
        bars = card.get_by_test_id("estimate-accuracy-chart").locator(".recharts-bar-rectangle path")
        expect(bars.first).to_be_visible()
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(300)  # the charts redraw at the new width
            problems += [f"[{lang} {width}px] {v['id']}: {v['help']}" for v in wcag_violations(page)]
            shoot(page, f"dashboard-estimates-{lang}-{width}")
        page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("lang-switch").click()  # leave the browser's stored choice as found
    assert problems == []
