"""The agent's SLA panel, promise part: why the clock is stopped, and fair-use signals."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.ui import tid
from helpdesk.web.pages.agent_ticket.state import AgentTicketState as S


def clock_paused() -> rx.Component:
    """Why the clock is stopped (holiday, after hours) and fair-use signals, beside the deadlines."""
    return rx.fragment(
        rx.cond(
            S.clock_paused != "",
            rx.text(S.clock_paused, size="2", color_scheme="amber", high_contrast=True, custom_attrs=tid("ticket-clock-paused")),
        ),
        rx.foreach(
            S.fair_use_signals,
            lambda line: rx.badge(line, color_scheme="orange", variant="soft", high_contrast=True, white_space="normal",
                                  custom_attrs=tid("ticket-fair-use")),
        ),
    )
