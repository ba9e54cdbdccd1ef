from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import guarded
from helpdesk.web.pages.agent_ticket.state import AgentTicketState


def agent_ticket_page() -> rx.Component:
    return shell(guarded(AgentTicketState.access, rx.heading("agent_ticket", as_="h1")))
