from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import guarded
from helpdesk.web.pages.agent_dashboard.state import DashboardState


def dashboard_page() -> rx.Component:
    return shell(guarded(DashboardState.access, rx.heading("agent_dashboard", as_="h1")))
