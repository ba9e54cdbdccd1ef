"""Trusted accounts: verification links, password reset, tokens that work once and expire."""

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
from helpdesk.services import account_mail, account_tokens, accounts, trust
from helpdesk.services.errors import RateLimited, ServiceError, ValidationError
from tests.support.captcha import solved


def _mailed_token(to: str, marker: str) -> str:
    with session_scope() as s:
        mails = s.exec(select(OutboxMail).where(OutboxMail.to_email == to).order_by(OutboxMail.id)).all()
    bodies = [m.text_body for m in mails if marker in m.text_body]
    assert bodies, f"no mail to {to} with {marker}"
    return bodies[-1].split(marker)[1].split()[0]


def _make(email="ana@example.com", password="correcto-123"):
    with session_scope() as s:
        return accounts.create_user(s, email=email, password=password, name="Ana")


def test_cli_and_seed_users_count_as_verified_and_new_signups_do_not(db):
    made = _make()
    assert made.email_verified_at is not None
    with session_scope() as s:
        user, _ = accounts.register(s, captcha_payload=solved(), name="Bea", email="bea@example.com", password="password-123")
    assert user.email_verified_at is None and user.registered_at is not None


def test_signup_with_a_registered_address_answers_the_same_and_mails_the_owner(db):
    _make()
    with pytest.raises(account_mail.AlreadyRegistered) as err, session_scope() as s:
        accounts.register(s, captcha_payload=solved(), name="Otra", email="ANA@example.com", password="password-123")
    assert err.value.code == "trust.register_sent"
    token = _mailed_token("ana@example.com", "/reset/")
    with session_scope() as s:
        assert trust.reset_link_is_live(s, token)
        assert s.exec(select(User)).one().name == "Ana"  # nothing changed on the account


def test_verification_link_belongs_to_one_account_and_expires(db):
    with session_scope() as s:
        ana, _ = accounts.register(s, captcha_payload=solved(), name="Ana", email="ana@example.com", password="password-123")
        bea, _ = accounts.register(s, captcha_payload=solved(), name="Bea", email="bea@example.com", password="password-123")
    token = _mailed_token("ana@example.com", "/verify/")
    with session_scope() as s, pytest.raises(ServiceError):
        trust.verify_email(s, bea, token)  # a link for another user
    with session_scope() as s:
        s.exec(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with session_scope() as s, pytest.raises(ServiceError):
        trust.verify_email(s, ana, token)  # expired
    with session_scope() as s:
        trust.resend_verification(s, ana)
    fresh = _mailed_token("ana@example.com", "/verify/")
    with session_scope() as s:
        trust.verify_email(s, ana, fresh, ip="1.2.3.4")
    with session_scope() as s:
        assert s.get(User, ana.id).email_verified_at is not None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "email.verified")).one().actor_id == ana.id


def test_resend_is_rate_limited(db):
    with session_scope() as s:
        ana, _ = accounts.register(s, captcha_payload=solved(), name="Ana", email="ana@example.com", password="password-123")
    for _ in range(trust.RESEND_LIMIT[0]):
        with session_scope() as s:
            trust.resend_verification(s, ana)
    with pytest.raises(RateLimited) as err, session_scope() as s:
        trust.resend_verification(s, ana)
    assert err.value.params["minutes"] >= 1


def test_reset_works_once_ends_every_session_and_mails_the_owner(db):
    user = _make()
    with session_scope() as s:
        _, other = accounts.authenticate(s, email="ana@example.com", password="correcto-123")
    trust.request_reset("Ana@Example.com", ip="9.9.9.9")
    token = _mailed_token("ana@example.com", "/reset/")
    with session_scope() as s:
        stored = s.exec(select(AccountToken.token_hash)).one()
        assert stored != token and len(stored) == 64
    with session_scope() as s, pytest.raises(ValidationError):
        trust.reset_password(s, token, "corta")  # a bad password does not burn the link
    with session_scope() as s:
        trust.reset_password(s, token, "nueva-clave-larga", ip="9.9.9.9")
    with session_scope() as s:
        assert accounts.user_for_token(s, other) is None
        accounts.authenticate(s, email="ana@example.com", password="nueva-clave-larga")
        actions = set(s.exec(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all())
        assert {"password.reset_requested", "password.reset"} <= actions
        subjects = s.exec(select(OutboxMail.subject).where(OutboxMail.to_email == "ana@example.com")).all()
        assert any("contraseña ha cambiado" in subj for subj in subjects)
    with session_scope() as s, pytest.raises(ServiceError):
        trust.reset_password(s, token, "otra-clave-larga")  # replay


def test_reset_link_expires_and_is_not_a_verification_link(db):
    _make()
    trust.request_reset("ana@example.com")
    token = _mailed_token("ana@example.com", "/reset/")
    with session_scope() as s:
        assert account_tokens.peek(s, account_tokens.VERIFY, token) is None
        s.exec(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    with session_scope() as s, pytest.raises(ServiceError):
        trust.reset_password(s, token, "nueva-clave-larga")


def test_forgot_answers_the_same_for_unknown_addresses_and_stops_brute_force(db):
    _make()
    trust.request_reset("nadie@example.com", ip="7.7.7.7")  # no error, no mail
    with session_scope() as s:
        assert s.exec(select(OutboxMail).where(OutboxMail.to_email == "nadie@example.com")).all() == []
    for _ in range(trust.FORGOT_PER_ADDRESS[0] - 1):
        trust.request_reset("nadie@example.com", ip="7.7.7.7")
    with pytest.raises(RateLimited):
        trust.request_reset("nadie@example.com", ip="7.7.7.8")  # per address, whatever the IP
    for i in range(trust.FORGOT_PER_IP[0] - trust.FORGOT_PER_ADDRESS[0]):
        trust.request_reset(f"x{i}@example.com", ip="7.7.7.7")
    with pytest.raises(RateLimited):
        trust.request_reset("otra@example.com", ip="7.7.7.7")  # per IP, whatever the address


def test_a_guest_who_resets_gets_a_verified_account_with_their_tickets(db):
    with session_scope() as s:
        s.add(User(email="invitada@example.com", name="Invitada", password_hash=""))
    trust.request_reset("invitada@example.com")
    token = _mailed_token("invitada@example.com", "/reset/")
    with session_scope() as s:
        user = trust.reset_password(s, token, "nueva-clave-larga")
        assert user.email_verified_at is not None and user.registered_at is not None


def test_sign_ups_are_rate_limited_per_ip(db):
    limit, _ = accounts.REGISTER_LIMITS[0]
    for i in range(limit):
        with session_scope() as s:
            accounts.register(s, captcha_payload=solved(), name="Bot", email=f"bot{i}@example.com", password="password-123", ip="6.6.6.6")
    with pytest.raises(RateLimited), session_scope() as s:
        accounts.register(s, captcha_payload=solved(), name="Bot", email="bot-extra@example.com", password="password-123", ip="6.6.6.6")
    with session_scope() as s:  # another address is not affected
        accounts.register(s, captcha_payload=solved(), name="Ana", email="ana@example.com", password="password-123", ip="6.6.6.7")
