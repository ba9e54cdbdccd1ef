"""Found when the running app was attacked from outside (issue 13): each fails without its fix."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, seed, tickets
from helpdesk.services.errors import PermissionDenied
from helpdesk.web.pages.help_center.markdown import safe_markdown, safe_url


@pytest.mark.parametrize("target", [
    "javascript&#58;alert(1)", "javascript&colon;alert(1)", "&#106;avascript:alert(1)",
    "java&#x09;script:alert(1)", "JaVaScRiPt&#x3A;alert(1)",
])
def test_markdown_links_with_entity_encoded_schemes_are_neutralised(target):
    assert safe_url(target) == "#"
    assert "alert" not in safe_markdown(f"[pulsa]({target})")


def test_ordinary_links_survive():
    for url in ("https://example.com/a?b=1&amp;c=2", "/articles/x", "#top", "mailto:a@b.test"):
        assert safe_url(url) == url


def test_a_ccd_person_cannot_add_more_ccs(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        ana = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        bob = accounts.create_user(s, email="bob@x.test", password="password-123", name="Bob")
        service_id = s.exec(select(Service.id)).first()
        ticket = tickets.create_ticket(s, ana, tickets.TicketDraft(
            subject="No puedo llamar", description="Desde esta mañana no salen las llamadas.",
            category="anomalia", service_id=service_id))
        tickets.add_cc(s, ana, ticket.number, "bob@x.test")
    with session_scope() as s:
        assert tickets.get_ticket(s, bob, ticket.number).id == ticket.id
        with pytest.raises(PermissionDenied):
            tickets.add_cc(s, bob, ticket.number, "intruso@x.test")


def _client():
    from starlette.testclient import TestClient

    from helpdesk.web.api import build_api
    from helpdesk.web.http.headers import security_headers

    return TestClient(security_headers(build_api()), base_url="http://localhost:3000")


def test_login_csrf_a_cross_site_form_cannot_set_the_session_cookie(db, monkeypatch):
    from helpdesk.infra import settings

    monkeypatch.setenv("HELPDESK_BASE_URL", "http://localhost:3000")
    settings.get_settings.cache_clear()
    with session_scope() as s:
        user = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        token = accounts.start_session(s, user)
    client = _client()
    body = '{"token": "%s"}' % token
    forged = client.post("/api/session", content=body, headers={"Origin": "https://evil.test", "Content-Type": "text/plain"})
    assert forged.status_code == 403 and "hd_dl" not in forged.headers.get("set-cookie", "")
    plain_form = client.post("/api/session", content=body, headers={"Content-Type": "text/plain"})
    assert plain_form.status_code == 403
    ok = client.post("/api/session", content=body, headers={"Origin": "http://localhost:3000", "Content-Type": "application/json"})
    assert ok.status_code == 200 and "samesite=strict" in ok.headers["set-cookie"].lower()


def test_pages_carry_security_headers_and_only_chat_may_be_framed_by_widget_origins(db, monkeypatch):
    from helpdesk.web.http.headers import headers_for

    got = _client().get("/api/health")
    assert "frame-ancestors 'none'" in got.headers["content-security-policy"]
    assert got.headers["x-frame-options"] == "DENY"
    assert got.headers["referrer-policy"] and got.headers["permissions-policy"]
    monkeypatch.setenv("HELPDESK_WIDGET_ORIGINS", "https://shop.example.com")
    chat = dict(headers_for("/chat"))
    assert b"frame-ancestors 'self' https://shop.example.com" in chat[b"content-security-policy"]
    assert b"x-frame-options" not in chat
    assert b"frame-ancestors 'none'" in dict(headers_for("/login"))[b"content-security-policy"]


def test_address_confusion_is_refused_and_idn_domains_are_accepted():
    from helpdesk.domain.accounts import is_valid_email

    for bad in ("<victim@example.com>x.co", "victim@example.com,x@y.co", 'a"b@x.com', "a@b"):
        assert not is_valid_email(bad), bad
    for good in ("josé@bücher.de", "ana@example.com", "cliente@demo.test"):
        assert is_valid_email(good), good
