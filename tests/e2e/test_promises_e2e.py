"""Service promises in the browser: an admin makes an organization premium, its member opens an
urgent ticket (spending one of the month's units), an agent lowers it and the unit comes back;
and the out-of-hours notice with a faked clock (HELPDESK_NOW, honoured in test mode only)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import login, shoot
from tests.e2e.test_agent_e2e import _pick
from tests.e2e.test_new_ticket_e2e import _fill_common, _wait_captcha

ORG = "Talleres Ruiz S.L."


def test_premium_member_opens_an_urgent_ticket_and_a_downgrade_gives_the_unit_back(new_context):
    admin = new_context().new_page()
    login(admin, "admin@demo.test", "admin-demo-1")
    admin.goto("/admin")
    admin.get_by_test_id("admin-tab-organizations").click()
    row = admin.get_by_role("row").filter(has_text=ORG)
    row.get_by_test_id("org-plan").select_option("premium")
    expect(row.get_by_test_id("org-plan")).to_have_value("premium")

    # A standard customer never sees the checkbox.
    other = new_context().new_page()
    login(other, "cliente@demo.test", "cliente-demo-1")
    other.goto("/tickets/new")
    expect(other.get_by_test_id("ticket-subject")).to_be_visible()
    expect(other.get_by_test_id("reply-estimate")).to_be_visible()
    expect(other.get_by_test_id("ticket-urgent")).to_have_count(0)

    member = new_context().new_page()
    login(member, "empleado@demo.test", "empleado-demo-1")
    member.goto("/tickets/new")
    expect(member.get_by_test_id("urgent-allowance")).to_contain_text("5 de 5")
    _fill_common(member, f"Centralita totalmente caída {uuid.uuid4().hex[:6]}",
                 "Ninguna extensión da tono desde hace diez minutos, la oficina está parada.")
    # A controlled box: it shows the tick once the server's state says so, which under load can
    # take longer than Playwright's check() waits; click, then wait for the tick.
    member.get_by_test_id("ticket-urgent").click()
    expect(member.get_by_test_id("ticket-urgent")).to_be_checked()
    _wait_captcha(member)
    member.get_by_test_id("ticket-submit").click()
    expect(member.get_by_test_id("ticket-created")).to_be_visible(timeout=15_000)
    number = member.get_by_test_id("ticket-created-id").inner_text().lstrip("#")
    shoot(member, "promises-urgent-created")
    member.goto(f"/tickets/{number}")
    expect(member.get_by_test_id("ticket-priority")).to_contain_text(re.compile("Urgente", re.I))
    member.goto("/tickets/new")
    expect(member.get_by_test_id("urgent-allowance")).to_contain_text("4 de 5")

    agent = new_context().new_page()
    login(agent, "agente@demo.test", "agente-demo-1")
    agent.goto(f"/agent/tickets/{number}")
    _pick(agent, "agent-priority", "Alta")
    expect(agent.get_by_test_id("ticket-message").last).to_contain_text("devuelto")

    member.goto("/tickets/new")
    expect(member.get_by_test_id("urgent-allowance")).to_contain_text("5 de 5")
    member.goto(f"/tickets/{number}")
    expect(member.get_by_test_id("ticket-message").last).to_contain_text("devuelto el ticket urgente")


def test_out_of_hours_notice_with_a_faked_clock(page, app_env):
    now_file = app_env["data"] / "now.txt"
    now_file.write_text("2026-03-08T03:00:00+01:00")  # a Sunday night in Madrid
    try:
        page.goto("/tickets/new")
        notice = page.get_by_test_id("hours-notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("9 mar 2026")  # back on Monday morning
        shoot(page, "promises-hours-notice")
        now_file.write_text("2026-03-09T11:00:00+01:00")  # Monday, open
        page.reload()
        expect(page.get_by_test_id("reply-estimate")).to_be_visible()
        expect(page.get_by_test_id("hours-notice")).to_have_count(0)
    finally:
        now_file.write_text("")
