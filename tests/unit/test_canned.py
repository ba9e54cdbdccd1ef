from __future__ import annotations

import pytest

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, canned, seed, tickets
from helpdesk.services.errors import PermissionDenied, ValidationError


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        service = Service(name="Telefonía")
        s.add(service)
        s.flush()
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", **kw)  # noqa: E731
        out = {
            "customer": mk("lucia@x.test", name="Lucía Fernández"),
            "agent": mk("carlos@x.test", name="Carlos", role=Role.AGENT),
            "admin": mk("root@x.test", name="Root", role=Role.ADMIN),
        }
        ticket = tickets.create_ticket(
            s, out["customer"], tickets.TicketDraft(subject="Sin línea", description="No hay tono desde ayer.", category="anomalia", service_id=service.id)
        )
    return {**out, "ticket": ticket}


def test_admin_creates_agent_renders_with_placeholders(world):
    with session_scope() as s:
        row = canned.create(s, world["admin"], "Saludo", "Hola {customer_name}, sobre {ticket_id} ({subject}): {agent_name}.")
    with session_scope() as s:
        assert [r.title for r in canned.list_responses(s, world["agent"])] == ["Saludo"]
        text = canned.render(s, world["agent"], row.id, world["ticket"])
    assert text == "Hola Lucía Fernández, sobre #1001 (Sin línea): Carlos."


def test_validation_and_unknown_placeholders(world):
    with session_scope() as s, pytest.raises(ValidationError) as err:
        canned.create(s, world["admin"], " ", "Hola {nombre}")
    assert err.value.errors == {"title": "canned.title_required", "body": "canned.placeholder_unknown"}


def test_only_admins_manage_and_customers_see_nothing(world):
    with session_scope() as s:
        row = canned.create(s, world["admin"], "Cierre", "Un saludo.")
    for fn, args in ((canned.create, ("T", "B")), (canned.update, (row.id, "T", "B")), (canned.delete, (row.id,))):
        with session_scope() as s, pytest.raises(PermissionDenied):
            fn(s, world["agent"], *args)
    with session_scope() as s, pytest.raises(PermissionDenied):
        canned.list_responses(s, world["customer"])
    with session_scope() as s:
        assert canned.update(s, world["admin"], row.id, "Cierre", "Saludos, {agent_name}.", "en").locale == "en"
        assert canned.delete(s, world["admin"], row.id) is True
        assert canned.delete(s, world["admin"], row.id) is False
