from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import guarded
from helpdesk.web.pages.kb_admin.state import KbAdminState


def kb_admin_page() -> rx.Component:
    return shell(guarded(KbAdminState.access, rx.heading("kb_admin", as_="h1")))
