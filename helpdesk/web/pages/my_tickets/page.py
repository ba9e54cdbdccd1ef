from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import guarded
from helpdesk.web.pages.my_tickets.state import MyTicketsState


def my_tickets_page() -> rx.Component:
    return shell(guarded(MyTicketsState.access, rx.heading("my_tickets", as_="h1")))
