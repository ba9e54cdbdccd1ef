"""/chat: the conversation as a page of its own (mobile-app web views), and with ?embed=1 the
bare conversation the widget shows in its iframe on other sites."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T
from helpdesk.web.pages.chat.panel import chat_page_body
from helpdesk.web.pages.chat.state import ChatState as S


def chat_page() -> rx.Component:
    return rx.cond(
        S.embed,
        rx.el.main(chat_page_body(), id="main"),
        shell(
            rx.vstack(
                rx.heading(T["chat.page_title"], size="7", as_="h1"),
                rx.text(T["chat.page_intro"], color=rx.color("gray", 11)),
                chat_page_body(),
                width="100%",
                spacing="3",
            ),
            width="44rem",
        ),
    )
