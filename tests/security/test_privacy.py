"""GDPR: download my data, erase my account, admin anonymization, retention, audit log."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import AuthSession, User
from helpdesk.domain.mail import AuditEvent
from helpdesk.domain.tickets import Attachment, Ticket, TicketCC
from helpdesk.infra.db import session_scope
from helpdesk.infra.storage import get_store
from helpdesk.services import accounts, audit, privacy, tickets
from helpdesk.services.errors import PermissionDenied, ServiceError, ValidationError
from helpdesk.web.pages.account.state import AccountState
from tests.security.conftest import PASSWORD, sign_in, state_of
from tests.support.captcha import solved


def _user(s, world, key) -> User:
    return s.get(User, world[key]["id"])


def test_export_holds_my_tickets_visible_messages_and_files_but_no_notes(world):
    with session_scope() as s:
        data = privacy.export_my_data(s, _user(s, world, "victim"))
    zf = zipfile.ZipFile(io.BytesIO(data))
    doc = json.loads(zf.read("data.json"))
    assert doc["profile"]["email"] == "jefa@acme.test" and doc["profile"]["organization"] == "Acme"
    (t,) = doc["tickets"]
    assert t["subject"] == "Fuga de datos SECRETA"
    bodies = [m["body"] for m in t["messages"]]
    assert "Cuerpo confidencial 7731" in bodies and not any("NOTA-INTERNA" in b for b in bodies)
    names = [n for n in zf.namelist() if n.startswith("files/")]
    assert len(names) == 2 and any(n.endswith("nomina-secreta.txt") for n in names)
    assert zf.read(next(n for n in names if n.endswith(".txt"))) == b"IBAN ES00\n"
    # Only my own tickets: the colleague's ticket in the same org is not in the org admin's export.
    assert "Asunto privado de Otra" not in json.dumps(doc)
    with session_scope() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == audit.DATA_EXPORTED)).one().actor_id == world["victim"]["id"]
        with pytest.raises(PermissionDenied):
            privacy.export_my_data(s, None)


def test_request_deletion_anonymizes_and_keeps_tickets(world):
    vid = world["victim"]["id"]
    with session_scope() as s:
        tickets.add_cc(s, _user(s, world, "victim2"), world["tickets"]["victim2"], "jefa@acme.test")
    with session_scope() as s:
        with pytest.raises(ValidationError):
            privacy.request_deletion(s, _user(s, world, "victim"), confirm_email="otra@acme.test", password=PASSWORD)
        with pytest.raises(ValidationError):
            privacy.request_deletion(s, _user(s, world, "victim"), confirm_email="jefa@acme.test", password="wrong-pass")
    with session_scope() as s:
        privacy.request_deletion(s, _user(s, world, "victim"), confirm_email=" Jefa@Acme.test", password=PASSWORD)
    with session_scope() as s:
        u = s.get(User, vid)
        assert u.name == privacy.ANONYMIZED_NAME and u.email.endswith("@anonymized.invalid") and u.anonymized_at
        assert not accounts.verify_password(PASSWORD, u.password_hash) and not u.is_active
        assert accounts.user_for_token(s, world["victim"]["token"]) is None
        assert all(a.revoked_at for a in s.exec(select(AuthSession).where(AuthSession.user_id == vid)).all())
        assert s.exec(select(Ticket).where(Ticket.requester_id == vid)).first() is not None  # tickets kept
        assert s.exec(select(TicketCC).where(TicketCC.email == "jefa@acme.test")).first() is None
        assert "jefa@acme.test" not in repr(s.exec(select(AuditEvent.target)).all())
        assert s.exec(select(AuditEvent).where(AuditEvent.action == audit.USER_ANONYMIZED)).one().actor_id == vid
    with session_scope() as s, pytest.raises(ServiceError):
        accounts.authenticate(s, email="jefa@acme.test", password=PASSWORD)
    # The address is free again: the person may register anew, without their old tickets.
    with session_scope() as s:
        user, _ = accounts.register(s, captcha_payload=solved(), name="Nueva", email="jefa@acme.test", password=PASSWORD)
        assert user.id != vid


def test_staff_cannot_erase_themselves_and_only_admins_anonymize_others(world):
    with session_scope() as s:
        with pytest.raises(PermissionDenied):
            privacy.request_deletion(s, _user(s, world, "agent"), confirm_email="agente@x.test", password=PASSWORD)
        for who in ("outsider", "agent", None):
            with pytest.raises(PermissionDenied):
                privacy.anonymize_user(s, _user(s, world, who) if who else None, world["victim"]["id"])
        with pytest.raises(ServiceError):
            privacy.anonymize_user(s, _user(s, world, "admin"), world["admin"]["id"])
        privacy.anonymize_user(s, _user(s, world, "admin"), world["victim"]["id"])
    with session_scope() as s:
        assert s.get(User, world["victim"]["id"]).name == privacy.ANONYMIZED_NAME


def test_retention_purges_closed_tickets_files_only(world):
    with session_scope() as s:
        with pytest.raises(PermissionDenied):
            privacy.set_retention_days(s, _user(s, world, "agent"), 30)
        with pytest.raises(ValidationError):
            privacy.set_retention_days(s, _user(s, world, "admin"), "-3")
        assert privacy.purge_expired_attachments(s) == 0  # default: keep forever
        privacy.set_retention_days(s, _user(s, world, "admin"), 30)
        old = s.exec(select(Ticket).where(Ticket.number == world["tickets"]["victim"])).one()
        old.status, old.closed_at = "closed", utcnow() - timedelta(days=31)
        digests = {a.sha256 for a in s.exec(select(Attachment).where(Attachment.ticket_id == old.id)).all()}
    with session_scope() as s:
        assert privacy.purge_expired_attachments(s) == 2
    with session_scope() as s:
        assert s.exec(select(Attachment)).all() == []
        assert not any(get_store().path_for(d).exists() for d in digests)
        assert privacy.retention_days(s) == 30


def test_audit_recent_is_staff_only_and_records_password_changes(world):
    with session_scope() as s:
        accounts.change_password(s, _user(s, world, "outsider"), current=PASSWORD, new="otra-clave-999")
    with session_scope() as s:
        with pytest.raises(PermissionDenied):
            audit.recent(s, _user(s, world, "outsider"))
        with pytest.raises(PermissionDenied):
            audit.recent(s, None)
        actions = [e.action for e in audit.recent(s, _user(s, world, "agent"), limit=5)]
        assert actions[0] == audit.PASSWORD_CHANGED


# ---------------------------------------------------------------- the /account page's state


def test_account_page_download_and_deletion(root, world):
    sign_in(root, world["outsider"]["token"])
    state = state_of(root, AccountState)
    state.load()
    assert state.access == "ok" and state.email == "fuera@beta.test"
    event = state.download_my_data()
    assert "mis-datos.zip" in repr(event)
    asyncio.run(state.request_deletion({"confirm_email": "fuera@beta.test", "password": "nope-nope"}))
    assert state.errors.get("password")
    result = asyncio.run(state.request_deletion({"confirm_email": "fuera@beta.test", "password": PASSWORD}))
    assert state.token == "" and state.email == "" and state.access == ""  # signed out, data dropped
    assert any("redirect" in repr(e).lower() for e in result)
    with session_scope() as s:
        assert s.get(User, world["outsider"]["id"]).anonymized_at is not None


def test_account_change_password_keeps_this_browser_and_revokes_others(root, world):
    with session_scope() as s:
        other = accounts.start_session(s, _user(s, world, "outsider"))
    sign_in(root, world["outsider"]["token"])
    state = state_of(root, AccountState)
    state.load()
    state.change_password({"current_password": PASSWORD, "new_password": "nueva-clave-123"})
    assert not state.errors
    with session_scope() as s:
        assert accounts.user_for_token(s, world["outsider"]["token"]) is not None
        assert accounts.user_for_token(s, other) is None


def test_account_page_refuses_signed_out(root, world):
    state = state_of(root, AccountState)
    assert "login" in repr(state.load())
    assert state.download_my_data() is None and state.email == ""
