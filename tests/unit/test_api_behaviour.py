"""What an integrator expects from /api/v1: idempotency, ETags, 429, errors, formats, the CLI token."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from helpdesk.domain.integrations import ApiToken
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from tests.support.api_world import auth, build_world, client

NEW = {"service": "Telefonía móvil", "category": "anomalia", "subject": "El router no enciende",
       "description": "Desde el corte de luz de ayer el router no enciende."}


@pytest.fixture
def world(db):
    return build_world()


def _count_tickets() -> int:
    with session_scope() as s:
        return len(s.exec(select(Ticket.id)).all())


def test_create_answers_201_with_the_public_number_and_accepts_names(world):
    c = client()
    r = c.post("/api/v1/tickets", headers=auth(world["tokens"]["customer"]), json=NEW)
    assert r.status_code == 201
    number = r.json()["number"]
    assert number > world["other_ticket"]
    assert r.json()["service"]["slug"] == "telefonia-movil" and r.json()["category"] == "anomalia"
    got = c.get(f"/api/v1/tickets/%23{number}", headers=auth(world["tokens"]["customer"]))
    assert got.status_code == 200 and got.json()["messages"][0]["body"].startswith("Desde el corte")
    ts = got.json()["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", ts)


def test_idempotency_key_returns_the_first_answer(world):
    c = client()
    h = {**auth(world["tokens"]["customer"]), "Idempotency-Key": "abc-123"}
    before = _count_tickets()
    first = c.post("/api/v1/tickets", headers=h, json=NEW)
    second = c.post("/api/v1/tickets", headers=h, json=NEW)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert _count_tickets() == before + 1
    other = c.post("/api/v1/tickets", headers=h, json={**NEW, "subject": "Otra cosa muy distinta"})
    assert other.status_code == 409 and other.json()["code"] == "api.idempotency_mismatch"
    # Another user's same key is theirs alone.
    mine = c.post("/api/v1/tickets", headers={**auth(world["tokens"]["other"]), "Idempotency-Key": "abc-123"}, json=NEW)
    assert mine.status_code == 201 and mine.json()["number"] != first.json()["number"]


def test_failed_post_is_not_remembered(world):
    c = client()
    h = {**auth(world["tokens"]["customer"]), "Idempotency-Key": "k2"}
    bad = c.post("/api/v1/tickets", headers=h, json={**NEW, "service": "no-existe"})
    assert bad.status_code == 422 and "service" in bad.json()["fields"]
    good = c.post("/api/v1/tickets", headers=h, json=NEW)
    assert good.status_code == 201


def test_etag_and_if_none_match(world):
    c = client()
    h = auth(world["tokens"]["customer"])
    url = f"/api/v1/tickets/{world['ticket']}"
    first = c.get(url, headers=h)
    etag = first.headers["etag"]
    assert c.get(url, headers={**h, "If-None-Match": etag}).status_code == 304
    c.post(f"{url}/messages", headers=h, json={"body": "Sigo sin línea"})
    changed = c.get(url, headers={**h, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_rate_limit_answers_429_with_retry_after(world, monkeypatch):
    monkeypatch.setenv("HELPDESK_API_RATE_LIMIT", "3")
    c = client()
    h = auth(world["tokens"]["customer"])
    codes = [c.get("/api/v1/me", headers=h).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = c.get("/api/v1/me", headers=h)
    assert int(r.headers["retry-after"]) >= 1 and r.json()["code"] == "errors.rate_limited"
    assert c.get("/api/v1/me", headers=auth(world["tokens"]["agent"])).status_code == 200  # per token


def test_errors_are_json_in_the_users_language(world):
    from helpdesk.domain.accounts import User

    c = client()
    url = f"/api/v1/tickets/{world['ticket']}"
    es = c.patch(url, headers=auth(world["tokens"]["agent"]), json={"status": "closed"})
    assert es.status_code == 409 and es.json()["code"] == "tickets.transition_invalid"
    with session_scope() as s:
        s.get(User, world["users"]["agent"].id).locale = "en"
    en = c.patch(url, headers=auth(world["tokens"]["agent"]), json={"status": "closed"})
    assert en.json()["code"] == es.json()["code"] and en.json()["message"] != es.json()["message"]
    assert "status" in en.json()["message"]
    anon = c.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert anon.status_code == 401 and "token" in anon.json()["message"]


@pytest.mark.parametrize("raw", [b"{bad", b"", b"[]", b'{"body": 5}', b"null"])
def test_malformed_bodies_are_422(world, raw):
    r = client().post(f"/api/v1/tickets/{world['ticket']}/messages", content=raw,
                      headers={**auth(world["tokens"]["customer"]), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] in ("api.malformed_json", "api.validation_error")


def test_unknown_routes_and_methods_are_json(world):
    c = client()
    h = auth(world["tokens"]["customer"])
    assert c.get("/api/v1/nope", headers=h).json()["code"] == "errors.not_found"
    r = c.delete(f"/api/v1/tickets/{world['ticket']}", headers=h)
    assert r.status_code == 405 and r.json()["code"] == "api.method_not_allowed"
    assert c.get("/api/v1/tickets/abc", headers=h).status_code == 404
    assert c.get("/api/health").status_code in (200, 503)  # the older routes still answer


def test_agent_patch_assigns_prioritises_and_moves(world):
    c = client()
    h = auth(world["tokens"]["agent"])
    url = f"/api/v1/tickets/{world['ticket']}"
    r = c.patch(url, headers=h, json={"assignee": "agente@x.test", "priority": "urgent", "status": "pending"})
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["priority"], body["assignee"]["email"]) == ("pending", "urgent", "agente@x.test")
    bad = c.patch(url, headers=h, json={"assignee": "ana@x.test"})
    assert bad.status_code == 422 and "assignee" in bad.json()["fields"]
    assert c.patch(url, headers=h, json={"assignee": ""}).json()["assignee"] is None
    assert c.patch(url, headers=h, json={"status": "bogus"}).status_code == 422
    assert c.patch(url, headers=h, json={"colour": "red"}).status_code == 422


def test_list_filters_and_pages(world):
    c = client()
    h = auth(world["tokens"]["agent"])
    assert c.get("/api/v1/tickets?status=solved", headers=h).json()["items"] == []
    found = c.get("/api/v1/tickets?q=oficina&page_size=1", headers=h).json()
    assert len(found["items"]) == 1 and found["has_next"] is True
    page2 = c.get("/api/v1/tickets?q=oficina&page_size=1&page=2", headers=h).json()
    assert page2["items"][0]["number"] != found["items"][0]["number"]
    assert c.get("/api/v1/tickets?page=0", headers=h).status_code == 422
    assert c.get("/api/v1/tickets?status=weird", headers=h).status_code == 422


def test_customer_cannot_write_internal_notes(world):
    r = client().post(f"/api/v1/tickets/{world['ticket']}/messages", headers=auth(world["tokens"]["customer"]),
                      json={"body": "intento de nota", "internal": True})
    assert r.status_code == 403


def test_openapi_and_self_hosted_docs(world):
    c = client()
    doc = c.get("/api/v1/openapi.json").json()
    assert {"/tickets", "/tickets/{number}", "/tickets/{number}/messages", "/catalog", "/articles", "/me"} <= set(doc["paths"])
    page = c.get("/api/v1/docs").text
    assert "cdn" not in page.lower() and "/api/v1/static/swagger-ui-bundle.js" in page
    assert c.get("/api/v1/static/swagger-ui-bundle.js").status_code == 200


def test_token_create_cli_prints_the_token_alone_on_its_last_line(world, capsys):
    from helpdesk import cli

    assert cli.main(["token", "create", "--email", "ana@x.test", "--name", "mi app"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"hdk_[A-Za-z0-9_-]{40,}", token)
    me = client().get("/api/v1/me", headers=auth(token))
    assert me.status_code == 200 and me.json()["email"] == "ana@x.test"
    with session_scope() as s:
        row = s.exec(select(ApiToken).where(ApiToken.name == "mi app")).one()
        assert token not in (row.token_hash, row.prefix) and row.last_used_at is not None
    assert cli.main(["token", "create", "--email", "nadie@x.test"]) == 2


def test_body_that_is_not_utf8_is_a_422(world):
    r = client().patch(f"/api/v1/tickets/{world['ticket']}", content=b'\xff\xfe{"status": "open"}',
                       headers={**auth(world["tokens"]["agent"]), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "api.malformed_json"


def test_old_idempotency_records_and_finished_deliveries_are_purged(world):
    from datetime import timedelta

    from helpdesk.domain import utcnow
    from helpdesk.domain.integrations import ApiIdempotency
    from helpdesk.services import api_tokens, webhooks

    client().post("/api/v1/tickets", headers={**auth(world["tokens"]["customer"]), "Idempotency-Key": "old"}, json=NEW)
    with session_scope() as s:
        assert api_tokens.purge_idempotency(s) == 0
        s.exec(select(ApiIdempotency)).one().created_at = utcnow() - timedelta(days=2)
    with session_scope() as s:
        assert api_tokens.purge_idempotency(s) == 1
        assert webhooks.purge_old(s) == 0


def test_a_nul_byte_in_a_search_is_ignored_not_a_server_error(world):
    # Found by schemathesis on PostgreSQL, which refuses NUL in a text parameter (was a 500).
    c = client()
    r = c.get("/api/v1/tickets", params={"q": "\x00router\x00"}, headers=auth(world["tokens"]["customer"]))
    assert r.status_code == 200
    assert all("router" in item["subject"].lower() for item in r.json()["items"])
    staff = c.get("/api/v1/tickets", params={"q": "\x00"}, headers=auth(world["tokens"]["agent"]))
    assert staff.status_code == 200
