from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.kb import SearchQuery
from helpdesk.domain.tickets import SatisfactionRating
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, dashboard, seed, tickets
from helpdesk.services.errors import PermissionDenied


def test_figures_over_the_period(db):
    now = utcnow()
    with session_scope() as s:
        seed.ensure_configuration(s)
        service = Service(name="Telefonía")
        s.add(service)
        s.flush()
        customer = accounts.create_user(s, email="c@x.test", password="password-123", name="C")
        agent = accounts.create_user(s, email="a@x.test", password="password-123", name="A", role=Role.AGENT)
        draft = lambda: tickets.TicketDraft(subject="Sin línea", description="No hay tono desde ayer.", category="anomalia", service_id=service.id)  # noqa: E731
        t1 = tickets.create_ticket(s, customer, draft(), now=now - timedelta(hours=5))
        t2 = tickets.create_ticket(s, customer, draft(), now=now - timedelta(hours=4))
        tickets.create_ticket(s, customer, draft(), now=now - timedelta(days=40))  # outside the period
        tickets.add_message(s, agent, t1.number, "Hola", now=now - timedelta(hours=3))
        tickets.change_status(s, agent, t1.number, "solved", now=now - timedelta(hours=2))
        s.add(SatisfactionRating(ticket_id=t1.id, rating="good"))
        s.add(SatisfactionRating(ticket_id=t2.id, rating="bad"))
        s.add(SatisfactionRating(ticket_id=t2.id, rating="good", solve_round=2))
        for q, n in (("factura duplicada", 0), ("factura duplicada", 0), ("fax", 0), ("router", 3)):
            s.add(SearchQuery(query=q, normalized=q, results=n))
    with session_scope() as s:
        d = dashboard.build(s, agent, days=7, now=now)
        with pytest.raises(PermissionDenied):
            dashboard.build(s, customer)
    assert len(d.days) == 7
    assert sum(x.created for x in d.days) == 2 and sum(x.solved for x in d.days) == 1
    assert d.sla_compliance == 100.0
    assert d.first_response_avg_hours == 2.0
    assert (d.csat_good, d.csat_bad, d.csat_percent) == (2, 1, 66.7)
    assert d.failed_searches == [("factura duplicada", 2), ("fax", 1)]
