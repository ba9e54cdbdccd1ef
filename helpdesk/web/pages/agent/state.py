from __future__ import annotations

import reflex as rx

from helpdesk.domain.accounts import User
from helpdesk.web.pages.guard import GuardedState


class AgentQueueState(GuardedState):
    def _may_enter(self, user: User) -> bool:
        return user.is_staff

    @rx.event
    def load(self):
        _, redirect = self._enter()
        return redirect
