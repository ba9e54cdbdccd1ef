"""The admins' user list: search, pages and counts, role changes, deactivation and invitations.

Every function checks the admin role itself (the page's check is a second line). Deactivating
ends every session of the account at once and blocks sign-in (accounts.authenticate and
user_for_token refuse inactive users); the person's tickets stay. An invitation creates the
account with an unusable random password and mails a set-password link made by the
password-reset service, so the link works once and expires like any reset link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.domain.accounts import Role, User, is_valid_email, normalize_email
from helpdesk.services import account_mail, account_tokens, accounts, audit
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import NotFound, ServiceError, ValidationError

PAGE_SIZE = 20
MAX_QUERY = 100
INVITABLE = (Role.AGENT, Role.ADMIN)


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # by role, and "inactive", over every account (not just the search)


def _search(stmt, query: str):
    q = (query or "").strip().lower()[:MAX_QUERY]
    if q:
        like = f"%{q}%"
        stmt = stmt.where((func.lower(User.email).like(like)) | (func.lower(User.name).like(like)))
    return stmt


def list_page(session: Session, actor: Optional[User], *, query: str = "", page: int = 1, role: str = "") -> UserPage:
    """One page of accounts, newest first; erased (anonymized) people are left out."""
    require_admin(actor)
    base = select(User).where(User.anonymized_at.is_(None))
    if role in {r.value for r in Role}:
        base = base.where(User.role == role)
    base = _search(base, query)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, int(page or 1)), pages)
    rows = session.exec(base.order_by(User.created_at.desc(), User.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    counts = {r.value: 0 for r in Role}
    for r, n in session.exec(select(User.role, func.count()).where(User.anonymized_at.is_(None)).group_by(User.role)).all():
        counts[r] = n
    counts["inactive"] = session.exec(select(func.count()).select_from(User).where(User.is_active.is_(False))).one()
    return UserPage(users=list(rows), total=total, page=page, pages=pages, counts=counts)


def _get(session: Session, user_id: object) -> User:
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None:
        raise NotFound()
    return user


def set_role(session: Session, actor: Optional[User], user_id: object, role: str) -> User:
    """Change a role (audited by accounts.set_role). Nobody demotes themselves."""
    require_admin(actor)
    try:
        target_role = Role(str(role))
    except ValueError:
        raise ValidationError({"role": "admin.role_invalid"}) from None
    user = _get(session, user_id)
    return accounts.set_role(session, actor, user.id, target_role)


def set_active(session: Session, actor: Optional[User], user_id: object, active: bool) -> User:
    """Deactivate (sessions end, sign-in refused, tickets kept) or reactivate an account."""
    actor = require_admin(actor)
    user = _get(session, user_id)
    if user.id == actor.id and not active:
        raise ServiceError("admin.cannot_deactivate_self")
    if bool(active) == bool(user.is_active):
        return user
    user.is_active = bool(active)
    ended = 0 if active else accounts.revoke_all_sessions(session, user.id)
    audit.record(session, "user.reactivated" if active else "user.deactivated", actor.id, target=user.email,
                 detail="" if active else f"sessions_ended={ended}")
    session.flush()
    return user


def invite(session: Session, actor: Optional[User], *, name: str, email: str, role: str = "agent", locale: str = "es") -> User:
    """Create a staff account and mail it a link to choose a password."""
    actor = require_admin(actor)
    try:
        target_role = Role(str(role))
    except ValueError:
        target_role = None
    if target_role not in INVITABLE:
        raise ValidationError({"role": "admin.role_invalid"})
    address = normalize_email(email or "")
    errors: dict[str, str] = {}
    if not is_valid_email(address):
        errors["email"] = "errors.email_invalid"
    elif session.exec(select(User.id).where(User.email == address)).first() is not None:
        errors["email"] = "errors.email_taken"
    clean_name = " ".join(str(name or "").split())[:200]
    if not clean_name:
        errors["name"] = "errors.name_required"
    if errors:
        raise ValidationError(errors)
    user = accounts.create_user(session, email=address, password=secrets.token_urlsafe(24), name=clean_name,
                                role=target_role, locale=locale if locale in ("es", "en") else "es")
    token = account_tokens.issue(session, account_tokens.RESET, user.id)
    account_mail.send(session, to=user.email, name=user.name, locale=user.locale, kind="invite",
                      url=account_mail.link(account_mail.reset_path(token)), key=f"invite:{user.id}",
                      inviter=actor.name)
    audit.record(session, "user.invited", actor.id, target=user.email, detail=target_role.value)
    return user
