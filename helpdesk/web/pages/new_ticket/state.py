"""Placeholder: replaced by the new-ticket feature."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.app_state import AppState
from helpdesk.web.components.upload import UploadMixin


class NewTicketState(UploadMixin, AppState):
    @rx.event
    def load(self):
        self._clear_uploads()
