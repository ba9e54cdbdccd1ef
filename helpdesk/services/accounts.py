"""Accounts: registration, sign-in with throttling, server-side sessions, user administration."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from passlib.context import CryptContext
from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import (
    AuthSession,
    LoginAttempt,
    Organization,
    Role,
    User,
    is_valid_email,
    normalize_email,
)
from helpdesk.domain.mail import AuditEvent
from helpdesk.infra.settings import get_settings
from helpdesk.services import account_mail, captcha, known_devices, ratelimit
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import RateLimited, ServiceError, ValidationError

# argon2: passlib's bcrypt backend breaks with bcrypt 5 ("password cannot be longer than 72 bytes").
_pwd = CryptContext(schemes=["argon2"], deprecated="auto")

MIN_PASSWORD = 8
MAX_PASSWORD = 256
# Sign-in throttling: after this many failures in the window the account/address waits.
# Slow the attacker, not the victim (issue 13): five failures lock one account *from one IP*;
# anyone else, the owner included, still gets in. Only a distributed attack on one account (50
# from anywhere) or one IP failing on many accounts (100: behind a proxy without
# HELPDESK_TRUSTED_PROXY_HOPS every user shares one address) locks more widely.
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_EMAIL_ALL_IPS = 50
MAX_FAILURES_PER_IP = 100
FAILURE_WINDOW = timedelta(minutes=15)
# Sign-ups per IP: (limit, window in seconds).
REGISTER_LIMITS = ((10, 60), (50, 3600))

# Verifying against a dummy hash when the account does not exist keeps timing uniform.
_DUMMY_HASH = _pwd.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _pwd.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _pwd.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(session: Session, action: str, actor_id: int | None, target: str = "", ip: str = "", detail: str = "") -> None:
    session.add(AuditEvent(action=action, actor_id=actor_id, target=target, ip=ip[:64], detail=detail))


# ---------------------------------------------------------------- organizations and users


def get_or_create_org(session: Session, name: str) -> Organization:
    name = " ".join((name or "").split())
    org = session.exec(select(Organization).where(Organization.name == name)).first()
    if org is None:
        org = Organization(name=name)
        session.add(org)
        session.flush()
    return org


def _validate_new_user(name: str, email: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name or len(name) > 200:
        errors["name"] = "errors.name_required"
    if not is_valid_email(email):
        errors["email"] = "errors.email_invalid"
    if len(password) < MIN_PASSWORD:
        errors["password"] = "errors.password_too_short"
    elif len(password) > MAX_PASSWORD:
        errors["password"] = "errors.password_too_long"
    return errors


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    name: str = "",
    role: Role = Role.CUSTOMER,
    org_name: str | None = None,
    org_admin: bool = False,
    locale: str = "es",
) -> User:
    """Low-level creation used by registration, the CLI and the seed (no actor check)."""
    email = normalize_email(email)
    name = " ".join((name or "").replace("\x00", "").split()) or email.split("@")[0]
    errors = _validate_new_user(name, email, password)
    if not errors and session.exec(select(User.id).where(User.email == email)).first() is not None:
        errors["email"] = "errors.email_taken"
    if errors:
        raise ValidationError(errors)
    org = get_or_create_org(session, org_name) if org_name else None
    user = User(
        email=email,
        name=name,
        role=Role(role).value,
        organization_id=org.id if org else None,
        is_org_admin=bool(org_admin and org),
        password_hash=hash_password(password),
        locale=locale if locale in ("es", "en") else "es",
        # Made by an operator (CLI, seed) or by register(), which clears the mark again.
        registered_at=utcnow(),
        email_verified_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def register(
    session: Session, *, name: str, email: str, password: str, captcha_payload: str, locale: str = "es", ip: str = ""
) -> tuple[User, str]:
    """Self-service sign-up: always a customer. Returns the user and a new session token.

    Needs a solved ALTCHA captcha (`captcha_payload`, as on the new-ticket form): 25 sign-ups
    went through in 3.5 s without one (issue 13). Checked before anything is looked up or made;
    the spent challenge is recorded in the caller's transaction, so a refusal for another reason
    (rate limit) lets the same solution be sent again, and every answer that tells something
    (account made, owner mailed) spends it.

    The account works at once for new tickets, but its address is unverified: tickets opened
    as a guest with that address and CCs to it stay hidden until the mailed link is followed
    (trust.verify_email). An address that already has an account raises AlreadyRegistered
    after mailing its owner: the visitor gets the same neutral answer either way.
    """
    name = " ".join((name or "").replace("\x00", "").split())
    errors = _validate_new_user(name, normalize_email(email), password or "")
    if not (captcha_payload or "").strip():
        errors["captcha"] = "captcha.required"
    if errors:
        raise ValidationError(errors)
    captcha.require_valid(session, captcha_payload, field="captcha")
    if ip:
        # 25 sign-ups in 3.5 s made squatting addresses cheap (issue 13); counted per IP.
        for limit, window_s in REGISTER_LIMITS:
            ratelimit.hit(session, f"register:ip:{window_s}:{ip}", limit, window_s)
    address = normalize_email(email)
    existing = session.exec(select(User).where(User.email == address)).first()
    if existing is not None and existing.password_hash != "":
        if existing.is_active and existing.anonymized_at is None:
            account_mail.tell_owner_of_signup_attempt(session, existing)
        _audit(session, "user.register_existing", existing.id, target=existing.email, ip=ip)
        # The mail to the owner must be sent although the caller's unit of work ends in an exception.
        session.commit()
        raise account_mail.AlreadyRegistered()
    now = utcnow()
    if existing is not None:
        # A guest's row (tickets opened without an account): the account takes it over, but
        # those tickets stay hidden until the address is verified (registered_at marks the line).
        existing.name, existing.password_hash, existing.locale = name, hash_password(password), locale
        existing.registered_at, existing.email_verified_at, existing.password_changed_at = now, None, now
        user = existing
    else:
        user = create_user(session, email=email, password=password, name=name, locale=locale)
        user.email_verified_at = None
    session.flush()
    _audit(session, "user.registered", user.id, target=user.email, ip=ip)
    account_mail.send_verification(session, user)
    token = start_session(session, user, ip=ip)
    return user, token


# ---------------------------------------------------------------- sign-in


class SecondStepRequired(ServiceError):
    """The password was right but the account uses two-step sign-in: no session yet.

    The caller keeps `user_id` server-side (never in the browser) and finishes the sign-in with
    `totp.complete_login`. Raised by `authenticate`, so no caller can skip the second step.
    """

    def __init__(self, user_id: int) -> None:
        super().__init__("totp.login_code_needed")
        self.user_id = user_id


@dataclass(frozen=True)
class Throttle:
    locked: bool
    retry_after_s: int = 0


def _throttle(session: Session, email: str, ip: str, now: datetime) -> Throttle:
    since = now - FAILURE_WINDOW
    by_email = session.exec(
        select(func.count(), func.min(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.created_at > since
        )
    ).one()
    by_pair = session.exec(
        select(func.count(), func.min(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.created_at > since
        )
    ).one()
    by_ip = (0, None)
    if ip:
        by_ip = session.exec(
            select(func.count(), func.min(LoginAttempt.created_at)).where(
                LoginAttempt.ip == ip, LoginAttempt.created_at > since
            )
        ).one()
    checks = ((by_pair, MAX_FAILURES_PER_EMAIL), (by_email, MAX_FAILURES_PER_EMAIL_ALL_IPS), (by_ip, MAX_FAILURES_PER_IP))
    for (count, oldest), limit in checks:
        if count >= limit and oldest is not None:
            wait = int((oldest + FAILURE_WINDOW - now).total_seconds()) + 1
            return Throttle(True, max(wait, 1))
    return Throttle(False)


def authenticate(session: Session, *, email: str, password: str, ip: str = "", user_agent: str = "",
                 device_token: str = "") -> tuple[User, str]:
    """Check credentials and open a session. Same error for unknown e-mail and bad password.

    For an account with two-step sign-in on, a right password raises SecondStepRequired instead.
    `device_token`: what services/known_devices issued to this browser at an earlier sign-in; a
    browser that signed in to this account before is not shut out by a flood from elsewhere.
    """
    now = utcnow()
    email = normalize_email(email)
    known = known_devices.vouches(email, device_token)
    if known:
        known_devices.check_allowance(session, device_token)
    else:
        throttle = _throttle(session, email, ip, now)
        if throttle.locked:
            raise RateLimited("errors.login_locked", retry_after_s=throttle.retry_after_s)
    user = session.exec(select(User).where(User.email == email)).first() if email else None
    ok = verify_password(password or "", user.password_hash if user else _DUMMY_HASH)
    if not user or not ok or not user.is_active:
        session.add(LoginAttempt(email=email[:320], ip=ip[:64], created_at=now))
        _audit(session, "login.failed", user.id if user else None, target=email[:200], ip=ip)
        # The failure must stick although the caller's unit of work ends in an exception.
        session.commit()
        if known:
            known_devices.count_failure(device_token)
        raise ServiceError("errors.bad_credentials")
    if _pwd.needs_update(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_enabled_at is not None and user.totp_secret:
        _audit(session, "login.password_ok", user.id, target=user.email, ip=ip, detail="2fa pending")
        # Kept although the caller's unit of work ends in the exception below.
        session.commit()
        raise SecondStepRequired(user.id)
    _audit(session, "login.succeeded", user.id, target=user.email, ip=ip)
    return user, start_session(session, user, ip=ip, user_agent=user_agent)


def start_session(session: Session, user: User, *, ip: str = "", user_agent: str = "") -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=get_settings().session_days),
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    session.flush()
    return token


LAST_SEEN_EVERY = timedelta(minutes=5)


def user_for_token(session: Session, token: str | None) -> Optional[User]:
    """The user a browser token belongs to, or None if unknown, expired, revoked or inactive."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    # One round trip: every page load and every handler resolves the token.
    row = session.exec(
        select(AuthSession, User).join(User, User.id == AuthSession.user_id).where(AuthSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    auth, user = row
    if not auth.is_valid(now) or not user.is_active:
        return None
    # Throttled: an UPDATE (and its commit) on every page load would be most of its database work.
    if now - auth.last_seen_at > LAST_SEEN_EVERY:
        auth.last_seen_at = now
    return user


def end_session(session: Session, token: str | None) -> None:
    if not token:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).first()
    if auth is not None and auth.revoked_at is None:
        auth.revoked_at = utcnow()
        _audit(session, "logout", auth.user_id)


def revoke_all_sessions(session: Session, user_id: int, *, except_token: str | None = None) -> int:
    keep = token_hash(except_token) if except_token else None
    rows = session.exec(select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))).all()
    n = 0
    for auth in rows:
        if auth.token_hash != keep:
            auth.revoked_at = utcnow()
            n += 1
    return n


def change_password(session: Session, actor: User, *, current: str, new: str, token: str | None = None) -> None:
    if not verify_password(current or "", actor.password_hash):
        raise ValidationError({"current_password": "errors.bad_current_password"})
    errors = _validate_new_user(actor.name, actor.email, new)
    if "password" in errors:
        raise ValidationError({"new_password": errors["password"]})
    user = session.get(User, actor.id)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    revoke_all_sessions(session, user.id, except_token=token)
    _audit(session, "password.changed", user.id)


# ---------------------------------------------------------------- administration


def set_role(session: Session, actor: Optional[User], user_id: int, role: Role) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise ServiceError("errors.not_found")
    if user.id == actor.id and Role(role) is not Role.ADMIN:
        raise ServiceError("errors.cannot_demote_self")
    old = user.role
    user.role = Role(role).value
    _audit(session, "role.changed", actor.id, target=user.email, detail=f"{old}->{user.role}")
    return user


def list_users(session: Session, actor: Optional[User], *, query: str = "", limit: int = 50, offset: int = 0) -> list[User]:
    require_admin(actor)
    stmt = select(User).order_by(User.created_at.desc()).offset(offset).limit(min(limit, 200))
    q = (query or "").strip().lower()
    if q:
        like = f"%{q}%"
        stmt = stmt.where((func.lower(User.email).like(like)) | (func.lower(User.name).like(like)))
    return list(session.exec(stmt).all())
