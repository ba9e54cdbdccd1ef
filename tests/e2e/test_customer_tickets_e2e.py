"""Mis tickets and the ticket page in a real browser: list, filters, reply with a file,
downloads only in the right browser, live agent replies, survey, reopen, e-mailed links."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPO, attach, login, shoot

# Runs inside the app's environment (same DB and data dir) as a separate process: the e2e
# tests' way to set up tickets and to play the agent's side where no agent page is needed.
_HELPER = r'''
import json, sys
from datetime import timedelta
from sqlmodel import select
from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role, User
from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import SatisfactionRating, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, links, tickets

op = json.loads(sys.argv[1])
out = None
with session_scope() as s:
    user = lambda email: s.exec(select(User).where(User.email == email)).one()
    kind = op["op"]
    if kind == "user":
        accounts.create_user(s, email=op["email"], password=op["password"], name=op["name"], role=Role.CUSTOMER)
    elif kind == "ticket":
        service = s.exec(select(Service.id)).first()
        draft = tickets.TicketDraft(subject=op["subject"], description="Descripción suficientemente larga del problema.",
                                    category=op.get("category", "anomalia"), service_id=service)
        t = tickets.create_ticket(s, user(op["email"]), draft, now=utcnow() - timedelta(minutes=op.get("minutes_ago", 0)))
        out = t.number
    elif kind == "status":
        tickets.change_status(s, user("agente@demo.test"), op["number"], op["status"])
    elif kind == "link":
        out = links.ticket_link_token(op["number"], op["email"])
    elif kind == "csat_link":
        t = tickets.get_ticket(s, user("agente@demo.test"), op["number"])
        out = links.csat_token(t.number, op["email"], tickets.solve_round(s, t))
    elif kind == "ratings":
        t = s.exec(select(Ticket).where(Ticket.number == op["number"])).one()
        out = [[r.rating, r.comment] for r in s.exec(select(SatisfactionRating).where(SatisfactionRating.ticket_id == t.id)).all()]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def run(app_server):
    def call(**op):
        done = subprocess.run([sys.executable, "-c", _HELPER, json.dumps(op)], cwd=REPO, env=app_server["env"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout.strip().splitlines()[-1])
    return call


@pytest.fixture(scope="module")
def customer(run):
    """A customer of our own, so other tests' tickets never show up in this list."""
    email = f"lista-{uuid.uuid4().hex[:8]}@demo.test"
    run(op="user", email=email, password="clave-larga-1", name="Lola Lista")
    numbers = [run(op="ticket", email=email, subject=s, minutes_ago=m, category=c) for s, m, c in
               (("Factura duplicada de marzo", 90, "consulta"), ("No hay tono en la centralita", 5, "anomalia"),
                ("Cambio de titular", 30, "peticion"))]
    return {"email": email, "password": "clave-larga-1", "numbers": numbers}


def test_list_newest_activity_first_with_five_columns_and_id_filter(page, customer):
    login(page, customer["email"], customer["password"])
    page.goto("/tickets")
    rows = page.get_by_test_id("ticket-row")
    expect(rows).to_have_count(3)
    old, newest, middle = customer["numbers"]
    expect(rows.get_by_test_id("ticket-id")).to_have_text([f"#{newest}", f"#{middle}", f"#{old}"])
    first = rows.first
    for hook in ("ticket-id", "ticket-subject", "ticket-created", "ticket-last-activity", "ticket-status"):
        expect(first.get_by_test_id(hook)).to_be_visible()
    expect(first.get_by_test_id("ticket-status")).to_contain_text("Nuevo")
    expect(first.get_by_test_id("ticket-last-activity")).to_contain_text("hace")
    assert "202" in (first.get_by_test_id("ticket-last-activity").get_attribute("title") or "")
    shoot(page, "my-tickets-1280")

    for typed in (f"#{old}", str(old)):
        page.get_by_test_id("tickets-filter-id").fill(typed)
        page.get_by_test_id("tickets-filter-id").press("Enter")
        expect(rows).to_have_count(1)
        expect(rows.get_by_test_id("ticket-id")).to_have_text(f"#{old}")
    page.get_by_test_id("tickets-filter-id").fill("doce")
    page.get_by_test_id("tickets-filter-id").press("Enter")
    expect(page.get_by_test_id("field-error-id")).to_be_visible()
    expect(page.get_by_test_id("tickets-filter-id")).to_have_value("doce")

    page.get_by_test_id("tickets-filter-clear").first.click()
    expect(rows).to_have_count(3)
    page.get_by_test_id("tickets-filter-category").click()
    page.get_by_role("option", name="Petición").click()
    expect(rows).to_have_count(1)
    expect(rows.get_by_test_id("ticket-subject")).to_have_text("Cambio de titular")
    rows.first.click()
    page.wait_for_url(f"**/tickets/{middle}")
    expect(page.get_by_test_id("ticket-status")).to_contain_text("Nuevo")


def test_empty_list_invites_to_open_a_ticket(new_context, run):
    email = f"vacio-{uuid.uuid4().hex[:8]}@demo.test"
    run(op="user", email=email, password="clave-larga-1", name="Vera Vacía")
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    login(page, email, "clave-larga-1")
    page.goto("/tickets")
    expect(page.get_by_test_id("tickets-empty-new")).to_be_visible()
    expect(page.get_by_test_id("ticket-row")).to_have_count(0)
    shoot(page, "my-tickets-empty-360")


def test_reply_with_attachment_downloads_only_in_this_browser(page, new_context, run, customer, tmp_path):
    number = customer["numbers"][0]
    login(page, customer["email"], customer["password"])
    page.goto(f"/tickets/{number}")
    expect(page.get_by_test_id("ticket-message")).to_have_count(1)
    expect(page.get_by_test_id("ticket-priority")).to_be_visible()
    log = tmp_path / "registro de llamadas.txt"
    log.write_text("10:02 llamada perdida\n10:05 sin tono\n", encoding="utf-8")
    page.get_by_test_id("reply-body").fill("Os adjunto el registro de llamadas.")
    attach(page, "reply-attachments", log)
    expect(page.get_by_test_id("staged-file")).to_have_count(1)
    page.get_by_test_id("reply-submit").click()
    expect(page.get_by_test_id("ticket-message")).to_have_count(2)
    expect(page.get_by_test_id("reply-body")).to_have_value("")
    link = page.get_by_test_id("ticket-message").last.get_by_test_id("attachment-link")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert href.startswith("/api/attachments/") and href.endswith("/registro%20de%20llamadas.txt")
    shoot(page, "ticket-1280")

    mine = page.request.get(href)
    assert mine.status == 200 and mine.text().startswith("10:02")
    assert mine.headers["content-disposition"].startswith("attachment")
    assert mine.headers["x-content-type-options"] == "nosniff"

    other = new_context().new_page()
    login(other, "empleado@demo.test", "empleado-demo-1")
    assert other.request.get(href).status in (403, 404)
    anonymous = new_context()
    assert anonymous.request.get(href).status in (403, 404)

    # Another customer typing the URL: no ticket, no data.
    other.goto(f"/tickets/{number}")
    expect(other.get_by_test_id("access-denied")).to_be_visible()
    expect(other.get_by_test_id("ticket-message")).to_have_count(0)


def test_reply_draft_survives_a_reload_and_goes_once_sent(page, run, customer):
    # A ticket of its own: the other tests count the messages of the fixture's tickets.
    number = run(op="ticket", email=customer["email"], subject="Contrato pendiente", minutes_ago=1, category="peticion")
    login(page, customer["email"], customer["password"])
    page.goto(f"/tickets/{number}")
    typed = "Adjunto el contrato firmado en cuanto lo escanee."
    page.get_by_test_id("reply-body").fill(typed)
    page.reload()
    expect(page.get_by_test_id("reply-body")).to_have_value(typed)
    # Only on this ticket: another ticket's box starts empty.
    page.goto(f"/tickets/{customer['numbers'][1]}")
    expect(page.get_by_test_id("ticket-message").first).to_be_visible()
    expect(page.get_by_test_id("reply-body")).to_have_value("")
    page.goto(f"/tickets/{number}")
    expect(page.get_by_test_id("reply-body")).to_have_value(typed)
    page.get_by_test_id("reply-submit").click()
    expect(page.get_by_test_id("ticket-message").last).to_contain_text("contrato firmado")
    expect(page.get_by_test_id("reply-body")).to_have_value("")
    page.reload()
    expect(page.get_by_test_id("ticket-message").last).to_contain_text("contrato firmado")
    expect(page.get_by_test_id("reply-body")).to_have_value("")


def test_agent_reply_appears_live_and_survey_then_reopen(page, new_context, run, customer):
    number = customer["numbers"][2]
    login(page, customer["email"], customer["password"])
    page.goto(f"/tickets/{number}")
    expect(page.get_by_test_id("ticket-message")).to_have_count(1)

    agent = new_context().new_page()
    login(agent, "agente@demo.test", "agente-demo-1")
    agent.goto(f"/tickets/{number}")
    agent.get_by_test_id("reply-body").fill("Hola Lola, ya hemos tramitado el cambio de titular.")
    agent.get_by_test_id("reply-submit").click()

    # No reload: the open page hears about the reply over its websocket.
    expect(page.get_by_test_id("ticket-message")).to_have_count(2, timeout=5000)
    expect(page.get_by_test_id("ticket-message").last).to_contain_text("tramitado el cambio")
    expect(page.get_by_test_id("ticket-message").last).to_contain_text("Soporte")
    expect(page.get_by_test_id("ticket-status")).to_contain_text("Abierto")

    run(op="status", number=number, status="solved")
    page.reload()
    expect(page.get_by_test_id("ticket-status")).to_contain_text("Resuelto")
    page.get_by_test_id("csat-good").click()
    expect(page.get_by_test_id("csat-thanks")).to_be_visible()
    page.get_by_test_id("csat-comment").fill("Muy rápidos, gracias")
    page.get_by_test_id("csat-submit").click()
    expect(page.get_by_text("Comentario guardado")).to_be_visible()
    assert run(op="ratings", number=number) == [["good", "Muy rápidos, gracias"]]

    page.get_by_test_id("ticket-reopen").click()
    expect(page.get_by_test_id("ticket-status")).to_contain_text("Abierto")
    expect(page.get_by_test_id("csat-thanks")).to_have_count(0)
    expect(page.get_by_test_id("ticket-reopen")).to_have_count(0)


def test_mailed_links_work_signed_out_for_that_ticket_only(new_context, run, customer):
    number = customer["numbers"][1]
    run(op="status", number=number, status="solved")
    token = run(op="csat_link", number=number, email=customer["email"])
    page = new_context().new_page()
    page.goto(f"/tickets/{number}?csat={token}&rating=bad")
    expect(page.get_by_test_id("csat-thanks")).to_be_visible()
    page.get_by_test_id("csat-comment").fill("Tardasteis dos días")
    page.get_by_test_id("csat-submit").click()
    expect(page.get_by_text("Comentario guardado")).to_be_visible()
    assert run(op="ratings", number=number) == [["bad", "Tardasteis dos días"]]
    expect(page.get_by_test_id("nav-login")).to_be_visible()  # never signed in

    # The ticket link of another ticket does not open this one.
    other_k = run(op="link", number=customer["numbers"][0], email=customer["email"])
    stranger = new_context().new_page()
    stranger.goto(f"/tickets/{number}?k={other_k}")
    stranger.wait_for_url("**/login**")

    # The first ticket's link opens it, and its attachment downloads in that browser only.
    holder = new_context().new_page()
    holder.goto(f"/tickets/{customer['numbers'][0]}?k={other_k}")
    link = holder.get_by_test_id("attachment-link")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    for _ in range(20):
        if holder.request.get(href).status == 200:
            break
        holder.wait_for_timeout(250)
    assert holder.request.get(href).status == 200
    assert new_context().request.get(href).status in (403, 404)


@pytest.mark.parametrize("width", [1280, 360])
def test_pages_fit_the_screen(new_context, customer, width):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    login(page, customer["email"], customer["password"])
    for name, path in (("my-tickets", "/tickets"), ("ticket", f"/tickets/{customer['numbers'][0]}")):
        page.goto(path)
        expect(page.get_by_test_id("ticket-status").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        shoot(page, f"{name}-{width}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen"
