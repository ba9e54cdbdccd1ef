from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, guarded
from helpdesk.web.pages.agent.state import AgentQueueState


def agent_page() -> rx.Component:
    return shell(
        guarded(
            AgentQueueState.access,
            rx.vstack(
                rx.heading(T["agent.title"], size="7", as_="h1"),
                rx.text(T["agent.subtitle"], color_scheme="gray"),
                width="100%",
            ),
        )
    )
