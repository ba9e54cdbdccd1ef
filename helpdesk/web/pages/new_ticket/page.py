from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T
from helpdesk.web.components.upload import attachment_picker
from helpdesk.web.pages.new_ticket.state import NewTicketState


def new_ticket_page() -> rx.Component:
    return shell(
        rx.heading(T["nav.new_ticket"], as_="h1"),
        attachment_picker(NewTicketState, "ticket-files", "ticket-attachments"),
    )
