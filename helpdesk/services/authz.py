"""Role checks shared by every service. Identity is always a User loaded from a server session."""

from __future__ import annotations

from typing import Optional

from helpdesk.domain.accounts import Role, User
from helpdesk.services.errors import PermissionDenied


def require_user(actor: Optional[User]) -> User:
    if actor is None or not actor.is_active:
        raise PermissionDenied("errors.login_required")
    return actor


def require_staff(actor: Optional[User]) -> User:
    user = require_user(actor)
    if not user.is_staff:
        raise PermissionDenied()
    return user


def require_admin(actor: Optional[User]) -> User:
    user = require_user(actor)
    if user.role_enum is not Role.ADMIN:
        raise PermissionDenied()
    return user
