"""Placeholder: replaced by the privacy feature."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.pages.guard import GuardedState


class AccountState(GuardedState):
    @rx.event
    def load(self):
        _, redirect = self._enter()
        return redirect
