"""Uploads, XSS payloads, sessions and property-based fuzzing of the ticket lifecycle and forms.

Already proven elsewhere (not repeated here): magic bytes, executables, SVG/HTML refusal, zero
and oversized files, zip bombs, traversal names (tests/unit/test_attachments.py); download
headers and cookie checks (tests/state/test_customer_downloads.py); sign-in throttling and
session revocation (tests/unit/test_accounts.py); signed, scoped, expiring links
(tests/unit/test_links.py).
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import func, select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.datastructures import UploadFile

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import AuthSession, User
from helpdesk.domain.tickets import TRANSITIONS, Message, Ticket, TicketEvent, TicketStatus
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, attachments, links, mail, tickets
from helpdesk.services.errors import ServiceError
from helpdesk.web.api import limit_upload_size
from helpdesk.web.pages.ticket.state import TicketState
from tests.security.conftest import PASSWORD, sign_in, state_of
from tests.support.captcha import solved

XSS = ['<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">', '[a](javascript:window.__xss=1)',
       '<svg onload="window.__xss=1"><script>window.__xss=1</script></svg>']


# ---------------------------------------------------------------- uploads


def test_upload_route_refuses_oversized_or_unsized_bodies(db):
    inner = Starlette(routes=[Route("/_upload", lambda r: PlainTextResponse("stored"), methods=["POST"])])
    client = TestClient(limit_upload_size(inner))
    from helpdesk.infra.settings import get_settings

    too_big = get_settings().max_ticket_bytes + 2 * 1024 * 1024
    assert client.post("/_upload", headers={"content-length": str(too_big)}, content=b"x").status_code in (413,)
    assert client.post("/_upload", content=b"x" * 10).status_code == 200


def test_reply_uploads_many_files_traversal_and_svg(root, world):
    from tests.security.test_handler_matrix import _visit

    sign_in(root, world["victim"]["token"])
    _visit(root, f"/tickets/{world['tickets']['victim']}")
    state = state_of(root, TicketState)
    state.load()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    files = [UploadFile(io.BytesIO(b"linea\n"), filename=f"../../../etc/passwd{i}.txt") for i in range(15)]
    files.insert(0, UploadFile(io.BytesIO(svg), filename="dibujo.svg"))
    asyncio.run(state.receive_files(files))
    assert state.upload_error  # the SVG and the files beyond the limit are refused with a message
    assert 0 < len(state._staged) <= attachments.MAX_FILES_PER_MESSAGE
    assert all("/" not in f.filename and ".." not in f.filename for f in state._staged.values())


# ---------------------------------------------------------------- XSS


@pytest.mark.parametrize("payload", XSS)
def test_mail_html_escapes_user_text(payload):
    subject, text, html = mail.render_mail("agent_reply", "es", ticket_number=1001, subject=payload,
                                          body=payload, agent_name=payload, files=[payload], link="https://x.test/t", name=payload)
    assert "<script>" not in html and "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "<svg" not in html and "<img src=x" not in html


@pytest.mark.parametrize("payload", XSS)
def test_filenames_with_markup_are_neutralized(payload):
    name = attachments.safe_filename(payload + ".txt")
    assert "<" not in name and ">" not in name and "/" not in name


def test_markdown_user_content_is_rendered_without_raw_html():
    """Every rx.markdown of user or agent text must pass use_raw=False (REFLEX_NOTES)."""
    import pathlib
    import re

    offenders = []
    for path in pathlib.Path("helpdesk/web").rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(r"rx\.markdown\(", src):
            call = src[m.start(): m.start() + 400]
            if "use_raw=False" not in call:
                offenders.append(f"{path}:{src[:m.start()].count(chr(10)) + 1}")
    assert not offenders, f"rx.markdown without use_raw=False: {offenders}"


# ---------------------------------------------------------------- sessions


def test_sessions_expire_and_logout_revokes(world):
    with session_scope() as s:
        auth = s.exec(select(AuthSession).where(AuthSession.user_id == world["outsider"]["id"])).first()
        auth.expires_at = utcnow() - timedelta(seconds=1)
    with session_scope() as s:
        assert accounts.user_for_token(s, world["outsider"]["token"]) is None
        accounts.end_session(s, world["colleague"]["token"])
    with session_scope() as s:
        assert accounts.user_for_token(s, world["colleague"]["token"]) is None


def test_brute_force_is_slowed(world):
    for _ in range(accounts.MAX_FAILURES_PER_EMAIL):
        with session_scope() as s, pytest.raises(ServiceError):
            accounts.authenticate(s, email="fuera@beta.test", password="wrong-guess", ip="9.9.9.9")
    with session_scope() as s, pytest.raises(ServiceError) as err:
        accounts.authenticate(s, email="fuera@beta.test", password=PASSWORD, ip="9.9.9.9")
    assert err.value.code == "errors.login_locked"  # even the right password waits


def test_mail_link_is_scoped_signed_and_expiring(world):
    n = world["tickets"]["victim"]
    token = links.ticket_link_token(n, "jefa@acme.test")
    assert links.verify_ticket_link(token)[0] == n
    assert links.verify_ticket_link(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert links.verify_ticket_link(token, now=utcnow() + timedelta(days=31)) is None


# ---------------------------------------------------------------- property-based fuzz

ACTIONS = st.lists(st.tuples(
    st.sampled_from(["victim", "colleague", "outsider", "agent", "admin", None]),
    st.sampled_from(["status", "reopen", "reply", "note", "priority", "cc", "assign"]),
    st.one_of(st.sampled_from([s.value for s in TicketStatus] + ["urgent", "low", "bogus", ""]), st.text(max_size=30)),
), min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=ACTIONS)
def test_lifecycle_fuzz_only_service_errors_and_valid_transitions(world, actions):
    n = world["tickets"]["victim"]
    for who, action, arg in actions:
        with session_scope() as s:
            actor = s.get(User, world[who]["id"]) if who else None
            before = s.exec(select(Ticket.status).where(Ticket.number == n)).one()
            try:
                {
                    "status": lambda: tickets.change_status(s, actor, n, arg),
                    "reopen": lambda: tickets.reopen(s, actor, n),
                    "reply": lambda: tickets.add_message(s, actor, n, arg or "x"),
                    "note": lambda: tickets.add_message(s, actor, n, arg or "x", internal=True),
                    "priority": lambda: tickets.set_priority(s, actor, n, arg),
                    "cc": lambda: tickets.add_cc(s, actor, n, arg),
                    "assign": lambda: tickets.assign(s, actor, n, world["agent"]["id"]),
                }[action]()
            except ServiceError:
                s.rollback()
                continue
            after = s.exec(select(Ticket.status).where(Ticket.number == n)).one()
            if action == "status" and after != before:
                assert TicketStatus(after) in TRANSITIONS[TicketStatus(before)]
            if who in ("outsider", "colleague", None):
                assert action not in ("status", "note", "priority", "assign", "cc", "reply"), (
                    f"{who} performed {action} on a ticket they cannot see")
    with session_scope() as s:
        t = s.exec(select(Ticket).where(Ticket.number == n)).one()
        assert t.status in {x.value for x in TicketStatus}
        last = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "status")
                      .order_by(TicketEvent.id.desc())).first()
        if last is not None:
            assert last.to_value == t.status  # the history agrees with the ticket
        # No customer-side actor ever wrote an internal note.
        notes = s.exec(select(Message.author_id).where(Message.ticket_id == t.id, Message.is_internal == True)).all()  # noqa: E712
        assert set(notes) <= {world["agent"]["id"], world["admin"]["id"]}


FORM_TEXT = st.one_of(st.text(max_size=60), st.sampled_from(XSS + ["", " ", "a" * 400, "x@y", "\x00", "#1001"]))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=FORM_TEXT, email=FORM_TEXT, password=FORM_TEXT, body=FORM_TEXT)
def test_form_fuzz_register_login_reply_cc(world, name, email, password, body):
    def guarded(fn):
        with session_scope() as s:
            try:
                fn(s)
            except ServiceError:
                s.rollback()

    guarded(lambda s: accounts.register(s, captcha_payload=solved(), name=name, email=email, password=password))
    guarded(lambda s: accounts.authenticate(s, email=email, password=password))
    guarded(lambda s: tickets.add_message(s, s.get(User, world["outsider"]["id"]), world["tickets"]["outsider"], body))
    guarded(lambda s: tickets.add_cc(s, s.get(User, world["outsider"]["id"]), world["tickets"]["outsider"], email))
    with session_scope() as s:
        for u in s.exec(select(User)).all():
            assert "@" in u.email and u.name.strip() and len(u.name) <= 200
        assert s.exec(select(func.count()).select_from(Message).where(Message.body == "")).one() == 0


def test_nul_bytes_in_account_forms_are_a_form_error_not_a_database_error(world):
    """PostgreSQL refuses NUL in text: found by the fuzz above on PostgreSQL (login raised DataError)."""
    with session_scope() as s, pytest.raises(ServiceError) as err:
        accounts.authenticate(s, email="\x00", password="x")
    assert err.value.code == "errors.bad_credentials"
    with session_scope() as s:
        user, _ = accounts.register(s, captcha_payload=solved(), name="Ana\x00 Ruiz", email="ana\x00@nul.test", password=PASSWORD)
        assert user.name == "Ana Ruiz" and user.email == "ana@nul.test"
