"""Role checks shared by every service: thin doors onto services/policy.py, which holds the rules.

Identity is always a User loaded from a server session (or a principal resolved by
services/principals.py); these return the acting User or raise PermissionDenied.
"""

from __future__ import annotations

from typing import Optional

from helpdesk.domain.accounts import User
from helpdesk.domain.principals import of_actor
from helpdesk.services import policy
from helpdesk.services.errors import PermissionDenied
from helpdesk.services.policy import Action


def require_user(actor: Optional[User]) -> User:
    principal = of_actor(actor)
    if not policy.can(principal, Action.SIGNED_IN):
        raise PermissionDenied("errors.login_required")
    return principal.user


def require_staff(actor: Optional[User]) -> User:
    user = require_user(actor)
    policy.require(of_actor(actor), Action.STAFF_AREA)
    return user


def require_admin(actor: Optional[User]) -> User:
    user = require_user(actor)
    policy.require(of_actor(actor), Action.ADMIN_AREA)
    return user
