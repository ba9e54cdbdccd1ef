"""The "Showing results for «contraseña»" line above typo-corrected results, with a link to
search the words exactly as typed (issue 20). Its own module: the page only includes it."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.help_center.state import HelpCenterState as S


def correction_notice() -> rx.Component:
    return rx.cond(
        S.corrected != "",
        rx.box(
            rx.text(
                T["knowledge.showing_for"], " «", rx.text.strong(S.corrected), "»",
                size="2", color=rx.color("gray", 12),
            ),
            rx.text(
                T["knowledge.search_as_typed"], " ",
                rx.link("«", S.query, "»", href="#", on_click=S.search_as_typed.prevent_default,
                        custom_attrs=tid("kb-search-as-typed")),
                size="1", color=rx.color("gray", 11),
            ),
            padding="0.5rem 1rem 0",
            text_align="left",
            custom_attrs=tid("kb-correction"),
        ),
    )
