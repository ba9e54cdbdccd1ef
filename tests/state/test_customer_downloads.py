"""Attachment downloads over HTTP: the browser's HttpOnly cookie decides, never the URL."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import Attachment
from helpdesk.infra.db import session_scope
from helpdesk.services import attachments, links, seed, ticket_links, tickets
from helpdesk.web.api import DOWNLOAD_COOKIE
from helpdesk.web.http import files

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


@pytest.fixture
def world(people):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        s.flush()
        draft = tickets.TicketDraft(subject="Sin línea", description="Desde ayer no funciona la línea.", category="anomalia",
                                    service_id=s.exec(select(Service.id)).first())
        u = {k: v["user"] for k, v in people.items()}
        t = tickets.create_ticket(s, u["customer"], draft)
        tickets.add_message(s, u["customer"], t.number, "Adjuntos", files=[
            attachments.validate_upload("captura.png", PNG), attachments.validate_upload("registro.txt", b"linea 1\n")])
        tickets.add_message(s, u["agent"], t.number, "nota", internal=True, files=[attachments.validate_upload("interna.txt", b"secreto\n")])
        ids = {a.filename: a.id for a in s.exec(select(Attachment)).all()}
    return {"number": t.number, "ids": ids, **people}


@pytest.fixture
def client():
    return TestClient(Starlette(routes=files.ROUTES))


def _get(client, att_id, name, cookies=None):
    client.cookies.clear()
    for k, v in (cookies or {}).items():
        client.cookies.set(k, v)
    return client.get(f"/api/attachments/{att_id}/{name}")


def test_requester_downloads_with_safe_headers(world, client):
    r = _get(client, world["ids"]["registro.txt"], "registro.txt", {DOWNLOAD_COOKIE: world["customer"]["token"]})
    assert r.status_code == 200 and r.content == b"linea 1\n"
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"
    for header, value in attachments.DOWNLOAD_SECURITY_HEADERS.items():
        assert r.headers[header] == value
    img = _get(client, world["ids"]["captura.png"], "captura.png", {DOWNLOAD_COOKIE: world["customer"]["token"]})
    assert img.status_code == 200 and img.headers["content-type"] == "image/png"
    assert img.headers["content-disposition"].startswith("inline")


@pytest.mark.parametrize("who", [None, "colleague", "org_admin"])
def test_anyone_else_gets_404(world, client, who):
    cookies = {DOWNLOAD_COOKIE: world[who]["token"]} if who else {}
    for name, att_id in world["ids"].items():
        assert _get(client, att_id, name, cookies).status_code == 404
    assert _get(client, 999999, "x.txt", cookies).status_code == 404


def test_internal_note_files_only_for_staff(world, client):
    att = world["ids"]["interna.txt"]
    assert _get(client, att, "interna.txt", {DOWNLOAD_COOKIE: world["customer"]["token"]}).status_code == 404
    assert _get(client, att, "interna.txt", {DOWNLOAD_COOKIE: world["agent"]["token"]}).status_code == 200


def test_mail_link_holder_gets_a_cookie_for_that_ticket_only(world, client):
    k = links.ticket_link_token(world["number"], "cliente@x.test")
    assert client.post("/api/ticket-link", json={"k": k, "n": world["number"] + 1}).status_code == 403
    assert client.post("/api/ticket-link", json={"k": "forged", "n": world["number"]}).status_code == 403
    client.cookies.clear()
    r = client.post("/api/ticket-link", json={"k": k, "n": world["number"]})
    assert r.status_code == 200
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    cookie = client.cookies.get(ticket_links.download_cookie_name(world["number"]))
    att = world["ids"]["registro.txt"]
    assert _get(client, att, "registro.txt", {ticket_links.download_cookie_name(world["number"]): cookie}).status_code == 200
    # The cookie names its ticket: renamed for another ticket, or for the internal file, it opens nothing.
    assert _get(client, world["ids"]["interna.txt"], "i.txt", {ticket_links.download_cookie_name(world["number"]): cookie}).status_code == 404
    assert _get(client, att, "registro.txt", {ticket_links.download_cookie_name(world["number"] + 1): cookie}).status_code == 404
    # The raw mail token is not a download cookie.
    assert _get(client, att, "registro.txt", {ticket_links.download_cookie_name(world["number"]): k}).status_code == 404
