"""Two-step sign-in: TOTP codes (RFC 6238: 6 digits, 30 s steps) and one-time recovery codes.

- Setup: `begin_setup` stores a pending secret (the QR code and the base32 text show it);
  `enable` checks a current code against it, moves it to `totp_secret` and returns 10 recovery
  codes, shown once and stored only as keyed hashes.
- Sign-in: `accounts.authenticate` refuses to open a session for such an account
  (`SecondStepRequired`); `complete_login` opens it after a current code or a recovery code.
- A code is accepted within one step either side of now (clock drift), and only for a step
  later than the last accepted one (`totp_last_step`): a code seen once (shoulder, log, replay)
  never works again. The step is moved with a conditional UPDATE, so two racing requests with
  the same code cannot both pass.
- Wrong codes are counted per account (`ratelimit`, own commit): 6 digits give 1 chance in
  ~330,000 per try with the window, and the limits below allow a few dozen tries a day.
- A password reset does not turn two-step off: after a reset the sign-in still asks for the
  code (or a recovery code). Turning it off takes a current code, a recovery code or the password
  while signed in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import pyotp
import segno
from sqlalchemy import delete, update
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.account_tokens import RecoveryCode
from helpdesk.domain.accounts import User
from helpdesk.infra.settings import get_settings
from helpdesk.services import account_mail, accounts, audit, ratelimit, staff_totp_rule, totp_seal
from helpdesk.services.errors import ServiceError

STEP_S = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CHARS = 10  # ~49 bits each: a keyed SHA-256 is enough (no slow hash needed)
ISSUER = "Helpdesk"
# Wrong codes per account: (limit, window in seconds). Counted for setup, sign-in and turning off.
WRONG_CODE_LIMITS = ((5, 15 * 60), (20, 24 * 3600))
MAX_INPUT_CHARS = 64


@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str
    qr_data_uri: str


def is_enabled(user: User) -> bool:
    return bool(user.totp_enabled_at and user.totp_secret)


def _now_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_S


def _matching_step(secret: str, code: str, now: datetime) -> Optional[int]:
    """The time step (within the window) whose code is `code`, or None."""
    if not secret or len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S)
    found = None
    base = _now_step(now)
    for step in range(base - WINDOW, base + WINDOW + 1):
        # Every candidate compared in constant time; no early exit.
        if hmac.compare_digest(totp.at(step * STEP_S), code):
            found = step
    return found


def _clean(code: object) -> str:
    text = str(code or "")[:MAX_INPUT_CHARS]
    return "".join(ch for ch in text if ch not in " -\t\u00a0").lower()


def _rate_key(user_id: int) -> str:
    return f"totp:user:{user_id}"


def _check_limits(session: Session, user_id: int) -> None:
    for limit, window_s in WRONG_CODE_LIMITS:
        ratelimit.check_only(session, f"{_rate_key(user_id)}:{window_s}", limit, window_s)


def _count_wrong(session: Session, user: User, ip: str, action: str) -> None:
    """Record one wrong code and commit it (the caller's unit of work ends in an exception)."""
    for limit, window_s in WRONG_CODE_LIMITS:
        try:
            ratelimit.hit(session, f"{_rate_key(user.id)}:{window_s}", limit, window_s)
        except ServiceError:
            pass
    audit.record(session, action, user.id, target=user.email, ip=ip)
    session.commit()


def _take_step(session: Session, user: User, step: int) -> bool:
    """Accept `step` once: only if it is later than the last accepted one (race-safe)."""
    result = session.exec(
        update(User).where(User.id == user.id, User.totp_last_step < step).values(totp_last_step=step)
    )
    if not result.rowcount:
        return False
    user.totp_last_step = step
    return True


# ---------------------------------------------------------------- recovery codes


def _recovery_hash(user_id: int, code: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"recovery:{user_id}:{_clean(code)}".encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CHARS))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_COUNT)]
    now = utcnow()
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, code), created_at=now))
    session.flush()
    return codes


def recovery_codes_left(session: Session, user: User) -> int:
    rows = session.exec(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
    return len(rows.all())


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    cleaned = _clean(code)
    if len(cleaned) != RECOVERY_CHARS:
        return False
    wanted = _recovery_hash(user.id, cleaned)
    row = session.exec(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == wanted,
                                   RecoveryCode.used_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row.code_hash, wanted):
        return False
    # Conditional update: two sign-ins racing with one code cannot both use it.
    result = session.exec(
        update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None)).values(used_at=utcnow())
    )
    return bool(result.rowcount)


# ---------------------------------------------------------------- setup, on, off


def qr_svg_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, made here (no external service sees the secret)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111827", light="#ffffff")


def begin_setup(session: Session, actor: User) -> Setup:
    """A new pending secret for `actor` (replacing any earlier pending one)."""
    user = session.get(User, actor.id)
    if user is None or not user.is_active:
        raise ServiceError("errors.forbidden")
    if is_enabled(user):
        raise ServiceError("totp.already_on")
    secret = pyotp.random_base32()
    user.totp_pending_secret = totp_seal.seal(secret)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Setup(secret=secret, uri=uri, qr_data_uri=qr_svg_data_uri(uri))


def enable(session: Session, actor: User, code: str, *, ip: str = "", now: datetime | None = None) -> list[str]:
    """Turn two-step on with a current code of the pending secret; returns the recovery codes."""
    now = now or utcnow()
    user = session.get(User, actor.id)
    if user is None or not user.is_active:
        raise ServiceError("errors.forbidden")
    if is_enabled(user):
        raise ServiceError("totp.already_on")
    if not user.totp_pending_secret:
        raise ServiceError("totp.no_setup")
    _check_limits(session, user.id)
    step = _matching_step(totp_seal.unseal(user.totp_pending_secret), _clean(code), now)
    if step is None or not _take_step(session, user, step):
        _count_wrong(session, user, ip, "totp.enable_failed")
        raise ServiceError("totp.code_wrong")
    sealed = totp_seal.seal(totp_seal.unseal(user.totp_pending_secret))
    user.totp_secret, user.totp_pending_secret, user.totp_enabled_at = sealed, "", now
    codes = _replace_recovery_codes(session, user)
    audit.record(session, "totp.enabled", user.id, target=user.email, ip=ip)
    account_mail.send(session, to=user.email, name=user.name, locale=user.locale, kind="totp_enabled",
                      key=f"totp_enabled:{user.id}:{now.isoformat()}")
    return codes


def _second_factor_ok(session: Session, user: User, code: str, now: datetime) -> str:
    """'totp' or 'recovery' when `code` is a fresh TOTP code or an unused recovery code, else ''."""
    cleaned = _clean(code)
    if len(cleaned) == DIGITS and cleaned.isdigit():
        step = _matching_step(totp_seal.unseal(user.totp_secret), cleaned, now)
        return "totp" if step is not None and _take_step(session, user, step) else ""
    return "recovery" if _use_recovery_code(session, user, cleaned) else ""


def disable(session: Session, actor: User, *, code: str = "", password: str = "", ip: str = "",
            now: datetime | None = None) -> None:
    """Turn two-step off, proven by a current code, a recovery code or the account password."""
    now = now or utcnow()
    user = session.get(User, actor.id)
    if user is None or not user.is_active:
        raise ServiceError("errors.forbidden")
    if not is_enabled(user):
        raise ServiceError("totp.already_off")
    if user.is_staff and staff_totp_rule.required():
        raise ServiceError("totp.required_for_staff")  # the admin's rule; an operator can still help
    _check_limits(session, user.id)
    proven = bool(code) and _second_factor_ok(session, user, code, now) != ""
    if not proven and password:
        proven = accounts.verify_password(str(password)[:accounts.MAX_PASSWORD], user.password_hash)
    if not proven:
        _count_wrong(session, user, ip, "totp.disable_failed")
        raise ServiceError("totp.code_wrong")
    user.totp_secret = user.totp_pending_secret = ""
    user.totp_enabled_at = None
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(session, "totp.disabled", user.id, target=user.email, ip=ip)
    account_mail.send(session, to=user.email, name=user.name, locale=user.locale, kind="totp_disabled",
                      key=f"totp_disabled:{user.id}:{now.isoformat()}")


def operator_disable(session: Session, email: str) -> User:
    """Turn two-step off for someone who lost phone and recovery codes (`helpdesk totp off`):
    for an operator at the server, after support checked who is asking. Audited and mailed."""
    user = session.exec(select(User).where(User.email == accounts.normalize_email(email))).first()
    if user is None:
        raise ServiceError("errors.not_found")
    was_on = is_enabled(user)
    user.totp_secret = user.totp_pending_secret = ""
    user.totp_enabled_at = None
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if was_on:
        audit.record(session, "totp.disabled", None, target=user.email, detail="operator")
        account_mail.send(session, to=user.email, name=user.name, locale=user.locale, kind="totp_disabled",
                          key=f"totp_disabled:{user.id}:{utcnow().isoformat()}")
    return user


def cancel_setup(session: Session, actor: User) -> None:
    user = session.get(User, actor.id)
    if user is not None:
        user.totp_pending_secret = ""


# ---------------------------------------------------------------- sign-in, second step


def complete_login(session: Session, user_id: int, code: str, *, ip: str = "", user_agent: str = "",
                   now: datetime | None = None) -> tuple[User, str]:
    """Second step of a sign-in whose password `accounts.authenticate` already accepted.

    `user_id` must come from the server (the pending sign-in kept in private state), never
    from the browser. Opens the session exactly as a plain sign-in does.
    """
    now = now or utcnow()
    user = session.get(User, user_id)
    if user is None or not user.is_active or not is_enabled(user):
        raise ServiceError("totp.login_expired")
    _check_limits(session, user.id)
    how = _second_factor_ok(session, user, code, now)
    if not how:
        _count_wrong(session, user, ip, "login.totp_failed")
        raise ServiceError("totp.code_wrong")
    if totp_seal.is_plain(user.totp_secret):
        user.totp_secret = totp_seal.seal(user.totp_secret)  # stored before sealing existed
    audit.record(session, audit.LOGIN_SUCCEEDED, user.id, target=user.email, ip=ip, detail=f"2fa:{how}")
    return user, accounts.start_session(session, user, ip=ip, user_agent=user_agent)
