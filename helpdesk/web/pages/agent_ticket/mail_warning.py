"""The agent's warning that a ticket mail did not arrive, above the conversation: calm (amber,
no alarm), one line per address, gone once a later mail to that address got through."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.agent_ticket.state import AgentTicketState as S
from helpdesk.web.pages.agent_ticket.views import MailFailureView


def _line(f: MailFailureView) -> rx.Component:
    return rx.text(
        f.text, " · ", rx.text.span(f.at, title=f.at_full),
        size="2", overflow_wrap="anywhere", custom_attrs={"data-testid": "mail-failure", "data-address": f.address},
    )


def mail_warning() -> rx.Component:
    return rx.cond(
        S.mail_failures.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail-warning", aria_hidden="true")),
            rx.vstack(
                rx.foreach(S.mail_failures, _line),
                rx.text(T["mail_delivery.hint"], size="1"),
                spacing="1",
                min_width="0",
            ),
            color_scheme="amber",
            variant="surface",
            high_contrast=True,
            size="1",
            width="100%",
            role="status",
            aria_label=T["mail_delivery.label"],
            custom_attrs=tid("ticket-mail-failed"),
        ),
    )
