"""The page for unknown addresses: in the visitor's language, with a search and a way back."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, tid


class NotFoundState(AppState):
    @rule("public")
    @rx.event
    def search(self, form: dict):
        text = " ".join(str((form or {}).get("q", "")).split())[:200]
        return rx.redirect(f"{routes.HOME}?q={quote(text, safe='')}" if text else routes.HOME)


_SR_ONLY = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden", "clip": "rect(0 0 0 0)", "white_space": "nowrap"}


def not_found_page() -> rx.Component:
    # The help center home searches "/?q=…" on load.
    search = rx.form(
        rx.hstack(
            rx.el.label(T["notfound.search"], html_for="notfound-q", style=_SR_ONLY),
            rx.input(
                rx.input.slot(rx.icon("search", size=16, aria_hidden="true")),
                id="notfound-q",
                name="q",
                type="search",
                placeholder=T["notfound.search"],
                size="3",
                flex="1",
                custom_attrs=tid("notfound-search"),
            ),
            rx.button(T["notfound.search_button"], type="submit", size="3"),
            width="100%",
            spacing="2",
        ),
        on_submit=NotFoundState.search,
        width="100%",
    )
    return shell(
        rx.center(
            rx.vstack(
                rx.icon("map-pin-off", size=40, color=rx.color("accent", 9), aria_hidden="true"),
                rx.text("404", size="2", color_scheme="gray", weight="bold"),
                rx.heading(T["notfound.title"], size="7", as_="h1", text_align="center"),
                rx.text(T["notfound.body"], color_scheme="gray", text_align="center"),
                search,
                rx.link(rx.hstack(rx.icon("arrow-left", size=16), T["notfound.home"], spacing="1", align="center"), href=routes.HOME,
                        custom_attrs=tid("notfound-home")),
                align="center",
                spacing="4",
                max_width="34rem",
                width="100%",
                custom_attrs=tid("not-found"),
            ),
            padding_y="4rem",
        )
    )
