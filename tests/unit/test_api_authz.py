"""Authorization matrix of /api/v1: every endpoint x every principal.

Principals: anonymous, customer (the requester), org admin (sees the organization's tickets),
other customer, agent, admin, revoked token, expired token, read-only token writing.
"""

from __future__ import annotations

import pytest

from tests.support.api_world import auth, build_world, client

PRINCIPALS = ["anonymous", "customer", "org_admin", "colleague", "other", "agent", "admin", "revoked", "expired", "readonly",
              "agent_readonly"]
STAFF = {"agent", "admin", "agent_readonly"}
DEAD = {"anonymous", "revoked", "expired"}
WRITERS = {"customer", "org_admin", "colleague", "other", "agent", "admin"}


@pytest.fixture
def world(db):
    return build_world()


def _expected(endpoint: str, who: str, w: dict) -> int:
    if who in DEAD:
        return 401
    sees_ticket = who in STAFF or who in ("customer", "readonly")
    sees_colleague = who in STAFF or who in ("org_admin", "colleague")
    if endpoint in ("list", "catalog", "articles", "me"):
        return 200
    if endpoint in ("users", "organizations"):
        return 200 if who in STAFF else 403
    if endpoint == "read":
        return 200 if sees_ticket else 404
    if endpoint == "read_colleague":
        return 200 if sees_colleague else 404
    if endpoint == "create":
        return 201 if who in WRITERS else 403
    if endpoint == "reply":
        if who not in WRITERS:
            return 403
        return 201 if sees_ticket else 404
    if endpoint == "note":
        if who not in WRITERS:
            return 403
        return 201 if who in STAFF else 403
    if endpoint == "patch":
        if who not in WRITERS:
            return 403
        return 200 if who in STAFF else 403
    raise AssertionError(endpoint)


def _call(c, endpoint: str, token, w: dict):
    h = auth(token)
    n, cn = w["ticket"], w["colleague_ticket"]
    body = {"service": "telefonia-movil", "category": "consulta", "subject": "Duda sobre la factura",
            "description": "¿Por qué me han cobrado dos veces este mes?"}
    return {
        "list": lambda: c.get("/api/v1/tickets", headers=h),
        "catalog": lambda: c.get("/api/v1/catalog", headers=h),
        "articles": lambda: c.get("/api/v1/articles?q=factura", headers=h),
        "me": lambda: c.get("/api/v1/me", headers=h),
        "users": lambda: c.get("/api/v1/users", headers=h),
        "organizations": lambda: c.get("/api/v1/organizations", headers=h),
        "read": lambda: c.get(f"/api/v1/tickets/{n}", headers=h),
        "read_colleague": lambda: c.get(f"/api/v1/tickets/{cn}", headers=h),
        "create": lambda: c.post("/api/v1/tickets", headers=h, json=body),
        "reply": lambda: c.post(f"/api/v1/tickets/{n}/messages", headers=h, json={"body": "Una respuesta más"}),
        "note": lambda: c.post(f"/api/v1/tickets/{cn}/messages", headers=h, json={"body": "nota", "internal": True}),
        "patch": lambda: c.patch(f"/api/v1/tickets/{n}", headers=h, json={"priority": "high"}),
    }[endpoint]()


ENDPOINTS = ["list", "catalog", "articles", "me", "users", "organizations", "read", "read_colleague", "create", "reply", "note", "patch"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_for_every_principal(world, endpoint):
    c = client()
    for who in PRINCIPALS:
        resp = _call(c, endpoint, world["tokens"][who], world)
        want = _expected(endpoint, who, world)
        assert resp.status_code == want, f"{endpoint} as {who}: {resp.status_code} {resp.text[:200]}"
        body = resp.json()
        if want >= 400:
            assert set(body) == {"code", "message", "fields"} and body["message"]
        if who in ("readonly", "agent_readonly") and endpoint in ("create", "reply", "note", "patch"):
            assert body["code"] == "api.read_only_token"


def test_lists_show_only_what_the_user_may_see(world):
    c = client()
    seen = {}
    for who in ("customer", "org_admin", "colleague", "other", "agent"):
        r = c.get("/api/v1/tickets", headers=auth(world["tokens"][who]))
        seen[who] = {t["number"] for t in r.json()["items"]}
    assert seen["customer"] == {world["ticket"]}
    assert seen["org_admin"] == {world["colleague_ticket"]}
    assert seen["colleague"] == {world["colleague_ticket"]}
    assert seen["other"] == {world["other_ticket"]}
    assert seen["agent"] >= {world["ticket"], world["colleague_ticket"], world["other_ticket"]}


def test_internal_notes_only_for_staff_tokens(world):
    c = client()
    customer = c.get(f"/api/v1/tickets/{world['ticket']}", headers=auth(world["tokens"]["customer"])).json()
    agent = c.get(f"/api/v1/tickets/{world['ticket']}", headers=auth(world["tokens"]["agent"])).json()
    assert not any(m["internal"] for m in customer["messages"]) and "moroso" not in str(customer)
    assert any(m["internal"] and "moroso" in m["body"] for m in agent["messages"])


def test_addresses_hidden_from_colleagues(world):
    c = client()
    as_boss = c.get(f"/api/v1/tickets/{world['colleague_ticket']}", headers=auth(world["tokens"]["org_admin"])).json()
    assert as_boss["requester"]["email"] is None and as_boss["requester"]["name"] == "Obrero"
    as_agent = c.get(f"/api/v1/tickets/{world['colleague_ticket']}", headers=auth(world["tokens"]["agent"])).json()
    assert as_agent["requester"]["email"] == "obrero@acme.test"


def test_deactivated_user_token_stops_working(world):
    from helpdesk.domain.accounts import User
    from helpdesk.infra.db import session_scope

    with session_scope() as s:
        s.get(User, world["users"]["customer"].id).is_active = False
    r = client().get("/api/v1/me", headers=auth(world["tokens"]["customer"]))
    assert r.status_code == 401
