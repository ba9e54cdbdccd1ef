"""A small world for API tests: people of every kind, their tokens, a few tickets, an HTTP client."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from starlette.testclient import TestClient

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.integrations import ApiToken
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, api_tokens, seed, tickets


def build_world() -> dict:
    """People (customer, org admin, colleague, other customer, agent, admin), tokens, tickets."""
    from helpdesk.web.api_v1.context import LIMITER

    LIMITER.reset()
    w: dict = {"tokens": {}, "users": {}}
    with session_scope() as s:
        seed.ensure_configuration(s)
        if s.exec(select(Service)).first() is None:
            s.add(Service(name="Telefonía móvil", name_en="Mobile telephony"))
            s.flush()
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0].title(), **kw)  # noqa: E731
        people = {
            "customer": mk("ana@x.test"),
            "org_admin": mk("jefa@acme.test", org_name="Acme", org_admin=True),
            "colleague": mk("obrero@acme.test", org_name="Acme"),
            "other": mk("otro@y.test"),
            "agent": mk("agente@x.test", role=Role.AGENT),
            "admin": mk("admin@x.test", role=Role.ADMIN),
        }
        for key, user in people.items():
            w["users"][key] = user
            _, w["tokens"][key] = api_tokens.create_token(s, user, name=f"{key} token")
        _, w["tokens"]["readonly"] = api_tokens.create_token(s, people["customer"], name="ro", scope="read")
        _, w["tokens"]["agent_readonly"] = api_tokens.create_token(s, people["agent"], name="ro", scope="read")
        row, w["tokens"]["revoked"] = api_tokens.create_token(s, people["customer"], name="old")
        api_tokens.revoke(s, people["customer"], row.id)
        row, w["tokens"]["expired"] = api_tokens.create_token(s, people["customer"], name="exp", expires_in_days=1)
        row.expires_at = utcnow() - timedelta(minutes=1)
        service_id = s.exec(select(Service.id)).first()
        draft = tickets.TicketDraft(subject="Sin línea en la oficina", description="No funciona nada desde ayer por la tarde.",
                                    category="anomalia", service_id=service_id)
        w["ticket"] = tickets.create_ticket(s, people["customer"], draft).number
        w["colleague_ticket"] = tickets.create_ticket(s, people["colleague"], draft).number
        w["other_ticket"] = tickets.create_ticket(s, people["other"], draft).number
        tickets.add_message(s, people["agent"], w["ticket"], "Nota interna: cliente moroso", internal=True)
    w["tokens"]["anonymous"] = None
    return w


def client() -> TestClient:
    from helpdesk.web.api import build_api

    return TestClient(build_api(), raise_server_exceptions=False)


def auth(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


__all__ = ["ApiToken", "auth", "build_world", "client"]
