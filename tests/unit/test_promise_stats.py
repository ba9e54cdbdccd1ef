"""Share of promises kept, per plan: known outcomes only, standard by default."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Organization, Role
from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, plans, promise_stats, seed, tickets
from helpdesk.services.errors import PermissionDenied

NOW = datetime(2026, 12, 2, 9, tzinfo=timezone.utc)


def test_kept_and_missed_per_plan(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.flush()
        service = s.exec(select(Service.id)).first()
        admin = accounts.create_user(s, email="ad@x.test", password="password-123", name="Ad", role=Role.ADMIN)
        agent = accounts.create_user(s, email="a@x.test", password="password-123", name="A", role=Role.AGENT)
        prem = accounts.create_user(s, email="p@acme.test", password="password-123", name="P", org_name="Acme")
        std = accounts.create_user(s, email="s@x.test", password="password-123", name="S")
        plans.set_plan(s, admin, s.exec(select(Organization.id)).one(), "premium", 5)
        d = lambda subject: tickets.TicketDraft(subject=subject, description="No funciona la línea.", category="anomalia",  # noqa: E731
                                                service_id=service)
        answered = tickets.create_ticket(s, prem, d("Uno"), now=NOW - timedelta(days=3))
        tickets.add_message(s, agent, answered.number, "Hola", now=NOW - timedelta(days=3) + timedelta(minutes=30))
        tickets.create_ticket(s, prem, d("Dos"), now=NOW - timedelta(days=3))  # never answered: missed by now
        tickets.create_ticket(s, std, d("Tres"), now=NOW - timedelta(minutes=5))  # not due yet: not counted
        tickets.create_ticket(s, std, d("Viejo"), now=NOW - timedelta(days=60))  # outside the window
        with pytest.raises(PermissionDenied):
            promise_stats.kept_by_plan(s, agent, now=NOW)
        figures = {f.plan: f for f in promise_stats.kept_by_plan(s, admin, now=NOW)}
    assert (figures["premium"].first_kept, figures["premium"].first_total, figures["premium"].first_pct) == (1, 2, 50.0)
    assert figures["standard"].first_total == 0 and figures["standard"].first_pct is None
