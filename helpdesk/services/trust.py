"""Proving who owns an address: verification after sign-up, password reset, sign-up attempts on
an address that already has an account.

Why it exists: visibility of guest tickets and CCs goes by e-mail address, so an account only
sees them once its owner clicked a link mailed to that address (tickets.own_tickets_condition).
Every link is single-use and expires (services/account_tokens).
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User, normalize_email
from helpdesk.infra.db import session_scope
from helpdesk.services import account_mail, account_tokens, accounts, audit, ratelimit
from helpdesk.services.account_mail import reset_path, send_verification
from helpdesk.services.authz import require_user
from helpdesk.services.errors import ServiceError, ValidationError

# (limit, window in seconds)
RESEND_LIMIT = (3, 3600)
FORGOT_PER_ADDRESS = (3, 3600)
FORGOT_PER_IP = (10, 3600)
MIN_PASSWORD, MAX_PASSWORD = 8, 256


def resend_verification(session: Session, actor: Optional[User], *, now=None) -> None:
    user = require_user(actor)
    if user.email_verified:
        return
    limit, window = RESEND_LIMIT
    ratelimit.hit(session, f"verify:user:{user.id}", limit, window, now=now)
    send_verification(session, session.get(User, user.id))


def verify_email(session: Session, actor: Optional[User], token: str, *, ip: str = "") -> User:
    """Confirm the address of the signed-in account that the link was mailed to.

    Signed in as that account is required: otherwise the real owner of an address, clicking a
    link someone else's sign-up sent them, would hand their guest tickets to that someone.
    """
    user = require_user(actor)
    row = account_tokens.peek(session, account_tokens.VERIFY, token)
    if row is None or row.user_id != user.id:
        raise ServiceError("trust.link_invalid")
    account_tokens.consume(session, account_tokens.VERIFY, token)
    target = session.get(User, user.id)
    if target.email_verified_at is None:
        target.email_verified_at = utcnow()
        audit.record(session, "email.verified", target.id, target=target.email, ip=ip)
    return target


# ---------------------------------------------------------------- password reset


def request_reset(email: str, *, ip: str = "") -> None:
    """Mail a reset link if the address has an account. Same outcome whether it does or not;
    limited per address and per IP (each request counts, so it runs its own transaction)."""
    address = normalize_email(email)[:320]
    if not address or "@" not in address:
        raise ValidationError({"email": "errors.email_invalid"})
    with session_scope() as s:
        if ip:
            ratelimit.hit(s, f"forgot:ip:{ip}", *FORGOT_PER_IP)
        ratelimit.hit(s, f"forgot:addr:{address}", *FORGOT_PER_ADDRESS)
    with session_scope() as s:
        user = s.exec(select(User).where(User.email == address)).first()
        if user is None or not user.is_active or user.anonymized_at is not None:
            return
        token = account_tokens.issue(s, account_tokens.RESET, user.id)
        account_mail.send(s, to=user.email, name=user.name, locale=user.locale, kind="reset",
                          url=account_mail.link(reset_path(token)))
        audit.record(s, "password.reset_requested", user.id, target=user.email, ip=ip)


def reset_link_is_live(session: Session, token: str) -> bool:
    return account_tokens.peek(session, account_tokens.RESET, token) is not None


def reset_password(session: Session, token: str, new_password: str, *, ip: str = "") -> User:
    """Set a new password from a mailed link; ends every session of the account.

    The password is checked before the link is used, so a too-short one does not burn it.
    Following the link proves the mailbox, so the address counts as verified from then on.
    """
    new_password = new_password or ""
    if account_tokens.peek(session, account_tokens.RESET, token) is None:
        raise ServiceError("trust.link_invalid")
    if len(new_password) < MIN_PASSWORD:
        raise ValidationError({"password": "errors.password_too_short"})
    if len(new_password) > MAX_PASSWORD:
        raise ValidationError({"password": "errors.password_too_long"})
    row = account_tokens.consume(session, account_tokens.RESET, token)
    user = session.get(User, row.user_id)
    now = utcnow()
    user.password_hash = accounts.hash_password(new_password)
    user.password_changed_at = now
    user.registered_at = user.registered_at or now
    if user.email_verified_at is None:
        user.email_verified_at = now
        audit.record(session, "email.verified", user.id, target=user.email, ip=ip, detail="reset")
    accounts.revoke_all_sessions(session, user.id)
    audit.record(session, "password.reset", user.id, target=user.email, ip=ip)
    account_mail.send(session, to=user.email, name=user.name, locale=user.locale, kind="password_changed",
                      key=f"password_changed:{user.id}:{now.isoformat()}")
    return user
