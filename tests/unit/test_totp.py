"""Two-step sign-in (services/totp.py): setup, codes once only, the ±1 step window, recovery
codes, the wrong-code limit and the sign-in that refuses to open a session without the code."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlmodel import select

from helpdesk.domain.account_tokens import RecoveryCode
from helpdesk.domain.accounts import AuthSession, User
from helpdesk.domain.mail import AuditEvent, OutboxMail
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, totp, totp_seal
from helpdesk.services.errors import RateLimited, ServiceError

T0 = datetime(2026, 12, 5, 12, 0, 0, tzinfo=timezone.utc)  # a step boundary (multiple of 30 s)


def _code(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def _user(email="ana@example.com") -> User:
    with session_scope() as s:
        return accounts.create_user(s, email=email, password="correcto-123", name="Ana")


def _setup(user: User) -> totp.Setup:
    with session_scope() as s:
        return totp.begin_setup(s, user)


def _enabled(user: User, when: datetime = T0) -> tuple[str, list[str]]:
    setup = _setup(user)
    with session_scope() as s:
        codes = totp.enable(s, user, _code(setup.secret, when), now=when)
    return setup.secret, codes


def test_setup_gives_a_base32_secret_an_otpauth_uri_and_a_local_svg_qr(db):
    user = _user()
    setup = _setup(user)
    assert len(setup.secret) >= 16 and pyotp.TOTP(setup.secret).now().isdigit()
    assert setup.uri.startswith("otpauth://totp/") and f"secret={setup.secret}" in setup.uri
    assert setup.qr_data_uri.startswith("data:image/svg+xml")
    with session_scope() as s:
        row = s.get(User, user.id)
        assert totp_seal.unseal(row.totp_pending_secret) == setup.secret and row.totp_secret == "" and not totp.is_enabled(row)
        assert row.totp_pending_secret.startswith("f1:") and setup.secret not in row.totp_pending_secret  # sealed


def test_enable_with_a_wrong_code_is_refused_and_leaves_it_off(db):
    user = _user()
    setup = _setup(user)
    wrong = f"{(int(_code(setup.secret, T0)) + 1) % 1_000_000:06d}"
    with pytest.raises(ServiceError) as err, session_scope() as s:
        totp.enable(s, user, wrong, now=T0)
    assert err.value.code == "totp.code_wrong"
    with session_scope() as s:
        row = s.get(User, user.id)
        assert not totp.is_enabled(row) and totp_seal.unseal(row.totp_pending_secret) == setup.secret


def test_enable_with_the_right_code_turns_it_on_with_ten_hashed_recovery_codes_audit_and_mail(db):
    user = _user()
    secret, codes = _enabled(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    with session_scope() as s:
        row = s.get(User, user.id)
        assert totp.is_enabled(row) and totp_seal.unseal(row.totp_secret) == secret and row.totp_pending_secret == ""
        assert secret not in row.totp_secret  # a copy of the database does not give the codes
        stored = s.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
        assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "totp.enabled")).first() is not None
        mail = s.exec(select(OutboxMail).where(OutboxMail.to_email == user.email)).all()
        assert any("dos pasos" in m.subject for m in mail)


def test_sign_in_with_two_step_on_opens_no_session_without_the_code(db):
    user = _user()
    _enabled(user)
    with pytest.raises(accounts.SecondStepRequired) as err, session_scope() as s:
        accounts.authenticate(s, email="ana@example.com", password="correcto-123")
    assert err.value.user_id == user.id
    with session_scope() as s:
        assert s.exec(select(AuthSession)).all() == []


def test_a_code_works_once_and_an_older_step_never_again(db):
    user = _user()
    secret, _ = _enabled(user, T0)
    later = T0 + timedelta(seconds=60)
    with session_scope() as s:
        _, token = totp.complete_login(s, user.id, _code(secret, later), now=later)
        assert accounts.user_for_token(s, token).id == user.id
    for replay in (_code(secret, later), _code(secret, later - timedelta(seconds=30))):
        with pytest.raises(ServiceError) as err, session_scope() as s:
            totp.complete_login(s, user.id, replay, now=later)
        assert err.value.code == "totp.code_wrong"
    # The code used to turn it on cannot sign in either (same step).
    with pytest.raises(ServiceError), session_scope() as s:
        totp.complete_login(s, user.id, _code(secret, T0), now=T0 + timedelta(seconds=5))


@pytest.mark.parametrize("offset_s, ok", [(-30, True), (30, True), (-60, False), (60, False)])
def test_the_window_is_one_step_either_side(db, offset_s, ok):
    user = _user()
    secret, _ = _enabled(user, T0 - timedelta(minutes=10))
    now = T0 + timedelta(seconds=5)
    code = _code(secret, now + timedelta(seconds=offset_s))
    if ok:
        with session_scope() as s:
            totp.complete_login(s, user.id, code, now=now)
    else:
        with pytest.raises(ServiceError), session_scope() as s:
            totp.complete_login(s, user.id, code, now=now)


def test_a_recovery_code_works_once_in_place_of_the_code(db):
    user = _user()
    _, codes = _enabled(user)
    with session_scope() as s:
        _, token = totp.complete_login(s, user.id, codes[3].upper().replace("-", " "), now=T0)
        assert token and totp.recovery_codes_left(s, user) == 9
    with pytest.raises(ServiceError), session_scope() as s:
        totp.complete_login(s, user.id, codes[3], now=T0)
    with session_scope() as s:
        totp.complete_login(s, user.id, codes[4], now=T0)


def test_wrong_codes_are_limited_per_account_even_the_right_one_then_waits(db):
    user = _user()
    secret, _ = _enabled(user, T0 - timedelta(minutes=5))
    for _ in range(totp.WRONG_CODE_LIMITS[0][0]):
        with pytest.raises(ServiceError) as err, session_scope() as s:
            totp.complete_login(s, user.id, "000000" if _code(secret, T0) != "000000" else "111111", now=T0)
        assert err.value.code == "totp.code_wrong"
    with pytest.raises(RateLimited), session_scope() as s:
        totp.complete_login(s, user.id, _code(secret, T0), now=T0)


def test_disable_needs_a_current_code_or_the_password(db):
    user = _user()
    secret, _ = _enabled(user, T0)
    with pytest.raises(ServiceError), session_scope() as s:
        totp.disable(s, user, code="123", password="mala", now=T0 + timedelta(seconds=30))
    with session_scope() as s:
        totp.disable(s, user, code=_code(secret, T0 + timedelta(seconds=30)), now=T0 + timedelta(seconds=30))
    with session_scope() as s:
        row = s.get(User, user.id)
        assert not totp.is_enabled(row) and row.totp_secret == ""
        assert s.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
        _, token = accounts.authenticate(s, email="ana@example.com", password="correcto-123")
        assert token
    _enabled(user, T0 + timedelta(minutes=5))
    with session_scope() as s:
        totp.disable(s, user, password="correcto-123")


def test_a_password_reset_leaves_two_step_on(db):
    from helpdesk.services import account_tokens, trust

    user = _user()
    _enabled(user)
    with session_scope() as s:
        token = account_tokens.issue(s, account_tokens.RESET, user.id)
    with session_scope() as s:
        trust.reset_password(s, token, "una-clave-nueva")
    with pytest.raises(accounts.SecondStepRequired), session_scope() as s:
        accounts.authenticate(s, email="ana@example.com", password="una-clave-nueva")


def test_an_operator_can_turn_it_off_from_the_command_line(db, capsys):
    from helpdesk import cli

    user = _user()
    _enabled(user)
    assert cli.main(["totp", "off", "--email", "ANA@example.com"]) == 0
    assert "off for ana@example.com" in capsys.readouterr().out
    with session_scope() as s:
        assert not totp.is_enabled(s.get(User, user.id))
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "totp.disabled")).first() is not None
        _, token = accounts.authenticate(s, email="ana@example.com", password="correcto-123")
    assert cli.main(["totp", "off", "--email", "nadie@example.com"]) == 1


def test_a_secret_stored_before_sealing_still_works_and_is_sealed_at_the_next_sign_in(db):
    user = _user()
    secret = pyotp.random_base32()
    with session_scope() as s:
        row = s.get(User, user.id)
        row.totp_secret, row.totp_enabled_at = secret, T0  # as migration 0023 found it
    with session_scope() as s:
        totp.complete_login(s, user.id, _code(secret, T0 + timedelta(minutes=5)), now=T0 + timedelta(minutes=5))
    with session_scope() as s:
        stored = s.get(User, user.id).totp_secret
        assert stored.startswith("f1:") and totp_seal.unseal(stored) == secret


def test_a_secret_sealed_under_another_key_reads_as_nothing(db, monkeypatch):
    sealed = totp_seal.seal("JBSWY3DPEHPK3PXP")
    from helpdesk.infra import settings

    monkeypatch.setenv("HELPDESK_SECRET_KEY", "another-key")
    settings.get_settings.cache_clear()
    assert totp_seal.unseal(sealed) == "" and totp_seal.unseal("plainBASE32") == "plainBASE32"
    settings.get_settings.cache_clear()
