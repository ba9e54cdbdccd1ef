"""Placeholder: replaced by the feature that owns this page."""

from __future__ import annotations

import reflex as rx

from helpdesk.domain.accounts import Role, User
from helpdesk.web.pages.guard import GuardedState


class KbAdminState(GuardedState):
    def _may_enter(self, user: User) -> bool:
        # Article administration is for admins; the base rule lets any signed-in user in, so
        # without this a customer typing the URL got access "ok" (tests/security matrix).
        return user.role == Role.ADMIN.value

    @rx.event
    def load(self):
        _, redirect = self._enter()
        return redirect
