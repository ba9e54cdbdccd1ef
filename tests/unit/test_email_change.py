"""Changing an account's address (issue 13 §3): password, a link to the new address followed by
the same account, the old address told with an undo link that signs everyone out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.account_tokens import AccountToken
from helpdesk.domain.accounts import User
from helpdesk.domain.mail import AuditEvent, OutboxMail
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, email_change, trust
from helpdesk.services.errors import RateLimited, ServiceError, ValidationError


def _mailed_token(to: str, marker: str) -> str:
    with session_scope() as s:
        mails = s.exec(select(OutboxMail).where(OutboxMail.to_email == to).order_by(OutboxMail.id)).all()
    bodies = [m.text_body for m in mails if marker in m.text_body]
    assert bodies, f"no mail to {to} with {marker}"
    return bodies[-1].split(marker)[1].split()[0]


def _mails_to(to: str) -> list[OutboxMail]:
    with session_scope() as s:
        return s.exec(select(OutboxMail).where(OutboxMail.to_email == to)).all()


def _make(email="ana@example.com", password="correcto-123", name="Ana"):
    with session_scope() as s:
        return accounts.create_user(s, email=email, password=password, name=name)


def _actions(user_id: int) -> set[str]:
    with session_scope() as s:
        return set(s.exec(select(AuditEvent.action).where(AuditEvent.actor_id == user_id)).all())


def test_the_change_needs_the_password_and_the_link_opened_by_the_same_account(db):
    ana = _make()
    with pytest.raises(ValidationError) as err:
        email_change.request_change(ana, new_email="ana.nueva@example.com", password="mala-clave")
    assert err.value.errors == {"email_password": "errors.bad_current_password"}
    assert _mails_to("ana.nueva@example.com") == []

    assert email_change.request_change(ana, new_email=" Ana.Nueva@Example.com ", password="correcto-123") == "ana.nueva@example.com"
    with session_scope() as s:
        assert email_change.pending(s, ana) == "ana.nueva@example.com"
        assert s.get(User, ana.id).email == "ana@example.com"  # nothing changes before the click
    token = _mailed_token("ana.nueva@example.com", "/account/email/")

    bea = _make("bea@example.com", name="Bea")
    with session_scope() as s, pytest.raises(ServiceError):
        email_change.confirm(s, bea, token)  # someone else signed in: the link is not theirs
    with session_scope() as s:
        changed = email_change.confirm(s, ana, token, ip="1.2.3.4")
        assert changed.email == "ana.nueva@example.com" and changed.email_verified_at is not None
    with session_scope() as s, pytest.raises(ServiceError):
        email_change.confirm(s, ana, token)  # works once
    # The old address is told, with an undo link; the account signs in with the new one.
    assert _mailed_token("ana@example.com", "/account/email-undo/")
    with session_scope() as s:
        accounts.authenticate(s, email="ana.nueva@example.com", password="correcto-123")
        assert email_change.pending(s, ana) == ""
    assert {"email.change_requested", "email.changed"} <= _actions(ana.id)


def test_an_address_with_another_account_gets_the_same_answer_and_never_completes(db):
    ana = _make()
    _make("bea@example.com", name="Bea")
    assert email_change.request_change(ana, new_email="bea@example.com", password="correcto-123") == "bea@example.com"
    assert [m for m in _mails_to("bea@example.com") if "/account/email/" in m.text_body] == []
    assert "email.change_refused" in _actions(ana.id)
    with session_scope() as s:
        assert s.get(User, ana.id).email == "ana@example.com"


def test_the_same_address_and_invalid_ones_are_refused_with_a_field_error(db):
    ana = _make()
    for bad, code in (("ana@example.com", "account.email_same"), ("<victim@x.com>y.co", "errors.email_invalid"),
                      ("", "errors.email_invalid")):
        with pytest.raises(ValidationError) as err:
            email_change.request_change(ana, new_email=bad, password="correcto-123")
        assert err.value.errors == {"new_email": code}


def test_password_guesses_and_links_are_rate_limited(db):
    ana = _make()
    limit, _ = email_change.ATTEMPTS_PER_USER
    for _ in range(limit):
        with pytest.raises(ValidationError):
            email_change.request_change(ana, new_email="x@example.com", password="mala")
    with pytest.raises(RateLimited):  # even the right password now waits
        email_change.request_change(ana, new_email="x@example.com", password="correcto-123")


def test_undo_puts_the_account_back_ends_every_session_and_voids_links_in_flight(db):
    ana = _make()
    email_change.request_change(ana, new_email="intruso@example.com", password="correcto-123")
    with session_scope() as s:
        email_change.confirm(s, ana, _mailed_token("intruso@example.com", "/account/email/"))
        _, intruder_session = accounts.authenticate(s, email="intruso@example.com", password="correcto-123")
    trust.request_reset("intruso@example.com")  # the intruder's reset link, mailed to the new address
    reset_token = _mailed_token("intruso@example.com", "/reset/")
    undo_token = _mailed_token("ana@example.com", "/account/email-undo/")

    with session_scope() as s:
        restored = email_change.undo(s, undo_token, ip="5.6.7.8")
        assert restored.email == "ana@example.com"
    with session_scope() as s:
        assert accounts.user_for_token(s, intruder_session) is None  # signed out everywhere
        assert not trust.reset_link_is_live(s, reset_token)  # and the reset link died
    with session_scope() as s, pytest.raises(ServiceError):
        email_change.undo(s, undo_token)  # works once
    assert any("vuelve a ser esta" in m.text_body for m in _mails_to("ana@example.com"))
    assert "email.change_undone" in _actions(ana.id)


def test_links_expire_and_a_new_request_or_cancel_voids_the_previous_link(db):
    ana = _make()
    email_change.request_change(ana, new_email="uno@example.com", password="correcto-123")
    first = _mailed_token("uno@example.com", "/account/email/")
    email_change.request_change(ana, new_email="dos@example.com", password="correcto-123")
    with session_scope() as s, pytest.raises(ServiceError):
        email_change.confirm(s, ana, first)  # replaced by the second request
    second = _mailed_token("dos@example.com", "/account/email/")
    with session_scope() as s:
        email_change.cancel(s, ana)
    with session_scope() as s, pytest.raises(ServiceError):
        email_change.confirm(s, ana, second)
    email_change.request_change(ana, new_email="tres@example.com", password="correcto-123")
    third = _mailed_token("tres@example.com", "/account/email/")
    with session_scope() as s:
        s.exec(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with session_scope() as s, pytest.raises(ServiceError):
        email_change.confirm(s, ana, third)


def test_confirming_after_someone_took_the_address_changes_nothing(db):
    ana = _make()
    email_change.request_change(ana, new_email="libre@example.com", password="correcto-123")
    token = _mailed_token("libre@example.com", "/account/email/")
    _make("libre@example.com", name="Otra")
    with session_scope() as s, pytest.raises(ServiceError) as err:
        email_change.confirm(s, ana, token)
    assert err.value.code == "account.email_unavailable"
    with session_scope() as s:
        assert s.get(User, ana.id).email == "ana@example.com"
