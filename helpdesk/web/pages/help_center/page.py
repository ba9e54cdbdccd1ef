from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T


def home_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.box(
                rx.vstack(
                    rx.heading(T["home.hero_title"], size="8", as_="h1"),
                    rx.text(T["home.hero_subtitle"], size="4", color_scheme="gray"),
                    rx.link(rx.button(T["nav.new_ticket"], size="3"), href=routes.NEW_TICKET),
                    spacing="3",
                    align="center",
                    text_align="center",
                ),
                class_name="hd-hero",
                width="100%",
            ),
            spacing="5",
            width="100%",
        )
    )


def article_page() -> rx.Component:
    return shell(rx.heading("article", as_="h1"))


def category_page() -> rx.Component:
    return shell(rx.heading("category", as_="h1"))
