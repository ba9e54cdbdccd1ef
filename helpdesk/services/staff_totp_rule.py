"""Whether staff must turn on two-step sign-in before working (the admin's switch, issue 13 §4).

Read by the policy on every check of a staff member in the web app, so it imports nothing but the
domain and the database, and each process keeps the value a few seconds: a change reaches the
other workers within CACHE_SECONDS (the worker that made it forgets at once). The switch itself
is set in services/staff_totp.py.
"""

from __future__ import annotations

import time
from typing import Optional

from sqlmodel import Session

from helpdesk.domain.accounts import User
from helpdesk.domain.sla import Setting
from helpdesk.infra.db import get_engine, session_scope

KEY = "staff_totp_required"
CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, bool]] = {}  # database URL -> (read at, value)


def invalidate() -> None:
    """Forget the kept value (after a change commits; tests between databases)."""
    _cache.clear()


def stored(session: Session) -> bool:
    row = session.get(Setting, KEY)
    return bool(row and row.value == "1")


def required() -> bool:
    url = str(get_engine().url)
    hit = _cache.get(url)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    with session_scope() as s:
        value = stored(s)
    _cache[url] = (now, value)
    return value


def enrollment_due(user: Optional[User]) -> bool:
    """True for a staff member who must turn two-step sign-in on before working."""
    # services/totp.is_enabled, inlined: that module builds on the policy.
    has_second_factor = bool(user is not None and user.totp_enabled_at and user.totp_secret)
    return bool(user is not None and user.is_staff and not has_second_factor and required())
