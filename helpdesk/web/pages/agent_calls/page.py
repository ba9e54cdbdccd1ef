"""/agent/calls ("Llamadas"): call-backs to make, oldest deadline first."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, empty_state, guarded, tid
from helpdesk.web.pages.agent_calls.state import CallsState as S

_STATE_COLOR = {"ok": "green", "due_soon": "amber", "breached": "red"}


def _call(c) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(c.ticket, href="/agent/tickets/" + c.number, weight="bold", custom_attrs=tid("call-ticket")),
                rx.text(c.subject, size="2", trim="both"),
                rx.spacer(),
                rx.badge(c.state_label, color_scheme=rx.match(c.state, ("ok", "green"), ("due_soon", "amber"), "red"),
                         custom_attrs=tid("call-target")),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.icon("phone", size=14, aria_hidden="true"),
                rx.link(c.phone, href="tel:" + c.phone, custom_attrs=tid("call-phone")),
                rx.text("·", color_scheme="gray"),
                rx.text(c.requester, size="2"),
                rx.text("·", color_scheme="gray"),
                rx.text(T["calls.due"], " ", rx.el.time(c.due_relative, title=c.due), size="2", color_scheme="gray"),
                wrap="wrap",
                align="center",
                spacing="2",
            ),
            rx.cond(
                c.status == "pending",
                rx.button(rx.icon("phone-outgoing", size=14, aria_hidden="true"), T["calls.take"], size="2",
                          on_click=S.take(c.id), custom_attrs=tid("call-take")),
                rx.vstack(
                    rx.text(T["calls.taken_by"].replace("{name}", c.taken_by), size="2", color_scheme="gray"),
                    rx.text_area(placeholder=T["calls.outcome"], aria_label=T["calls.outcome"], width="100%",
                                 on_blur=S.set_outcome(c.id), custom_attrs=tid("call-outcome")),
                    rx.hstack(
                        rx.button(T["calls.done"], type="button", size="2", color_scheme="green",
                                  on_click=S.finish(c.id, "done"), custom_attrs=tid("call-done")),
                        rx.button(T["calls.missed"], type="button", size="2", variant="soft", color_scheme="gray",
                                  on_click=S.finish(c.id, "missed"), custom_attrs=tid("call-missed")),
                    ),
                    width="100%",
                    spacing="2",
                ),
            ),
            width="100%",
            spacing="2",
        ),
        width="100%",
        custom_attrs=tid("call-row"),
    )


def calls_page() -> rx.Component:
    return shell(
        guarded(
            S.access,
            rx.vstack(
                rx.heading(T["calls.title"], size="7", as_="h1"),
                rx.text(T["calls.subtitle"], color_scheme="gray"),
                rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", role="alert", width="100%",
                                                  custom_attrs=tid("form-error"))),
                rx.cond(
                    S.calls.length() > 0,
                    rx.vstack(rx.foreach(S.calls, _call), width="100%", spacing="3"),
                    empty_state("phone-off", T["calls.title"], T["calls.empty"]),
                ),
                width="100%",
                spacing="3",
            ),
        ),
        width="56rem",
    )
