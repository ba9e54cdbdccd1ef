"""Promises, third part, in the browser: on a holiday (faked clock) the customer's ticket page and
the agent's SLA panel say why the clock is stopped and when the team is back; the agent sees the
ticket's fair-use signal; the admin's fair-use limits. Screenshots at 1280 and 390 px, es and en."""

from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import expect

from tests.e2e.conftest import REPO, login, shoot

SETUP = """
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo
from sqlmodel import select
from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Service
from helpdesk.domain.fair_use import FairUseLimits
from helpdesk.domain.sla import Holiday, Setting
from helpdesk.infra.db import session_scope
from helpdesk.services import fair_use, tickets
with session_scope() as s:
    if s.exec(select(Holiday).where(Holiday.day == date(2026, 12, 8))).first() is None:
        s.add(Holiday(day=date(2026, 12, 8), name="Inmaculada Concepción"))
    s.merge(Setting(key=fair_use.SETTING_KEY, value=json.dumps(FairUseLimits(0, 0, 0, 1, 0).as_dict())))
    s.flush()
    me = s.exec(select(User).where(User.email == "cliente@demo.test")).one()
    t = tickets.create_ticket(s, me, tickets.TicketDraft(
        subject="Dudas con la factura de diciembre", category="consulta", service_id=s.exec(select(Service.id)).first(),
        description="¿Por qué sube la cuota este mes? ¿Puedo cambiar la fecha de cobro?"),
        now=datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Europe/Madrid")))
    s.merge(Setting(key=fair_use.SETTING_KEY, value=json.dumps(FairUseLimits(0, 0, 0, 0, 0).as_dict())))
    print(t.number)
"""


def _in_language(page, testid: str, loc: str, words: dict) -> None:
    box = page.get_by_test_id(testid)
    expect(box).to_be_visible()
    if words[loc] not in box.inner_text():
        page.get_by_test_id("lang-switch").click()
    expect(box).to_contain_text(words[loc])


def test_holiday_pause_is_explained_to_customer_and_agent(new_context, app_env):
    number = subprocess.run([sys.executable, "-c", SETUP], cwd=REPO, env=app_env["env"], check=True, timeout=120,
                            capture_output=True, text=True).stdout.strip().splitlines()[-1]
    now_file = app_env["data"] / "now.txt"
    now_file.write_text("2026-12-08T11:00:00+01:00")  # the holiday, a Tuesday
    try:
        for width in (1280, 390):
            customer = new_context(viewport={"width": width, "height": 900}).new_page()
            login(customer, "cliente@demo.test", "cliente-demo-1")
            customer.goto(f"/tickets/{number}")
            for loc in ("es", "en"):
                _in_language(customer, "ticket-paused", loc, {"es": "es festivo", "en": "is a holiday"})
                expect(customer.get_by_test_id("ticket-message").last).to_contain_text({"es": "Soporte", "en": "Support"}[loc])
                expect(customer.get_by_test_id("ticket-paused")).to_contain_text("Inmaculada Concepción")
                expect(customer.get_by_test_id("ticket-paused")).to_contain_text({"es": "miércoles", "en": "Wednesday"}[loc])
                shoot(customer, f"promises3-customer-paused-{loc}-{width}")
            agent = new_context(viewport={"width": width, "height": 900}).new_page()
            login(agent, "agente@demo.test", "agente-demo-1")
            agent.goto(f"/agent/tickets/{number}")
            for loc in ("es", "en"):
                _in_language(agent, "ticket-clock-paused", loc, {"es": "es festivo", "en": "is a holiday"})
                expect(agent.get_by_test_id("ticket-fair-use")).to_contain_text({"es": "2 preguntas", "en": "2 questions"}[loc])
                shoot(agent, f"promises3-agent-paused-{loc}-{width}")
            admin = new_context(viewport={"width": width, "height": 900}).new_page()
            login(admin, "admin@demo.test", "admin-demo-1")
            admin.goto("/admin")
            admin.get_by_test_id("admin-tab-sla").click()
            for loc in ("es", "en"):
                card = admin.get_by_test_id("fair-use-admin")
                card.scroll_into_view_if_needed()
                _in_language(admin, "fair-use-admin", loc, {"es": "Uso razonable", "en": "Fair use"})
                card.screenshot(path=str(REPO / "screenshots" / f"promises3-admin-fair-use-{loc}-{width}.png"))
                box = card.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        now_file.write_text("")
