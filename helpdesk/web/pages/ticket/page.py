from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import guarded
from helpdesk.web.pages.ticket.state import TicketState


def ticket_page() -> rx.Component:
    return shell(guarded(TicketState.access, rx.heading("ticket", as_="h1")))
