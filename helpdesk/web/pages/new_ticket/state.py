"""Placeholder: replaced by the new-ticket feature."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.app_state import AppState


class NewTicketState(AppState):
    @rx.event
    def load(self):
        pass
