"""Script payloads in a ticket, through the real form, shown to the customer and to the agent.

The payloads sit where user text reaches pages: subject, description (Markdown and plain),
a later reply, the requester's display name (sidebar, history, queue) and an attachment's file
name. Each payload both sets `window.__xss` and calls alert(), so a payload that ran is caught
either way; and the DOM must hold no element a payload would have injected, while the text
itself stays readable. The mail the customer receives must carry the same text escaped.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, shoot
from tests.e2e.test_new_ticket_e2e import PNG, _attach, _fill_common, _wait_captcha
from tests.support.e2e_db import app_database

MARK = uuid.uuid4().hex[:6]
RUN = "window.__xss=1;alert(1)"
SUBJECT = f'XSS {MARK} <script>{RUN}</script><img src=x onerror="{RUN}">'
DESCRIPTION = (
    f"Texto plano <svg onload=\"{RUN}\"></svg> y **negrita**\n\n"
    f"[pulsa aquí](javascript:{RUN}) <img src=x onerror=\"{RUN}\">\n\n"
    f"\"><iframe srcdoc=\"<script>parent.__xss=1;alert(1)</script>\"></iframe> fin de la descripción"
)
REPLY = f"Respuesta <script>{RUN}</script> con [enlace](javascript:{RUN}) y <svg onload=\"{RUN}\">"
NAME = f"Eva <img src=x onerror=\"{RUN}\"> {MARK}"
FILE_NAME = '"><img src=x onerror=alert(1)>.png'
EMAIL = f"xss-{MARK}@demo.test"
PASSWORD = "clave-larga-xss-1"
AGENT = ("agente@demo.test", "agente-demo-1")
# What a payload that was parsed as HTML would leave behind.
INJECTED = "img[src='x'], iframe, a[href^='javascript' i], svg[onload], [onerror], [onload], script:not([src])"


def _watch(page) -> list:
    dialogs: list = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def _assert_inert(page, dialogs: list, where: str, literal: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # onerror of a broken <img> fires asynchronously
    assert dialogs == [], f"{where}: a dialog fired: {dialogs}"
    assert page.evaluate("window.__xss") is None, f"{where}: a payload ran"
    injected = page.evaluate(
        "(sel) => [...document.querySelectorAll(sel)].filter(e => !(e.tagName === 'SCRIPT' && !e.textContent.includes('__xss')))"
        ".map(e => e.outerHTML.slice(0, 120))", INJECTED)
    assert injected == [], f"{where}: injected elements in the DOM: {injected}"
    text = page.locator("body").inner_text()
    for piece in literal:
        assert piece in text, f"{where}: {piece!r} is not shown as text"


@pytest.fixture(scope="module")
def customer(app_server):
    from helpdesk.domain.accounts import Role
    from helpdesk.services import accounts

    with app_database(app_server) as session_scope, session_scope() as s:
        accounts.create_user(s, email=EMAIL, password=PASSWORD, name=NAME, role=Role.CUSTOMER)
    return EMAIL


def test_ticket_payloads_stay_text_for_customer_agent_and_mail(new_context, app_server, customer, smtp_sink, tmp_path: Path):
    # ---- the customer files it through the real form, file name included
    page = new_context().new_page()
    dialogs = _watch(page)
    login(page, EMAIL, PASSWORD)
    page.goto("/tickets/new")
    _fill_common(page, SUBJECT, DESCRIPTION)
    _attach(page, tmp_path, FILE_NAME, PNG)
    expect(page.get_by_test_id("staged-file")).to_have_count(1)
    _assert_inert(page, dialogs, "new ticket form", [])
    _wait_captcha(page)
    page.get_by_test_id("ticket-submit").click()
    expect(page.get_by_test_id("ticket-created")).to_be_visible(timeout=20_000)
    number = page.get_by_test_id("ticket-created-id").inner_text().lstrip("#")

    page.goto(f"/tickets/{number}")
    page.get_by_test_id("reply-body").fill(REPLY)
    page.get_by_test_id("reply-submit").click()
    expect(page.get_by_test_id("ticket-message")).to_have_count(2)
    _assert_inert(page, dialogs, "customer ticket page", [SUBJECT, "[pulsa aquí](javascript:", REPLY.split(" con ")[0], "<iframe srcdoc="])
    expect(page.get_by_test_id("attachment-link")).to_have_count(1)
    shoot(page, "xss-customer-ticket-1280")

    page.goto("/tickets")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
    _assert_inert(page, dialogs, "my tickets", [SUBJECT])

    # ---- the agent: queue, ticket page with requester sidebar and history
    agent = new_context().new_page()
    agent_dialogs = _watch(agent)
    login(agent, *AGENT)
    agent.goto("/agent")
    agent.get_by_test_id("queue-search").fill(f"XSS {MARK}")
    expect(agent.get_by_test_id("queue-row")).to_have_count(1)
    _assert_inert(agent, agent_dialogs, "agent queue", [SUBJECT])
    shoot(agent, "xss-agent-queue-1280")
    agent.goto(f"/agent/tickets/{number}")
    expect(agent.get_by_test_id("ticket-message")).to_have_count(2)
    agent.get_by_test_id("agent-assign-me").click()  # one more history entry, with names in it
    expect(agent.get_by_test_id("agent-assignee")).to_contain_text("Carlos Soporte")
    # The customer's file is listed on the agent's conversation too, its name as text.
    expect(agent.get_by_test_id("attachment-link")).to_have_count(1)
    _assert_inert(agent, agent_dialogs, "agent ticket page", [SUBJECT, NAME, "[pulsa aquí](javascript:", "<iframe srcdoc=", "img src=x onerror=alert(1)_.png"])
    shoot(agent, "xss-agent-ticket-1280")

    # ---- the mail the customer got for the new ticket: escaped, not markup
    mail = smtp_sink.wait_for(EMAIL)
    html = mail.get_body(preferencelist=("html",)).get_content()
    for raw in ("<script", "<img src=x", "<svg", "<iframe", 'href="javascript'):
        assert raw not in html, f"mail HTML carries {raw!r}"
    assert "&lt;script&gt;" in html or "&lt;img" in html, "the subject should be in the mail, escaped"
