"""Role gate shared by protected pages: decides on load, and again inside every handler."""

from __future__ import annotations

from typing import Callable, Optional

import reflex as rx

from helpdesk.domain.accounts import User
from helpdesk.services import staff_totp_rule
from helpdesk.web import routes
from helpdesk.web.app_state import AppState


class GuardedState(AppState):
    """Base for pages with an access rule. `access` is "" (deciding), "ok" or "denied"."""

    access: str = ""

    def _may_enter(self, user: User) -> bool:  # overridden per page
        return True

    def _enter(self) -> tuple[Optional[User], Optional[object]]:
        """Run at the top of on_load. Returns (user, redirect-or-None); data is reset first."""
        self.reset()
        user = self._refresh_identity()
        if user is None:
            target = self.router.url.path or routes.HOME
            query = self.router.url.query
            if query:
                target = f"{target}?{query}"
            from urllib.parse import quote

            return None, rx.redirect(f"{routes.LOGIN}?next={quote(target, safe='')}")
        if not self._may_enter(user):
            if staff_totp_rule.enrollment_due(user) and self.router.url.path != routes.ACCOUNT:
                # The admin requires two-step sign-in of staff: /account says so and sets it up.
                return None, rx.redirect(f"{routes.ACCOUNT}#security")
            self.access = "denied"
            return None, None
        self.access = "ok"
        return user, None

    def _allowed_actor(self, check: Callable[[User], bool] | None = None) -> Optional[User]:
        """For event handlers: the current user if they (still) pass this page's rule."""
        user = self._actor()
        if user is None or not self._may_enter(user) or (check is not None and not check(user)):
            return None
        return user
