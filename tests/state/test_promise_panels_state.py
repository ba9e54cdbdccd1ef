"""The ticket pages explain a stopped clock (holiday, after hours), in the reader's language,
and agents see fair-use signals with their reasons."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.domain.sla import Holiday
from helpdesk.infra.db import session_scope
from helpdesk.services import fair_use, seed, tickets
from helpdesk.web.pages.agent_ticket.state import AgentTicketState
from tests.state.test_agent_ticket_state import _open_page
from tests.state.test_customer_ticket_access import _open

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def world(people, monkeypatch):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.add(Holiday(day=date(2026, 12, 8), name="Inmaculada Concepción"))
        s.flush()
        fair_use.set_limits(s, people["admin"]["user"], dict(
            messages_per_ticket_hour=6, tickets_per_day=10, org_tickets_per_day=40, questions_per_ticket=1, repeated_per_week=3))
        t = tickets.create_ticket(s, people["customer"]["user"], tickets.TicketDraft(
            subject="Dudas de facturación", description="¿Cómo descargo la factura? ¿Puedo cambiar el NIF?", category="consulta",
            service_id=s.exec(select(Service.id)).first()), now=datetime(2026, 12, 7, 10, tzinfo=MADRID))
    monkeypatch.setenv("HELPDESK_TEST_MODE", "1")
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-08T11:00:00+01:00")  # the holiday, Tuesday
    return {"number": t.number, **people}


def test_the_customer_reads_why_the_clock_is_paused(root, world):
    state, _ = _open(root, world, "customer", world["number"])
    assert "8 de diciembre es festivo (Inmaculada Concepción)" in state.ticket["paused"]
    assert "miércoles 9 de diciembre" in state.ticket["paused"]
    state.locale = "en"
    assert "December 8 is a holiday" in state.ticket["paused"]


def test_the_agent_sees_the_same_in_the_sla_panel_and_the_fair_use_signal(root, world, monkeypatch):
    state = _open_page(root, world["agent"]["token"], world["number"], monkeypatch)
    assert isinstance(state, AgentTicketState) and state.access == "ok"
    assert "Inmaculada Concepción" in state.clock_paused and "miércoles" in state.clock_paused
    assert state.fair_use_signals == ["Uso razonable: 2 preguntas en un ticket (límite 1)"]


def test_nothing_is_said_while_the_clock_runs(root, world, monkeypatch):
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-09T11:00:00+01:00")
    state, _ = _open(root, world, "customer", world["number"])
    assert state.ticket["paused"] == ""
    agent = _open_page(root, world["agent"]["token"], world["number"], monkeypatch)
    assert agent.access == "ok" and agent.clock_paused == ""


def test_admin_sets_fair_use_limits_and_nobody_else_can(root, people, monkeypatch):
    from helpdesk.web.pages.admin.fair_use import FairUseAdminState
    from helpdesk.domain.fair_use import FairUseLimits
    from tests.state.conftest import sign_in, state_of

    monkeypatch.setattr(fair_use, "DEFAULT_LIMITS", FairUseLimits())  # the shipped defaults
    sign_in(root, people["agent"]["token"])
    state = state_of(root, FairUseAdminState)
    state.load()
    assert state.limits == {}
    state.save({"tickets_per_day": "1"})
    with session_scope() as s:
        assert fair_use.limits(s).tickets_per_day == 10
    sign_in(root, people["admin"]["token"])
    state.load()
    assert state.limits["tickets_per_day"] == "10"
    state.save({**state.limits, "tickets_per_day": "abc"})
    assert "tickets_per_day" in state.errors and "10000" in state.errors["tickets_per_day"]
    state.save({**state.limits, "tickets_per_day": "4"})
    assert state.errors == {} and state.limits["tickets_per_day"] == "4"
    with session_scope() as s:
        assert fair_use.limits(s).tickets_per_day == 4


def test_admin_sees_promises_kept_per_plan_and_nobody_else(root, people):
    from helpdesk.web.pages.admin.promise_stats import PromiseStatsState
    from tests.state.conftest import sign_in, state_of

    sign_in(root, people["agent"]["token"])
    state = state_of(root, PromiseStatsState)
    state.load()
    assert state.rows == []
    sign_in(root, people["admin"]["token"])
    state.load()
    assert [r["plan"] for r in state.rows] == ["standard", "premium"]
    assert all(r["first"] == "—" for r in state.rows)  # nothing known yet


def test_the_queue_flags_fair_use_with_the_reasons(root, world):
    from helpdesk.web.pages.agent.state import AgentQueueState
    from tests.state.conftest import sign_in, state_of

    sign_in(root, world["agent"]["token"])
    state = state_of(root, AgentQueueState)
    state.load()
    (row,) = [r for r in state.rows if r.number == world["number"]]
    assert row.fair_use == "Uso razonable: 2 preguntas en un ticket (límite 1)"
