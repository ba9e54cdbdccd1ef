"""Why a ticket's clock is stopped: holiday or after hours, by the ticket's own calendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.domain.sla import Holiday
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, pause_notice, seed, tickets

MADRID = ZoneInfo("Europe/Madrid")


def mad(*a):
    return datetime(*a, tzinfo=MADRID)


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.add(Holiday(day=date(2026, 12, 8), name="Inmaculada Concepción"))
        s.flush()
        service = s.exec(select(Service.id)).first()
        me = accounts.create_user(s, email="c@x.test", password="password-123", name="C")
        ids = {}
        for key, category in (("consulta", "consulta"), ("anomalia", "anomalia")):
            ids[key] = tickets.create_ticket(s, me, tickets.TicketDraft(
                subject=f"Ticket {key}", description="Algo no va como esperaba", category=category, service_id=service),
                now=mad(2026, 12, 7, 10)).id
    return ids


def pause(world, key, at):
    with session_scope() as s:
        return pause_notice.clock_pause(s, s.get(tickets.Ticket, world[key]), at)


def test_on_a_holiday_the_customer_reads_which_and_when_the_team_is_back(world):
    p = pause(world, "consulta", mad(2026, 12, 8, 11))
    assert p.reason == "holiday" and p.holiday_day == date(2026, 12, 8)
    assert p.back_at.astimezone(MADRID).date() == date(2026, 12, 9)
    es = pause_notice.describe(p, "es", now=mad(2026, 12, 8, 11))
    en = pause_notice.describe(p, "en", now=mad(2026, 12, 8, 11))
    assert "8 de diciembre es festivo (Inmaculada Concepción)" in es and "miércoles" in es
    assert "December 8 is a holiday (Inmaculada Concepción)" in en and "Wednesday" in en


def test_anomalies_keep_their_clock_on_holidays(world):
    assert pause(world, "anomalia", mad(2026, 12, 8, 11)) is None


def test_after_hours_and_running(world):
    p = pause(world, "consulta", mad(2026, 12, 7, 22))
    assert p.reason == "closed"
    assert "fuera del horario" in pause_notice.describe(p, "es", now=mad(2026, 12, 7, 22))
    assert pause(world, "consulta", mad(2026, 12, 7, 12)) is None
    assert pause_notice.describe(None, "es") == ""


def test_a_ticket_waiting_for_the_customer_is_not_explained(world):
    with session_scope() as s:
        t = s.get(tickets.Ticket, world["consulta"])
        t.status = "pending"
        s.add(t)
    assert pause(world, "consulta", mad(2026, 12, 8, 11)) is None
