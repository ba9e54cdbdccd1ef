from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import AuthSession, Role
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts
from helpdesk.services.errors import PermissionDenied, RateLimited, ServiceError, ValidationError
from tests.support.captcha import solved


def _user(email="ana@example.com", password="correcto-123", **kw):
    with session_scope() as s:
        return accounts.create_user(s, email=email, password=password, name=kw.pop("name", "Ana"), **kw)


def test_register_normalizes_email_and_signs_in(db):
    with session_scope() as s:
        user, token = accounts.register(s, captcha_payload=solved(), name="Ana", email="  Ana@Example.COM ", password="secreto-123")
    assert user.email == "ana@example.com"
    assert user.role == "customer"
    with session_scope() as s:
        assert accounts.user_for_token(s, token).id == user.id
        stored = s.exec(select(AuthSession)).one()
        assert stored.token_hash != token and len(stored.token_hash) == 64
        assert user.password_hash.startswith("$argon2")


def test_duplicate_email_case_insensitive_is_refused(db):
    _user("ana@example.com")
    with pytest.raises(ValidationError) as err:
        _user("ANA@example.com ")
    assert err.value.errors == {"email": "errors.email_taken"}


def test_registration_validates_every_field(db):
    with pytest.raises(ValidationError) as err, session_scope() as s:
        accounts.register(s, captcha_payload=solved(), name="", email="nope", password="123")
    assert set(err.value.errors) == {"name", "email", "password"}


def test_bad_credentials_are_generic(db):
    _user()
    for email, pw in (("ana@example.com", "mala-clave"), ("nadie@example.com", "correcto-123")):
        with pytest.raises(ServiceError) as err, session_scope() as s:
            accounts.authenticate(s, email=email, password=pw)
        assert err.value.code == "errors.bad_credentials"


def test_repeated_failures_lock_the_attacker_not_the_owner(db):
    """Five wrong passwords from one IP lock that IP out of the account (even with the right
    password), but the owner signing in from elsewhere is not shut out (issue 13)."""
    _user()
    for _ in range(accounts.MAX_FAILURES_PER_EMAIL):
        with pytest.raises(ServiceError), session_scope() as s:
            accounts.authenticate(s, email="ana@example.com", password="mala", ip="10.0.0.1")
    with pytest.raises(RateLimited) as err, session_scope() as s:
        accounts.authenticate(s, email="ana@example.com", password="correcto-123", ip="10.0.0.1")
    assert err.value.code == "errors.login_locked"
    assert 0 < err.value.retry_after_s <= 15 * 60 + 1
    with session_scope() as s:
        accounts.authenticate(s, email="ana@example.com", password="correcto-123", ip="10.0.0.2")


def test_twenty_strangers_failing_from_a_shared_ip_do_not_lock_out_a_user(db):
    _user()
    for i in range(20):
        with pytest.raises(ServiceError), session_scope() as s:
            accounts.authenticate(s, email=f"otro{i}@example.com", password="mala", ip="10.0.0.9")
    with session_scope() as s:
        accounts.authenticate(s, email="ana@example.com", password="correcto-123", ip="10.0.0.9")


def test_logout_revokes_and_expired_tokens_fail(db):
    _user()
    with session_scope() as s:
        _, token = accounts.authenticate(s, email="ana@example.com", password="correcto-123")
    with session_scope() as s:
        accounts.end_session(s, token)
    with session_scope() as s:
        assert accounts.user_for_token(s, token) is None
        _, token2 = accounts.authenticate(s, email="ana@example.com", password="correcto-123")
    with session_scope() as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == accounts.token_hash(token2))).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    with session_scope() as s:
        assert accounts.user_for_token(s, token2) is None
        assert accounts.user_for_token(s, "garbage") is None
        assert accounts.user_for_token(s, None) is None


def _session_row(token):
    with session_scope() as s:
        return s.exec(select(AuthSession).where(AuthSession.token_hash == accounts.token_hash(token))).one()


def test_last_seen_is_written_only_when_due(db):
    _user()
    with session_scope() as s:
        _, token = accounts.authenticate(s, email="ana@example.com", password="correcto-123")
    start = _session_row(token).last_seen_at
    # A page load soon after: no write.
    with session_scope() as s:
        assert accounts.user_for_token(s, token).email == "ana@example.com"
        assert not s.dirty
    assert _session_row(token).last_seen_at == start
    # Once the throttle interval has passed, the next page load records it.
    with session_scope() as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == accounts.token_hash(token))).one()
        row.last_seen_at = start - accounts.LAST_SEEN_EVERY - timedelta(seconds=1)
    with session_scope() as s:
        assert accounts.user_for_token(s, token) is not None
    assert _session_row(token).last_seen_at >= start


def test_inactive_user_token_fails(db):
    user = _user()
    with session_scope() as s:
        _, token = accounts.authenticate(s, email=user.email, password="correcto-123")
    with session_scope() as s:
        s.get(type(user), user.id).is_active = False
    with session_scope() as s:
        assert accounts.user_for_token(s, token) is None


def test_password_change_revokes_other_sessions(db):
    user = _user()
    with session_scope() as s:
        _, keep = accounts.authenticate(s, email=user.email, password="correcto-123")
        _, other = accounts.authenticate(s, email=user.email, password="correcto-123")
    with session_scope() as s:
        accounts.change_password(s, user, current="correcto-123", new="nuevo-secreto-1", token=keep)
    with session_scope() as s:
        assert accounts.user_for_token(s, keep) is not None
        assert accounts.user_for_token(s, other) is None
        accounts.authenticate(s, email=user.email, password="nuevo-secreto-1")


def test_only_admins_change_roles(db):
    customer = _user("c@example.com")
    admin = _user("a@example.com", role=Role.ADMIN)
    with pytest.raises(PermissionDenied), session_scope() as s:
        accounts.set_role(s, customer, customer.id, Role.ADMIN)
    with session_scope() as s:
        assert accounts.set_role(s, admin, customer.id, Role.AGENT).role == "agent"


def test_org_is_created_once(db):
    a = _user("a@acme.es", org_name="Acme", org_admin=True)
    b = _user("b@acme.es", org_name="Acme")
    assert a.organization_id == b.organization_id and a.is_org_admin and not b.is_org_admin
