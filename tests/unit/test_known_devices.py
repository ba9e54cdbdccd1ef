"""A browser that signed in before is not locked out by a flood of wrong passwords from elsewhere
(issue 13: slow the attacker, not the victim), and has its own small allowance of failures."""

from __future__ import annotations

import pytest

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import LoginAttempt
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, known_devices
from helpdesk.services.errors import RateLimited, ServiceError


def _user(email="ana@example.com"):
    with session_scope() as s:
        accounts.create_user(s, email=email, password="correcto-123", name="Ana")


def _flood(email: str) -> None:
    """The account-wide lock's worth of failures, from many addresses."""
    with session_scope() as s:
        for i in range(accounts.MAX_FAILURES_PER_EMAIL_ALL_IPS):
            s.add(LoginAttempt(email=email, ip=f"203.0.113.{i % 250}", created_at=utcnow()))


def test_a_flood_locks_unknown_browsers_but_not_the_owners_known_one(db):
    _user()
    device = known_devices.issue("ana@example.com")
    _flood("ana@example.com")
    with pytest.raises(RateLimited) as err, session_scope() as s:
        accounts.authenticate(s, email="ana@example.com", password="correcto-123", ip="198.51.100.7")
    assert err.value.code == "errors.login_locked"
    with session_scope() as s:
        user, _ = accounts.authenticate(s, email="ANA@example.com", password="correcto-123", ip="198.51.100.7",
                                        device_token=device)
        assert user.email == "ana@example.com"


def test_a_token_only_vouches_for_its_own_account_and_cannot_be_forged(db):
    _user()
    _user("bea@example.com")
    _flood("ana@example.com")
    for token in (known_devices.issue("bea@example.com"), "forged.token.value", known_devices.issue("ana@example.com") + "x"):
        with pytest.raises(RateLimited), session_scope() as s:
            accounts.authenticate(s, email="ana@example.com", password="correcto-123", device_token=token)


def test_a_known_browser_has_its_own_allowance_of_failures(db):
    _user()
    device = known_devices.issue("ana@example.com")
    limit, _ = known_devices.FAILURES
    for _ in range(limit):
        with pytest.raises(ServiceError) as err, session_scope() as s:
            accounts.authenticate(s, email="ana@example.com", password="mala", device_token=device)
        assert err.value.code == "errors.bad_credentials"
    with pytest.raises(RateLimited) as err, session_scope() as s:
        accounts.authenticate(s, email="ana@example.com", password="correcto-123", device_token=device)
    assert err.value.code == "errors.login_locked"
