"""Two-step sign-in required for staff (issue 13 §4): the switch admins turn on in /admin.

While it is on, an agent or admin without two-step sign-in may, in the web app, only look after
their own account (policy: `Action.SIGNED_IN`): the staff pages send them to /account to turn it
on, and every staff handler and service refuses them, whatever a forged call asks. API tokens
and the mail channel are not affected: a token is its own credential, revoked on its own.
How the rule is read (and kept a few seconds per process): services/staff_totp_rule.py.
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import Session

from helpdesk.domain.accounts import User
from helpdesk.domain.sla import Setting
from helpdesk.services import audit, totp
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import ServiceError
from helpdesk.services.staff_totp_rule import KEY, enrollment_due, invalidate, stored

__all__ = ["enrollment_due", "invalidate", "is_required", "set_required"]


def is_required(session: Session) -> bool:
    """The stored value, uncached (for the admin screen)."""
    return stored(session)


def set_required(session: Session, actor: Optional[User], on: bool, *, ip: str = "") -> bool:
    admin = require_admin(actor)
    on = bool(on)
    if on and not totp.is_enabled(session.get(User, admin.id)):
        # Otherwise the admin who flips it would lock themselves out of the switch.
        raise ServiceError("totp.require_self_first")
    row = session.get(Setting, KEY) or Setting(key=KEY)
    row.value = "1" if on else "0"
    session.add(row)
    audit.record(session, "settings.staff_totp", admin.id, target=KEY, ip=ip, detail=row.value)
    invalidate()  # the caller forgets again after its commit (a read in between kept the old value)
    return on
