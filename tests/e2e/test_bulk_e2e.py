"""Issue 15, Zendesk parity: bulk actions on the queue (by keyboard too), URL filters that
survive a reload, merging two tickets, and the admins' user list (invite, deactivate).
Screenshots of the touched pages at 1280 and 390 px, in Spanish and English."""

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


@pytest.fixture
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


def _open(session_scope, email: str, subject: str, description: str = "La centralita no suena desde esta mañana.") -> int:
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.services import tickets

    with session_scope() as s:
        customer = s.exec(select(User).where(User.email == email)).one()
        service_id = s.exec(select(Service.id).order_by(Service.position)).first()
        draft = tickets.TicketDraft(subject=subject, description=description, category="anomalia", service_id=service_id)
        return tickets.create_ticket(s, customer, draft).number


def _page(new_context, width: int, locale: str = "es"):
    """A fresh browser at `width`; English is the switch's stored choice (localStorage)."""
    ctx = new_context(viewport={"width": width, "height": 900})
    if locale == "en":
        ctx.add_init_script("window.localStorage.setItem('hd_locale', 'en')")
    return ctx.new_page()


def _pick(page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_bulk_actions_with_url_filters_that_survive_a_reload(page, new_context, app_db):
    tag = f"lote{uuid.uuid4().hex[:6]}"
    numbers = [_open(app_db, "cliente@demo.test", f"Centralita {tag} {i}") for i in range(3)]
    login(page, *AGENT)
    page.goto(f"/agent?view=unassigned&q={tag}")
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("queue-search")).to_have_value(tag)

    # Keyboard: j focuses the first row and x ticks it; Space ticks a focused checkbox; then
    # select-all by mouse.
    page.keyboard.press("j")
    expect(rows.first).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_test_id("bulk-count")).to_have_text("1 ticket seleccionado")
    page.get_by_test_id("queue-select").nth(1).focus()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("bulk-count")).to_have_text("2 tickets seleccionados")
    page.get_by_test_id("queue-select-all").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("3 tickets seleccionados")
    _pick(page, "bulk-assignee", "A mí")
    _pick(page, "bulk-status", "Esperando al cliente")
    _pick(page, "bulk-priority", "Alta")
    shoot(page, "bulk-queue-es-1280")
    page.get_by_test_id("bulk-apply").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("bulk-result")).to_contain_text("3 tickets actualizados")
    expect(page.get_by_test_id("bulk-bar")).to_have_count(0)
    expect(rows).to_have_count(0)  # no longer unassigned

    # Undo gives them back (unassigned again), then assign them to me once more.
    page.get_by_test_id("bulk-undo").click()
    expect(page.get_by_test_id("bulk-result")).to_contain_text("Cambio deshecho en 3 tickets")
    expect(rows).to_have_count(3)
    page.get_by_test_id("queue-select-all").click()
    _pick(page, "bulk-assignee", "A mí")
    page.get_by_test_id("bulk-apply").click()
    expect(page.get_by_test_id("bulk-result")).to_contain_text("3 tickets actualizados")
    expect(rows).to_have_count(0)

    # The view and search live in the URL: switch view, reload, same list.
    page.get_by_test_id("queue-view-mine").click()
    expect(page).to_have_url(re.compile(rf"/agent\?view=mine&q={tag}$"))
    page.reload()
    expect(page.get_by_test_id("queue-search")).to_have_value(tag)
    expect(rows).to_have_count(3)
    for row in rows.all():
        expect(row.get_by_test_id("queue-status")).to_have_text("Esperando al cliente")
        expect(row.get_by_test_id("queue-priority")).to_have_text("Alta")
        expect(row.get_by_test_id("queue-assignee")).to_have_text("Carlos Soporte")
    page.goto(f"/agent/tickets/{numbers[0]}")
    expect(page.get_by_test_id("ticket-status")).to_have_text("Esperando al cliente")

    # Phone width and English.
    phone = _page(new_context, 390)
    login(phone, *AGENT)
    phone.goto(f"/agent?view=mine&q={tag}")
    expect(phone.get_by_test_id("queue-row")).to_have_count(3)
    phone.get_by_test_id("queue-select-all").click()
    expect(phone.get_by_test_id("bulk-bar")).to_be_visible()
    shoot(phone, "bulk-queue-es-390")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    for width in (1280, 390):
        en = _page(new_context, width, "en")
        login(en, *AGENT)
        en.goto(f"/agent?view=mine&q={tag}")
        expect(en.get_by_test_id("queue-row")).to_have_count(3)
        en.get_by_test_id("queue-select").nth(1).click()
        expect(en.get_by_test_id("bulk-count")).to_have_text("1 ticket selected")
        shoot(en, f"bulk-queue-en-{width}")


def test_merge_moves_the_conversation_and_closes_the_source(page, new_context, app_db):
    tag = uuid.uuid4().hex[:6]
    target = _open(app_db, "cliente@demo.test", f"Router {tag}", "El router se reinicia solo cada hora.")
    source = _open(app_db, "empleado@demo.test", f"Router otra vez {tag}", f"Sigue reiniciándose {tag}, lo escribo de nuevo.")
    login(page, *AGENT)
    page.goto(f"/agent/tickets/{source}")
    page.get_by_test_id("merge-target").fill(str(source))
    page.get_by_test_id("merge-submit").click()
    expect(page.get_by_test_id("field-error-merge_target")).to_have_text("Un ticket no se puede fusionar consigo mismo.")
    page.get_by_test_id("merge-target").fill(f"#{target}")
    page.get_by_test_id("merge-target").press("Enter")
    expect(page.get_by_test_id("merge-confirm-text")).to_contain_text(f"#{source} en #{target}")
    shoot(page, "merge-confirm-es-1280")
    page.get_by_test_id("merge-confirm").click()
    page.wait_for_url(f"**/agent/tickets/{target}")
    expect(page.get_by_test_id("ticket-message").filter(has_text=f"Sigue reiniciándose {tag}")).to_have_count(1)
    page.goto(f"/agent/tickets/{source}")
    expect(page.get_by_test_id("ticket-status")).to_have_text("Cerrado")
    expect(page.get_by_test_id("ticket-message").last).to_contain_text(f"#{target}")
    expect(page.get_by_test_id("merge-card")).to_have_count(0)
    # The source's requester now follows the target (CC): they can open it.
    customer = new_context().new_page()
    login(customer, "empleado@demo.test", "empleado-demo-1")
    customer.goto(f"/tickets/{target}")
    expect(customer.get_by_test_id("ticket-message").filter(has_text=f"Sigue reiniciándose {tag}")).to_have_count(1)
    for width, loc in ((390, "es"), (1280, "en"), (390, "en")):
        other = _page(new_context, width, loc)
        login(other, *AGENT)
        other.goto(f"/agent/tickets/{target}")
        expect(other.get_by_test_id("merge-card")).to_be_visible()
        shoot(other, f"merge-card-{loc}-{width}")


def test_admin_lists_invites_and_deactivates_users(page, new_context, app_db, smtp_sink):
    from helpdesk.services import accounts

    tag = uuid.uuid4().hex[:6]
    victim = f"baja-{tag}@ejemplo.test"
    with app_db() as s:
        accounts.create_user(s, email=victim, password="clave-de-baja-1", name=f"Baja {tag}")
    theirs = new_context().new_page()
    login(theirs, victim, "clave-de-baja-1")

    login(page, *ADMIN)
    page.goto("/admin")
    expect(page.get_by_test_id("admin-user-count-agent")).to_be_visible()
    shoot(page, "admin-users-es-1280")
    page.get_by_test_id("admin-user-search").fill(tag)
    rows = page.get_by_test_id("admin-user-row")
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("admin-user-toggle-active").click()
    expect(rows.first.get_by_test_id("admin-user-state")).to_have_text("Desactivado")
    theirs.goto("/tickets")
    theirs.wait_for_url("**/login**")
    theirs.get_by_test_id("login-email").fill(victim)
    theirs.get_by_test_id("login-password").fill("clave-de-baja-1")
    theirs.get_by_test_id("login-submit").click()
    expect(theirs.get_by_test_id("form-error")).to_be_visible()

    # Invite an agent: the mail's link sets the password, then they sign in as an agent.
    invited = f"nuevo-{tag}@ejemplo.test"
    page.get_by_test_id("invite-name").fill("Nuevo Agente")
    page.get_by_test_id("invite-email").fill(invited)
    page.get_by_test_id("invite-submit").click()
    page.get_by_test_id("admin-user-search").fill(invited)
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("admin-user-role")).to_contain_text("Agente")
    mail = smtp_sink.wait_for(invited)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/reset/\S+", body).group(0)
    fresh = new_context().new_page()
    fresh.goto(link)
    fresh.get_by_test_id("reset-password").fill("mi-clave-nueva-1")
    fresh.get_by_test_id("reset-submit").click()
    fresh.wait_for_timeout(500)
    login(fresh, invited, "mi-clave-nueva-1")
    fresh.goto("/agent")
    expect(fresh.get_by_test_id("queue-search")).to_be_visible()

    for width, loc in ((390, "es"), (1280, "en"), (390, "en")):
        other = _page(new_context, width, loc)
        login(other, *ADMIN)
        other.goto("/admin")
        expect(other.get_by_test_id("admin-user-row").first).to_be_visible()
        shoot(other, f"admin-users-{loc}-{width}")
