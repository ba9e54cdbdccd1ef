from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T


def new_ticket_page() -> rx.Component:
    return shell(rx.heading(T["nav.new_ticket"], as_="h1"))
