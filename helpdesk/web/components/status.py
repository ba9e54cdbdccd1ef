"""The one status label of a ticket, drawn the same way on every page.

Customers and agents read the same five states; only "pending" is worded from the reader's
side ("Esperando tu respuesta" for the customer, "Esperando al cliente" for the agent). The
text comes from the catalog in the browser, so it follows the language switch at once.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.ui import T, tid

STATUS_COLORS = {"new": "blue", "open": "indigo", "pending": "amber", "solved": "green", "closed": "gray"}
STATUSES = tuple(STATUS_COLORS)


def status_text(status, audience: str = "customer"):
    """The status label as a var (for places that need the words without the badge)."""
    prefix = "agent.status." if audience == "agent" else "status."
    return T[prefix + status]


def status_badge(status, testid: str | None = "ticket-status", audience: str = "customer") -> rx.Component:
    return rx.badge(
        status_text(status, audience),
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        radius="full",
        high_contrast=True,  # AA text contrast on the soft background, light and dark
        custom_attrs={**(tid(testid) if testid else {}), "data-status": status},
    )
