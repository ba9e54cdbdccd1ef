"""Placeholder: replaced by the feature that owns this page."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.pages.guard import GuardedState


class MyTicketsState(GuardedState):
    @rx.event
    def load(self):
        _, redirect = self._enter()
        return redirect
