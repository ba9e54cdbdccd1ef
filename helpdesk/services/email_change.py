"""Changing the address of an account (issue 13 §3): password, a link to the new address, and an
undo link to the old one.

Why each step:
- The password: a browser left signed in is not enough to move the account elsewhere.
- A link mailed to the new address, followed *signed in as this account*: visibility of guest
  tickets and CCs goes by verified address, so the address must be proven, and by this account.
  Without the sign-in check, someone could ask to move their own account to a victim's address
  and wait for the victim to click a plausible "confirm your address" mail; the victim's guest
  tickets would then be theirs (the takeover issue 13 closes).
- The old address is told, with a link valid for 7 days that puts the account back there,
  signs it out everywhere and voids every other link in flight (a reset link sent to the new
  address must not outlive the undo). It needs no sign-in: a hijacked account is exactly the
  case where its owner cannot sign in any more.
- An address that already has another account gets the same answer as a free one (no account
  enumeration); nothing is mailed to it and the change cannot complete.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import update
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.account_tokens import AccountToken
from helpdesk.domain.accounts import User, is_valid_email, normalize_email
from helpdesk.infra.db import session_scope
from helpdesk.services import account_mail, account_tokens, accounts, audit, ratelimit
from helpdesk.services.authz import require_user
from helpdesk.services.errors import ServiceError, ValidationError

# (limit, window in seconds): password guesses through this form, and links mailed.
ATTEMPTS_PER_USER = (5, 900)
LINKS_PER_USER = (3, 3600)


def confirm_path(token: str) -> str:
    return f"/account/email/{token}"


def undo_path(token: str) -> str:
    return f"/account/email-undo/{token}"


def _taken(session: Session, address: str, user_id: int) -> bool:
    return session.exec(select(User.id).where(User.email == address, User.id != user_id)).first() is not None


def request_change(actor: Optional[User], *, new_email: str, password: str, ip: str = "") -> str:
    """Mail a confirmation link to `new_email`; returns the normalized address (for the page).

    Every attempt is counted in its own transaction before the password is checked, so
    guessing the password here is as slow as at sign-in.
    """
    user = require_user(actor)
    address = normalize_email(new_email)[:320]
    if not is_valid_email(address):
        raise ValidationError({"new_email": "errors.email_invalid"})
    if address == user.email:
        raise ValidationError({"new_email": "account.email_same"})
    with session_scope() as s:
        ratelimit.hit(s, f"email-change:try:{user.id}", *ATTEMPTS_PER_USER)
    with session_scope() as s:
        row = s.get(User, user.id)
        if row is None or not accounts.verify_password(password or "", row.password_hash or ""):
            raise ValidationError({"email_password": "errors.bad_current_password"})
        ratelimit.hit(s, f"email-change:link:{user.id}", *LINKS_PER_USER)
        if _taken(s, address, user.id):
            audit.record(s, "email.change_refused", user.id, target=address, ip=ip, detail="taken")
            return address
        token = account_tokens.issue(s, account_tokens.EMAIL_CHANGE, user.id, data=address)
        account_mail.send(s, to=address, name=row.name, locale=row.locale, kind="email_change",
                          url=account_mail.link(confirm_path(token)))
        audit.record(s, "email.change_requested", user.id, target=address, ip=ip)
    return address


def pending(session: Session, actor: Optional[User]) -> str:
    """The address a change is waiting to be confirmed for, or ""."""
    user = require_user(actor)
    row = session.exec(
        select(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == account_tokens.EMAIL_CHANGE,
                                   AccountToken.used_at.is_(None), AccountToken.expires_at > utcnow())
        .order_by(AccountToken.id.desc())
    ).first()
    return row.data if row else ""


def cancel(session: Session, actor: Optional[User]) -> None:
    user = require_user(actor)
    _void(session, user.id, account_tokens.EMAIL_CHANGE)


def confirm(session: Session, actor: Optional[User], token: str, *, ip: str = "") -> User:
    """Move the signed-in account to the address the link was mailed to (proven by the click)."""
    user = require_user(actor)
    row = account_tokens.peek(session, account_tokens.EMAIL_CHANGE, token)
    if row is None or row.user_id != user.id:
        raise ServiceError("trust.link_invalid")
    if _taken(session, row.data, user.id):
        raise ServiceError("account.email_unavailable")
    account_tokens.consume(session, account_tokens.EMAIL_CHANGE, token)
    target = session.get(User, user.id)
    old, now = target.email, utcnow()
    target.email = row.data
    target.email_verified_at = now
    undo = account_tokens.issue(session, account_tokens.EMAIL_UNDO, target.id, data=old)
    account_mail.send(session, to=old, name=target.name, locale=target.locale, kind="email_changed",
                      url=account_mail.link(undo_path(undo)), key=f"email_changed:{target.id}:{now.isoformat()}",
                      new_email=target.email)
    audit.record(session, "email.changed", target.id, target=target.email, ip=ip, detail=f"from {old}")
    return target


def undo(session: Session, token: str, *, ip: str = "") -> User:
    """Put the account back on the old address: every session ends, every other link dies."""
    row = account_tokens.peek(session, account_tokens.EMAIL_UNDO, token)
    if row is None:
        raise ServiceError("trust.link_invalid")
    if _taken(session, row.data, row.user_id):
        raise ServiceError("account.email_unavailable")
    account_tokens.consume(session, account_tokens.EMAIL_UNDO, token)
    user = session.get(User, row.user_id)
    changed_to, now = user.email, utcnow()
    user.email = row.data
    user.email_verified_at = now  # the click proves the old mailbox again
    _void(session, user.id)
    accounts.revoke_all_sessions(session, user.id)
    account_mail.send(session, to=user.email, name=user.name, locale=user.locale, kind="email_restored",
                      key=f"email_restored:{user.id}:{now.isoformat()}")
    audit.record(session, "email.change_undone", user.id, target=user.email, ip=ip, detail=f"was {changed_to}")
    return user


def _void(session: Session, user_id: int, purpose: str | None = None) -> None:
    """Mark the user's live links used (all of them, or one purpose)."""
    query = update(AccountToken).where(AccountToken.user_id == user_id, AccountToken.used_at.is_(None))
    if purpose:
        query = query.where(AccountToken.purpose == purpose)
    session.exec(query.values(used_at=utcnow()))
